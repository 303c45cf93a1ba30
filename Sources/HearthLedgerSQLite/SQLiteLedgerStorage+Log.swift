import Foundation
import GRDB
import HearthCore
import HearthLedger
import HearthStore

/// The op log: a node's batch appended (judged, quarantined or integrated), chain links,
/// confirmations, quarantine holds and the hub's figures, through ``LedgerLog`` in GRDB's
/// transactions.
extension SQLiteLedgerStorage {
    public func chainHash(replica: ReplicaID, counter: UInt64) async throws(ReplicaError) -> String? {
        try await self.replica.readAsync { db in
            try LedgerLog.chainHash(SQLiteStatements(db), replica: replica, counter: counter)
        }
    }

    public func append(_ batch: PushBatch, admission: PushAdmission) async throws(ReplicaError) -> PushOutcome {
        let engine = replica.engine
        return try await replica.writeAsync { db in
            try LedgerLog.append(SQLiteStatements(db), engine: engine, batch: batch, admission: admission)
        }
    }

    public func retiredWriters() async throws(ReplicaError) -> [RetiredWriter] {
        try await replica.readAsync { db in try LedgerLog.retiredWriters(SQLiteStatements(db)) }
    }

    public func hold(_ op: Op, reason: String, nowMillis: Int64) async throws(ReplicaError) {
        try await replica.writeAsync { db in
            try LedgerLog.hold(SQLiteStatements(db), op, reason: reason, nowMillis: nowMillis)
        }
    }

    public func heldHashes() async throws(ReplicaError) -> [Dot: String] {
        try await replica.readAsync { db in try LedgerLog.heldHashes(SQLiteStatements(db)) }
    }

    public func compact(_ plan: CompactionPlan, sign: @escaping @Sendable ([UInt8]) throws -> String)
        async throws(ReplicaError) -> CompactionReport
    {
        try await replica.writeAsync { db in try LedgerCompaction.run(SQLiteStatements(db), plan, sign: sign) }
    }

    public func confirmPulled(_ replica: ReplicaID, cursor: Int64, nowMillis: Int64) async throws(ReplicaError) {
        try await self.replica.writeAsync { db in
            try LedgerLog.confirmPulled(SQLiteStatements(db), replica, cursor: cursor, nowMillis: nowMillis)
        }
    }

    public func logEnd() async throws(ReplicaError) -> Int64 {
        try await replica.readAsync { db in try LedgerLog.logEnd(SQLiteStatements(db)) }
    }

    public func logExtent() async throws(ReplicaError) -> LogExtent {
        try await replica.readAsync { db in try LedgerLog.logExtent(SQLiteStatements(db)) }
    }

    public func gauges() async throws(ReplicaError) -> LedgerGauges {
        try await replica.readAsync { db in try LedgerLog.gauges(SQLiteStatements(db)) }
    }
}

/// A node's scope of the log after a cursor (``LedgerLog/page(_:_:)``), in one read
/// transaction: its snapshot holds throughout.
extension SQLiteLedgerStorage {
    public func read(_ read: ScopedRead) async throws(ReplicaError) -> LogPage {
        try await replica.readAsync { db in try LedgerLog.page(SQLiteStatements(db), read) }
    }
}
