import HearthCore
import HearthStore

/// The op log as the hub's storage keeps it: a node's batch appended (judged, quarantined or
/// integrated), chain links, holds, confirmations and the log's extent and figures.
///
/// Apart from ``LedgerStorage`` because a backend gains these as one piece (``LedgerLog`` holds
/// their bodies over either database's statements) and the conformance suite runs them on
/// every backend that has them: SQLite's, and PostgreSQL's before the rest of its ledger.
public protocol LogStorage: Sendable {
    /// The hash of an author's op as the hub holds it (logged or quarantined); "" for counter
    /// 0, nil when it holds no op there.
    func chainHash(replica: ReplicaID, counter: UInt64) async throws(ReplicaError) -> String?

    /// Appends a node's verified batch in one transaction: an op already held under the same
    /// dot and hash is a duplicate, under the same dot with another hash a fork (the whole
    /// batch is refused: ``ReplicaError/fork(dot:)``); every other op is judged by `admission`
    /// on the state as the earlier ops of the batch left it, and quarantined with its reason or
    /// integrated. The node's acknowledged counter and chain head advance in the same
    /// transaction. More than `batch.maxWaiting` of the node's ops waiting refuses the batch
    /// (``ReplicaError/tooManyWaiting(count:bound:)``).
    func append(_ batch: PushBatch, admission: PushAdmission) async throws(ReplicaError) -> PushOutcome

    /// Holds an op the hub will not apply, with the reason; an op already held stays as it is.
    /// The log after a cursor as one node may see it (``ScopedRead``), in log order, at most
    /// `read.limit` ops unless one record's history part is longer.
    func read(_ read: ScopedRead) async throws(ReplicaError) -> LogPage

    func hold(_ op: Op, reason: String, nowMillis: Int64) async throws(ReplicaError)

    /// The hash of every op the hub holds, by dot: logged, or held in quarantine (an op held
    /// as a fork, the second content under a dot the log holds, is not the hub's).
    func heldHashes() async throws(ReplicaError) -> [Dot: String]

    /// Moves ops every active node holding them has pulled, older than the retention, from the
    /// log to its archive, in one transaction, at most `plan.limit` of them
    /// (``LedgerCompaction``); `sign` signs the chain checkpoints it writes.
    func compact(_ plan: CompactionPlan, sign: @escaping @Sendable ([UInt8]) throws -> String)
        async throws(ReplicaError) -> CompactionReport

    /// Records how far a node has confirmed the log, and when it last synced.
    func confirmPulled(_ replica: ReplicaID, cursor: Int64, nowMillis: Int64) async throws(ReplicaError)

    /// The greatest log position.
    func logEnd() async throws(ReplicaError) -> Int64

    /// The ids the hub wrote under before each restore, with the last counter of each the
    /// restored copy held, oldest first (none on a hub never restored).
    func retiredWriters() async throws(ReplicaError) -> [RetiredWriter]

    /// The greatest log position and the runs a restored hub skipped, to count nodes' lag by.
    func logExtent() async throws(ReplicaError) -> LogExtent

    /// Records in conflict, registered nodes and held quarantine, for the hub's metrics.
    func gauges() async throws(ReplicaError) -> LedgerGauges
}
