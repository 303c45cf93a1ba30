import Foundation
import GRDB
import HearthCore

/// The replica core: a SQLite database (WAL) with its records, op log and merge metadata,
/// and the keys kept beside it, as every replica has them.
///
/// Both roles are built on it: a village's or township's ``Replica`` adds the node's side of
/// sync (its hub, pull cursor, acknowledgements, duplicate index, re-identification), and the
/// county hub's ledger keeps a core under its own tables and rules. Everything here works
/// with no network at all. All writes go through ``write(author:nowMillis:_:)`` or
/// ``integrate(_:nowMillis:)``, each one SQLite transaction: a command's ops commit together
/// or not at all.
///
/// `@unchecked Sendable` because a class that can be subclassed cannot be checked as
/// `Sendable`. It is sound: every stored property is a `let` of a `Sendable` type (the pool,
/// the cache and the crash switch synchronise themselves), so an instance never changes
/// after its initializer; the class is not `open`, so only HearthStore can subclass it, and
/// its one subclass, ``Replica``, stores nothing.
public class ReplicaCore: @unchecked Sendable {
    public let path: String
    public let info: ReplicaInfo
    public let keys: KeyMaterial
    package let pool: DatabasePool
    package let cache = StateCache()
    /// What the replica's role adds: the hub's tables and rules, or the node's sync tables.
    package let role: any ReplicaRole
    /// Armed only by simulations: makes the next integration of received ops fail part-way.
    public let crashSwitch = CrashSwitch()

    /// `required` so the factories make the class they are called on (``Replica`` for a node,
    /// the core for the hub's ledger).
    required init(path: String, pool: DatabasePool, info: ReplicaInfo, keys: KeyMaterial, role: any ReplicaRole) {
        self.path = path
        self.pool = pool
        self.info = info
        self.keys = keys
        self.role = role
    }

    /// The connection settings of every replica. With a `path`, a connection opened while a
    /// test traces that path notes its statements (``StatementTrace``).
    public static func configuration(path: String? = nil) -> Configuration {
        SQLiteProcess.prepare()
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Statement journals (a statement whose triggers write other rows keeps one, to undo
            // itself alone) and sorts stay in memory: on disk, every op logged wrote its pages
            // to a temporary file first (20 writes per op; the merge ran at 1/8 of its rate).
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            if let path { StatementTrace.shared.attach(db, path: path) }
        }
        return config
    }

    /// Creates a replica of `role`'s kind, of the class it is called on (``Replica`` for a node's
    /// role, the core for the hub's).
    package static func create(
        path: String, keyPath: String? = nil, name: String, scope: ScopePrefix,
        nowMillis: Int64, keys: KeyMaterial = .generate(), id: ReplicaID? = nil, role: any ReplicaRole
    ) throws(ReplicaError) -> Self {
        let keyPath = keyPath ?? KeyFile.defaultPath(forDatabase: path)
        guard !name.isEmpty, name.count <= 64 else {
            throw .invalid(InputError(field: "name", reason: "must be 1 to 64 characters"))
        }
        if FileManager.default.fileExists(atPath: path) { throw .alreadyExists(path: path) }
        if FileManager.default.fileExists(atPath: keyPath) { throw .alreadyExists(path: keyPath) }
        do { try KeyFile.create(keys, at: keyPath) } catch { throw .key(error) }
        do { try DatabaseFiles.createOwnerOnly(path) } catch {
            try? FileManager.default.removeItem(atPath: keyPath)
            throw error
        }
        var generator = SystemRandomNumberGenerator()
        let info = ReplicaInfo(
            id: id ?? .random(using: &generator), name: name, scope: scope, role: role.role,
            publicKey: keys.publicKeyBase64)
        do {
            let pool = try DatabasePool(path: path, configuration: configuration(path: path))
            try Migrations.migrator.migrate(pool)
            try role.migrator.migrate(pool)
            try pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO replica (id, name, scope, role, public_key, key_check, created_millis)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        info.id.value, name, scope.value, role.role.rawValue, info.publicKey, keys.checkValue,
                        nowMillis,
                    ])
                // Nothing to judge yet: this clears the migration's mark.
                try Self.refreshKeptReads(db)
            }
            return Self(path: path, pool: pool, info: info, keys: keys, role: role)
        } catch {
            try? FileManager.default.removeItem(atPath: keyPath)
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            throw .database(String(describing: error))
        }
    }

    /// Opens an existing replica of `role`'s kind, as the class it is called on.
    package static func open(
        path: String, keyPath: String? = nil, environment: [String: String] = [:], role: any ReplicaRole
    ) throws(ReplicaError) -> Self {
        guard FileManager.default.fileExists(atPath: path) else { throw .notFound(path: path) }
        let keys: KeyMaterial
        do {
            keys = try KeyFile.load(path: keyPath ?? KeyFile.defaultPath(forDatabase: path), environment: environment)
        } catch { throw .key(error) }
        // Files made before databases were created owner-only (or copied in with a looser mode).
        try DatabaseFiles.restrictToOwner(path)
        let pool: DatabasePool
        let row: Row?
        do {
            pool = try DatabasePool(path: path, configuration: configuration(path: path))
            try Migrations.migrator.migrate(pool)
            row = try pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM replica") }
        } catch {
            throw .notAReplica(path: path, reason: String(describing: error))
        }
        guard let row, let id = ReplicaID(validating: row["id"]),
            let scope = try? ScopePrefix.parse(row["scope"], field: "scope"),
            let stored = ReplicaInfo.Role(rawValue: row["role"])
        else { throw .notAReplica(path: path, reason: "its replica row is missing or damaged") }
        guard (row["key_check"] as String) == keys.checkValue else { throw .key(.wrongKey) }
        // The check value covers the county data key only, which every replica of the county
        // shares: the signing key must be this replica's own.
        guard (row["public_key"] as String) == keys.publicKeyBase64 else {
            let inline = environment["HEARTH_KEY"].map { !$0.isEmpty } ?? false
            let source = inline ? "HEARTH_KEY" : "key file " + (keyPath ?? KeyFile.defaultPath(forDatabase: path))
            throw .key(.otherReplica(source: source, database: path, replica: id.value))
        }
        let info = ReplicaInfo(
            id: id, name: row["name"], scope: scope, role: stored, publicKey: row["public_key"],
            writer: (row["writer"] as String?).flatMap(ReplicaID.init(validating:)))
        guard stored == role.role else { throw .otherRole(path: path, info: info) }
        do {
            try role.migrator.migrate(pool)
            // A migration that changed what the cases or the search index rest on leaves marks.
            if try pool.read({ db in try Self.hasKeptReadMarks(SQLiteStatements(db)) }) {
                try pool.write { db in try Self.refreshKeptReads(db) }
            }
        } catch { throw .database(String(describing: error)) }
        return Self(path: path, pool: pool, info: info, keys: keys, role: role)
    }

    /// Brings what the replica keeps for its reads (the rule cases, the search index) up to
    /// date with the rows the transaction changed. Every write transaction ends with it.
    package static func refreshKeptReads(_ db: Database) throws {
        try refreshKeptReads(SQLiteStatements(db))
    }

    /// ``refreshKeptReads(_:)`` on either database.
    package static func refreshKeptReads(_ sql: any SQLStatements) throws {
        try RuleCaseBook.refresh(sql)
        try SearchIndex.refresh(sql)
    }

    /// Whether marks wait for ``refreshKeptReads(_:)``: a migration that changed what the rule
    /// cases or the search index rest on leaves them, and opening a database brings them up to
    /// date (a SQLite replica here, a PostgreSQL hub in its storage's `open`).
    package static func hasKeptReadMarks(_ sql: any SQLStatements) throws -> Bool {
        try RuleCaseBook.hasMarks(sql) || SearchIndex.hasMarks(sql)
    }

    /// Runs a read-only block on a consistent snapshot.
    public func read<T>(_ block: (Database) throws -> T) throws(ReplicaError) -> T {
        do { return try pool.read(block) } catch let error as ReplicaError { throw error } catch {
            throw .database(String(describing: error))
        }
    }

    /// Makes local changes: the block builds ops through a ``ChangeSet``; they are logged,
    /// merged and committed in one transaction, or nothing is.
    public func write<T>(
        author: String, nowMillis: Int64, _ block: (inout ChangeSet) throws -> T
    ) throws(ReplicaError) -> (result: T, ops: [Op]) {
        do {
            return try pool.write { db in try write(in: db, author: author, nowMillis: nowMillis, block) }
        } catch let error as ReplicaError { throw error } catch let error as InputError { throw .invalid(error) } catch
        {
            throw .database(String(describing: error))
        }
    }

    /// The body of ``write(author:nowMillis:_:)`` inside a write transaction the caller opened
    /// (a ledger's storage, which reads and decides in the same transaction).
    package func write<T>(
        in db: Database, author: String, nowMillis: Int64, _ block: (inout ChangeSet) throws -> T
    ) throws -> (result: T, ops: [Op]) {
        try engine.write(in: SQLiteStatements(db), author: author, nowMillis: nowMillis, block)
    }

    /// The engine that runs this replica's write transactions.
    package var engine: ApplyEngine { ApplyEngine(info: info, role: role, cache: cache, crash: crashSwitch) }

    /// Integrates ops made elsewhere (sync, files, tests) in one transaction.
    @discardableResult
    public func integrate(_ ops: [Op], nowMillis: Int64) throws(ReplicaError) -> ApplyReport {
        try integrate(ops, nowMillis: nowMillis) { _, _ in false }
    }

    /// Integrates ops and, in the same transaction, runs `bookkeeping` (a cursor, an ack):
    /// both commit or neither does. `bookkeeping` returns true when it changed records behind
    /// the applier's back (a node handing records over): the state cache then starts afresh
    /// once the transaction commits.
    ///
    /// `admit`, when given, judges each op in the transaction before it is integrated, with
    /// the applier as it stands (earlier ops of the batch applied); an op it turns away
    /// (returning false) is not integrated. It throws to roll the whole batch back.
    @discardableResult
    ///
    /// `installing` are merge states installed first, joined with what the replica holds and
    /// into the records' floors (a pull's records that entered the scope).
    package func integrate(
        _ ops: [Op], installing: [(RecordState, [UInt8])] = [], nowMillis: Int64,
        admit: (Database, inout Applier, Op) throws -> Bool = { _, _, _ in true },
        bookkeeping: (Database, ApplyReport) throws -> Bool
    ) throws(ReplicaError) -> ApplyReport {
        do {
            return try pool.write { db in
                try integrate(
                    in: db, ops, installing: installing, nowMillis: nowMillis, admit: admit, bookkeeping: bookkeeping)
            }
        } catch let error as ReplicaError { throw error } catch {
            throw .database(String(describing: error))
        }
    }

    /// The body of ``integrate(_:nowMillis:admit:bookkeeping:)`` inside a write transaction the
    /// caller opened (a ledger's storage, through GRDB's async access).
    package func integrate(
        in db: Database, _ ops: [Op], installing: [(RecordState, [UInt8])] = [], nowMillis: Int64,
        admit: (Database, inout Applier, Op) throws -> Bool, bookkeeping: (Database, ApplyReport) throws -> Bool
    ) throws -> ApplyReport {
        try engine.integrate(
            in: SQLiteStatements(db), ops, installing: installing, nowMillis: nowMillis,
            admit: { applier, op in try admit(db, &applier, op) },
            bookkeeping: { report in try bookkeeping(db, report) })
    }

    /// Runs a read-only block on a consistent snapshot, waiting for the database without
    /// holding a cooperative thread (GRDB's async access).
    package func readAsync<T: Sendable>(_ block: @escaping @Sendable (Database) throws -> T) async throws(ReplicaError)
        -> T
    {
        do { return try await pool.read(block) } catch let error as ReplicaError { throw error } catch {
            throw .database(String(describing: error))
        }
    }

    /// Runs a write transaction, waiting for SQLite's write lock without holding a cooperative
    /// thread (GRDB's async access).
    package func writeAsync<T: Sendable>(_ block: @escaping @Sendable (Database) throws -> T) async throws(ReplicaError)
        -> T
    {
        do { return try await pool.write(block) } catch let error as ReplicaError { throw error } catch let error
            as InputError
        {
            throw .invalid(error)
        } catch {
            throw .database(String(describing: error))
        }
    }

    /// Runs a write transaction for bookkeeping that changes no record.
    package func writeBookkeeping<T>(_ block: (Database) throws -> T) throws(ReplicaError) -> T {
        do { return try pool.write(block) } catch let error as ReplicaError { throw error } catch {
            throw .database(String(describing: error))
        }
    }

    /// Records an audited event (a sensitive value shown in clear), in its own transaction.
    public func audit(worker: String, action: String, record: RecordID, field: String, nowMillis: Int64)
        throws(ReplicaError)
    {
        try audit(
            AuditEvent(
                atMillis: nowMillis, worker: worker, action: action, subject: record.value, field: field, detail: ""))
    }
}

extension ReplicaCore {
    /// Signs protocol bytes with this replica's key (a node's request, the hub's answer).
    public func sign(_ message: [UInt8]) throws -> String {
        try keys.signingKey.signature(for: Data(message)).base64EncodedString()
    }

    /// Writes a consistent copy of the database (SQLite's online backup), e.g. for a backup
    /// drive. Restoring such a copy later, or using it on a second machine, makes a fork that
    /// the hub refuses until the copy is re-identified.
    public func backup(to path: String) throws(ReplicaError) {
        guard !FileManager.default.fileExists(atPath: path) else { throw .alreadyExists(path: path) }
        // A backup holds everything the replica does: owner-only, like the replica.
        try DatabaseFiles.createOwnerOnly(path)
        do {
            let copy = try DatabaseQueue(path: path)
            try pool.backup(to: copy)
            try copy.close()
        } catch { throw .database(String(describing: error)) }
    }
}
