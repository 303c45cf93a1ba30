import HearthCore
import HearthLedger
import HearthStore

/// The op log on PostgreSQL: the same bodies as SQLite's (``LedgerLog``), each in one
/// transaction; a write holds the hub's write lock (``writingStatements(_:)``), so positions
/// become visible in commit order and every verdict is judged on the state no other writer is
/// changing.
extension PostgresLedgerStorage: LogStorage {
    /// The apply engine as this hub runs it: its identity, the county's rules, and no state
    /// cache (another hub process may write between two transactions of this one).
    var engine: ApplyEngine { ApplyEngine(info: info, role: HubApplyRole(), cache: nil) }

    public func chainHash(replica: ReplicaID, counter: UInt64) async throws(ReplicaError) -> String? {
        try await database.blockingTransaction { sql in
            try LedgerLog.chainHash(sql, replica: replica, counter: counter)
        }
    }

    public func append(_ batch: PushBatch, admission: PushAdmission) async throws(ReplicaError) -> PushOutcome {
        let engine = engine
        return try await writingStatements { sql in
            try LedgerLog.append(sql, engine: engine, batch: batch, admission: admission)
        }
    }

    /// One snapshot for the whole page: the log end it reports is the one its ops were read at.
    public func read(_ read: ScopedRead) async throws(ReplicaError) -> LogPage {
        try await database.blockingTransaction(snapshot: true) { sql in try LedgerLog.page(sql, read) }
    }

    public func hold(_ op: Op, reason: String, nowMillis: Int64) async throws(ReplicaError) {
        try await writingStatements { sql in try LedgerLog.hold(sql, op, reason: reason, nowMillis: nowMillis) }
    }

    public func heldHashes() async throws(ReplicaError) -> [Dot: String] {
        try await database.blockingTransaction { sql in try LedgerLog.heldHashes(sql) }
    }

    public func compact(_ plan: CompactionPlan, sign: @escaping @Sendable ([UInt8]) throws -> String)
        async throws(ReplicaError) -> CompactionReport
    {
        try await database.blockingTransaction { sql in try LedgerCompaction.run(sql, plan, sign: sign) }
    }

    public func confirmPulled(_ replica: ReplicaID, cursor: Int64, nowMillis: Int64) async throws(ReplicaError) {
        try await database.blockingTransaction { sql in
            try LedgerLog.confirmPulled(sql, replica, cursor: cursor, nowMillis: nowMillis)
        }
    }

    public func logEnd() async throws(ReplicaError) -> Int64 {
        try await database.blockingTransaction { sql in try LedgerLog.logEnd(sql) }
    }

    public func retiredWriters() async throws(ReplicaError) -> [RetiredWriter] {
        try await database.blockingTransaction { sql in try LedgerLog.retiredWriters(sql) }
    }

    public func logExtent() async throws(ReplicaError) -> LogExtent {
        try await database.blockingTransaction { sql in try LedgerLog.logExtent(sql) }
    }

    public func gauges() async throws(ReplicaError) -> LedgerGauges {
        try await database.blockingTransaction { sql in try LedgerLog.gauges(sql) }
    }

    /// How many ops the log holds (a bench checks that none was lost).
    public func opCount() async throws(ReplicaError) -> Int {
        try await database.blockingTransaction { sql in Int(try sql.integer("SELECT count(*) FROM ops") ?? 0) }
    }
}
