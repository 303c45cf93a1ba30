import ArgumentParser
import HearthCore
import HearthLedger
import HearthStore

struct HubStandard: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "standard",
        abstract: L("cmd.hub.standard.abstract"),
        subcommands: [HubStandardSet.self, HubStandardList.self], defaultSubcommand: HubStandardList.self)
}

struct HubStandardSet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: L("cmd.hub.standard.set.abstract"), discussion: L("cmd.hub.standard.set.discussion"))
    @OptionGroup var replica: HubReplicaOptions
    @Option(help: .text("opt.hub.standard.program")) var program: String
    @Option(help: .text("opt.hub.standard.from")) var from: String
    @Option(help: .text("opt.hub.standard.amount")) var amount: String
    @Option(help: .text("opt.hub.standard.band")) var band: String?
    @Option(help: .text("opt.hub.standard.note")) var note: String?

    func run() async throws {
        try await guardedAsync {
            let hub = try await replica.open()
            let id = try await hub.setStandard(
                program: program, band: band, from: from, amount: amount, note: note, author: try replica.author,
                nowMillis: nowMillis())
            print(id.value)
        }
    }
}

struct HubStandardList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: L("cmd.hub.standard.list.abstract"))
    @OptionGroup var replica: HubReplicaOptions
    @Flag(help: .text("opt.json")) var json = false

    func run() async throws {
        try await guardedAsync {
            try printStandards(try await replica.open().reading { try $0.standards() }, json: json)
        }
    }
}

/// `hearth standards`: the standards on any replica (every node of the county holds them).
struct StandardsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "standards",
        abstract: L("cmd.standards.abstract"))
    @OptionGroup var replica: ReplicaOptions
    @Flag(help: .text("opt.json")) var json = false

    func run() throws {
        try guarded { try printStandards(try replica.open().standards(), json: json) }
    }
}

func printStandards(_ entries: [StandardEntry], json: Bool) throws {
    if json {
        try Output.json(entries.map(StandardDocument.init))
        return
    }
    guard !entries.isEmpty else {
        print(L("standard.none"))
        return
    }
    Output.table(
        [
            L("standard.col.program"), L("standard.col.name"), L("standard.col.band"), L("standard.col.from"),
            L("standard.col.amount"), FieldWords.name("id"),
        ],
        entries.map {
            [
                $0.standard.program.rawValue, $0.standard.program.chineseName,
                valueName($0.standard.band, field: "band"),
                $0.standard.from.description, $0.standard.amount.yuanText, $0.id.value,
            ]
        })
}
