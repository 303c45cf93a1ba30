import ArgumentParser
import HearthCore
import HearthLedger
import HearthStore

struct HubQuarantine: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine",
        abstract: L("cmd.hub.quarantine.abstract"),
        subcommands: [HubQuarantineList.self, HubQuarantineRelease.self, HubQuarantineDiscard.self],
        defaultSubcommand: HubQuarantineList.self)
}

struct HubQuarantineList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: L("cmd.hub.quarantine.list.abstract"))
    @OptionGroup var replica: HubReplicaOptions
    @Flag(help: .text("opt.hub.quarantine.all")) var all = false
    @Flag(help: .text("opt.json")) var json = false

    func run() async throws {
        try await guardedAsync {
            let entries = try await replica.open().quarantine(includeSettled: all)
            if json {
                try Output.json(entries.map(QuarantineDocument.init))
                return
            }
            if entries.isEmpty {
                print(L("quarantine.list_none"))
                return
            }
            for entry in entries {
                print(
                    L(
                        "quarantine.list_entry",
                        [
                            "dot": entry.dot, "record": entry.record?.value ?? "?", "author": entry.author,
                            "time": Output.time(entry.atMillis),
                            "state": valueName(entry.state, field: "quarantine_state"),
                        ]))
                print("    " + L("quarantine.list_reason", ["reason": entry.reason]))
                for dependent in entry.dependents {
                    print("    " + L("quarantine.list_waiting", ["dependent": dependent, "dot": entry.dot]))
                }
            }
        }
    }
}

struct HubQuarantineRelease: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: L("cmd.hub.quarantine.release.abstract"))
    @OptionGroup var replica: HubReplicaOptions
    @Argument(help: .text("arg.op_id")) var id: String

    func run() async throws {
        try await guardedAsync {
            guard let dot = Dot(text: id) else {
                throw InputError(field: "id", "input.op_id", ["id": id])
            }
            let hub = try await replica.open()
            let report = try await hub.releaseQuarantined(dot, author: try replica.author, nowMillis: nowMillis())
            print(id)
            print(L("quarantine.released_count", ["applied": report.applied, "released": report.released]))
        }
    }
}

struct HubQuarantineDiscard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discard",
        abstract: L("cmd.hub.quarantine.discard.abstract"))
    @OptionGroup var replica: HubReplicaOptions
    @Argument(help: .text("arg.op_id")) var id: String

    func run() async throws {
        try await guardedAsync {
            guard let dot = Dot(text: id) else {
                throw InputError(field: "id", "input.op_id", ["id": id])
            }
            let compensation = try await replica.open().discardQuarantined(
                dot, author: try replica.author, nowMillis: nowMillis())
            print(id)
            if let compensation {
                print(L("quarantine.compensating", ["op": compensation.dot, "replica": dot.replica]))
            } else {
                print(L("quarantine.no_compensation"))
            }
        }
    }
}
