/// What one desk case is about: the unit the rule engine judges a case for, and the unit a
/// store keeps its cases by.
///
/// A store keeps the cases it found and judges a subject again only when a record the
/// subject's rule reads has changed, so a read of the desk costs what it returns, not the
/// county. Each subject names the rule's starting point; ``RuleEngine/deskCases(of:lookup:)``
/// says what is read from there.
public enum CaseSubject: Hashable, Sendable, CustomStringConvertible {
    /// R5: the members holding the ID number with this keyed hash.
    case idHash(String)
    /// R6: a member's live enrollments in programs that exclude each other.
    case member(RecordID)
    /// R6: an enrollment's prerequisites; R2a: its exit against an approval.
    case enrollment(RecordID)
    /// R8: a household without a living member or a living head.
    case household(RecordID)
    /// R1: a reported death not yet verified.
    case lead(RecordID)

    /// `hash:<hash>`, `member:<id>`, `enrollment:<id>`, `household:<id>` or `lead:<id>`: the
    /// form a store keys its cases by.
    public var key: String {
        switch self {
        case .idHash(let hash): return "hash:" + hash
        case .member(let id): return "member:" + id.value
        case .enrollment(let id): return "enrollment:" + id.value
        case .household(let id): return "household:" + id.value
        case .lead(let id): return "lead:" + id.value
        }
    }

    /// What the desk orders a subject's cases by, within their rule: the hash or the record id.
    public var sortKey: String {
        switch self {
        case .idHash(let hash): return hash
        case .member(let id), .enrollment(let id), .household(let id), .lead(let id): return id.value
        }
    }

    public var description: String { key }

    /// The subject a key names; nil when the key is not one (or names a record of the wrong type).
    public init?(key: String) {
        guard let colon = key.firstIndex(of: ":") else { return nil }
        let kind = key[..<colon]
        let rest = String(key[key.index(after: colon)...])
        if kind == "hash" {
            guard !rest.isEmpty else { return nil }
            self = .idHash(rest)
            return
        }
        guard let id = RecordID(rest) else { return nil }
        switch (kind, id.type) {
        case ("member", .member): self = .member(id)
        case ("enrollment", .enrollment): self = .enrollment(id)
        case ("household", .household): self = .household(id)
        case ("lead", .lead): self = .lead(id)
        default: return nil
        }
    }
}

extension DeskCase {
    /// Where the desk lists a case: duplicate persons (R5), exclusive programs (R6), missing
    /// prerequisites (R6), household structure (R8), exits against approvals (R2a), reported
    /// deaths (R1), ops waiting too long (R11); within each, by its subject's ``CaseSubject/sortKey``.
    public var deskPosition: Int {
        switch rule {
        case .r5: return 0
        case .r6: return kind == "exclusive-programs" ? 1 : 2
        case .r8: return 3
        case .r2a: return 4
        case .r1: return 5
        default: return 6
        }
    }
}
