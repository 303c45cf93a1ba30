import GRDB
import HearthCore
import HearthLedger
import HearthStore

/// Quarantine: the held ops listed for the desk, and each one settled in one transaction,
/// through ``LedgerQuarantine`` in GRDB's transactions.
extension SQLiteLedgerStorage {
    public func quarantine(includeSettled: Bool) async throws(ReplicaError) -> [QuarantineEntry] {
        try await replica.readAsync { db in
            try LedgerQuarantine.entries(SQLiteStatements(db), includeSettled: includeSettled)
        }
    }

    public func quarantine(includeSettled: Bool, limit: Int, offset: Int) async throws(ReplicaError)
        -> (entries: [QuarantineEntry], total: Int)
    {
        try await replica.readAsync { db in
            try LedgerQuarantine.page(
                SQLiteStatements(db), includeSettled: includeSettled, limit: limit, offset: offset)
        }
    }

    public func settle(
        _ dot: Dot, author: String, nowMillis: Int64,
        decide: @escaping @Sendable (HeldOp) throws(ReplicaError) -> SettlementDecision
    ) async throws(ReplicaError) -> SettlementOutcome {
        let engine = replica.engine
        return try await replica.writeAsync { db in
            try LedgerQuarantine.settle(
                SQLiteStatements(db), engine: engine, dot, author: author, nowMillis: nowMillis, decide: decide)
        }
    }
}
