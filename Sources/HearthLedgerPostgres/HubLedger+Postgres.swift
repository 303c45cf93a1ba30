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
