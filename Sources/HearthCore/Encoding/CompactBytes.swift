/// Appends the pieces of a compact binary form: unsigned LEB128 varints, zigzag integers and
/// length-prefixed bytes.
///
/// Why its own type: the stored merge state (``RecordState/compactBytes``) is written for every
/// changed record of every batch, so it is built into one growing buffer with no intermediate
/// strings or arrays.
public struct CompactWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func byte(_ value: UInt8) {
        bytes.append(value)
    }

    public mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    public mutating func varint(_ value: Int) {
        varint(UInt64(value))
    }

    /// A signed integer, zigzag-encoded so that small negative numbers stay short.
    public mutating func signed(_ value: Int64) {
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// Text as its UTF-8 bytes after their count.
    public mutating func text(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            varint(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }

    /// Lower-case hex text as the bytes it spells, `count` of them; false (writing nothing)
    /// when the text is not exactly that many bytes in lower-case hex. No intermediate array:
    /// every replica id and hash of an op goes through here.
    public mutating func hex(_ text: String, count: Int) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            guard utf8.count == 2 * count else { return false }
            let start = bytes.count
            var index = 0
            while index < utf8.count {
                guard let high = Self.nibble(utf8[index]), let low = Self.nibble(utf8[index + 1]) else {
                    bytes.removeSubrange(start...)
                    return false
                }
                bytes.append(high << 4 | low)
                index += 2
            }
            return true
        }
    }

    /// A lower-case hex digit's value; nil for any other byte.
    private static func nibble(_ unit: UInt8) -> UInt8? {
        switch unit {
        case 48...57: unit - 48
        case 97...102: unit - 87
        default: nil
        }
    }

    public mutating func raw<Bytes: Sequence>(_ value: Bytes) where Bytes.Element == UInt8 {
        bytes.append(contentsOf: value)
    }
}

/// Reads what ``CompactWriter`` wrote. Every read returns nil when the bytes run out or do not
/// hold the shape asked for, so a decoder over damaged bytes fails instead of trapping; a varint
/// that is not in its shortest form is refused, so one value has one encoding.
public struct CompactReader {
    private let bytes: [UInt8]
    private var position = 0

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    public var isAtEnd: Bool { position == bytes.count }

    /// The next byte, not taken; nil at the end.
    public func peek() -> UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    public mutating func byte() -> UInt8? {
        guard position < bytes.count else { return nil }
        defer { position += 1 }
        return bytes[position]
    }

    public mutating func varint() -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard let next = byte(), shift < 64 else { return nil }
            let payload = UInt64(next & 0x7F)
            if shift == 63 && payload > 1 { return nil }
            value |= payload << shift
            guard next & 0x80 != 0 else {
                // A last byte of zero after others is a padded (non-shortest) form.
                if next == 0 && shift > 0 { return nil }
                return value
            }
            shift += 7
        }
    }

    /// A count or index: a varint no greater than `limit`.
    public mutating func count(atMost limit: Int) -> Int? {
        guard limit >= 0, let value = varint(), value <= UInt64(limit) else { return nil }
        return Int(value)
    }

    public mutating func signed() -> Int64? {
        guard let value = varint() else { return nil }
        return Int64(bitPattern: (value >> 1) ^ (0 &- (value & 1)))
    }

    public mutating func raw(_ count: Int) -> ArraySlice<UInt8>? {
        guard count >= 0, bytes.count - position >= count else { return nil }
        defer { position += count }
        return bytes[position..<position + count]
    }

    /// Length-prefixed UTF-8; nil when the bytes are not valid UTF-8.
    public mutating func text() -> String? {
        guard let length = count(atMost: bytes.count - position), let slice = raw(length) else { return nil }
        return String(validating: slice, as: UTF8.self)
    }
}
