import ArgumentParser
import Foundation
import HearthCore
import HearthLedger
import HearthLedgerSQLite
import HearthStore

/// Options every command that opens a replica shares.
struct ReplicaOptions: ParsableArguments {
    @Option(name: .long, help: .text("opt.db"))
    var db: String?

    @Option(
        name: .long,
        help: .text("opt.key_file"))
    var keyFile: String?

    @Option(name: .long, help: .text("opt.worker"))
    var worker: String?

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    var databasePath: String {
        get throws {
            guard let path = db ?? environment["HEARTH_DB"], !path.isEmpty else {
                throw CLIError.usage(L("error.which_replica"))
            }
            return path
        }
    }

    var keyPath: String? { keyFile ?? environment["HEARTH_KEY_FILE"] }

    /// The worker id for writes; a change without an author is refused (痕迹化管理).
    var author: String {
        get throws {
            guard let worker = worker ?? environment["HEARTH_WORKER"], !worker.isEmpty else {
                throw CLIError.usage(L("error.which_worker"))
            }
            guard worker.count <= 64, !worker.contains(where: { $0.isNewline }) else {
                throw CLIError.usage(L("error.worker_long"))
            }
            return worker
        }
    }

    /// The reader's id for audited reads; "unknown" when none was given.
    var reader: String { worker ?? environment["HEARTH_WORKER"] ?? "unknown" }

    /// Opens the replica for commands every replica shares (records, reads, local edits): a
    /// node's as a node's, the county hub's through its ledger, so the county's rules run in
    /// every change made there too.
    func open() throws -> ReplicaCore {
        let path = try databasePath
        do {
            return try Replica.open(path: path, keyPath: keyPath, environment: environment)
        } catch .otherRole(_, let info) where info.role == .hub {
            return try HubLedger.open(path: path, keyPath: keyPath, environment: environment).replica
        }
    }

    /// Opens a node's replica for `hearth node …` commands (sync, bundles, re-identification):
    /// the county hub's database is refused with a message naming it; it has no hub to sync with.
    func openNode() throws -> Replica {
        let path = try databasePath
        do {
            return try Replica.open(path: path, keyPath: keyPath, environment: environment)
        } catch .otherRole(let path, let info) {
            throw CLIError.usage(
                L("error.node_only", ["reason": ReplicaError.otherRole(path: path, info: info).description]))
        }
    }
}

/// The options of every `hearth hub …` command that opens a replica: the same as
/// ``ReplicaOptions``, but the replica must be the county hub's.
///
/// Why: a township's or village's replica holds a part of the county, so a roll locked there, a
/// conflict resolved there or a roster imported there would be wrong for the county and would
/// never be the county's own record (a roll locked on a township's copy was once accepted).
/// Every hub command opens its replica here, so none can forget the check.
struct HubReplicaOptions: ParsableArguments {
    @OptionGroup var options: ReplicaOptions

    var databasePath: String { get throws { try options.databasePath } }
    var keyPath: String? { options.keyPath }
    var author: String { get throws { try options.author } }
    var reader: String { options.reader }

    /// Opens the county hub's ledger; a node's replica is refused with a message naming it.
    func open() throws -> HubLedger {
        let path = try databasePath
        do {
            return try HubLedger.open(path: path, keyPath: keyPath, environment: options.environment)
        } catch .otherRole(let path, let info) {
            throw CLIError.usage(ReplicaError.otherRole(path: path, info: info).description)
        }
    }
}

/// The current time as the replica's clock input.
func nowMillis() -> Int64 {
    Int64(Date().timeIntervalSince1970 * 1000)
}
