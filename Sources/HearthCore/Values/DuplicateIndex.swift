/// The county's live ID numbers as a node may hold them: the set of 14-bit prefixes of their
/// keyed hashes, and nothing else about anyone (Protocol/sync.md, Duplicate index).
///
/// Whoever holds the county data key can compute the prefix of a known ID number, so the
/// index must not say more than "possibly registered elsewhere": it names no township and no
/// program, and a prefix is short enough that each one is shared by several people of a
/// county (60,000 people share 16,384 prefixes, 3.7 to a prefix on average). A hit is confirmed or
/// cleared by the hub (rule R5) at the next sync.
public enum DuplicateIndex {
    /// Bits of the keyed hash kept: 2^14 = 16,384 prefixes.
    public static let prefixBits = 14
    public static let prefixCount = 1 << prefixBits

    /// The prefix of a keyed hash written as lower-case hex (the `hmac` of a sealed ID number):
    /// its first 14 bits as an integer; nil when the text is not at least 4 hex digits.
    public static func prefix(ofHash hex: String) -> Int? {
        guard let bytes = Hex.decode(String(hex.prefix(4))), bytes.count == 2 else { return nil }
        return (Int(bytes[0]) << 8 | Int(bytes[1])) >> (16 - prefixBits)
    }
}
