import ArgumentParser
import Foundation
import HearthCore
import HearthLedger
import HearthLedgerPostgres
import HearthLedgerSQLite
import HearthStore

/// `hearth hub migrate`: a county hub moved from its SQLite file to a PostgreSQL database.
struct HubMigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: L("cmd.hub.migrate.abstract"), discussion: L("cmd.hub.migrate.discussion"))
    @OptionGroup var replica: ReplicaOptions
    @Option(help: .text("opt.hub.migrate.from")) var from: String?
    @Option(help: .text("opt.hub.migrate.to")) var to: String
    @Flag(help: .text("opt.json")) var json = false

    /// `--json`'s document.
    struct Document: Encodable {
        let hub: String
        let store: String
        let digest: String
        let tables: [String: Int]
    }

    func run() async throws {
        try await guardedAsync {
            guard PostgresLocation.names(to) else {
                throw CLIError.usage(L("error.hub.migrate.to"))
            }
            let location = try PostgresLocation.parse(to, field: "to")
            let environment = ProcessInfo.processInfo.environment
            // The file: --from, else the hub every hub command opens (--db, HEARTH_DB).
            let from = try from ?? replica.databasePath
            let keyPath = replica.keyPath ?? from + ".key"
            let file = try Self.openFile(from, keyPath: keyPath, environment: environment)
            let (moved, report) = try await HubLedger.move(
                identity: file.info, keys: file.keys, keyPath: keyPath,
                readFile: { body in try file.readingFile(body) }, to: location, nowMillis: nowMillis())
            if json {
                try Output.json(
                    Document(
                        hub: moved.info.id.value, store: moved.store, digest: report.digest,
                        tables: Dictionary(uniqueKeysWithValues: report.tables.map { ($0.name, $0.rows) })))
                return
            }
            print(moved.info.id.value)
            print(
                L(
                    "hub.migrate.done",
                    [
                        "store": moved.store, "rows": report.tables.reduce(0) { $0 + $1.rows },
                        "tables": report.tables.count, "digest": report.digest, "key": keyPath,
                    ]))
            for table in report.tables where table.rows > 0 {
                print("  \(table.name): \(table.rows)")
            }
        }
    }

    /// The hub's file; a node's replica is refused with a message naming it.
    static func openFile(_ path: String, keyPath: String, environment: [String: String]) throws -> HubLedger {
        do {
            return try HubLedger.open(path: path, keyPath: keyPath, environment: environment)
        } catch .otherRole(let path, let info) {
            throw CLIError.usage(ReplicaError.otherRole(path: path, info: info).description)
        }
    }
}
