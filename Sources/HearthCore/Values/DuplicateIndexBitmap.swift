/// The whole duplicate index as a bitmap: bit `p` (byte `p / 8`, most significant bit first)
/// is set when prefix `p` is in the index.
///
/// One form for the wire (a whole index to a node that takes deltas, Protocol/sync.md) and for
/// the node's own copy (`sync_state.index_bitmap`, node v3): 2 KiB whatever the county's size,
/// where a row per prefix made every whole index a node received some 16,000 writes.
public enum DuplicateIndexBitmap {
    public static let byteCount = DuplicateIndex.prefixCount / 8

    public static func bitmap(of prefixes: some Sequence<Int>) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: byteCount)
        for prefix in prefixes { set(prefix, in: &bytes, to: true) }
        return bytes
    }

    /// The prefixes set, ascending and each once.
    public static func prefixes(in bytes: [UInt8]) -> [Int] {
        var prefixes: [Int] = []
        for (index, byte) in bytes.enumerated() where byte != 0 {
            for bit in 0..<8 where byte & (0x80 >> UInt8(bit)) != 0 { prefixes.append(index << 3 | bit) }
        }
        return prefixes
    }

    /// Whether `prefix` is set; false for a prefix out of range or past the bytes given.
    public static func contains(_ prefix: Int, in bytes: [UInt8]) -> Bool {
        guard prefix >= 0, prefix < DuplicateIndex.prefixCount, prefix >> 3 < bytes.count else { return false }
        return bytes[prefix >> 3] & (0x80 >> UInt8(prefix & 7)) != 0
    }

    /// Sets or clears `prefix`'s bit; a prefix out of range changes nothing. `bytes` shorter
    /// than a bitmap (a node's copy before it held one) is first filled out with zeros.
    public static func set(_ prefix: Int, in bytes: inout [UInt8], to present: Bool) {
        guard prefix >= 0, prefix < DuplicateIndex.prefixCount else { return }
        if bytes.count < byteCount { bytes += [UInt8](repeating: 0, count: byteCount - bytes.count) }
        let mask: UInt8 = 0x80 >> UInt8(prefix & 7)
        if present { bytes[prefix >> 3] |= mask } else { bytes[prefix >> 3] &= ~mask }
    }
}
