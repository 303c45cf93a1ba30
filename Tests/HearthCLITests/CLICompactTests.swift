import Foundation
import GRDB
import HearthCore
import Testing

@Suite("hearth hub compact from the command line")
struct CLICompactTests {
    @Test(
        "compact takes the county's retention_months, says what it moved as text and as one JSON document, and refuses a retention out of range"
    )
    func compact() async throws {
        let cli = try CLIRunner()
        let hub = cli.directory + "/hub.db"
        try await cli.ok(["hub", "init", "--db", hub, "--name", "赤壁市", "--scope", "421281"])
        try await cli.ok(["hub", "enroll", "--db", hub, "--name", "沙河镇", "--scope", "421281101"])
        // The default retention, a year: the first run only notes the log's end.
        let first = try #require(try await cli.ok(["hub", "compact", "--db", hub, "--json"]).json)
        #expect(first["retention_months"] == .integer(12))
        #expect(first["archived"] == .integer(0))
        #expect(first["aged_through"] == .integer(0))
        #expect(first["inactive_nodes"] == .integer(0), "a token is no node until it registers")
        #expect(first["active_nodes"] == .integer(0))
        #expect(first["in_archive"] == .integer(0))
        // The county's setting is read when no --retention-months is given.
        try await cli.ok(["hub", "setting", "set", "--db", hub, "retention_months", "6"])
        let set = try #require(try await cli.ok(["hub", "compact", "--db", hub, "--json"]).json)
        #expect(set["retention_months"] == .integer(6))
        let text = try await cli.ok(["hub", "compact", "--db", hub, "--retention-months", "3", "--lang", "en"])
        #expect(text.stdout.contains("archived 0 ops (retention 3 months"), "\(text.stdout)")
        for bad in ["0", "601"] {
            let refused = try await cli.run(["hub", "compact", "--db", hub, "--retention-months", bad, "--lang", "en"])
            #expect(refused.status == 65)
            #expect(refused.stderr.contains("--retention-months is whole months, 1 to 600"), "\(refused.stderr)")
        }
        let wrongSetting = try await cli.run([
            "hub", "setting", "set", "--db", hub, "retention_months", "two years", "--lang", "en",
        ])
        #expect(wrongSetting.status == 65)
        #expect(wrongSetting.stderr.contains("retention_months is whole months"), "\(wrongSetting.stderr)")
    }

    @Test(
        "hub verify checks the authors' chains as text and as one JSON document, and exits 1 naming an altered op by author and counter"
    )
    func verify() async throws {
        let cli = try CLIRunner()
        let hub = cli.directory + "/hub.db"
        try await cli.ok(["hub", "init", "--db", hub, "--name", "赤壁市", "--scope", "421281"])
        for address in ["一组", "二组"] {
            try await cli.ok([
                "household", "add", "--db", hub, "--village", "421281101001", "--address", address, "--type", "rural",
            ])
        }
        let intact = try #require(try await cli.ok(["hub", "verify", "--db", hub, "--json"]).json)
        #expect(intact["intact"] == .bool(true))
        #expect(intact["whole"] == .bool(false))
        #expect(intact["authors"] == .integer(1), "the hub's own writer")
        #expect(intact["ops_checked"] == .integer(2))
        #expect(intact["problems"] == .array([]))
        // No node has pushed: the one chain, the hub's own writer's, rests on the store.
        #expect(intact["signed_heads"] == .integer(0))
        #expect(intact["unsigned_tops"] == .integer(1))
        let text = try await cli.ok(["hub", "verify", "--db", hub, "--archive", "--lang", "en"])
        #expect(text.stdout.contains("1 chains checked from their first ops: 2 ops"), "\(text.stdout)")
        #expect(
            text.stdout.contains("0 chain tops match the heads their nodes signed; 1 rest on the hub's store alone"),
            "\(text.stdout)")

        // The first op's body replaced by the second's, behind the hub's back.
        let database = try DatabaseQueue(path: hub)
        let writer = try await database.write { db in
            try db.execute(sql: "UPDATE ops SET body = (SELECT body FROM ops WHERE counter = 2) WHERE counter = 1")
            return try String.fetchOne(db, sql: "SELECT replica FROM ops WHERE counter = 1") ?? ""
        }
        try database.close()
        let broken = try await cli.run(["hub", "verify", "--db", hub, "--json"])
        #expect(broken.status == 1)
        let document = try #require(broken.json)
        #expect(document["intact"] == .bool(false))
        #expect(
            document["problems"]
                == .array([
                    .object([
                        "kind": .string("altered-op"), "replica": .string(writer), "counter": .integer(1),
                        "through": .integer(1),
                    ])
                ]))
        #expect(broken.stderr.contains("1 problems in the authors' chains"), "\(broken.stderr)")
        let brokenText = try await cli.run(["hub", "verify", "--db", hub, "--lang", "en"])
        #expect(brokenText.status == 1)
        #expect(
            brokenText.stdout.contains("op \(writer):1: its stored body does not give its stored hash"),
            "\(brokenText.stdout)")
    }

    @Test(
        "node compact takes the county's retention (synced to the node), says what left as text and as one JSON document, refuses a hub's database; a sync reports compacted_ops"
    )
    func nodeCompact() async throws {
        let cli = try CLIRunner()
        let hubDB = cli.directory + "/hub.db"
        try await cli.ok(["hub", "init", "--db", hubDB, "--name", "赤壁市", "--scope", "421281"])
        try await cli.ok(["hub", "setting", "set", "--db", hubDB, "retention_months", "6"])
        let token = try await cli.ok(["hub", "enroll", "--db", hubDB, "--name", "新庄村", "--scope", "421281101001"])
            .firstLine
        let (hub, url) = try await CLIRunner.startHub(database: hubDB)
        defer { if hub.isRunning { hub.terminate() } }
        let node = cli.directory + "/village.db"
        try await cli.ok(["node", "init", "--db", node, "--token", token, "--hub", url])
        try await cli.ok([
            "household", "add", "--db", node, "--village", "421281101001", "--address", "一组", "--type", "rural",
        ])
        let synced = try #require(try await cli.ok(["node", "sync", "--db", node, "--json"]).json)
        #expect(synced["compacted_ops"] == .integer(0), "nothing is older than six months yet")
        #expect(synced["purged_records"] == .integer(0), "no household was archived six months ago")
        // The county's setting came to the node with the sync.
        let first = try #require(try await cli.ok(["node", "compact", "--db", node, "--json"]).json)
        #expect(first["retention_months"] == .integer(6))
        #expect(first["removed"] == .integer(0))
        #expect(first["aged_through"] == .integer(0))
        #expect(first["logged"] == .integer(1), "the household; the setting came in the snapshot, not as an op")
        #expect(first["purged_records"] == .integer(0))
        let text = try await cli.ok(["node", "compact", "--db", node, "--retention-months", "3", "--lang", "en"])
        #expect(text.stdout.contains("removed 0 ops from the log (retention 3 months"), "\(text.stdout)")
        for bad in ["0", "601"] {
            let refused = try await cli.run([
                "node", "compact", "--db", node, "--retention-months", bad, "--lang", "en",
            ])
            #expect(refused.status == 65)
            #expect(refused.stderr.contains("--retention-months is whole months, 1 to 600"), "\(refused.stderr)")
        }
        let onHub = try await cli.run(["node", "compact", "--db", hubDB, "--lang", "en"])
        #expect(onHub.status == 2, "a hub's database is not a node's: \(onHub.stderr)")
    }
}
