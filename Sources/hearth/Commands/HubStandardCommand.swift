import ArgumentParser
import HearthCore
import HearthLedger
import HearthStore

struct HubStandard: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "standard",
        abstract: "Program standards (保障标准): dated county configuration, replicated to every node.",
        subcommands: [HubStandardSet.self, HubStandardList.self], defaultSubcommand: HubStandardList.self)
}

struct HubStandardSet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Set a program's standard from a month on (the yearly raise, 提标).",
        discussion: """
            Enrollments whose amount equals the standard in force the month before --from follow the new standard from
            that month, with no edit to each enrollment and so no conflict; an amount set on an enrollment itself always
            wins from its month. Rolls and reports for earlier months keep the old amounts (a month already locked as
            paid gets its difference as back pay in the next roll, R12). Setting the same program, band and month again
            changes that standard. Bands: 1-2 / 3-4 (disability_living, by grade), scattered / institutional (orphan,
            unsupported_child), an age range such as 80-89 (elderly); other programs take no band.
            Prints the standard's record id.
            """)
    @OptionGroup var replica: HubReplicaOptions
    @Option(help: "The program code or its Chinese name, e.g. dibao_rural or 农村低保.") var program: String
    @Option(help: "The first month of the new standard, YYYY-MM.") var from: String
    @Option(help: "Yuan per person per month, e.g. 600 or 600.50.") var amount: String
    @Option(help: "The band, for programs paid by band (see above).") var band: String?
    @Option(help: "A note, e.g. the document that set the standard.") var note: String?

    func run() async throws {
        try await guardedAsync {
            let hub = try replica.open()
            let id = try await hub.setStandard(
                program: program, band: band, from: from, amount: amount, note: note, author: try replica.author,
                nowMillis: nowMillis())
            print(id.value)
        }
    }
}

struct HubStandardList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List every program standard with the month it took effect (on a node: `hearth standards`).")
    @OptionGroup var replica: HubReplicaOptions
    @Flag(help: .text("opt.json")) var json = false

    func run() throws {
        try guarded { try printStandards(try replica.open().replica, json: json) }
    }
}

/// `hearth standards`: the standards on any replica (every node of the county holds them).
struct StandardsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "standards",
        abstract: "List every program standard with the month it took effect (any replica: every node holds them).")
    @OptionGroup var replica: ReplicaOptions
    @Flag(help: .text("opt.json")) var json = false

    func run() throws {
        try guarded { try printStandards(try replica.open(), json: json) }
    }
}

func printStandards(_ replica: ReplicaCore, json: Bool) throws {
    let entries = try replica.standards()
    if json {
        try Output.json(entries.map(StandardDocument.init))
        return
    }
    guard !entries.isEmpty else {
        print("(no standards; set one with `hearth hub standard set --program P --from YYYY-MM --amount YUAN`)")
        return
    }
    Output.table(
        ["program", "项目", "band", "from", "yuan/month", "id"],
        entries.map {
            [
                $0.standard.program.rawValue, $0.standard.program.chineseName, $0.standard.band,
                $0.standard.from.description, $0.standard.amount.yuanText, $0.id.value,
            ]
        })
}
