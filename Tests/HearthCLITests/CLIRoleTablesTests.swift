import Foundation
import GRDB
import HearthCore
import HearthLedger
import HearthLedgerSQLite
import HearthStore
import Testing

/// A village's or township's database holds the replica core only; the county hub's tables
/// (nodes, tokens, nonces, quarantine, decisions, rolls, import keys) exist in the hub's
/// database alone, made by the ledger's own migrations.
@Suite("Each role's database holds its own tables")
struct CLIRoleTablesTests {
    static let hubTables: Set<String> = [
        "nodes", "enrollment_tokens", "nonces", "quarantine", "decisions", "roll_locks", "roll_lines", "import_keys",
    ]
    static let now: Int64 = 1_795_600_000_000

    func tables(_ path: String) throws -> Set<String> {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return Set(
            try queue.read { db in
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
            })
    }

    @Test("`hearth node init` makes a database with none of the hub's tables; `hearth hub init` makes all of them")
    func nodeInitHasNoHubTables() async throws {
        let cli = try CLIRunner()
        let hub = cli.directory + "/hub.db"
        try await cli.ok(["hub", "init", "--db", hub, "--name", "宜城市", "--scope", "421281"])
        let token = try await cli.ok(["hub", "enroll", "--db", hub, "--name", "沙河镇", "--scope", "421281101"]).firstLine
        let node = cli.directory + "/shahe.db"
        try await cli.ok(["node", "init", "--db", node, "--token", token])

        let nodeTables = try tables(node)
        #expect(nodeTables.intersection(Self.hubTables).isEmpty, "hub tables in a node: \(nodeTables)")
        #expect(nodeTables.isSuperset(of: ["ops", "record_meta", "households", "sync_state"]))
        let hubTables = try tables(hub)
        #expect(hubTables.isSuperset(of: Self.hubTables), "the hub lacks \(Self.hubTables.subtracting(hubTables))")

        // The records and reads every replica shares still work on the node (a report, a status).
        try await cli.ok([
            "household", "add", "--db", node, "--village", "421281101001", "--address", "一组", "--type", "rural",
        ])
        let report = try await cli.ok(["report", "--db", node, "--month", "2026-11", "--format", "json"])
        #expect(report.json != nil, "\(report.stdout)")
        let status = try #require(try await cli.ok(["status", "--db", node, "--json"]).json)
        #expect(status["on_hold"] == .array([]))
    }

    @Test("a node's database made before the hub had migrations of its own loses its empty hub tables when opened")
    func oldNodeDatabaseIsCleaned() throws {
        let cli = try CLIRunner()
        let path = cli.directory + "/old.db"
        let replica = try Replica.create(
            path: path, name: "old", scope: try ScopePrefix.parse("421281101001", field: "scope"), nowMillis: Self.now)
        _ = replica
        // As the core's v2, v5, v8 and v9 once made them on every replica.
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            for table in Self.hubTables { try db.execute(sql: "CREATE TABLE \(table) (x INTEGER)") }
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier LIKE 'node v1%'")
        }
        try queue.close()
        #expect(!(try tables(path)).intersection(Self.hubTables).isEmpty)

        _ = try Replica.open(path: path)
        #expect(try tables(path).intersection(Self.hubTables).isEmpty)
    }

    @Test("a node's database does not open as the hub's ledger, nor the hub's as a node's replica")
    func rolesDoNotCross() throws {
        let cli = try CLIRunner()
        let scope = try ScopePrefix.parse("421281101001", field: "scope")
        _ = try Replica.create(path: cli.directory + "/n.db", name: "n", scope: scope, nowMillis: Self.now)
        _ = try HubLedger.create(
            path: cli.directory + "/h.db", name: "h", scope: try ScopePrefix.parse("421281", field: "scope"),
            nowMillis: Self.now)
        #expect {
            _ = try HubLedger.open(path: cli.directory + "/n.db")
        } throws: { error in
            guard case .otherRole(_, let info) = error as? ReplicaError else { return false }
            return info.role == .node && "\(error)".contains("not the county hub's")
        }
        #expect {
            _ = try Replica.open(path: cli.directory + "/h.db")
        } throws: { error in
            guard case .otherRole(_, let info) = error as? ReplicaError else { return false }
            return info.role == .hub
        }
        // The hub's own tables were not created in the node's file by the refused open.
        #expect(try tables(cli.directory + "/n.db").intersection(Self.hubTables).isEmpty)
    }
}
