import Foundation
import HearthCore
import HearthLedger
import HearthStore
import Logging
import PostgresNIO

/// The hub's ledger storage on a PostgreSQL server, for a hub that outgrows one file or runs
/// several `hub serve` processes on one database.
///
/// It keeps everything a SQLite hub keeps (``LedgerStorage``): the hub's identity, tokens,
/// nodes and nonces, the desk's accounts and sessions, the op log, the quarantine, the
/// county's records with their rules, the trails and the locked rolls. The bodies are the
/// SQLite backend's, run over this database's statements (docs/architecture.md, "The hub on
/// PostgreSQL"); each method is one transaction, correct across processes (a token registers
/// one node, a nonce is accepted once, a position is never passed by a cursor before it is
/// committed).
///
/// The keys stay in a key file beside the hub, as with SQLite: the database holds only the
/// key's check value, so a dump of it reveals no sealed field.
public final class PostgresLedgerStorage: NodeStorage, DeskStorage, ReplicaSnapshots {
    public let info: ReplicaInfo
    public let keys: KeyMaterial
    /// The key file the storage was opened with.
    public let keyPath: String
    let database: PostgresDatabase
    /// The whole duplicate index as last answered (``LedgerDuplicateIndex/Cache``).
    let indexCache = LedgerDuplicateIndex.Cache()
    var logger: Logger { database.logger }

    /// Where the database is (its description never shows the password).
    public var location: PostgresLocation { database.location }

    private init(info: ReplicaInfo, keys: KeyMaterial, keyPath: String, database: PostgresDatabase) {
        self.info = info
        self.keys = keys
        self.keyPath = keyPath
        self.database = database
    }

    /// Creates the county hub in an existing, empty PostgreSQL database, and its key file at
    /// `keyPath`. Refuses a database that holds a hub already, and a key file that exists
    /// (unless `writesKeyFile` is false: a hub moved from a SQLite file keeps its key file).
    public static func create(
        location: PostgresLocation, keyPath: String, name: String, scope: ScopePrefix, nowMillis: Int64,
        keys: KeyMaterial = .generate(), id: ReplicaID? = nil, writesKeyFile: Bool = true
    ) async throws(ReplicaError) -> PostgresLedgerStorage {
        guard !name.isEmpty, name.count <= 64 else {
            throw .invalid(InputError(field: "name", reason: "must be 1 to 64 characters"))
        }
        if writesKeyFile, FileManager.default.fileExists(atPath: keyPath) { throw .alreadyExists(path: keyPath) }
        let database = PostgresDatabase(location)
        do {
            try await database.reach()
            try await database.checkByteOrder()
            try await PostgresHubSchema.migrate(database, nowMillis: nowMillis)
            var generator = SystemRandomNumberGenerator()
            let info = ReplicaInfo(
                id: id ?? .random(using: &generator), name: name, scope: scope, role: .hub,
                publicKey: keys.publicKeyBase64)
            let logger = database.logger
            let made = try await database.transaction { connection in
                let inserted = try await connection.run(
                    """
                    INSERT INTO hub_identity (id, name, scope, public_key, key_check, created_millis)
                    VALUES (\(info.id.value), \(name), \(scope.value), \(info.publicKey), \(keys.checkValue), \(nowMillis))
                    ON CONFLICT DO NOTHING RETURNING 1
                    """, logger: logger)
                guard inserted == 1 else { return false }
                // The apply engine's row (its counter, chain head and clock), as a SQLite hub's.
                _ = try await connection.run(
                    """
                    INSERT INTO replica (id, name, scope, role, public_key, key_check, created_millis)
                    VALUES (\(info.id.value), \(name), \(scope.value), 'hub', \(info.publicKey), \(keys.checkValue),
                            \(nowMillis))
                    """, logger: logger)
                // The key file is written inside the transaction: no hub row without its key. A
                // hub moved from a file keeps the key file it has (`writesKeyFile` false).
                if writesKeyFile {
                    do throws(KeyError) { try KeyFile.create(keys, at: keyPath) } catch {
                        throw ReplicaError.key(error)
                    }
                }
                return true
            }
            guard made else { throw ReplicaError.alreadyExists(path: location.description) }
            return PostgresLedgerStorage(info: info, keys: keys, keyPath: keyPath, database: database)
        } catch {
            await database.close()
            throw database.replicaError(error)
        }
    }

    /// Opens the county hub in a PostgreSQL database with its key file (or `HEARTH_KEY` in
    /// `environment`), migrating its tables to this build's version.
    public static func open(
        location: PostgresLocation, keyPath: String, environment: [String: String] = [:], nowMillis: Int64
    ) async throws(ReplicaError) -> PostgresLedgerStorage {
        let keys: KeyMaterial
        do { keys = try KeyFile.load(path: keyPath, environment: environment) } catch { throw .key(error) }
        let database = PostgresDatabase(location)
        do {
            try await database.reach()
            try await database.checkByteOrder()
            try await PostgresHubSchema.migrate(database, nowMillis: nowMillis)
            let logger = database.logger
            let row = try await database.transaction { connection in
                try await connection.row(
                    "SELECT id, name, scope, public_key, key_check, writer FROM hub_identity",
                    as: (String, String, String, String, String, String?).self, logger: logger)
            }
            guard let row else {
                throw ReplicaError.notAReplica(path: location.description, reason: "it holds no hub (hearth hub init)")
            }
            let (id, name, scopeText, publicKey, keyCheck, writer) = row
            guard let replica = ReplicaID(validating: id), let scope = try? ScopePrefix.parse(scopeText, field: "scope")
            else { throw ReplicaError.notAReplica(path: location.description, reason: "its hub row is damaged") }
            guard keyCheck == keys.checkValue else { throw ReplicaError.key(.wrongKey) }
            guard publicKey == keys.publicKeyBase64 else {
                let inline = environment["HEARTH_KEY"].map { !$0.isEmpty } ?? false
                throw ReplicaError.key(
                    .otherReplica(
                        source: inline ? "HEARTH_KEY" : "key file " + keyPath, database: location.description,
                        replica: id))
            }
            let info = ReplicaInfo(
                id: replica, name: name, scope: scope, role: .hub, publicKey: publicKey,
                writer: writer.flatMap(ReplicaID.init(validating:)))
            let storage = PostgresLedgerStorage(info: info, keys: keys, keyPath: keyPath, database: database)
            // A migration that changed what the kept reads rest on leaves marks (core v29's
            // phones, this server's v15): they are brought up to date now, as a SQLite replica
            // does when opened, and not in the next node's push.
            if try await storage.snapshot({ try ReplicaCore.hasKeptReadMarks($0) }) {
                try await storage.writingStatements { try ReplicaCore.refreshKeptReads($0) }
            }
            return storage
        } catch {
            await database.close()
            throw database.replicaError(error)
        }
    }

    /// Runs `body` over the statements of one read-only snapshot: the ledger's reads of the
    /// replica tables (``HubLedger/reading(_:)``), and tests that compare a server's hub with
    /// files.
    package func snapshot<T: Sendable>(_ body: @escaping @Sendable (any SQLStatements) throws -> T)
        async throws(ReplicaError) -> T
    {
        try await database.blockingTransaction(snapshot: true, body)
    }

    /// Closes the storage's connections; every call after it fails.
    public func close() async { await database.close() }

    /// Keeps an audit line in the transaction of `connection`.
    static func insertAudit(_ event: AuditEvent, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.run(
            """
            INSERT INTO audit (at_millis, worker, action, record, field, detail)
            VALUES (\(event.atMillis), \(event.worker), \(event.action), \(event.subject), \(event.field), \(event.detail))
            """, logger: logger)
    }
}
