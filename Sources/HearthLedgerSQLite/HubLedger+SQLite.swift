import HearthCore
import HearthLedger
import HearthStore

/// The county hub's ledger in one SQLite file: what `hearth hub init` makes and every hub
/// command opens.
extension HubLedger {
    /// Creates the county hub's database and its key file. Refuses to touch an existing file.
    public static func create(
        path: String, keyPath: String? = nil, name: String, scope: ScopePrefix,
        nowMillis: Int64, keys: KeyMaterial = .generate(), id: ReplicaID? = nil
    ) throws(ReplicaError) -> HubLedger {
        let replica = try ReplicaCore.create(
            path: path, keyPath: keyPath, name: name, scope: scope, nowMillis: nowMillis, keys: keys, id: id,
            role: SQLiteLedgerStorage.role)
        return HubLedger(replica)
    }

    /// Opens the county hub's database; a node's database is refused
    /// (``ReplicaError/otherRole(path:info:)``).
    public static func open(
        path: String, keyPath: String? = nil, environment: [String: String] = [:]
    ) throws(ReplicaError) -> HubLedger {
        let replica = try ReplicaCore.open(
            path: path, keyPath: keyPath, environment: environment, role: SQLiteLedgerStorage.role)
        return HubLedger(replica)
    }

    /// The ledger over an open SQLite hub.
    convenience init(_ replica: ReplicaCore) {
        self.init(
            storage: SQLiteLedgerStorage(replica: replica), keys: replica.keys, store: "sqlite:" + replica.path,
            replica: replica)
    }

    /// The hub's database file; for a hub kept on a server, its ``store`` (no file to name).
    public var path: String { (try? replica.path) ?? store }
}

extension HubLedger {
    /// Runs `body` in one read transaction of the hub's SQLite file, over its statements (what
    /// `hearth hub migrate` copies to a server).
    package func readingFile<T>(_ body: (any SQLStatements) throws -> T) throws(ReplicaError) -> T {
        try replica.read { db in try body(SQLiteStatements(db)) }
    }
}
