import HearthCore
import HearthStore

/// What the desk's audit search asks: each filter optional, all of them together.
///
/// Why one query over both trails: the hub keeps who decided (`decisions`: resolutions,
/// acknowledgements, the rules' own) apart from who did something else (`audit`: logins,
/// exports, reveals, settlements); a person searching "what did wang do last week" wants both,
/// newest first, as `hearth hub audit` merges them.
public struct AuditQuery: Sendable, Hashable {
    /// The worker (a desk user's name, a CLI `--worker`, a rule), exactly.
    public var worker: String?
    /// An event's action (`desk login`, `export`, …) or a decision's kind (`resolution`, …), exactly.
    public var action: String?
    /// The record (or an event's subject), exactly.
    public var record: String?
    /// From this time on, and before `beforeMillis` (Unix milliseconds).
    public var fromMillis: Int64?
    public var beforeMillis: Int64?

    public init(
        worker: String? = nil, action: String? = nil, record: String? = nil, fromMillis: Int64? = nil,
        beforeMillis: Int64? = nil
    ) {
        self.worker = worker
        self.action = action
        self.record = record
        self.fromMillis = fromMillis
        self.beforeMillis = beforeMillis
    }
}

/// One line of the audit as the desk lists it: an event, or a decision with its rule and op.
public struct AuditLine: Sendable, Hashable {
    public let atMillis: Int64
    public let worker: String
    /// The event's action, or the decision's kind.
    public let action: String
    public let record: String
    public let field: String
    /// The event's detail, or the decision's rule, choice and note.
    public let detail: String
    /// Whether it is a decision (from `decisions`) rather than an event (from `audit`).
    public let decision: Bool

    public init(
        atMillis: Int64, worker: String, action: String, record: String, field: String, detail: String,
        decision: Bool
    ) {
        self.atMillis = atMillis
        self.worker = worker
        self.action = action
        self.record = record
        self.field = field
        self.detail = detail
        self.decision = decision
    }
}
