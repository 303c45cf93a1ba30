import ArgumentParser
import Foundation
import HearthCore
import HearthLedger
import HearthLedgerPostgres
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
/// ``ReplicaOptions``, but the replica must be the county hub's, and it may be kept on a
/// PostgreSQL server (`--store postgres://…` or `HEARTH_STORE`) as well as in a SQLite file.
///
/// Why: a township's or village's replica holds a part of the county, so a roll locked there, a
/// conflict resolved there or a roster imported there would be wrong for the county and would
/// never be the county's own record (a roll locked on a township's copy was once accepted).
/// Every hub command opens its replica here, so none can forget the check.
struct HubReplicaOptions: ParsableArguments {
    @OptionGroup var options: ReplicaOptions

    @Option(name: .long, help: .text("opt.store"))
    var store: String?

    var databasePath: String { get throws { try options.databasePath } }
    var keyPath: String? { options.keyPath }
    var author: String { get throws { try options.author } }
    var reader: String { options.reader }

    /// Where the hub is kept: `--store`, else `HEARTH_STORE`, else the SQLite file of `--db`
    /// (or `HEARTH_DB`).
    var location: HubStore {
        get throws { try HubStore.resolve(store: store, options: options) }
    }

    /// Opens the county hub's ledger on either store; a node's replica is refused with a
    /// message naming it.
    func open() async throws -> HubLedger {
        switch try location {
        case .sqlite: return try openFile()
        case .postgres(let location):
            return try await HubLedger.open(
                postgres: location, keyPath: try HubStore.serverKeyPath(options), environment: options.environment,
                nowMillis: nowMillis())
        }
    }

    /// Opens the county hub's SQLite file, for the commands that still read it directly; a
    /// hub kept on a server is refused with a message naming what runs there.
    func openFile() throws -> HubLedger {
        let path: String
        switch try location {
        case .sqlite(let file): path = file
        case .postgres(let location): throw ReplicaError.notOnServer(store: location.description)
        }
        do {
            return try HubLedger.open(path: path, keyPath: keyPath, environment: options.environment)
        } catch .otherRole(let path, let info) {
            throw CLIError.usage(ReplicaError.otherRole(path: path, info: info).description)
        }
    }
}

/// Where a hub is kept: a SQLite file (the default) or a PostgreSQL database.
enum HubStore {
    case sqlite(String)
    case postgres(PostgresLocation)

    /// `--store` (a `postgres://` URL or a file), else `HEARTH_STORE`, else `--db`/`HEARTH_DB`.
    static func resolve(store: String?, options: ReplicaOptions) throws -> HubStore {
        let text = store ?? options.environment["HEARTH_STORE"].flatMap { $0.isEmpty ? nil : $0 }
        guard let text else { return .sqlite(try options.databasePath) }
        if PostgresLocation.names(text) { return .postgres(try PostgresLocation.parse(text, field: "store")) }
        return .sqlite(text)
    }

    /// The key file of a hub on a server: `--key-file` or `HEARTH_KEY_FILE` (there is no
    /// database file to keep it beside); with `HEARTH_KEY` set, none is needed to open one.
    static func serverKeyPath(_ options: ReplicaOptions) throws -> String {
        try serverKeyPath(keyFile: options.keyPath, environment: options.environment)
    }

    /// The same, for a command with its own `--key-file` (`keyFile`, else `HEARTH_KEY_FILE`).
    static func serverKeyPath(keyFile: String?, environment: [String: String]) throws -> String {
        if let path = keyFile ?? environment["HEARTH_KEY_FILE"], !path.isEmpty { return path }
        if let inline = environment["HEARTH_KEY"], !inline.isEmpty { return "" }
        throw CLIError.usage(L("error.store_key_file"))
    }

    /// How logs and messages name it (a server's location never shows its password).
    var description: String {
        switch self {
        case .sqlite(let path): return "sqlite:" + path
        case .postgres(let location): return location.description
        }
    }
}

/// The current time as the replica's clock input.
func nowMillis() -> Int64 {
    Int64(Date().timeIntervalSince1970 * 1000)
}
