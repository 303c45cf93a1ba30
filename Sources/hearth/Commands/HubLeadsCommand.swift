import ArgumentParser
import HearthCore
import HearthLedger
import HearthStore

struct HubLeads: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leads",
        abstract: L("cmd.hub.leads.abstract"))
    @OptionGroup var replica: HubReplicaOptions
    @Option(help: .text("opt.hub.leads.status")) var status: String?
    @Flag(help: .text("opt.json")) var json = false

    func run() async throws {
        try await guardedAsync {
            let status = try leadStatus(status)
            try printLeads(try await replica.open().reading { try $0.leads(status: status) }, json: json)
        }
    }
}

struct HubRecovery: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recovery",
        abstract: L("cmd.hub.recovery.abstract"),
        discussion: L("cmd.hub.recovery.discussion"))
    @OptionGroup var replica: HubReplicaOptions
    @Flag(help: .text("opt.json")) var json = false

    func run() async throws {
        try await guardedAsync {
            let lines = try await replica.open().recoveryReport()
            let total = Money(fen: lines.reduce(0) { $0 + $1.amount.fen })
            if json {
                try Output.json(
                    RecoveryDocument(totalYuan: total.yuanText, lines: lines.map(RecoveryDocument.Line.init)))
                return
            }
            guard !lines.isEmpty else {
                print(L("recovery.none"))
                return
            }
            Output.table(
                ["村(社区)", "成员编号", "姓名", "死亡日期", "多发月份", "追缴金额(元)", "线索"],
                lines.map {
                    [
                        $0.village, $0.member.value, $0.name, $0.deathDate.description,
                        $0.months.map(\.description).joined(separator: ","), $0.amount.yuanText, $0.lead?.value ?? "",
                    ]
                } + [["合计", "", "", "", "", total.yuanText, ""]])
        }
    }
}
