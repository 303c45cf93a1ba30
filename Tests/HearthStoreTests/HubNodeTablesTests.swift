import Foundation
import GRDB
import HearthCore
import HearthLedger
import HearthLedgerSQLite
import HearthStore
import Testing
import HearthTestSupport

/// The county hub's database holds the replica core and the hub's tables; the node's side of
/// sync (its hub, pull cursor, duplicate index, handed-over hashes) exists in a node's
/// database alone. The core's shipped migrations make those tables everywhere, so the hub's
/// ledger drops them.
@Suite("A hub database holds none of the node's tables")
struct HubNodeTablesTests {
    static let nodeTables: Set<String> = ["sync_state", "own_evicted"]
    /// What the core's migrations make on every database: the node's tables and the duplicate
    /// index's table, which a node turns into a bitmap (node v3) and a hub drops.
    static let madeEverywhere = nodeTables.union(["duplicate_index"])
    static let now: Int64 = 1_795_600_000_000

    /// This test's directories, removed when it ends.
    let temporary = TemporaryDirectories()

    func temporaryDirectory() throws -> String {
        try temporary.make("hearth-roles")
    }

    func tables(_ path: String) throws -> Set<String> {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return Set(
            try queue.read { db in
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
            })
    }

    func makeHub(_ path: String) throws -> HubLedger {
        try HubLedger.create(
            path: path, name: "宜城市", scope: try ScopePrefix.parse("421281", field: "scope"), nowMillis: Self.now)
    }

    @Test("`HubLedger.create` makes a database with none of the node's tables; a node's has all of them")
    func hubHasNoNodeTables() throws {
        let directory = try temporaryDirectory()
        let hubPath = directory + "/hub.db"
        let hub = try makeHub(hubPath)
        let nodePath = directory + "/node.db"
        _ = try Replica.create(
            path: nodePath, name: "沙河镇", scope: try ScopePrefix.parse("421281101", field: "scope"),
            nowMillis: Self.now)

        let hubTables = try tables(hubPath)
        #expect(hubTables.intersection(Self.madeEverywhere).isEmpty, "node tables in the hub: \(hubTables)")
        #expect(hubTables.isSuperset(of: ["ops", "record_meta", "households", "nodes", "quarantine"]))
        let nodeTables = try tables(nodePath)
        #expect(nodeTables.isSuperset(of: Self.nodeTables), "the node lacks \(Self.nodeTables.subtracting(nodeTables))")
        #expect(!nodeTables.contains("duplicate_index"), "the node keeps its index as a bitmap")

        // The hub's reads and edits of the core still work without them, and it opens again.
        var input = HouseholdInput()
        input.village = "421281101001"
        input.address = "一组"
        input.type = "rural"
        _ = try hub.replica.addHousehold(input, author: "county-admin", nowMillis: Self.now)
        #expect(try hub.replica.status().ownOps > 0)
        let reopened = try HubLedger.open(path: hubPath)
        #expect(try tables(reopened.path).intersection(Self.madeEverywhere).isEmpty)
    }

    @Test("a hub database made before the node's tables were dropped loses them when opened")
    func oldHubDatabaseIsCleaned() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/hub.db"
        _ = try makeHub(path)
        // As the core's v2, v7 and v11 once left them on every hub, before `hub v2`.
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            for table in Self.madeEverywhere { try db.execute(sql: "CREATE TABLE \(table) (x INTEGER)") }
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier LIKE 'hub v2%'")
        }
        try queue.close()
        #expect(try tables(path).isSuperset(of: Self.madeEverywhere))

        _ = try HubLedger.open(path: path)
        #expect(try tables(path).intersection(Self.madeEverywhere).isEmpty)
    }
}
