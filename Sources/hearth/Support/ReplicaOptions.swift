import ArgumentParser
import Foundation
import HearthCore
import HearthStore

/// Options every command that opens a replica shares.
struct ReplicaOptions: ParsableArguments {
    @Option(name: .long, help: "The replica database (or set HEARTH_DB).")
    var db: String?

    @Option(name: .long, help: "The replica's key file (default: <db>.key; or HEARTH_KEY_FILE, or its content in HEARTH_KEY).")
    var keyFile: String?

    @Option(name: .long, help: "Who is working: recorded on every change (or set HEARTH_WORKER).")
    var worker: String?

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    var databasePath: String {
        get throws {
            guard let path = db ?? environment["HEARTH_DB"], !path.isEmpty else {
                throw CLIError.usage("which replica? give --db PATH or set HEARTH_DB")
            }
            return path
        }
    }

    var keyPath: String? { keyFile ?? environment["HEARTH_KEY_FILE"] }

    /// The worker id for writes; a change without an author is refused (痕迹化管理).
    var author: String {
        get throws {
            guard let worker = worker ?? environment["HEARTH_WORKER"], !worker.isEmpty else {
                throw CLIError.usage("who is making this change? give --worker ID or set HEARTH_WORKER")
            }
            guard worker.count <= 64, !worker.contains(where: { $0.isNewline }) else {
                throw CLIError.usage("--worker must be a short id (at most 64 characters)")
            }
            return worker
        }
    }

    /// The reader's id for audited reads; "unknown" when none was given.
    var reader: String { worker ?? environment["HEARTH_WORKER"] ?? "unknown" }

    func open() throws -> Replica {
        try Replica.open(path: try databasePath, keyPath: keyPath, environment: environment)
    }
}

/// The current time as the replica's clock input.
func nowMillis() -> Int64 {
    Int64(Date().timeIntervalSince1970 * 1000)
}
