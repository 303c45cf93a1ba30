import Foundation
import HearthCore
import HearthLedger
import HearthLedgerPostgres
import HearthTestPostgres
import HearthLedgerSQLite
import HearthStore
import HearthTestSupport

/// A storage backend the conformance suite runs against: how to make an empty county hub's
/// storage and how to reach it again. Every test runs on each of ``all`` unchanged.
struct LedgerBackend: Sendable, CustomStringConvertible {
    let description: String
    /// Makes the hub's storage for `scope` under `directory`, with the county's keys.
    let create:
        @Sendable (_ directory: URL, _ scope: ScopePrefix, _ keys: KeyMaterial) async throws -> any LedgerStorage
    /// The storage as the next call sees it: the same one, or the same data opened anew (what
    /// a restarted hub process, or another one, finds).
    let reach: @Sendable (_ storage: any LedgerStorage) async throws -> any LedgerStorage

    static let all: [LedgerBackend] = [.sqlite, .sqliteReopened, .postgres, .postgresReopened]

    /// One SQLite file, one open ledger for the whole test.
    static let sqlite = LedgerBackend(
        description: "SQLite",
        create: { directory, scope, keys in
            try HubLedger.create(
                path: directory.appendingPathComponent("hub.sqlite").path, name: "hub", scope: scope,
                nowMillis: Fixture.start, keys: keys
            ).storage
        },
        reach: { $0 })

    /// One SQLite file, opened afresh before every call: what is kept must be in the file.
    static let sqliteReopened = LedgerBackend(
        description: "SQLite, reopened between calls",
        create: sqlite.create,
        reach: { storage in
            guard let sqlite = storage as? SQLiteLedgerStorage else { return storage }
            return try HubLedger.open(path: sqlite.replica.path).storage
        })

    /// A fresh database on the tests' PostgreSQL server (``PostgresServer``), one open storage
    /// for the whole test.
    static let postgres = LedgerBackend(
        description: "PostgreSQL",
        create: { directory, scope, keys in
            let server = try await PostgresServer.shared()
            return try await PostgresLedgerStorage.create(
                location: try await server.freshDatabase(), keyPath: directory.appendingPathComponent("hub.key").path,
                name: "hub", scope: scope, nowMillis: Fixture.start, keys: keys)
        },
        reach: { $0 })

    /// The same, opened afresh (a new pool of connections) before every call: what another
    /// hub process on the same database sees.
    static let postgresReopened = LedgerBackend(
        description: "PostgreSQL, another process's connections for every call",
        create: postgres.create,
        reach: { storage in
            guard let postgres = storage as? PostgresLedgerStorage else { return storage }
            return try await PostgresLedgerStorage.open(
                location: postgres.location, keyPath: postgres.keyPath, nowMillis: Fixture.start)
        })
}

/// A county for one test: the hub's storage on a backend, and village replicas that make real
/// signed ops (households, members) to append.
final class Fixture: @unchecked Sendable {
    static let start: Int64 = 1_780_000_000_000
    static let county = "421281"
    static let villageA = "421281101001"
    static let villageB = "421281101002"

    /// Owns ``directory``, removed when the fixture goes, or when making it fails after the
    /// directory was made (a class's `deinit` does not run then; its stored properties go).
    private let temporary = TemporaryDirectories()
    let directory: URL
    let keys: KeyMaterial
    private let made: any LedgerStorage
    private let reach: @Sendable (any LedgerStorage) async throws -> any LedgerStorage
    private var replicas = 0

    /// A county on a backend.
    init(_ backend: LedgerBackend) async throws {
        let keys = KeyMaterial.generate()
        self.keys = keys
        let directory = URL(fileURLWithPath: try temporary.make("hearth-ledger"), isDirectory: true)
        self.directory = directory
        made = try await backend.create(directory, try ScopePrefix.parse(Fixture.county, field: "scope"), keys)
        reach = backend.reach
    }

    /// The ledger's storage, as the backend reaches it for the next call.
    var storage: any LedgerStorage {
        get async throws { try await reach(made) }
    }

    /// The same data opened as a second hub process would: its own SQLite connections on the
    /// file, or its own pool of connections to the PostgreSQL database.
    func anotherProcess() async throws -> any LedgerStorage {
        switch made {
        case let sqlite as SQLiteLedgerStorage: return try HubLedger.open(path: sqlite.replica.path).storage
        case let postgres as PostgresLedgerStorage:
            return try await PostgresLedgerStorage.open(
                location: postgres.location, keyPath: postgres.keyPath, nowMillis: Fixture.start)
        default: throw PostgresServerError("no second process for \(type(of: made))")
        }
    }

    /// A village (or township) replica of the county, with the county's keys.
    func node(_ scope: String) throws -> Replica {
        replicas += 1
        return try Replica.create(
            path: directory.appendingPathComponent("node-\(replicas).sqlite").path, name: "node \(replicas)",
            scope: try ScopePrefix.parse(scope, field: "scope"), nowMillis: Fixture.start,
            keys: keys.withNewSigningKey())
    }

    /// Registers `node` through a fresh token, as `hearth hub enroll` and the node's first
    /// sync do.
    func register(_ node: Replica, name: String) async throws -> NodeRecord {
        let secretHash = "secret-of-\(name)"
        try await storage.addEnrollment(
            StoredEnrollment(secretHash: secretHash, name: name, scope: node.info.scope, createdMillis: Fixture.start))
        return try await storage.register(
            NodeRegistration(
                secretHash: secretHash, replica: node.info.id, publicKey: node.info.publicKey, nowMillis: Fixture.start)
        )
    }

    /// A village node registered as "east", and the ops of two households it made in its
    /// village, not yet pushed: what most log tests start from.
    func eastWithTwoHouseholds() async throws -> (node: NodeRecord, ops: [Op]) {
        let village = try node(Fixture.villageA)
        let node = try await register(village, name: "east")
        try village.household(in: Fixture.villageA, address: "1 Well Lane")
        try village.household(in: Fixture.villageA, address: "2 Well Lane")
        return (node, try village.ownOps())
    }
}

extension Replica {
    /// A household in `village`, with its ops.
    @discardableResult
    func household(in village: String, address: String) throws -> RecordID {
        var input = HouseholdInput()
        input.village = village
        input.address = address
        input.type = "rural"
        input.population = 2
        return try addHousehold(input, author: "w1", nowMillis: Fixture.start)
    }

    /// The node's own ops it has not pushed, in counter order.
    func ownOps() throws -> [Op] { try unpushedOps(limit: 10_000) }
}

extension PushAdmission {
    /// Admits every op the rules admit (no field checks of the ledger's own).
    static func rules(for node: NodeRecord) -> PushAdmission {
        PushAdmission(writer: node.scope) { _ in nil }
    }
}
