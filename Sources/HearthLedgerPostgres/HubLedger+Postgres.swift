import HearthCore
import HearthLedger
import HearthStore

/// The county hub's ledger on a PostgreSQL server: what `hearth hub init --store postgres://…`
/// makes and every hub command given that store opens.
extension HubLedger {
    /// Creates the county hub in an existing, empty PostgreSQL database, and its key file.
    public static func create(
        postgres location: PostgresLocation, keyPath: String, name: String, scope: ScopePrefix, nowMillis: Int64,
        keys: KeyMaterial = .generate(), id: ReplicaID? = nil
    ) async throws(ReplicaError) -> HubLedger {
        let storage = try await PostgresLedgerStorage.create(
            location: location, keyPath: keyPath, name: name, scope: scope, nowMillis: nowMillis, keys: keys, id: id)
        return HubLedger(postgres: storage)
    }

    /// Opens the county hub in a PostgreSQL database with its key file (or `HEARTH_KEY`).
    public static func open(
        postgres location: PostgresLocation, keyPath: String, environment: [String: String] = [:], nowMillis: Int64
    ) async throws(ReplicaError) -> HubLedger {
        HubLedger(
            postgres: try await PostgresLedgerStorage.open(
                location: location, keyPath: keyPath, environment: environment, nowMillis: nowMillis))
    }

    /// The ledger over an open PostgreSQL storage; it has no SQLite replica core.
    public convenience init(postgres storage: PostgresLedgerStorage) {
        self.init(storage: storage, keys: storage.keys, store: storage.location.description, replica: nil)
    }
}

extension HubLedger {
    /// Makes a hub whose PostgreSQL database was just put back from a dump (`pg_restore`) safe
    /// to go on, in place: a fresh writer id and the log's positions skipped ahead
    /// (``LedgerRestore``), recorded with `backup` (the dump's name) and audited. The key file
    /// must be this hub's (another hub's dump is refused by its key check). Every `hub serve`
    /// must be stopped first and started only after this: a process that wrote in between
    /// would reuse the dots this retires.
    public static func restore(
        postgres location: PostgresLocation, keyPath: String, environment: [String: String] = [:], from backup: String,
        worker: String, nowMillis: Int64
    ) async throws(ReplicaError) -> HubRestore {
        let storage = try await PostgresLedgerStorage.open(
            location: location, keyPath: keyPath, environment: environment, nowMillis: nowMillis)
        var generator = SystemRandomNumberGenerator()
        let writer = ReplicaID.random(using: &generator)
        do {
            let done = try await storage.writingStatements { sql in
                try LedgerRestore.goOn(
                    sql, writer: writer, backup: backup, worker: worker, nowMillis: nowMillis, locksLost: [])
            }
            await storage.close()
            return done
        } catch {
            await storage.close()
            throw error
        }
    }
}
