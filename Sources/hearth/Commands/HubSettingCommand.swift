import ArgumentParser
import HearthCore
import HearthLedger
import HearthStore

struct HubSetting: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setting",
        abstract:
            "County settings (the month-of-death rule, top-ups on a raise, amount ceilings): configuration replicated "
            + "to every node.",
        subcommands: [HubSettingSet.self, HubSettingList.self], defaultSubcommand: HubSettingList.self)
}

struct HubSettingSet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Set a county setting.",
        discussion: """
            death_month: paid (the default; 次月停发: the month of death is paid, payment stops from the next month) or
            stopped (当月停发: payment stops from the month of death). The roll, the report, the end month a death gives
            an enrollment, and recovery all follow it.
            top_up_raise: follows (the default: a top-up 补差, the standard less the household's income per person,
            rises with the standard) or stays (a top-up keeps its amount until the household is reassessed).
            A change applies to every month not yet locked, and to locked months as adjustments in the next roll.
            ceiling_<program> (ceiling_dibao_rural, ceiling_elderly, …): the most the program grants a person a month,
            in percent of the standard in force for the member's band; default 100 (temporary: 600, of the household's
            dibao standard). ceiling_without_standard: the most in yuan where no standard of the program is in force;
            default 3000. An enrollment or amount change above its ceiling is refused unless its writer gives
            --override "reason".
            Prints the setting's record id.
            """)
    @OptionGroup var replica: HubReplicaOptions
    @Argument(help: "The setting: death_month, top_up_raise, ceiling_<program> or ceiling_without_standard.")
    var name: String
    @Argument(help: "Its value (see above).") var value: String
    @Option(help: "A note, e.g. the document that decided it.") var note: String?

    func run() async throws {
        try await guardedAsync {
            let id = try await replica.open().setSetting(
                name: name, value: value, note: note, author: try replica.author, nowMillis: nowMillis())
            print(id.value)
        }
    }
}

struct HubSettingList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List every county setting and its value, defaults included (on a node: `hearth settings`).")
    @OptionGroup var replica: HubReplicaOptions
    @Flag(help: .text("opt.json")) var json = false

    func run() throws {
        try guarded { try printSettings(try replica.open().replica, json: json) }
    }
}

/// `hearth settings`: the county settings on any replica (every node of the county holds them).
struct SettingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: "List every county setting and its value, defaults included (any replica: every node holds them).")
    @OptionGroup var replica: ReplicaOptions
    @Flag(help: .text("opt.json")) var json = false

    func run() throws {
        try guarded { try printSettings(try replica.open(), json: json) }
    }
}

func printSettings(_ replica: ReplicaCore, json: Bool) throws {
    let entries = try replica.settings()
    let rows = CountySetting.allCases.map { setting in
        let entry = entries.first { $0.setting == setting }
        return (setting, entry?.value ?? setting.defaultValue, entry)
    }
    if json {
        try Output.json(
            Dictionary(
                uniqueKeysWithValues: rows.map { setting, value, entry in
                    (
                        setting.rawValue,
                        SettingDocument(value: value, default: entry == nil, id: entry?.id.value, note: entry?.note)
                    )
                }))
        return
    }
    Output.table(
        ["setting", "value", "meaning", "id"],
        rows.map { setting, value, entry in
            [setting.rawValue, value + (entry == nil ? " (default)" : ""), setting.meaning, entry?.id.value ?? ""]
        })
}
