import HearthCore
import HearthStore

/// An op the hub refused, as the administrator sees it.
public struct QuarantineEntry: Sendable {
    public let dot: Dot
    public let record: RecordID?
    public let reason: String
    public let state: String
    public let atMillis: Int64
    public let author: String
    /// Ops that wait for this one ("depends on <dot>").
    public let dependents: [Dot]

    public init(
        dot: Dot, record: RecordID?, reason: String, state: String, atMillis: Int64, author: String, dependents: [Dot]
    ) {
        self.dot = dot
        self.record = record
        self.reason = reason
        self.state = state
        self.atMillis = atMillis
        self.author = author
        self.dependents = dependents
    }
}

/// A held op and what the hub holds around it, read in the transaction that settles it, so
/// the desk's decision rests on nothing another transaction may change meanwhile.
public struct HeldOp: Sendable {
    public let op: Op
    /// Why it was held.
    public let reason: String
    /// Whether the hub's log holds another op under the same dot (the node was copied).
    public let forked: Bool
    /// The op's record as the hub holds it now; nil when it holds no such record.
    public let record: RecordState?
    /// The village the record lies in at the hub now; nil when it holds the record nowhere.
    public let village: DivisionCode?
    /// The author's registered scope; nil when the author is not a registered node.
    public let authorScope: ScopePrefix?

    public init(
        op: Op, reason: String, forked: Bool, record: RecordState?, village: DivisionCode?, authorScope: ScopePrefix?
    ) {
        self.op = op
        self.reason = reason
        self.forked = forked
        self.record = record
        self.village = village
        self.authorScope = authorScope
    }
}

/// What the desk does with a held op, decided by the ledger (``HubLedger/releaseQuarantined(_:author:nowMillis:)``,
/// ``HubLedger/discardQuarantined(_:author:nowMillis:)``) and carried out by the storage in the
/// transaction that read the ``HeldOp``.
public enum Settlement: Sendable {
    /// Apply the op as its writer made it; the ops waiting for it follow.
    case release
    /// Mark it discarded and write nothing: no one but its author ever held it.
    case discardSilently
    /// Write the compensating op that voids it and sets `restoring` back, addressed to the
    /// author when `addressed`; then mark it discarded.
    case compensate(restoring: [String: FieldValue], cause: String, addressed: Bool)
}

/// A settlement and the audit line that records it, written in the same transaction.
public struct SettlementDecision: Sendable {
    public let settlement: Settlement
    public let audit: AuditEvent

    public init(_ settlement: Settlement, audit: AuditEvent) {
        self.settlement = settlement
        self.audit = audit
    }
}

/// What settling a held op did.
public struct SettlementOutcome: Sendable {
    /// What applying a released op did; nil for a discard.
    public let applied: ApplyReport?
    /// The compensating op written; nil when none was.
    public let compensation: Op?

    public init(applied: ApplyReport?, compensation: Op?) {
        self.applied = applied
        self.compensation = compensation
    }
}
