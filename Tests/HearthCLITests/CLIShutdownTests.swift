import Foundation
import GRDB
import Testing
import HearthTestSupport

#if canImport(Glibc)
    import Glibc
#endif

@Suite("hub serve stops cleanly: a request in flight is answered first")
struct CLIShutdownTests {
    /// The hub's `/metrics` text, nil when it does not answer: a blocking GET over a plain
    /// socket, so that the test never waits for a cooperative thread while the push it watches
    /// runs against the hub's busy timeout (the CLI tests beside it block those threads).
    static func metrics(port: Int) -> String? {
        let handle = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard handle >= 0 else { return nil }
        defer { close(handle) }
        guard IdleSocket.connect(handle, toPort: port) else { return nil }
        let request = Array("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard send(handle, request, request.count, 0) == request.count else { return nil }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = recv(handle, &buffer, buffer.count, 0)
            if count <= 0 { break }
            answer += buffer[0..<count]
        }
        return String(decoding: answer, as: UTF8.self)
    }

    /// Whether something listens on `port` on this machine (the kernel's table of TCP sockets).
    static func listening(on port: Int) throws -> Bool {
        let table = try String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)
        return table.split(separator: "\n").dropFirst().contains { line in
            let fields = line.split(separator: " ")
            guard fields.count > 3, let local = fields[1].split(separator: ":").last else { return false }
            return Int(local, radix: 16) == port && fields[3] == "0A"
        }
    }

    @Test("SIGTERM while a push waits for the database: the push is answered and applied, then the hub exits 0")
    func pushInFlightIsAnswered() async throws {
        let cli = try CLIRunner()
        let hubDB = cli.directory + "/hub.db"
        try await cli.ok(["hub", "init", "--db", hubDB, "--name", "宜城", "--scope", "421281"])
        let token = try await cli.ok(["hub", "enroll", "--db", hubDB, "--name", "xinzhuang", "--scope", "421281101001"])
            .firstLine
        let (hub, url) = try await CLIRunner.startHub(database: hubDB)
        defer { if hub.isRunning { hub.terminate() } }
        let port = try #require(Int(url.split(separator: ":").last ?? ""))
        let villageDB = cli.directory + "/village.db"
        try await cli.ok(["node", "init", "--db", villageDB, "--token", token, "--hub", url])
        let household = try await cli.ok([
            "household", "add", "--db", villageDB, "--village", "421281101001", "--address", "一组", "--type", "rural",
        ]).firstLine

        // Another process's transaction on the hub's file: the push will wait inside the hub.
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let holder = try DatabaseQueue(path: hubDB, configuration: configuration)
        try holder.inDatabase { try $0.execute(sql: "BEGIN IMMEDIATE") }
        var locked = true
        defer { if locked { try? holder.inDatabase { try $0.execute(sql: "ROLLBACK") } } }

        let sync = ChildProcess()
        sync.executableURL = URL(fileURLWithPath: CLIRunner.binary)
        sync.arguments = ["--lang", "en", "node", "sync", "--db", villageDB]
        sync.standardOutput = .null
        sync.standardError = .null
        try sync.run()
        defer { if sync.isRunning { sync.terminate() } }

        // The push is being served once the hub counts a POST in flight (the GET asking is
        // the other request in flight). The sync process may take long to start on a busy
        // machine; once its push is in, the hub waits up to its busy timeout (10 s) for the
        // lock, and the steps below take far less.
        var inFlight = false
        let deadline = ContinuousClock.now + .seconds(90)
        while !inFlight, ContinuousClock.now < deadline {
            inFlight = Self.metrics(port: port)?.contains("hearth_http_active_requests{method=\"POST\"} 1") ?? false
        }
        try #require(inFlight, "the push never reached the hub")

        hub.terminate()  // SIGTERM, with the push still waiting for the lock
        // The hub has begun to stop once it no longer listens; only then may the push go on.
        var stopped = false
        let stopDeadline = ContinuousClock.now + .seconds(8)
        while !stopped, ContinuousClock.now < stopDeadline { stopped = try !Self.listening(on: port) }
        try #require(stopped, "the hub kept listening after SIGTERM")
        try holder.inDatabase { try $0.execute(sql: "ROLLBACK") }
        locked = false

        hub.waitUntilExit()
        sync.waitUntilExit()
        #expect(hub.terminationStatus == 0)
        // The push was applied, and its answer reached the node: it counts nothing unsynced
        // (its pull, after the hub stopped, failed: that is the sync's exit status 1).
        #expect(sync.terminationStatus == 1)
        #expect(try await cli.ok(["status", "--db", villageDB, "--json"]).json?["unsynced_ops"]?.integerValue == 0)
        try await cli.ok(["household", "show", "--db", hubDB, household])
    }
}
