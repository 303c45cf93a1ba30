/// What a rule says about what it was shown: the one answer type of every rule of the engine,
/// so the hub, the writer and the simulation act on rules the same way.
public enum RuleVerdict: Equatable, Sendable {
    /// Nothing to do: the rule lets the op (or the state) through.
    case admit
    /// The op is refused, with the rule and a sentence for the field worker and the desk.
    case refuse(AdmissionRefusal)
    /// A case for the desk: people decide, and the payments it names are held meanwhile.
    case desk(DeskCase)
    /// Automatic decisions: field changes the hub writes in ops of its own, or notes for the
    /// audit trail, each with the trigger that makes it fire at most once.
    case decide([RuleDecision])

    /// The refusal, when the verdict is one.
    public var refusal: AdmissionRefusal? {
        if case .refuse(let refusal) = self { return refusal }
        return nil
    }

    /// The desk case, when the verdict is one.
    public var deskCase: DeskCase? {
        if case .desk(let found) = self { return found }
        return nil
    }

    /// The decisions, empty unless the verdict is `decide`.
    public var decisions: [RuleDecision] {
        if case .decide(let decisions) = self { return decisions }
        return []
    }

    /// `decide` with the decisions, or `admit` when there are none.
    public static func deciding(_ decisions: [RuleDecision]) -> RuleVerdict {
        decisions.isEmpty ? .admit : .decide(decisions)
    }
}

/// A situation a cross-record rule flags for the desk, derived from the merged state each time
/// it is asked for, so every replica sees the same cases and a case closes by itself when the
/// state no longer shows it. (The hub's `RuleCase` carries the same fields, the rule as text.)
public struct DeskCase: Hashable, Sendable {
    /// `<rule>:<key>`, e.g. `R6:M-3f9a2c71b0d4-2`; household cases are `H:<household>/<what>`.
    public let id: String
    public let rule: RuleID
    /// What kind of case, as the desk lists it (`duplicate-person`, `no-head`, …).
    public let kind: String
    public let village: String?
    public let records: [RecordID]
    public let detail: String
    /// Enrollments whose payments are held while the case is open.
    public let holds: [RecordID]

    public init(
        id: String, rule: RuleID, kind: String, village: String?, records: [RecordID], detail: String,
        holds: [RecordID]
    ) {
        self.id = id
        self.rule = rule
        self.kind = kind
        self.village = village
        self.records = records
        self.detail = detail
        self.holds = holds
    }
}

/// An automatic decision of a rule, as the hub writes it: the fields to set on a record in an
/// op of its own (none for a decision that only enters the audit trail), and the row of the
/// decisions table that explains it ("rule R2, rule set 1").
///
/// The hub writes a decision unless one with the same rule, record and trigger is recorded
/// already: that is what makes a rule fire once per trigger however often the trigger arrives.
public struct RuleDecision: Hashable, Sendable {
    public let rule: RuleID
    public let record: RecordID
    /// The field the decision is about (`status`, `end_month`); nil for the whole record.
    public let field: String?
    /// The fields to write; empty when nothing is written to the record (a soft rule's note).
    public let changes: [String: FieldValue]
    /// What was chosen (`exited`, a month, `superseded`, `override`).
    public let choice: String
    public let note: String
    /// The op(s) that triggered the decision, as the decisions table keys it.
    public let trigger: String
    /// Who the decision is recorded for: `rule R1`, or the writer whose override it records.
    public let worker: String
    /// The cause of the op that writes `changes` (nil when nothing is written).
    public let cause: String?
    /// The op the decision is about when it writes nothing (the superseded op, the op that
    /// overrode a check); nil when the decision's own op is the one to record.
    public let subject: Dot?

    public init(
        rule: RuleID, record: RecordID, field: String?, changes: [String: FieldValue], choice: String, note: String,
        trigger: String, worker: String, cause: String?, subject: Dot?
    ) {
        self.rule = rule
        self.record = record
        self.field = field
        self.changes = changes
        self.choice = choice
        self.note = note
        self.trigger = trigger
        self.worker = worker
        self.cause = cause
        self.subject = subject
    }
}
