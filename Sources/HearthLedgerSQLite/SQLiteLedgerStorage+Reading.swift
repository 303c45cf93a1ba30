import HearthCore
import HearthLedger
import HearthStore

/// The county's records looked up in one read transaction (the bank roll's payees and cards),
/// through ``LedgerCountyReading`` in GRDB's transactions.
extension SQLiteLedgerStorage {
    public func reading<T: Sendable>(_ body: @escaping @Sendable (any CountyReading) throws -> T)
        async throws(ReplicaError) -> T
    {
        try await replica.readAsync { db in try body(LedgerCountyReading(SQLiteStatements(db))) }
    }
}
