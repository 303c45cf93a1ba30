import Foundation
import HearthCore
import HearthTestSupport

/// Runs the real `hearth` binary against a replica in a fresh temporary directory, removed when
/// the last copy of the runner goes (the test ends, or a value holding it does).
struct CLIRunner {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        var firstLine: String { stdout.split(separator: "\n").first.map(String.init) ?? "" }
        var json: JSON? { try? JSON.parse(stdout.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Owns ``directory``: shared by the runner's copies, so it is removed once, with the last.
    /// A test keeps its runner until the processes it started on files there have ended.
    private let temporary = TemporaryDirectories()
    let directory: String
    let database: String
    var worker: String? = "w-test"

    init() throws {
        directory = try temporary.make("hearth-cli")
        database = directory + "/node.db"
    }

    static var binary: String {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("hearth")
                .path,
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".build/debug/hearth").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[1]
    }

    /// Runs `hearth` with `arguments`; `input`, when given, is written to its standard input.
    ///
    /// The process is waited for on a thread of its own (``offPool(_:)``): the suites run
    /// side by side on Swift's two or so cooperative threads, and a test holding one while a
    /// command runs starved the others (a PostgreSQL connection "did not answer within 15 s"
    /// because no thread was free to take its answer).
    @discardableResult
    func run(_ arguments: [String], environment extra: [String: String] = [:], input: String? = nil)
        async throws -> Result
    {
        let runner = self
        return try await offPool { try runner.runBlocking(arguments, environment: extra, input: input) }
    }

    private func runBlocking(_ arguments: [String], environment extra: [String: String], input: String?) throws
        -> Result
    {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: CLIRunner.binary)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["HEARTH_DB"] = database
        environment.removeValue(forKey: "HEARTH_WORKER")
        environment.removeValue(forKey: "HEARTH_KEY")
        // English unless a test asks for Chinese (`--lang zh` or a LANG of its own): the tests
        // read English output, whatever the machine's locale.
        environment["LANG"] = "C.UTF-8"
        environment.removeValue(forKey: "LC_ALL")
        environment.removeValue(forKey: "LC_MESSAGES")
        if let worker { environment["HEARTH_WORKER"] = worker }
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let text = try process.outputs(input: input.map { Data($0.utf8) }).text
        return Result(status: process.terminationStatus, stdout: text.standardOutput, stderr: text.standardError)
    }

    /// Starts `hearth hub serve --port 0` (with any extra arguments, e.g. TLS files) and reads its
    /// stdout until it names its address: no sleeps. The caller terminates the process.
    static func startHub(database: String, extra: [String] = [], scheme: String = "http") async throws -> (
        process: ChildProcess, url: String
    ) {
        try await offPool { try startHubBlocking(database: database, extra: extra, scheme: scheme) }
    }

    private static func startHubBlocking(database: String, extra: [String], scheme: String) throws -> (
        process: ChildProcess, url: String
    ) {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: binary)
        // English whatever the machine's locale: the line read below is its "serving" line.
        process.arguments = ["--lang", "en", "hub", "serve", "--db", database, "--port", "0"] + extra
        let out = Pipe()
        process.standardOutput = .pipe(out)
        process.standardError = .null
        try process.run()
        var text = ""
        while !(text.contains("serving") && text.contains("\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }  // the process ended before it served
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = text.range(of: "\(scheme)://127.0.0.1:[0-9]+", options: .regularExpression) else {
            process.terminate()
            throw CLITestFailure("the hub did not start: \(text)")
        }
        return (process, String(text[range]))
    }

    /// Runs a command that must succeed (with `environment` over the runner's), returning its output.
    @discardableResult
    func ok(_ arguments: [String], environment: [String: String] = [:]) async throws -> Result {
        let result = try await run(arguments, environment: environment)
        guard result.status == 0 else {
            throw CLITestFailure(
                "hearth \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stderr)")
        }
        return result
    }
}

/// Waits for `process` to end without holding a cooperative thread.
func waitForExit(_ process: ChildProcess) async {
    await offPool { process.waitUntilExit() }
}

struct CLITestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
