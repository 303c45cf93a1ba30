import HearthCore
import HearthLedger
import HearthStore

/// The county's edits (``LedgerCountyEditing``) and the two trails (``LedgerAudit``) in GRDB's
/// transactions.
extension SQLiteLedgerStorage {
    public func edit<T: Sendable>(
        author: String, nowMillis: Int64, _ body: @escaping @Sendable (CountyEditing) throws -> T
    ) async throws(ReplicaError) -> (result: T, ops: [Op]) {
        let engine = replica.engine
        return try await replica.writeAsync { db in
            try LedgerCountyEditing.run(
                SQLiteStatements(db), engine: engine, author: author, nowMillis: nowMillis, body)
        }
    }

    public func decisions() async throws(ReplicaError) -> [Decision] {
        try await replica.readAsync { db in try LedgerAudit.decisions(SQLiteStatements(db)) }
    }

    public func audit(_ query: AuditQuery, limit: Int, offset: Int) async throws(ReplicaError)
        -> (lines: [AuditLine], total: Int)
    {
        try await replica.readAsync { db in
            try LedgerAudit.page(SQLiteStatements(db), query, limit: limit, offset: offset)
        }
    }

    public func openLeadCount() async throws(ReplicaError) -> Int {
        try await replica.readAsync { db in try LedgerAudit.openLeadCount(SQLiteStatements(db)) }
    }
}
