import HearthCore
import HearthLedger
import HearthStore

/// The county's records, edits, trails and rolls on PostgreSQL: the same bodies as SQLite's
/// (``LedgerCountyReading``, ``LedgerCountyEditing``, ``LedgerAudit``, ``LedgerRolls``,
/// ``LedgerDuplicateIndex``). A write holds the hub's write lock, as an edit logs ops and a
/// roll's lock must see every lock committed before it; a read is one snapshot, so a report's
/// lookups agree with each other.
extension PostgresLedgerStorage: LedgerStorage {
    public func edit<T: Sendable>(
        author: String, nowMillis: Int64, _ body: @escaping @Sendable (CountyEditing) throws -> T
    ) async throws(ReplicaError) -> (result: T, ops: [Op]) {
        let engine = engine
        return try await writingStatements { sql in
            let (result, ops) = try LedgerCountyEditing.run(
                sql, engine: engine, author: author, nowMillis: nowMillis, body)
            return Edited(result: result, ops: ops)
        }.pair
    }

    public func reading<T: Sendable>(_ body: @escaping @Sendable (any CountyReading) throws -> T)
        async throws(ReplicaError) -> T
    {
        try await database.blockingTransaction(snapshot: true) { sql in try body(LedgerCountyReading(sql)) }
    }

    public func decisions() async throws(ReplicaError) -> [Decision] {
        try await database.blockingTransaction(snapshot: true) { sql in try LedgerAudit.decisions(sql) }
    }

    public func audit(_ query: AuditQuery, limit: Int, offset: Int) async throws(ReplicaError)
        -> (lines: [AuditLine], total: Int)
    {
        try await database.blockingTransaction(snapshot: true) { sql in
            try LedgerAudit.page(sql, query, limit: limit, offset: offset)
        }
    }

    public func openLeadCount() async throws(ReplicaError) -> Int {
        try await database.blockingTransaction { sql in try LedgerAudit.openLeadCount(sql) }
    }

    public func lock(_ roll: Payroll, worker: String, nowMillis: Int64) async throws(ReplicaError) {
        let info = info
        let keys = keys
        try await writingStatements { sql in
            try LedgerRolls.lock(sql, roll, worker: worker, nowMillis: nowMillis, info: info, keys: keys)
        }
    }

    public func lockedMonths() async throws(ReplicaError) -> [Month] {
        try await database.blockingTransaction { sql in try LedgerRolls.lockedMonths(sql) }
    }

    public func paidAfterDeath() async throws(ReplicaError) -> [RecoveryLine] {
        try await database.blockingTransaction(snapshot: true) { sql in try LedgerRolls.paidAfterDeath(sql) }
    }

    public func duplicateIndex(since version: String, deltas: Bool) async throws(ReplicaError)
        -> DuplicateIndexAnswer
    {
        let cache = indexCache
        return try await database.blockingTransaction(snapshot: true) { sql in
            try LedgerDuplicateIndex.answer(sql, since: version, deltas: deltas, cache: cache)
        }
    }
}

/// An edit's result and ops as one `Sendable` value out of the blocking transaction (a tuple
/// of generic parts is not one).
private struct Edited<T: Sendable>: Sendable {
    let result: T
    let ops: [Op]
    var pair: (result: T, ops: [Op]) { (result, ops) }
}
