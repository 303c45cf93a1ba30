import ArgumentParser
import Foundation
import HearthLedger
import HearthLedgerPostgres
import HearthLedgerSQLite
import HearthStore

struct HubBackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: L("cmd.hub.backup.abstract"), discussion: L("cmd.hub.backup.discussion"))
    @OptionGroup var replica: HubReplicaOptions
    @Option(help: .text("opt.hub.backup.out")) var out: String
    @Flag(help: .text("opt.json")) var json = false

    /// `--json`'s document.
    struct Document: Encodable {
        let file: String
        let ops: Int64
        let logEnd: Int64
        let bytes: Int64
        enum CodingKeys: String, CodingKey {
            case file, ops, bytes
            case logEnd = "log_end"
        }
    }

    func run() async throws {
        try await guardedAsync {
            let hub = try replica.openFile()
            let copy = try hub.backup(to: out, worker: try replica.author, nowMillis: nowMillis())
            if json {
                try Output.json(Document(file: copy.file, ops: copy.ops, logEnd: copy.logEnd, bytes: copy.bytes))
                return
            }
            print(copy.file)
            print(L("hub.backup.done", ["ops": copy.ops, "end": copy.logEnd, "bytes": copy.bytes]))
        }
    }
}

struct HubRestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: L("cmd.hub.restore.abstract"), discussion: L("cmd.hub.restore.discussion"))
    @OptionGroup var replica: HubReplicaOptions
    @Option(help: .text("opt.hub.restore.from")) var from: String
    @Flag(help: .text("opt.json")) var json = false

    /// `--json`'s document.
    struct Document: Encodable {
        let writer: String
        let retiredWriter: String
        let retiredCounter: UInt64
        let logEnd: Int64
        let nextPosition: Int64
        @Nullable var previous: String?
        let locksLost: [String]
        enum CodingKeys: String, CodingKey {
            case writer, previous
            case locksLost = "locks_lost"
            case retiredWriter = "retired_writer"
            case retiredCounter = "retired_counter"
            case logEnd = "log_end"
            case nextPosition = "next_position"
        }
    }

    func run() async throws {
        try await guardedAsync {
            let environment = ProcessInfo.processInfo.environment
            let done: HubRestore
            switch try replica.location {
            case .sqlite(let path):
                done = try HubLedger.restore(
                    from: from, to: path, keyPath: replica.keyPath, environment: environment,
                    worker: try replica.author, nowMillis: nowMillis())
            case .postgres(let location):
                // The dump is put back by pg_restore; this makes the hub in it safe to go on.
                done = try await HubLedger.restore(
                    postgres: location, keyPath: try HubStore.serverKeyPath(replica.options), environment: environment,
                    from: from, worker: try replica.author, nowMillis: nowMillis())
            }
            if json {
                try Output.json(
                    Document(
                        writer: done.writer.value, retiredWriter: done.retiredWriter.value,
                        retiredCounter: done.retiredCounter, logEnd: done.logEnd, nextPosition: done.nextPosition,
                        previous: done.previous, locksLost: done.locksLost.map(\.description)))
                return
            }
            print(done.writer.value)
            print(
                L(
                    "hub.restore.done",
                    [
                        "writer": done.writer.value, "retired": done.retiredWriter.value,
                        "counter": done.retiredCounter, "end": done.logEnd,
                    ]))
            if let previous = done.previous { print(L("hub.restore.previous", ["path": previous])) }
            if !done.locksLost.isEmpty {
                print(
                    L("hub.restore.locks_lost", ["months": done.locksLost.map(\.description).joined(separator: ", ")]))
            }
        }
    }
}
