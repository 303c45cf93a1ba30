/// A record id in canonical form (`E-3f9a2c71b0d4-42`) as two numbers: its type and its
/// replica in one, its counter in the other.
///
/// Why: an id is 16 to 34 bytes, so Swift keeps its text apart from any dictionary that holds
/// it, and every key a lookup compares is read there, from memory the lookup has not touched.
/// A roll looks enrollment ids up once for every line every locked month paid, hundreds of
/// thousands of times; hashing and comparing two numbers held in the table costs a fraction of
/// that. Two canonical ids are equal exactly when their numbers are.
public struct PackedRecordID: Hashable, Sendable {
    /// The type's position above the replica's 48 bits.
    let head: UInt64
    let counter: UInt64

    /// The numbers of a canonical id; nil for any other text (which a caller keeps by its text).
    public init?(_ text: String) {
        guard let parts = RecordID.canonicalParts(text) else { return nil }
        head = UInt64(parts.type.position) << 48 | parts.replica
        counter = parts.counter
    }
}
