/// How concurrent values of one field are settled (docs/architecture.md, "Conflict rules are data").
public enum FieldPolicy: Hashable, Sendable {
    /// The greatest (HLC, replica id) wins; losers stay in history (docs/rules.md R4a).
    case lww
    /// A declared order of values decides, the safer first: `order[0]` beats everything.
    case priority([String])
    /// The writer of higher rank wins (county > township > village); a tie of ranks with
    /// different values goes to a person.
    case authority
    /// Concurrent sets are united.
    case union
    /// Concurrent different values are all kept and the record is in conflict until an
    /// administrator decides (money, identity, household head, date of death).
    case human

    /// The name used in Protocol/ and on the wire.
    public var name: String {
        switch self {
        case .lww: return "lww"
        case .priority: return "priority"
        case .authority: return "authority"
        case .union: return "union"
        case .human: return "human"
        }
    }
}
