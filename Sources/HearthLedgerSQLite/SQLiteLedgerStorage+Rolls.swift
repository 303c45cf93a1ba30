import HearthCore
import HearthLedger
import HearthStore

/// Locked rolls (``LedgerRolls``) and the duplicate index (``LedgerDuplicateIndex``) in GRDB's
/// transactions.
extension SQLiteLedgerStorage {
    public func lock(_ roll: Payroll, worker: String, nowMillis: Int64) async throws(ReplicaError) {
        let info = info
        let keys = replica.keys
        try await replica.writeAsync { db in
            try LedgerRolls.lock(
                SQLiteStatements(db), roll, worker: worker, nowMillis: nowMillis, info: info, keys: keys)
        }
    }

    public func lockedMonths() async throws(ReplicaError) -> [Month] {
        try await replica.readAsync { db in try LedgerRolls.lockedMonths(SQLiteStatements(db)) }
    }

    public func paidAfterDeath() async throws(ReplicaError) -> [RecoveryLine] {
        try await replica.readAsync { db in try LedgerRolls.paidAfterDeath(SQLiteStatements(db)) }
    }

    public func duplicateIndex(since version: String, deltas: Bool) async throws(ReplicaError)
        -> DuplicateIndexAnswer
    {
        let cache = indexCache
        return try await replica.readAsync { db in
            try LedgerDuplicateIndex.answer(SQLiteStatements(db), since: version, deltas: deltas, cache: cache)
        }
    }
}
