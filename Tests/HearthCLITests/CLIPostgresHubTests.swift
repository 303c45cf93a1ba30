import Foundation
import HearthCore
import HearthLedger
import HearthLedgerPostgres
import HearthLedgerSQLite
import HearthStore
import HearthTestPostgres
import Testing

/// Issue 16 from the command line: a hub made and served in PostgreSQL (`--store`,
/// `HEARTH_STORE`), what needs a file (its backup) refused with a message naming the store, and a
/// SQLite hub moved there (`hub migrate`) serving what the file served.
@Suite("Hub commands on a hub kept in PostgreSQL", .serialized)
struct CLIPostgresHubTests {
    @Test("hub init, enroll, nodes and serve take --store; a node syncs with the hub in PostgreSQL")
    func storeCommands() async throws {
        let server = try await PostgresServer.shared()
        let store = try await server.freshDatabase().description
        let cli = try CLIRunner()
        let key = cli.directory + "/hub.key"

        let keyless = try await cli.run(["hub", "init", "--store", store, "--name", "County", "--scope", "421281"])
        #expect(keyless.status == 2 && keyless.stderr.contains("--key-file"))
        let made = try await cli.ok([
            "hub", "init", "--store", store, "--key-file", key, "--name", "County", "--scope", "421281",
        ])
        #expect(made.firstLine.count == 12 && made.firstLine.allSatisfy(\.isHexDigit))
        #expect(FileManager.default.fileExists(atPath: key))
        let again = try await cli.run([
            "hub", "init", "--store", store, "--key-file", cli.directory + "/other.key", "--name", "Again",
            "--scope", "421281",
        ])
        #expect(again.status != 0 && again.stderr.contains(store))
        #expect(!FileManager.default.fileExists(atPath: cli.directory + "/other.key"))

        // HEARTH_STORE names the store as --store does.
        let environment = ["HEARTH_STORE": store, "HEARTH_KEY_FILE": key]
        let token = try await cli.run(
            ["hub", "enroll", "--name", "east", "--scope", "421281101001"], environment: environment)
        #expect(token.status == 0 && token.firstLine.hasPrefix("hearth1."), "\(token.stderr)")
        let empty = try await cli.run(["hub", "nodes", "--json"], environment: environment)
        #expect(empty.status == 0 && empty.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
        // What works on a hub's file only (its online backup) says so, naming the store and what
        // backs a server's hub up, and exits as a usage error; the county's reads answer there.
        let refused = try await cli.run(
            ["hub", "backup", "--out", cli.directory + "/copy.db"], environment: environment)
        #expect(refused.status == 2 && refused.stderr.contains("pg_dump") && refused.stderr.contains(store))
        #expect(!FileManager.default.fileExists(atPath: cli.directory + "/copy.db"))
        // A value a command refuses is the user's mistake on a server's hub as on a file's (exit
        // 65, naming the field), not the server's error.
        let zero = try await cli.run(
            ["hub", "standard", "set", "--program", "农村低保", "--from", "2026-12", "--amount", "0"],
            environment: environment.merging(["HEARTH_WORKER": "admin"]) { $1 })
        #expect(zero.status == 65 && zero.stderr.contains("amount") && !zero.stderr.contains("PostgreSQL at"))
        let none = try await cli.run(["hub", "conflicts", "list", "--json"], environment: environment)
        #expect(
            none.status == 0 && none.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]", "\(none.stderr)")

        let (hub, url) = try await CLIRunner.startHub(
            database: cli.directory + "/absent.db", extra: ["--store", store, "--key-file", key])
        defer { if hub.isRunning { hub.terminate() } }
        let node = cli.directory + "/east.db"
        _ = try await cli.ok(["node", "init", "--db", node, "--token", token.firstLine, "--hub", url])
        _ = try await cli.ok([
            "household", "add", "--db", node, "--village", "421281101001", "--address", "1 Well Lane", "--type",
            "rural", "--population", "2",
        ])
        let synced = try await cli.ok(["node", "sync", "--db", node, "--json"])
        #expect(synced.json?["pushed_ops"]?.integerValue == 1)
        let nodes = try await cli.ok(["hub", "nodes", "--json", "--store", store, "--key-file", key])
        #expect(nodes.stdout.contains("\"east\""))
        let storage = try await PostgresLedgerStorage.open(
            location: try PostgresLocation.parse(store), keyPath: key, nowMillis: 0)
        #expect(try await storage.opCount() == 1)
        await storage.close()
        hub.terminate()
        hub.waitUntilExit()

        // hub restore --store: the database put back from a dump (here as it stands) goes on
        // under a new writer, its log positions skipped ahead.
        let restored = try await cli.run(
            ["hub", "restore", "--from", "county.dump", "--worker", "admin", "--json"], environment: environment)
        #expect(restored.status == 0, "\(restored.stderr)")
        let writer = try #require(restored.json?["writer"]?.stringValue)
        #expect(writer.count == 12 && writer != made.firstLine)
        #expect(restored.json?["retired_writer"]?.stringValue == made.firstLine)
        #expect(restored.json?["log_end"]?.integerValue == 1)
        let audit = try await cli.run(["hub", "nodes", "--json"], environment: environment)
        #expect(audit.status == 0 && audit.stdout.contains("\"east\""))
    }

    @Test("hub migrate moves a SQLite hub to PostgreSQL: the same digest, and the same answers to the same syncs")
    func migrate() async throws {
        let server = try await PostgresServer.shared()
        let location = try await server.freshDatabase()
        let cli = try CLIRunner()
        let file = cli.directory + "/file"
        let moved = cli.directory + "/moved"
        _ = try await cli.ok([
            "hub", "generate", "--profile", "small-county", "--out", file, "--seed", "11", "--scale", "0.02",
        ])
        // Work a node has not synced yet, made before the county is copied: both worlds push it.
        let node = "/421281101.db"
        let village = try Replica.open(path: file + node).read { db in
            try String.fetchOne(db, sql: "SELECT village FROM households ORDER BY id LIMIT 1") ?? ""
        }
        _ = try await cli.ok([
            "household", "add", "--db", file + node, "--village", village, "--address", "9 New Lane", "--type",
            "rural", "--population", "1",
        ])
        try FileManager.default.copyItem(atPath: file, toPath: moved)

        // Refused: a target that is not a server, and a hub not there.
        let notServer = try await cli.run([
            "hub", "migrate", "--from", moved + "/hub.db", "--to", cli.directory + "/x.db",
        ])
        #expect(notServer.status == 2)
        let result = try await cli.ok([
            "hub", "migrate", "--from", moved + "/hub.db", "--to", location.description, "--json",
        ])
        let fileHub = try HubLedger.open(path: file + "/hub.db")
        let digest = try fileHub.replica.stateDigest()
        #expect(result.json?["digest"]?.stringValue == digest)
        #expect(result.json?["hub"]?.stringValue == fileHub.info.id.value)
        #expect((result.json?["tables"]?["ops"]?.integerValue ?? 0) > 1_000)
        let twice = try await cli.run(["hub", "migrate", "--from", moved + "/hub.db", "--to", location.description])
        #expect(twice.status != 0)
        try FileManager.default.moveItem(atPath: moved + "/hub.db", toPath: moved + "/hub.db.moved")

        // Each world serves its hub; the same node syncs in each.
        let (fileServer, fileURL) = try await CLIRunner.startHub(database: file + "/hub.db")
        let (movedServer, movedURL) = try await CLIRunner.startHub(
            database: moved + "/absent.db",
            extra: ["--store", location.description, "--key-file", moved + "/hub.db.key"])
        defer {
            for server in [fileServer, movedServer] {
                server.terminate()
                server.waitUntilExit()
            }
        }
        let fromFile = try await cli.ok(["node", "sync", "--db", file + node, "--hub", fileURL, "--json"])
        let fromServer = try await cli.ok(["node", "sync", "--db", moved + node, "--hub", movedURL, "--json"])
        for field in ["pushed_ops", "pulled_ops", "applied", "quarantined"] {
            #expect(fromFile.json?[field]?.integerValue == fromServer.json?[field]?.integerValue, "\(field)")
        }
        #expect(fromFile.json?["pushed_ops"]?.integerValue == 1)
        #expect(try Replica.open(path: file + node).stateDigest() == Replica.open(path: moved + node).stateDigest())
        let storage = try await PostgresLedgerStorage.open(
            location: location, keyPath: moved + "/hub.db.key", nowMillis: 0)
        let after = try await storage.snapshot { sql in try ReplicaCore.stateDigest(sql) }
        #expect(after == (try HubLedger.open(path: file + "/hub.db").replica.stateDigest()))
        #expect(after != digest)
        await storage.close()
    }
}
