import HearthCore
import HearthStore

/// What the county hub's ledger keeps in a database, as async operations each of which is one
/// transaction: nodes and their enrollment tokens, request nonces, the op log (a pushed batch
/// appended, a node's scope read by cursor), and quarantine.
///
/// Why a protocol: the ledger decides (who may register, which request is fresh, which op
/// breaks a rule) and the storage keeps what was decided, atomically, so the same ledger runs
/// on SQLite inside one file (``HubLedger`` opened from a path) or on a server database where
/// a county outgrows a file. Every method is `async`: a backend waits for its database without
/// holding one of Swift's cooperative threads (SQLite through GRDB's async access).
///
/// What crosses records inside a transaction (the state a pushed op is judged on) is given to
/// the ledger's pure rules through ``AdmissionLookup``, which the backend answers from the
/// transaction that applies the op; the verdict never rests on state read before it.
///
/// Every backend passes the same conformance suite (Tests/HearthLedgerTests), written against
/// this protocol and run once per backend. docs/architecture.md, "The storage seam". The
/// registered nodes and nonces (``NodeStorage``), the county desk's accounts and sessions
/// (``DeskStorage``), the op log's appends and figures (``LogStorage``) and the quarantine
/// (``QuarantineStorage``) are kept by the same backend.
public protocol LedgerStorage: NodeStorage, DeskStorage, LogStorage, QuarantineStorage {
    // MARK: The op log

    /// The county's duplicate index for a node holding `version` (`""` for none): unchanged,
    /// the prefixes changed since it when `deltas` (the node can take them) and the backend
    /// knows that version, or the whole index. The backend keeps the index as members change,
    /// so the answer costs what it carries, never the county's members.
    func duplicateIndex(since version: String, deltas: Bool) async throws(ReplicaError) -> DuplicateIndexAnswer

    // MARK: The county's edits and the desk's decisions

    /// Runs `body` in one write transaction: what it writes through ``CountyEditing`` is
    /// logged, merged, judged by the county's rules and committed with its decisions, or
    /// nothing is (whatever `body` throws). Returns its result and the ops written.
    func edit<T: Sendable>(
        author: String, nowMillis: Int64, _ body: @escaping @Sendable (CountyEditing) throws -> T
    ) async throws(ReplicaError) -> (result: T, ops: [Op])

    /// Runs `body` in one read transaction: every lookup it makes through ``CountyReading``
    /// sees the same state, and nothing is written. Returns its result; whatever `body`
    /// throws is thrown (a ``ReplicaError`` as it is).
    func reading<T: Sendable>(_ body: @escaping @Sendable (any CountyReading) throws -> T) async throws(ReplicaError)
        -> T

    /// Every decision (the desk's and the rules'), oldest first.
    func decisions() async throws(ReplicaError) -> [Decision]

    /// One page of the audit (decisions and events together) matching `query`, newest first,
    /// and how many lines match in all; each table read by its indexes (hub v8).
    func audit(_ query: AuditQuery, limit: Int, offset: Int) async throws(ReplicaError)
        -> (lines: [AuditLine], total: Int)

    // MARK: Rolls

    /// Locks a month's roll as paid: its lines are kept and the month is never computed again.
    /// Refused (``ReplicaError/invalid(_:)`` on `month`) when that month or a later one is
    /// locked already.
    func lock(_ roll: Payroll, worker: String, nowMillis: Int64) async throws(ReplicaError)

    /// The months whose rolls are locked as paid, oldest first.
    func lockedMonths() async throws(ReplicaError) -> [Month]

    /// Every deceased member with a date of death whose locked rolls (net of recoveries
    /// already made) paid months after the last one the county's death-month rule leaves
    /// paid, by village and id: what is owed back (追缴).
    func paidAfterDeath() async throws(ReplicaError) -> [RecoveryLine]

    // MARK: Figures

    /// The county's open leads (问题线索 not yet confirmed or refuted), counted by an index of
    /// the open ones: the cost follows the open leads, not all the county's.
    func openLeadCount() async throws(ReplicaError) -> Int
}
