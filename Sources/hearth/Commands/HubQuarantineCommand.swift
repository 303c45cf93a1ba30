import ArgumentParser
import HearthCore
import HearthLedger
import HearthStore

struct HubQuarantine: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine",
        abstract: "Ops the hub refused, with their reasons; release or discard them.",
        subcommands: [HubQuarantineList.self, HubQuarantineRelease.self, HubQuarantineDiscard.self],
        defaultSubcommand: HubQuarantineList.self)
}

struct HubQuarantineList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List held ops (the default).")
    @OptionGroup var replica: HubReplicaOptions
    @Flag(help: "Also list released and discarded ops.") var all = false
    @Flag(help: .text("opt.json")) var json = false

    func run() async throws {
        try await guardedAsync {
            let entries = try await replica.open().quarantine(includeSettled: all)
            if json {
                try Output.json(entries.map(QuarantineDocument.init))
                return
            }
            if entries.isEmpty {
                print("(no quarantined ops)")
                return
            }
            for entry in entries {
                print(
                    "\(entry.dot)  \(entry.record?.value ?? "?")  by \(entry.author) at \(Output.time(entry.atMillis))  [\(entry.state)]"
                )
                print("    reason: \(entry.reason)")
                for dependent in entry.dependents { print("    waiting: \(dependent) (depends on \(entry.dot))") }
            }
        }
    }
}

struct HubQuarantineRelease: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Accept a quarantined op after all: it is applied and replicates (recorded in `hearth hub audit`).")
    @OptionGroup var replica: HubReplicaOptions
    @Argument(help: "The op's id (replica:counter).") var id: String

    func run() async throws {
        try await guardedAsync {
            guard let dot = Dot(text: id) else {
                throw InputError(field: "id", reason: "\"\(id)\" is not an op id (replica:counter)")
            }
            let hub = try replica.open()
            let report = try await hub.releaseQuarantined(dot, author: try replica.author, nowMillis: nowMillis())
            print(id)
            print("applied \(report.applied) op(s), including \(report.released) that were waiting for it")
        }
    }
}

struct HubQuarantineDiscard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discard",
        abstract: """
            Confirm the refusal: the hub writes a compensating op that brings the author back to the hub's values \
            (recorded in `hearth hub audit`).
            """)
    @OptionGroup var replica: HubReplicaOptions
    @Argument(help: "The op's id (replica:counter).") var id: String

    func run() async throws {
        try await guardedAsync {
            guard let dot = Dot(text: id) else {
                throw InputError(field: "id", reason: "\"\(id)\" is not an op id (replica:counter)")
            }
            let compensation = try await replica.open().discardQuarantined(
                dot, author: try replica.author, nowMillis: nowMillis())
            print(id)
            if let compensation {
                print("compensating op \(compensation.dot) reaches \(dot.replica) at its next sync")
            } else {
                print("settled without a compensating op: the record lies outside the author's scope (R14)")
            }
        }
    }
}
