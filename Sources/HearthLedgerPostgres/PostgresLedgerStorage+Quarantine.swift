import HearthCore
import HearthLedger
import HearthStore

/// Quarantine on PostgreSQL: the same bodies as SQLite's (``LedgerQuarantine``); a settlement
/// holds the hub's write lock, as it may log ops (a release, a compensation).
extension PostgresLedgerStorage: QuarantineStorage {
    public func quarantine(includeSettled: Bool) async throws(ReplicaError) -> [QuarantineEntry] {
        try await database.blockingTransaction(snapshot: true) { sql in
            try LedgerQuarantine.entries(sql, includeSettled: includeSettled)
        }
    }

    public func quarantine(includeSettled: Bool, limit: Int, offset: Int) async throws(ReplicaError)
        -> (entries: [QuarantineEntry], total: Int)
    {
        try await database.blockingTransaction(snapshot: true) { sql in
            try LedgerQuarantine.page(sql, includeSettled: includeSettled, limit: limit, offset: offset)
        }
    }

    public func settle(
        _ dot: Dot, author: String, nowMillis: Int64,
        decide: @escaping @Sendable (HeldOp) throws(ReplicaError) -> SettlementDecision
    ) async throws(ReplicaError) -> SettlementOutcome {
        let engine = engine
        return try await writingStatements { sql in
            try LedgerQuarantine.settle(sql, engine: engine, dot, author: author, nowMillis: nowMillis, decide: decide)
        }
    }
}
