/// The table of contents of a zip held in memory (every .xlsx is one): where each part's
/// compressed bytes lie, how they are compressed, and the size and CRC-32 they must inflate to.
///
/// Read here rather than through a zip library so that a part can be inflated a window at a
/// time, as the XML parser asks for it (``ZipPartStream``): a county's worksheet unpacks to
/// 150 MB or more, and was held whole. Only what a workbook needs is read: stored and deflated
/// parts, ZIP64's sizes and offsets; a spanned or encrypted zip is refused. Every offset and
/// length is checked against the file before it is followed, so a damaged or hostile zip is
/// refused, never read out of bounds.
struct ZipDirectory: Sendable {
    /// One part of the zip.
    struct Entry: Sendable, Equatable {
        let path: String
        /// 0 stored, 8 deflated.
        let method: UInt16
        /// Where the part's compressed bytes lie in the file.
        let data: Range<Int>
        let size: Int
        let crc32: UInt32
    }

    /// Why the zip cannot be read as one.
    enum Failure: Error, Equatable {
        /// Not a zip, or its directory is damaged: nothing in it can be found.
        case notAZip
        /// The part at this path cannot be read (a damaged header, a method no spreadsheet
        /// program writes, encryption).
        case unreadable(path: String)
    }

    let entries: [Entry]

    /// The part at `path`, its name compared without regard to case when no part has it exactly
    /// (some programs write `xl/SharedStrings.xml`); nil when there is none.
    func entry(_ path: String) -> Entry? {
        entries.first { $0.path == path } ?? entries.first { $0.path.lowercased() == path.lowercased() }
    }

    /// Reads the directory of the zip in `bytes`. A part's own header is read only when the
    /// part is opened (``locate``), so a damaged part that is never asked for does not matter.
    init(_ bytes: [UInt8]) throws(Failure) {
        let reader = Reader(bytes: bytes)
        guard let end = reader.endOfDirectory() else { throw .notAZip }
        var count = Int(reader.uint16(end + 10) ?? 0)
        var size = Int(reader.uint32(end + 12) ?? 0)
        var offset = Int(reader.uint32(end + 16) ?? 0)
        if count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
            // ZIP64: the real figures are in the ZIP64 end record the locator before this one names.
            guard end >= 20, reader.uint32(end - 20) == 0x0706_4B50, let at = reader.uint64(end - 12),
                at < bytes.count, reader.uint32(at) == 0x0606_4B50,
                let count64 = reader.uint64(at + 32), let size64 = reader.uint64(at + 40),
                let offset64 = reader.uint64(at + 48)
            else { throw .notAZip }
            (count, size, offset) = (count64, size64, offset64)
        }
        guard offset >= 0, size >= 0, offset <= bytes.count, size <= bytes.count - offset,
            count <= size / Self.centralHeaderSize, count <= Self.maxEntries
        else { throw .notAZip }
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        var at = offset
        for _ in 0..<count {
            guard reader.uint32(at) == 0x0201_4B50, let flags = reader.uint16(at + 8),
                let method = reader.uint16(at + 10), let crc = reader.uint32(at + 16),
                let compressed32 = reader.uint32(at + 20), let size32 = reader.uint32(at + 24),
                let nameLength = reader.uint16(at + 28), let extraLength = reader.uint16(at + 30),
                let commentLength = reader.uint16(at + 32), let header32 = reader.uint32(at + 42),
                let name = reader.slice(at + Self.centralHeaderSize, Int(nameLength)),
                let extra = reader.slice(at + Self.centralHeaderSize + Int(nameLength), Int(extraLength))
            else { throw .notAZip }
            let path = String(decoding: name, as: UTF8.self)
            var compressed = Int(compressed32)
            var inflated = Int(size32)
            var header = Int(header32)
            if compressed32 == 0xFFFF_FFFF || size32 == 0xFFFF_FFFF || header32 == 0xFFFF_FFFF {
                guard
                    let sizes = Self.zip64(
                        extra, size: size32 == 0xFFFF_FFFF, compressed: compressed32 == 0xFFFF_FFFF,
                        header: header32 == 0xFFFF_FFFF)
                else { throw .notAZip }
                inflated = sizes.size ?? inflated
                compressed = sizes.compressed ?? compressed
                header = sizes.header ?? header
            }
            at += Self.centralHeaderSize + Int(nameLength) + Int(extraLength) + Int(commentLength)
            // A folder, or an encrypted part (which no workbook is): kept out, so it is never read.
            guard !path.hasSuffix("/"), flags & 1 == 0 else { continue }
            guard header >= 0, header < bytes.count, compressed >= 0, compressed <= bytes.count, inflated >= 0 else {
                throw .notAZip
            }
            // Where the data begins is in the part's own header; until it is read, this range
            // holds the header's offset and the compressed size.
            entries.append(
                Entry(path: path, method: method, data: header..<header + compressed, size: inflated, crc32: crc))
        }
        self.entries = entries
    }

    /// The compressed bytes of `entry`, from its local header (whose name and extra field may be
    /// of other lengths than the directory's).
    static func locate(_ entry: Entry, in bytes: [UInt8]) throws(Failure) -> Entry {
        let reader = Reader(bytes: bytes)
        let header = entry.data.lowerBound
        guard entry.method == 0 || entry.method == 8, reader.uint32(header) == 0x0403_4B50,
            let nameLength = reader.uint16(header + 26), let extraLength = reader.uint16(header + 28)
        else { throw .unreadable(path: entry.path) }
        let start = header + 30 + Int(nameLength) + Int(extraLength)
        guard start <= bytes.count, entry.data.count <= bytes.count - start else {
            throw .unreadable(path: entry.path)
        }
        return Entry(
            path: entry.path, method: entry.method, data: start..<start + entry.data.count, size: entry.size,
            crc32: entry.crc32)
    }

    /// The most parts read: what a zip holds without its 64-bit extension. A workbook has a few
    /// dozen; a file of millions of empty parts would cost memory (and a search of them for each
    /// part asked for) out of proportion to its size.
    static let maxEntries = 65_535

    /// The length of a central directory header before its name.
    static let centralHeaderSize = 46

    /// The 64-bit figures a ZIP64 extra field (id 1) holds, in the order the directory's 32-bit
    /// fields that are all ones call for them.
    static func zip64(_ extra: ArraySlice<UInt8>, size: Bool, compressed: Bool, header: Bool) -> (
        size: Int?, compressed: Int?, header: Int?
    )? {
        let reader = Reader(bytes: Array(extra))
        var at = 0
        while let id = reader.uint16(at), let length = reader.uint16(at + 2) {
            let body = at + 4
            if id == 1 {
                var field = body
                func next() -> Int? {
                    defer { field += 8 }
                    return field + 8 <= body + Int(length) ? reader.uint64(field) : nil
                }
                let sizeValue = size ? next() : nil
                let compressedValue = compressed ? next() : nil
                let headerValue = header ? next() : nil
                guard size == (sizeValue != nil), compressed == (compressedValue != nil), header == (headerValue != nil)
                else { return nil }
                return (sizeValue, compressedValue, headerValue)
            }
            at = body + Int(length)
        }
        return nil
    }

    /// Little-endian fields read from the file, nil past its end.
    private struct Reader {
        let bytes: [UInt8]

        func uint16(_ at: Int) -> UInt16? {
            guard at >= 0, at <= bytes.count - 2 else { return nil }
            return UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
        }

        func uint32(_ at: Int) -> UInt32? {
            guard at >= 0, at <= bytes.count - 4 else { return nil }
            return (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << (8 * UInt32($1)) }
        }

        /// A 64-bit figure, nil when it does not fit in an `Int` (no file of ours is that large).
        func uint64(_ at: Int) -> Int? {
            guard at >= 0, at <= bytes.count - 8 else { return nil }
            let value = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) }
            return value <= UInt64(Int.max) ? Int(value) : nil
        }

        func slice(_ at: Int, _ count: Int) -> ArraySlice<UInt8>? {
            guard at >= 0, count >= 0, at <= bytes.count, count <= bytes.count - at else { return nil }
            return bytes[at..<at + count]
        }

        /// The offset of the end-of-directory record: the last one in the file's final
        /// 64 KiB + 22 bytes (a zip's comment is at most 65,535 bytes).
        func endOfDirectory() -> Int? {
            guard bytes.count >= 22 else { return nil }
            var at = bytes.count - 22
            let lowest = max(0, at - 0xFFFF)
            while at >= lowest {
                if bytes[at] == 0x50, uint32(at) == 0x0605_4B50 { return at }
                at -= 1
            }
            return nil
        }
    }
}
