import Crypto
import Foundation
import HearthClient
import HearthCore
import HearthHub
import HearthProtocol
import HearthLedger
import HearthLedgerPostgres
import HearthLedgerSQLite
import HearthStore
import HearthTestPostgres
import Logging
import HearthTestSupport

/// Where a test county keeps its hub: the tests that run on both take each in turn.
enum HubStoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite = "SQLite"
    case postgres = "PostgreSQL"
    var description: String { rawValue }
}

/// A county for sync tests: a hub replica on a real SQLite file in a fresh temporary
/// directory, and nodes enrolled the way `hearth hub enroll` + `hearth node init --token`
/// do it (the token carries the county data key; each node has a signing key of its own).
final class TestCounty: Sendable {
    /// A fixed clock shared by the hub and the nodes (2026-11-26), so runs are reproducible.
    static let now: Int64 = 1_795_600_000_000
    static let clock: @Sendable () -> Int64 = { TestCounty.now }

    static let county = "421281"
    static let township = "421281101"
    static let village1 = "421281101001"
    static let village2 = "421281101002"

    /// Owns ``directory``, removed when the county goes, or when making it fails after the
    /// directory was made (a class's `deinit` does not run then; its stored properties go).
    private let temporary = TemporaryDirectories()
    let directory: String
    let hub: HubLedger
    let logger: Logger

    init() throws {
        directory = try temporary.make("hearth-sync")
        hub = try HubLedger.create(
            path: directory + "/hub.db", name: "county-hub", scope: try ScopePrefix.parse(Self.county, field: "scope"),
            nowMillis: Self.now)
        var logger = Logger(label: "hearth.test.hub")
        logger.logLevel = .critical
        self.logger = logger
    }

    /// A county whose hub is kept in `store`: a SQLite file, or a fresh database on the tests'
    /// PostgreSQL server (its key file in the county's directory).
    init(_ store: HubStoreKind) async throws {
        directory = try temporary.make("hearth-sync")
        let scope = try ScopePrefix.parse(Self.county, field: "scope")
        switch store {
        case .sqlite:
            hub = try HubLedger.create(
                path: directory + "/hub.db", name: "county-hub", scope: scope, nowMillis: Self.now)
        case .postgres:
            hub = try await HubLedger.create(
                postgres: try await PostgresServer.shared().freshDatabase(), keyPath: directory + "/hub.key",
                name: "county-hub", scope: scope, nowMillis: Self.now)
        }
        var logger = Logger(label: "hearth.test.hub")
        logger.logLevel = .critical
        self.logger = logger
    }

    /// The hub as another `hub serve` process on the same store opens it: its own connections,
    /// caches and push line.
    func anotherHubProcess() async throws -> HubLedger {
        if let server = hub.storage as? PostgresLedgerStorage {
            return try await HubLedger.open(postgres: server.location, keyPath: server.keyPath, nowMillis: Self.now)
        }
        return try HubLedger.open(path: hub.path)
    }

    /// The county of `county` (its directory and nodes) with its hub now the one in `location`:
    /// a hub put back from a dump into another database.
    init(restoring location: PostgresLocation, keyPath: String, in county: TestCounty) async throws {
        directory = try temporary.make("hearth-sync")
        hub = try await HubLedger.open(postgres: location, keyPath: keyPath, nowMillis: Self.now)
        logger = county.logger
    }

    // MARK: The hub's tables, read alike on either store

    /// `read` on the hub (one snapshot of its store) and on each of `nodes`, in that order: what
    /// a test expects to hold everywhere.
    func everywhere<T: Sendable>(_ nodes: [Replica], _ read: @escaping @Sendable (any ReplicaReading) throws -> T)
        async throws -> [T]
    {
        [try await hub.reading { try read($0) }] + (try nodes.map { try read($0) })
    }

    /// Runs `body` over one snapshot of the hub's tables, on the file or on the server.
    func hubRead<T: Sendable>(_ body: @escaping @Sendable (any SQLStatements) throws -> T) async throws -> T {
        if let server = hub.storage as? PostgresLedgerStorage { return try await server.snapshot(body) }
        return try hub.readingFile(body)
    }

    /// Every record's merge state at the hub, by id.
    func hubStates() async throws -> [RecordID: RecordState] {
        try await hubRead { sql in
            var states: [RecordID: RecordState] = [:]
            for row in try sql.rows("SELECT id, state FROM record_meta", []) {
                guard let id = row[0].text.flatMap(RecordID.init) else { continue }
                states[id] = try StoredState.decode(id, row[1])
            }
            return states
        }
    }

    /// One record's merge state at the hub; nil when it holds none.
    func hubState(of id: RecordID) async throws -> RecordState? {
        try await hubRead { sql in try StoredState.load(sql, id) }
    }

    /// The hub's state digest (``ReplicaCore/stateDigest()``), the same for the same rows on either store.
    func hubDigest() async throws -> String {
        try await hubRead { sql in try ReplicaCore.stateDigest(sql) }
    }

    /// The ops the hub's log holds, as their dots (one per op logged).
    func hubDots() async throws -> [Dot] {
        try await hubRead { sql in
            try sql.rows("SELECT replica, counter FROM ops", []).compactMap { row in
                guard let replica = row[0].text.flatMap(ReplicaID.init(validating:)), let counter = row[1].integer
                else { return nil }
                return Dot(replica: replica, counter: UInt64(counter))
            }
        }
    }

    /// How many ops the hub's log holds.
    func hubOpCount() async throws -> Int {
        try await hubRead { sql in Int(try sql.integer("SELECT count(*) FROM ops") ?? 0) }
    }

    /// Ops at the hub waiting for others it lacks.
    func hubWaiting() async throws -> Int {
        try await hubRead { sql in Int(try sql.integer("SELECT count(*) FROM op_waits") ?? 0) }
    }

    /// A field of a record at the hub as text ("" when it has none), as a record view shows it.
    func hubText(_ id: RecordID, _ field: String) async throws -> String {
        try await hubState(of: id)?.resolution(of: field).value.textValue ?? ""
    }

    /// Every op the hub's log holds, in log order.
    func hubAllOps() async throws -> [Op] {
        try await hubRead { sql in
            try sql.rows("SELECT body FROM ops ORDER BY seq", []).map { row in try Op(logged: row[0].bytes ?? []) }
        }
    }

    /// The ops the hub logged under one writer, in log order.
    func hubOps(writer: ReplicaID) async throws -> [Op] {
        try await hubRead { sql in
            try sql.rows("SELECT body FROM ops WHERE replica = ? ORDER BY seq", [.text(writer.value)]).map { row in
                try Op(logged: row[0].bytes ?? [])
            }
        }
    }

    /// The ops the hub logged for a record, in log order.
    func hubOps(record: RecordID) async throws -> [Op] {
        try await hubRead { sql in
            try sql.rows("SELECT body FROM ops WHERE record = ? ORDER BY seq", [.text(record.value)]).map { row in
                try Op(logged: row[0].bytes ?? [])
            }
        }
    }

    /// A sealed field of a record at the hub, opened with the county's key.
    func hubClear(_ id: RecordID, _ field: String) async throws -> String? {
        guard case .sealed(let sealed)? = try await hubState(of: id)?.resolution(of: field).value else { return nil }
        return try hub.keys.open(sealed)
    }

    /// A hub service over the hub replica (or over another handle on the same database).
    func service(_ replica: HubLedger? = nil) -> HubService {
        HubService(ledger: replica ?? hub, logger: logger, clock: Self.clock)
    }

    /// Opens the hub's database again, as a restarted hub process would.
    func reopenHub() throws -> HubLedger {
        try HubLedger.open(path: hub.path)
    }

    /// The token `hearth hub enroll --name NAME --scope SCOPE` prints.
    func enrollmentToken(name: String, scope: String) async throws -> EnrollmentToken {
        let secret = try await hub.createEnrollment(
            name: name, scope: try ScopePrefix.parse(scope, field: "scope"), nowMillis: Self.now)
        let token = EnrollmentToken(
            hub: hub.info.id, hubKey: hub.info.publicKey, name: name, scope: scope, secret: secret,
            dataKey: hub.keys.dataKey.withUnsafeBytes { Data($0) }.base64EncodedString())
        // Through its text form, as it travels from the hub's screen to the node's.
        return try EnrollmentToken(text: token.text)
    }

    /// `hearth node init --token TOKEN [--hub URL]`: a new replica with the county data key and a
    /// signing key of its own; with a hub URL it registers at once, without one its first
    /// bundle carries the registration.
    /// `clock` is the node's own clock, for registering (a node whose clock is wrong).
    func node(
        name: String, scope: String, hubURL: String?, clock: @escaping @Sendable () -> Int64 = TestCounty.clock
    ) async throws -> Replica {
        let token = try await enrollmentToken(name: name, scope: scope)
        return try await node(token: token, hubURL: hubURL, clock: clock)
    }

    func node(
        token: EnrollmentToken, hubURL: String?, clock: @escaping @Sendable () -> Int64 = TestCounty.clock
    ) async throws -> Replica {
        guard let dataKey = Data(base64Encoded: token.dataKey), dataKey.count == 32 else {
            throw TestFailure("the token's county key is damaged")
        }
        let keys = KeyMaterial(dataKey: SymmetricKey(data: dataKey), signingKey: Curve25519.Signing.PrivateKey())
        let replica = try Replica.create(
            path: directory + "/\(token.name).db", name: token.name,
            scope: try ScopePrefix.parse(token.scope, field: "scope"), nowMillis: Self.now, keys: keys)
        try replica.setHub(
            replica: token.hub, key: token.hubKey, url: hubURL,
            pendingRegistration: hubURL == nil ? token.secret + "\n" + token.name : nil)
        if let hubURL {
            let client = try SyncClient(replica: replica, baseURL: hubURL, clock: clock)
            do {
                let answer = try await client.register(secret: token.secret, name: token.name)
                await client.shutdown()
                guard answer.hub == token.hub, answer.scope == token.scope, answer.name == token.name else {
                    throw TestFailure("the hub's registration answer does not match the token: \(answer)")
                }
            } catch {
                await client.shutdown()
                throw error
            }
        }
        return replica
    }

    /// Runs one `hearth node sync` for a node against the hub at `url`: a node that has pulled
    /// nothing yet replays its scope's history, unless `snapshot`.
    @discardableResult
    func sync(
        _ node: Replica, url: String, batchSize: Int = 1_000, snapshot: Bool = false,
        clock: @escaping @Sendable () -> Int64 = TestCounty.clock
    ) async throws -> SyncSummary {
        var client = try SyncClient(replica: node, baseURL: url, clock: clock)
        client.batchSize = batchSize
        do {
            let summary = try await client.sync(snapshot: snapshot)
            await client.shutdown()
            return summary
        } catch {
            await client.shutdown()
            throw error
        }
    }

    /// Syncs the nodes one after another, `rounds` times over, so everything each one pushed
    /// reaches the others.
    func syncRounds(_ nodes: [Replica], url: String, rounds: Int = 2) async throws {
        for _ in 0..<rounds { for node in nodes { try await sync(node, url: url) } }
    }

    /// What a refused sync threw, as (HTTP status, error code); nil when it did not fail that way.
    func refusal(of node: Replica, url: String) async -> (status: Int, code: String, message: String)? {
        do {
            try await sync(node, url: url)
            return nil
        } catch SyncError.refused(let status, let code, let message) {
            return (status, code, message)
        } catch {
            return (-1, "unexpected", String(describing: error))
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension TestCounty {
    /// One exchange of bundle files each way between a file-only node and `hub`: the node's
    /// bundle imported, then the hub's bundle for the node (named `node` at the hub) taken in.
    /// `step` names the files. Returns how many ops went up and came down.
    @discardableResult
    func exchangeBundles(_ node: Replica, named name: String, with hub: HubService, step: String) async throws
        -> (sent: Int, received: Int)
    {
        let up = directory + "/\(step).hbundle"
        let sent = try NodeBundles.export(node, to: up).ops
        _ = try await hub.importBundle(try BundleFile.read(up))
        let down = directory + "/\(step).from-hub.hbundle"
        try BundleFile.write(try await hub.exportBundle(forNode: name).bytes, to: down)
        return (sent, try NodeBundles.import(node, from: down, nowMillis: TestCounty.now).ops)
    }
}
