import Foundation
import HearthCore
import HearthLedgerPostgres
import HearthTestSupport
import NIOPosix

/// A real PostgreSQL server for the tests: made by `initdb` in a temporary directory, started
/// by `pg_ctl` on a free loopback port, and stopped (its directory removed) when the test
/// process exits. One server serves the whole process; each county gets a database of its own
/// (``freshDatabase()``).
///
/// PostgreSQL refuses to run as root: when the tests run as root (CI), `initdb` and `pg_ctl`
/// run as the `postgres` user Debian's package creates. The server's binaries are found in
/// `HEARTH_PG_BIN`, then Debian's `/usr/lib/postgresql/<version>/bin`, then `PATH`. A machine
/// without PostgreSQL fails these tests, saying so: CI installs it (.ci/run).
public final class PostgresServer: Sendable {
    public let port: Int
    public let directory: URL
    public let binaries: URL
    private let asPostgresUser: Bool

    /// The process's server, started at first use. The programs it runs (`initdb`, `pg_ctl`,
    /// `createdb`) are waited for on a thread of NIO's pool, never on one of Swift's
    /// cooperative threads, which the other suites running alongside need.
    public static func shared() async throws -> PostgresServer {
        try await starter.server()
    }

    private static let starter = Starter()

    /// Starts the server once, however many tests ask at once.
    private actor Starter {
        private var started: Task<PostgresServer, any Error>?

        func server() async throws -> PostgresServer {
            if let started { return try await started.value }
            let task = Task { try await NIOThreadPool.singleton.runIfActive { try PostgresServer.start() } }
            started = task
            return try await task.value
        }
    }

    /// The server's location for a database (the server's own user, trusted on loopback).
    public func location(database: String) -> PostgresLocation {
        PostgresLocation(user: "postgres", host: "127.0.0.1", port: port, database: database)
    }

    /// Makes an empty database and returns where it is.
    public func freshDatabase() async throws -> PostgresLocation {
        let name = "hearth_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await NIOThreadPool.singleton.runIfActive {
            try self.run("createdb", ["-h", "127.0.0.1", "-p", "\(self.port)", "-U", "postgres", name], as: false)
        }
        return location(database: name)
    }

    /// Runs one SQL statement in a database with `psql` (what a test does behind the
    /// storage's back: a damaged row, a schema from a newer Hearth).
    public func sql(_ location: PostgresLocation, _ statement: String) async throws {
        try await NIOThreadPool.singleton.runIfActive { try self.runSQL(location, statement) }
    }

    private func runSQL(_ location: PostgresLocation, _ statement: String) throws(PostgresServerError) {
        try run(
            "psql",
            [
                "-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "-d", location.database, "-v", "ON_ERROR_STOP=1",
                "-c", statement,
            ],
            as: false)
    }

    private init(port: Int, directory: URL, binaries: URL, asPostgresUser: Bool) {
        self.port = port
        self.directory = directory
        self.binaries = binaries
        self.asPostgresUser = asPostgresUser
    }

    private static func start() throws(PostgresServerError) -> PostgresServer {
        let binaries = try findBinaries()
        let root = getuid() == 0
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
            "hearth-pg-\(UUID().uuidString)", isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            if root {
                // The postgres user must own the data directory and reach it.
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
            }
        } catch { throw PostgresServerError("cannot make \(directory.path): \(error)") }
        var server: PostgresServer?
        var lastError: PostgresServerError?
        for _ in 0..<5 {
            let attempt = PostgresServer(
                port: freePort(), directory: directory, binaries: binaries, asPostgresUser: root)
            do {
                try attempt.initialise()
                try attempt.run(
                    "pg_ctl",
                    [
                        "-D", attempt.data, "-l", attempt.run + "/server.log", "-w", "-t", "60",
                        // Room for the pools the "opened anew for every call" backend makes,
                        // which close only as they are released.
                        "-o",
                        "-p \(attempt.port) -k \(attempt.run) -c listen_addresses=127.0.0.1 -c fsync=off"
                            + " -c max_connections=500",
                        "start",
                    ], as: root)
                server = attempt
                break
            } catch {
                lastError = error
                try? FileManager.default.removeItem(atPath: attempt.data)
            }
        }
        guard let server else { throw lastError ?? PostgresServerError("the server did not start") }
        runningServer = server
        atexit { runningServer?.stop() }
        return server
    }

    /// The server's own directory (its socket and log), and its data directory inside it: the
    /// postgres user's when the tests run as root.
    private var run: String { directory.appendingPathComponent("run").path }
    private var data: String { run + "/data" }

    private func initialise() throws(PostgresServerError) {
        guard !FileManager.default.fileExists(atPath: data) else { return }
        if asPostgresUser {
            try run("/usr/bin/install", ["-d", "-o", "postgres", "-g", "postgres", "-m", "700", run], as: false)
        } else {
            try run("/usr/bin/install", ["-d", "-m", "700", run], as: false)
        }
        try run(
            "initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"],
            as: asPostgresUser)
    }

    /// Stops the server at once and removes its directory.
    public func stop() {
        try? run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"], as: asPostgresUser)
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs one of the server's programs (or an absolute path), as the postgres user when
    /// `as` is true; throws with its output when it fails.
    ///
    /// Spawned as a ``ChildProcess`` (every descriptor above standard error closed in the
    /// child): the server `pg_ctl start` leaves running inherits nothing of this process's.
    private func run(_ program: String, _ arguments: [String], as postgres: Bool) throws(PostgresServerError) {
        let executable = program.hasPrefix("/") ? program : binaries.appendingPathComponent(program).path
        let argv =
            postgres ? ["/usr/sbin/runuser", "-u", "postgres", "--", executable] + arguments : [executable] + arguments
        let outputPath = directory.appendingPathComponent("output-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        process.standardInput = .null
        process.standardOutput = .file(outputPath)
        process.standardError = .output
        do { try process.run() } catch { throw PostgresServerError("\(error)") }
        process.waitUntilExit()
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw PostgresServerError("\(program) \(arguments.joined(separator: " ")) failed: \(text)")
        }
    }

    private static func findBinaries() throws(PostgresServerError) -> URL {
        let manager = FileManager.default
        if let given = ProcessInfo.processInfo.environment["HEARTH_PG_BIN"], !given.isEmpty {
            return URL(fileURLWithPath: given)
        }
        let debian = "/usr/lib/postgresql"
        let versions = ((try? manager.contentsOfDirectory(atPath: debian)) ?? []).compactMap(Int.init).sorted()
        if let newest = versions.last {
            return URL(fileURLWithPath: "\(debian)/\(newest)/bin")
        }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        where manager.isExecutableFile(atPath: "\(directory)/pg_ctl") {
            return URL(fileURLWithPath: String(directory))
        }
        throw PostgresServerError(
            "PostgreSQL is not installed (no initdb or pg_ctl): `apt-get install postgresql`, or set HEARTH_PG_BIN")
    }

    /// A port nothing listens on now: bound to port 0 and released.
    private static func freePort() -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return 54_321 }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : 54_321
    }
}

/// Why the tests' PostgreSQL server could not be had.
public struct PostgresServerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The server to stop when the test process exits.
nonisolated(unsafe) private var runningServer: PostgresServer?
