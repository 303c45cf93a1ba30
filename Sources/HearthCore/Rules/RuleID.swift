/// How much of a rule's outcome a machine decides (docs/rules.md, "Severity").
public enum RuleSeverity: String, Hashable, Sendable, CaseIterable {
    /// Applied and logged.
    case auto
    /// Applied, and listed for optional review.
    case soft
    /// Not decided by a machine: an administrator decides, and money that depends on it is held.
    case hard
}

/// Every rule of the rule set (docs/rules.md), by its id.
///
/// The raw value is the id as decisions, quarantine reasons and desk cases carry it ("R5",
/// "R2a"): those strings are stored in databases and compared by tests, so they never change.
/// A rule's severity, title and precedence are declared here once, so that the desk, the
/// audit and the engine cannot describe one rule in two ways.
public enum RuleID: String, Hashable, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    case r1 = "R1"
    case r1a = "R1a"
    case r1b = "R1b"
    case r1c = "R1c"
    case r2 = "R2"
    case r2a = "R2a"
    case r3 = "R3"
    case r4 = "R4"
    case r4a = "R4a"
    case r4b = "R4b"
    case r4c = "R4c"
    case r5 = "R5"
    case r5a = "R5a"
    case r6 = "R6"
    case r7 = "R7"
    case r8 = "R8"
    case r9 = "R9"
    case r10 = "R10"
    case r11 = "R11"
    case r12 = "R12"
    case r13 = "R13"
    case r14 = "R14"
    case r15 = "R15"

    public var description: String { rawValue }

    /// The rule's name in one line, as docs/rules.md gives it.
    public var title: String {
        switch self {
        case .r1: return "death is terminal"
        case .r1a: return "death in a household enrollment"
        case .r1b: return "seen alive after death"
        case .r1c: return "undoing a death"
        case .r2: return "exit beats increase"
        case .r2a: return "exit against re-approval"
        case .r3: return "status moves from where the writer saw it"
        case .r4: return "different fields merge"
        case .r4a: return "descriptive fields"
        case .r4b: return "money and eligibility fields"
        case .r4c: return "identity fields"
        case .r5: return "one person, one record"
        case .r5a: return "ID numbers normalised"
        case .r6: return "programme exclusivity and prerequisites"
        case .r7: return "approval authority"
        case .r8: return "household structure"
        case .r9: return "append-only records never conflict"
        case .r10: return "no resurrection"
        case .r11: return "causal order"
        case .r12: return "paid months are history"
        case .r13: return "re-entry is new"
        case .r14: return "jurisdiction"
        case .r15: return "clock hygiene"
        }
    }

    /// The severity of the rule's usual outcome (the first docs/rules.md lists).
    public var severity: RuleSeverity {
        switch self {
        case .r1, .r4, .r5a, .r9, .r12, .r13: return .auto
        case .r2, .r3, .r4a, .r11, .r15: return .soft
        case .r1a, .r1b, .r1c, .r2a, .r4b, .r4c, .r5, .r6, .r7, .r8, .r10, .r14: return .hard
        }
    }

    /// The other severity of a rule docs/rules.md gives two: R3 is soft unless the status order
    /// would undo a terminal state (then hard, the desk); R6 is hard, but an age limit is an
    /// automatic scheduled end. Nil for every other rule.
    public var otherSeverity: RuleSeverity? {
        switch self {
        case .r3: return .hard
        case .r6: return .auto
        default: return nil
        }
    }

    /// The rule's place in the precedence of docs/rules.md, where several rules apply to the same
    /// ops: R1 > R14 > R7 > R2a > R2 > R3 > the field policies (R4 and its sub-rules). Lower
    /// comes first. Nil for a rule the precedence does not order (it never competes with the
    /// others for the same ops). R1's sub-rules share R1's place.
    public var precedence: Int? {
        switch self {
        case .r1, .r1a, .r1b, .r1c: return 0
        case .r14: return 1
        case .r7: return 2
        case .r2a: return 3
        case .r2: return 4
        case .r3: return 5
        case .r4, .r4a, .r4b, .r4c: return 6
        default: return nil
        }
    }

    /// Whether this rule wins over `other` when both apply to the same ops; false when the
    /// precedence orders neither of them, or both alike.
    public func takesPrecedence(over other: RuleID) -> Bool {
        guard let mine = precedence, let theirs = other.precedence else { return false }
        return mine < theirs
    }

    /// The rule a sub-rule belongs to (R1a → R1); a rule belongs to itself.
    public var family: RuleID {
        switch self {
        case .r1a, .r1b, .r1c: return .r1
        case .r2a: return .r2
        case .r4a, .r4b, .r4c: return .r4
        case .r5a: return .r5
        default: return self
        }
    }

    /// The order of docs/rules.md's table (R1, R1a, …, R15).
    public static func < (lhs: RuleID, rhs: RuleID) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
