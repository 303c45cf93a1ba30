import Foundation
import HearthCore
import Testing
import HearthTestSupport

@Suite("The hearth CLI with a hub, over real HTTP on loopback")
struct CLIHubTests {
    func startHub(_ cli: CLIRunner, database: String) async throws -> (process: ChildProcess, url: String) {
        try await CLIRunner.startHub(database: database)
    }

    @Test("hub init, enroll, serve; node init with the token; sync both ways; SIGTERM stops the hub cleanly")
    func hubFlow() async throws {
        let cli = try CLIRunner()
        let hubDB = cli.directory + "/hub.db"
        #expect(
            try await cli.ok(["hub", "init", "--db", hubDB, "--name", "宜城", "--scope", "421281"]).firstLine.count == 12)
        let badScope = try await cli.run([
            "hub", "init", "--db", cli.directory + "/x.db", "--name", "x", "--scope", "421281101",
        ])
        #expect(badScope.status == 65)
        let villageToken = try await cli.ok([
            "hub", "enroll", "--db", hubDB, "--name", "xinzhuang", "--scope", "421281101001",
        ])
        #expect(villageToken.stdout.split(separator: "\n").count == 1)
        #expect(villageToken.firstLine.hasPrefix("hearth1."))
        let townshipToken = try await cli.ok([
            "hub", "enroll", "--db", hubDB, "--name", "shahe", "--scope", "421281101",
        ])
        .firstLine
        let outside = try await cli.run(["hub", "enroll", "--db", hubDB, "--name", "far", "--scope", "420000101"])
        #expect(outside.status == 65)

        let (hub, url) = try await startHub(cli, database: hubDB)
        defer { if hub.isRunning { hub.terminate() } }

        let villageDB = cli.directory + "/village.db"
        let village = try await cli.ok([
            "node", "init", "--db", villageDB, "--token", villageToken.firstLine, "--hub", url,
        ])
        #expect(village.firstLine.count == 12)
        let reuse = try await cli.run([
            "node", "init", "--db", cli.directory + "/again.db", "--token", villageToken.firstLine, "--hub", url,
        ])
        #expect(reuse.status != 0)
        #expect(reuse.stderr.contains("already been used"))
        #expect(!FileManager.default.fileExists(atPath: cli.directory + "/again.db"))

        let household = try await cli.ok([
            "household", "add", "--db", villageDB, "--village", "421281101001", "--address", "一组", "--type", "rural",
        ]).firstLine
        try await cli.ok([
            "member", "add", "--db", villageDB, "--household", household, "--name", "张三", "--relation", "head",
        ])
        let pushed = try #require(try await cli.ok(["node", "sync", "--db", villageDB, "--json"]).json)
        #expect(pushed["pushed_ops"]?.integerValue == 4)  // household, member, head, population
        let again = try #require(try await cli.ok(["node", "sync", "--db", villageDB, "--json"]).json)
        #expect(again["pushed_ops"]?.integerValue == 0)
        #expect(try await cli.ok(["status", "--db", villageDB, "--json"]).json?["unsynced_ops"]?.integerValue == 0)

        let townshipDB = cli.directory + "/township.db"
        try await cli.ok(["node", "init", "--db", townshipDB, "--token", townshipToken, "--hub", url])
        // A new node starts from the hub's snapshot: the records' states, none of their ops.
        let pulled = try #require(try await cli.ok(["node", "sync", "--db", townshipDB, "--json"]).json)
        #expect(pulled["snapshot_records"]?.integerValue == 2, "the household and its member")
        #expect(pulled["pulled_ops"]?.integerValue == 0)
        let shown = try #require(try await cli.ok(["household", "show", "--db", townshipDB, household, "--json"]).json)
        #expect(shown["fields"]?["address"]?.stringValue == "一组")
        // With --replay, a second new node of the township replays the four ops, and holds the same.
        let replayToken = try await cli.ok([
            "hub", "enroll", "--db", hubDB, "--name", "shahe-2", "--scope", "421281101",
        ]).firstLine
        let replayDB = cli.directory + "/township-2.db"
        try await cli.ok(["node", "init", "--db", replayDB, "--token", replayToken, "--hub", url])
        let both = try await cli.run(["node", "sync", "--db", replayDB, "--snapshot", "--replay"])
        #expect(both.status == 2 && both.stderr.contains("--replay"), "\(both.stderr)")
        let replayed = try #require(try await cli.ok(["node", "sync", "--db", replayDB, "--replay", "--json"]).json)
        #expect(replayed["pulled_ops"]?.integerValue == 4)
        #expect(replayed["snapshot_records"] == .null)
        let same = try #require(try await cli.ok(["household", "show", "--db", replayDB, household, "--json"]).json)
        #expect(same["fields"] == shown["fields"] && same["members"] == shown["members"])

        // The township moves the household to another village, whose node has synced before:
        // the household and its member enter its scope and come as the hub's states.
        let hewanToken = try await cli.ok([
            "hub", "enroll", "--db", hubDB, "--name", "hewan", "--scope", "421281101002",
        ]).firstLine
        let hewanDB = cli.directory + "/hewan.db"
        try await cli.ok(["node", "init", "--db", hewanDB, "--token", hewanToken, "--hub", url])
        try await cli.ok(["node", "sync", "--db", hewanDB])
        try await cli.ok(["household", "move", "--db", townshipDB, household, "--village", "421281101002"])
        try await cli.ok(["node", "sync", "--db", townshipDB])
        let entered = try #require(try await cli.ok(["node", "sync", "--db", hewanDB, "--json"]).json)
        #expect(entered["entered_records"]?.integerValue == 2, "the household and its member: \(entered)")
        #expect((entered["pulled_ops"]?.integerValue ?? 99) < 4, "not their histories: \(entered)")
        let moved = try #require(try await cli.ok(["household", "show", "--db", hewanDB, household, "--json"]).json)
        #expect(moved["fields"]?["address"]?.stringValue == "一组")
        #expect(moved["fields"]?["village"]?.stringValue == "421281101002")
        let quiet = try await cli.ok(["node", "sync", "--db", hewanDB, "--lang", "en"])
        #expect(!quiet.stdout.contains("entered this node's scope"), "\(quiet.stdout)")

        let nodes = try #require(try await cli.ok(["hub", "nodes", "--db", hubDB, "--json"]).json?.arrayValue)
        #expect(nodes.count == 4)
        #expect(nodes.allSatisfy { $0["last_sync"] != .null && $0["state"]?.stringValue == "active" })

        try await cli.ok(["hub", "revoke", "--db", hubDB, "shahe"])
        let revoked = try await cli.run(["node", "sync", "--db", townshipDB])
        #expect(revoked.status == 1)
        #expect(revoked.stderr.contains("revoked"))

        hub.terminate()  // SIGTERM
        hub.waitUntilExit()
        #expect(hub.terminationStatus == 0)
        let down = try await cli.run(["node", "sync", "--db", villageDB])
        #expect(down.status == 1)
        #expect(down.stderr.contains("cannot reach the hub"))
    }

    @Test("a sync through a wrong --hub fails and the working address stays remembered; a good one is remembered")
    func hubAddressRememberedOnSuccess() async throws {
        let cli = try CLIRunner()
        let hubDB = cli.directory + "/hub.db"
        try await cli.ok(["hub", "init", "--db", hubDB, "--name", "宜城", "--scope", "421281"])
        let token = try await cli.ok(["hub", "enroll", "--db", hubDB, "--name", "xinzhuang", "--scope", "421281101001"])
        let (hub, url) = try await startHub(cli, database: hubDB)
        defer { if hub.isRunning { hub.terminate() } }
        let villageDB = cli.directory + "/village.db"
        try await cli.ok(["node", "init", "--db", villageDB, "--token", token.firstLine, "--hub", url])
        // Port 1 on this machine: nothing listens there.
        let wrong = try await cli.run(["node", "sync", "--db", villageDB, "--hub", "http://127.0.0.1:1"])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("cannot reach the hub"))
        let after = try await cli.run(["node", "sync", "--db", villageDB])
        #expect(after.status == 0, "the remembered address is still the hub's: \(after.stderr)")
        #expect(after.stdout.contains("synced with \(url)"))
        // The same hub by another name for this machine: remembered once the sync through it succeeds.
        let other = url.replacingOccurrences(of: "127.0.0.1", with: "localhost")
        try await cli.ok(["node", "sync", "--db", villageDB, "--hub", other])
        #expect(try await cli.ok(["node", "sync", "--db", villageDB]).stdout.contains("synced with \(other)"))
    }

    @Test("hearth --version names the release and the sync protocol and op format it speaks")
    func version() async throws {
        let result = try await CLIRunner().run(["--version"])
        #expect(result.status == 0)
        #expect(result.firstLine.hasPrefix("hearth "))
        #expect(result.firstLine.contains("sync protocol 3, reads 1 to 3; op format 1"))
    }

    @Test("a file-only node syncs by bundles, and importing a bundle twice changes nothing")
    func bundles() async throws {
        let cli = try CLIRunner()
        let hubDB = cli.directory + "/hub.db"
        try await cli.ok(["hub", "init", "--db", hubDB, "--name", "宜城", "--scope", "421281"])
        let token = try await cli.ok(["hub", "enroll", "--db", hubDB, "--name", "hewan", "--scope", "421281101002"])
            .firstLine
        let nodeDB = cli.directory + "/hewan.db"
        try await cli.ok(["node", "init", "--db", nodeDB, "--token", token])
        try await cli.ok([
            "household", "add", "--db", nodeDB, "--village", "421281101002", "--address", "三组", "--type", "urban",
        ])
        let up = cli.directory + "/up.hearth"
        try await cli.ok(["node", "export", "--db", nodeDB, "--out", up])
        let first = try #require(try await cli.ok(["hub", "import", "--db", hubDB, up, "--json"]).json)
        #expect(first["registered"] == .bool(true))
        #expect(first["applied"]?.integerValue == 1)
        let second = try #require(try await cli.ok(["hub", "import", "--db", hubDB, up, "--json"]).json)
        #expect(second["applied"]?.integerValue == 0)
        #expect(second["duplicates"]?.integerValue == 1)
        #expect(try await cli.ok(["status", "--db", hubDB, "--json"]).json?["log_size"]?.integerValue == 1)

        let other = try await cli.ok(["hub", "enroll", "--db", hubDB, "--name", "xinzhuang", "--scope", "421281101001"])
            .firstLine
        let otherDB = cli.directory + "/xinzhuang.db"
        try await cli.ok(["node", "init", "--db", otherDB, "--token", other])
        let otherHome = try await cli.ok([
            "household", "add", "--db", otherDB, "--village", "421281101001", "--address", "一组", "--type", "rural",
        ]).firstLine
        try await cli.ok([
            "member", "add", "--db", otherDB, "--household", otherHome, "--name", "赵六", "--id-number",
            "421281198001010011",
            "--relation", "head",
        ])
        let otherUp = cli.directory + "/other.hearth"
        try await cli.ok(["node", "export", "--db", otherDB, "--out", otherUp])
        try await cli.ok(["hub", "import", "--db", hubDB, otherUp])

        let down = cli.directory + "/down.hearth"
        try await cli.ok(["hub", "export", "--db", hubDB, "--node", "hewan", "--out", down])
        let exists = try await cli.run(["hub", "export", "--db", hubDB, "--node", "hewan", "--out", down])
        #expect(exists.status != 0)
        try await cli.ok(["node", "import", "--db", nodeDB, down])
        try await cli.ok(["node", "import", "--db", nodeDB, down])
        let status = try #require(try await cli.ok(["status", "--db", nodeDB, "--json"]).json)
        #expect(status["unsynced_ops"]?.integerValue == 0)
        #expect(status["records"]?["households"]?.integerValue == 1)  // only its own village
        // The hub's bundle carried the county's duplicate index: the file-only node checks offline.
        let home =
            try await cli.ok(["household", "list", "--db", nodeDB, "--json"]).json?.arrayValue?.first?["id"]?
            .stringValue
            ?? ""
        let warned = try await cli.ok([
            "member", "add", "--db", nodeDB, "--household", home, "--name", "赵六", "--id-number", "421281198001010011",
            "--relation", "head",
        ])
        #expect(warned.stdout.contains("possibly registered elsewhere"))
        #expect(!warned.stdout.contains("421281101"), "the hint names no township")

        let wrong = try await cli.run(["node", "import", "--db", otherDB, down])
        #expect(wrong.status != 0)
        let garbage = cli.directory + "/garbage.hearth"
        try Data("not a bundle".utf8).write(to: URL(fileURLWithPath: garbage))
        let refused = try await cli.run(["hub", "import", "--db", hubDB, garbage])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("not a Hearth bundle"))
    }

    @Test(
        "a member registered in one township is flagged offline in another (hash prefix only, no place or program); R5"
    )
    func duplicateIndex() async throws {
        let cli = try CLIRunner()
        let hubDB = cli.directory + "/hub.db"
        try await cli.ok(["hub", "init", "--db", hubDB, "--name", "宜城", "--scope", "421281"])
        let firstToken = try await cli.ok(["hub", "enroll", "--db", hubDB, "--name", "a", "--scope", "421281101001"])
            .firstLine
        let secondToken = try await cli.ok(["hub", "enroll", "--db", hubDB, "--name", "b", "--scope", "421281102001"])
            .firstLine
        let (hub, url) = try await startHub(cli, database: hubDB)
        defer { if hub.isRunning { hub.terminate() } }
        let first = cli.directory + "/a.db"
        let second = cli.directory + "/b.db"
        try await cli.ok(["node", "init", "--db", first, "--token", firstToken, "--hub", url])
        try await cli.ok(["node", "init", "--db", second, "--token", secondToken, "--hub", url])
        let home = try await cli.ok([
            "household", "add", "--db", first, "--village", "421281101001", "--address", "一组", "--type", "rural",
        ]).firstLine
        let member = try await cli.ok([
            "member", "add", "--db", first, "--household", home, "--name", "张三", "--id-number", "421281198001010011",
            "--relation", "head",
        ]).firstLine
        try await cli.ok([
            "enroll", "--db", first, "--member", member, "--program", "dibao_rural", "--amount", "560", "--start",
            "2026-01",
        ])
        try await cli.ok(["node", "sync", "--db", first])
        try await cli.ok(["node", "sync", "--db", second])  // receives the county's index

        let other = try await cli.ok([
            "household", "add", "--db", second, "--village", "421281102001", "--address", "二组", "--type", "rural",
        ]).firstLine
        let added = try await cli.ok([
            "member", "add", "--db", second, "--household", other, "--name", "张三", "--id-number", "421281198001010011",
            "--relation", "head",
        ])
        #expect(added.stdout.contains("possibly registered elsewhere"))
        #expect(!added.stdout.contains("421281101"), "the hint names no township")
        #expect(!added.stdout.contains("dibao"), "the hint names no program")
        #expect(!added.stdout.contains("198001010011"))
        let index = try String(contentsOfFile: second, encoding: .isoLatin1)
        #expect(!index.contains("198001010011"))

        try await cli.ok(["node", "sync", "--db", second])
        let cases = try #require(
            try await cli.ok(["hub", "conflicts", "list", "--db", hubDB, "--rule", "R5", "--json"]).json?.arrayValue)
        #expect(cases.count == 1)
        #expect(cases.first?["kind"]?.stringValue == "duplicate-person")
        let fresh = try await cli.ok([
            "member", "add", "--db", second, "--household", other, "--name", "李四", "--id-number", "11010519491231002X",
            "--relation", "spouse",
        ])
        #expect(!fresh.stdout.contains("possibly registered"))
    }

    @Test("hearth demo runs the county scenario and converges")
    func demo() async throws {
        let cli = try CLIRunner()
        let result = try await cli.run(["demo", "--dir", cli.directory + "/demo"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("IN CONFLICT"))
        #expect(result.stdout.contains("Converged."))
        #expect(result.stdout.contains("by rule R1"), "an automatic decision")
        #expect(result.stdout.contains("in conflict: false"), "a conflict resolved at the desk reached the village")
        let hub = cli.directory + "/demo/hub.db"
        let report = try await cli.ok([
            "hub", "report", "--db", hub, "--from", "2026-01", "--to", "2026-11", "--by", "village",
        ])
        #expect(report.stdout.contains("农村低保"))
        // The father died on 2026-11-20: November, the month of death, is paid (次月停发, the default).
        #expect(report.stdout.contains("12520.00"), "\(report.stdout)")
        let csv = try await cli.ok(["hub", "report", "--db", hub, "--month", "2026-11", "--format", "csv"])
        #expect(csv.stdout.hasPrefix("\u{FEFF}地区"))
        let roll = cli.directory + "/roll.csv"
        let payroll = try #require(
            try await cli.ok(["hub", "payroll", "--db", hub, "--month", "2026-11", "--out", roll, "--json"]).json)
        #expect(payroll["rows"]?.integerValue == 2)
        #expect(payroll["total_yuan"]?.stringValue == "1160.00")
    }

    @Test("hub serve refuses limits that make no sense, and closes a connection left idle past --idle-timeout")
    func serveConnectionLimits() async throws {
        let cli = try CLIRunner()
        let hubDB = cli.directory + "/hub.db"
        try await cli.ok(["hub", "init", "--db", hubDB, "--name", "宜城", "--scope", "421281"])
        for (flag, value) in [("--idle-timeout", "0"), ("--idle-timeout", "-1"), ("--max-connections", "0")] {
            let refused = try await cli.run(["hub", "serve", "--db", hubDB, "--port", "0", "\(flag)=\(value)"])
            #expect(refused.status == 2, "\(flag) \(value)")
            #expect(refused.stderr.contains(flag), "\(flag) \(value): \(refused.stderr)")
        }
        let (hub, url) = try await CLIRunner.startHub(
            database: hubDB, extra: ["--idle-timeout", "0.3", "--max-connections", "4"])
        defer { if hub.isRunning { hub.terminate() } }
        let port = try #require(URL(string: url)?.port)
        #expect(IdleSocket.closedByPeer(port: port, within: 20), "an idle connection stayed open past --idle-timeout")
    }
}

/// A TCP connection that sends nothing, to see whether the hub process closes it.
enum IdleSocket {
    /// Connects the socket `fd` to 127.0.0.1:`port`; false when nothing answers there.
    static func connect(_ fd: Int32, toPort port: Int) -> Bool {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Foundation.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return connected == 0
    }

    /// Connects to 127.0.0.1:`port` and waits up to `seconds` for the other side to close the
    /// connection (a read that returns end of file); false when it is still open by then.
    static func closedByPeer(port: Int, within seconds: Int) -> Bool {
        #if os(Linux)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard connect(fd, toPort: port) else { return false }
        // The deadline for the read below: past it, recv fails instead of returning 0.
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) == 0
    }
}
