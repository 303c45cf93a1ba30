/// A spreadsheet row's cells packed into one buffer of UTF-8: its cleaned cells, then its
/// cells as the file wrote them, each behind its length.
///
/// A county's roster has 360,000 rows of 13 cells. Kept as two arrays of `String` a row (the
/// cleaned cells and the cells as written), each cell past 15 bytes of UTF-8 a heap object of
/// its own, the table took about 270 MB; packed, about a quarter of it. A cell as written that
/// equals its cleaned cell (most do) is stored as a reference to it, not a second time.
///
/// The layout, each number a LEB128 varint: for each cleaned cell, its length and its bytes;
/// then for each cell as written, either `2 × length` and its bytes, or `2 × position + 1` for
/// "the same as cleaned cell `position`". Reading a cell walks the cells before it: a row has a
/// few dozen at most.
struct PackedCells: Sendable, Equatable {
    private var bytes: [UInt8]
    /// How many cleaned cells, then cells as written, the buffer holds.
    let cleanedCount: Int32
    let writtenCount: Int32

    /// Packs `cleaned` and `written`; `position(of:)` names, for a cell as written, the cleaned
    /// cell it was cleaned into (nil when it has none: a column without a header).
    init(cleaned: [String], written: [String], position: (Int) -> Int?) {
        // Each cell as written that is its cleaned cell, by that cell's position; the buffer is
        // sized exactly before it is filled, so no row holds spare capacity.
        let same: [Int?] = written.indices.map { column in
            guard let position = position(column), position < cleaned.count, cleaned[position] == written[column]
            else { return nil }
            return position
        }
        var size = 0
        for cell in cleaned { size += Self.size(varint: UInt64(cell.utf8.count)) + cell.utf8.count }
        for (column, cell) in written.enumerated() {
            if let position = same[column] {
                size += Self.size(varint: UInt64(position) << 1 | 1)
            } else {
                size += Self.size(varint: UInt64(cell.utf8.count) << 1) + cell.utf8.count
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size)
        for cell in cleaned {
            Self.append(varint: UInt64(cell.utf8.count), to: &bytes)
            bytes.append(contentsOf: cell.utf8)
        }
        for (column, cell) in written.enumerated() {
            if let position = same[column] {
                Self.append(varint: UInt64(position) << 1 | 1, to: &bytes)
            } else {
                Self.append(varint: UInt64(cell.utf8.count) << 1, to: &bytes)
                bytes.append(contentsOf: cell.utf8)
            }
        }
        self.bytes = bytes
        cleanedCount = Int32(cleaned.count)
        writtenCount = Int32(written.count)
    }

    /// The buffer's size, what the row's cells cost beside the row itself.
    var byteCount: Int { bytes.count }

    /// The cleaned cell at `position`.
    func cleaned(_ position: Int) -> String {
        guard position >= 0, position < Int(cleanedCount) else { return "" }
        var offset = 0
        for _ in 0..<position { offset = skipCleaned(at: offset) }
        let length = Int(Self.varint(bytes, &offset))
        return text(offset, length)
    }

    /// Every cleaned cell, in order.
    var cleanedCells: [String] {
        var cells: [String] = []
        cells.reserveCapacity(Int(cleanedCount))
        var offset = 0
        for _ in 0..<Int(cleanedCount) {
            let length = Int(Self.varint(bytes, &offset))
            cells.append(text(offset, length))
            offset += length
        }
        return cells
    }

    /// Every cell as written, in the file's column order.
    var writtenCells: [String] {
        let cleaned = cleanedCells
        var offset = 0
        for _ in 0..<Int(cleanedCount) { offset = skipCleaned(at: offset) }
        var cells: [String] = []
        cells.reserveCapacity(Int(writtenCount))
        for _ in 0..<Int(writtenCount) {
            let tag = Self.varint(bytes, &offset)
            if tag & 1 == 1 {
                cells.append(cleaned[Int(tag >> 1)])
            } else {
                let length = Int(tag >> 1)
                cells.append(text(offset, length))
                offset += length
            }
        }
        return cells
    }

    /// The cells with cleaned cell `position` set to `value`, and the cell as written in column
    /// `column` too (the file's columns grow to hold it); references stay references.
    func filling(position: Int?, column: Int?, with value: String) -> PackedCells {
        var cleaned = cleanedCells
        var written = writtenCells
        var references = [Int?](repeating: nil, count: written.count)
        var offset = 0
        for _ in 0..<Int(cleanedCount) { offset = skipCleaned(at: offset) }
        for index in 0..<Int(writtenCount) {
            let tag = Self.varint(bytes, &offset)
            if tag & 1 == 1 { references[index] = Int(tag >> 1) } else { offset += Int(tag >> 1) }
        }
        if let position, position < cleaned.count { cleaned[position] = value }
        if let column {
            if written.count <= column {
                written += Array(repeating: "", count: column + 1 - written.count)
                references += Array(repeating: nil, count: column + 1 - references.count)
            }
            written[column] = value
            references[column] = position
        }
        return PackedCells(cleaned: cleaned, written: written) { references[$0] }
    }

    /// The offset of the cleaned cell after the one at `offset`.
    private func skipCleaned(at offset: Int) -> Int {
        var offset = offset
        let length = Int(Self.varint(bytes, &offset))
        return offset + length
    }

    private func text(_ offset: Int, _ length: Int) -> String {
        String(decoding: bytes[offset..<(offset + length)], as: UTF8.self)
    }

    private static func size(varint value: UInt64) -> Int {
        var value = value
        var size = 1
        while value >= 0x80 {
            value >>= 7
            size += 1
        }
        return size
    }

    private static func append(varint value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    private static func varint(_ bytes: [UInt8], _ offset: inout Int) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = bytes[offset]
            offset += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }
}
