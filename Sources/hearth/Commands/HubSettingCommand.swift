import ArgumentParser
import HearthCore
import HearthLedger
import HearthStore

struct HubSetting: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setting",
        abstract: L("cmd.hub.setting.abstract"),
        subcommands: [HubSettingSet.self, HubSettingList.self], defaultSubcommand: HubSettingList.self)
}

struct HubSettingSet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: L("cmd.hub.setting.set.abstract"), discussion: L("cmd.hub.setting.set.discussion"))
    @OptionGroup var replica: HubReplicaOptions
    @Argument(help: .text("arg.hub.setting.name"))
    var name: String
    @Argument(help: .text("arg.hub.setting.value")) var value: String
    @Option(help: .text("opt.hub.setting.note")) var note: String?

    func run() async throws {
        try await guardedAsync {
            let id = try await replica.open().setSetting(
                name: name, value: value, note: note, author: try replica.author, nowMillis: nowMillis())
            print(id.value)
        }
    }
}

struct HubSettingList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: L("cmd.hub.setting.list.abstract"))
    @OptionGroup var replica: HubReplicaOptions
    @Flag(help: .text("opt.json")) var json = false

    func run() async throws {
        try await guardedAsync { try printSettings(try await replica.open().reading { try $0.settings() }, json: json) }
    }
}

/// `hearth settings`: the county settings on any replica (every node of the county holds them).
struct SettingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: L("cmd.settings.abstract"))
    @OptionGroup var replica: ReplicaOptions
    @Flag(help: .text("opt.json")) var json = false

    func run() throws {
        try guarded { try printSettings(try replica.open().settings(), json: json) }
    }
}

func printSettings(_ entries: [SettingEntry], json: Bool) throws {
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
        [L("setting.col.setting"), L("setting.col.value"), L("setting.col.meaning"), FieldWords.name("id")],
        rows.map { setting, value, entry in
            [
                setting.rawValue,
                valueName(value, field: setting.rawValue) + (entry == nil ? L("setting.default") : ""),
                setting.meaning, entry?.id.value ?? "",
            ]
        })
}
