import Foundation
import HearthCore
import Testing

@Suite("hearth hub backup and hub restore, as processes over real HTTP")
struct CLIBackupTests {
    @Test(
        "a backup taken while the hub serves; the hub restored from it; the node's sync sends again what the backup lacks"
    )
    func backupServeRestore() async throws {
        let cli = try CLIRunner()
        let hubDB = cli.directory + "/hub.db"
        let backup = cli.directory + "/hub-backup.db"
        try await cli.ok(["hub", "init", "--db", hubDB, "--name", "宜城", "--scope", "421281"])
        let token = try await cli.ok(["hub", "enroll", "--db", hubDB, "--name", "xinzhuang", "--scope", "421281101001"])
            .firstLine
        var (hub, url) = try await CLIRunner.startHub(database: hubDB)
        defer { if hub.isRunning { hub.terminate() } }
        let villageDB = cli.directory + "/village.db"
        try await cli.ok(["node", "init", "--db", villageDB, "--token", token, "--hub", url])
        let kept = try await cli.ok([
            "household", "add", "--db", villageDB, "--village", "421281101001", "--address", "一组", "--type", "rural",
        ]).firstLine
        try await cli.ok(["node", "sync", "--db", villageDB])

        // Online: the hub keeps serving.
        let copy = try await cli.ok(["hub", "backup", "--db", hubDB, "--worker", "admin", "--out", backup])
        #expect(copy.firstLine == backup)
        let again = try await cli.run(["hub", "backup", "--db", hubDB, "--worker", "admin", "--out", backup])
        #expect(again.status == 65)
        #expect(again.stderr.contains("already exists"))
        let lost = try await cli.ok([
            "household", "add", "--db", villageDB, "--village", "421281101001", "--address", "二组", "--type", "rural",
        ]).firstLine
        try await cli.ok(["node", "sync", "--db", villageDB])
        let serving = try await cli.run(["hub", "restore", "--db", hubDB, "--worker", "admin", "--from", backup])
        #expect(serving.status == 65, "not over a database hub serve has open")
        #expect(serving.stderr.contains("is open in another process"), "\(serving.stderr)")
        hub.terminate()
        hub.waitUntilExit()

        let restored = try await cli.ok(["hub", "restore", "--db", hubDB, "--worker", "admin", "--from", backup])
        #expect(restored.firstLine.count == 12, "the new writer id first")
        #expect(restored.stdout.contains("before-restore-"))
        let previous = try FileManager.default.contentsOfDirectory(atPath: cli.directory).filter {
            $0.hasPrefix("hub.db.before-restore-") && !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm")
        }
        #expect(previous.count == 1, "the replaced database is kept")
        #expect(!FileManager.default.fileExists(atPath: backup + "-wal"), "the backup is left as it was")
        let missing = try await cli.run(["household", "show", "--db", hubDB, lost])
        #expect(missing.status == 66, "the backup was taken before the second household")

        (hub, url) = try await CLIRunner.startHub(database: hubDB)
        // The hub serves on another port now.
        let synced = try #require(try await cli.ok(["node", "sync", "--db", villageDB, "--hub", url, "--json"]).json)
        #expect(synced["pushed_ops"]?.integerValue ?? 0 > 0, "the lost household is sent again")
        try await cli.ok(["household", "show", "--db", hubDB, lost])
        try await cli.ok(["household", "show", "--db", hubDB, kept])
        #expect(try await cli.ok(["status", "--db", villageDB, "--json"]).json?["unsynced_ops"]?.integerValue == 0)
        let audit = try await cli.ok(["hub", "audit", "--db", hubDB, "--json"]).stdout
        #expect(audit.contains("\"backup\"") && audit.contains("\"restore\""))
    }

    @Test("restore --json prints one document; a missing backup is exit 66 with nothing changed")
    func restoreJSONAndRefusals() async throws {
        let cli = try CLIRunner()
        let hubDB = cli.directory + "/hub.db"
        let backup = cli.directory + "/b.db"
        try await cli.ok(["hub", "init", "--db", hubDB, "--name", "宜城", "--scope", "421281"])
        try await cli.ok(["hub", "backup", "--db", hubDB, "--worker", "admin", "--out", backup])
        let missing = try await cli.run([
            "hub", "restore", "--db", hubDB, "--worker", "admin", "--from", backup + ".no",
        ])
        #expect(missing.status == 66)
        let document = try #require(
            try await cli.ok(["hub", "restore", "--db", hubDB, "--worker", "admin", "--from", backup, "--json"]).json)
        #expect(document["writer"]?.stringValue?.count == 12)
        #expect(document["retired_counter"]?.integerValue == 0)
        let next: Int64 = 1_099_511_627_777  // the backup's log end, 0, and 2^40 skipped
        #expect(document["next_position"]?.integerValue == next)
        #expect(document["previous"]?.stringValue?.hasPrefix(hubDB + ".before-restore-") == true)
        var anonymous = cli
        anonymous.worker = nil
        let noWorker = try await anonymous.run(["hub", "backup", "--db", hubDB, "--out", cli.directory + "/c.db"])
        #expect(noWorker.status == 2, "a backup is audited: it names who took it")
        #expect(!FileManager.default.fileExists(atPath: cli.directory + "/c.db"))
    }
}
