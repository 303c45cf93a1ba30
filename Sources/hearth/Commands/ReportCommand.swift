import ArgumentParser
import Foundation
import HearthCore
import HearthStore

/// Options shared by `hearth hub report` and the node's `hearth report`.
struct ReportOptions: ParsableArguments {
    @Option(help: "One month, YYYY-MM (default: this month).") var month: String?
    @Option(help: "First month of a period, YYYY-MM.") var from: String?
    @Option(help: "Last month of a period, YYYY-MM.") var to: String?
    @Option(help: "Group by county, township or village.") var by: String = "township"
    @Option(help: "table, csv (UTF-8 with BOM, for Excel) or json.") var format: String = "table"

    func period() throws -> (Month, Month) {
        switch (month, from, to) {
        case (let month?, nil, nil):
            let parsed = try Month.parse(month, field: "month")
            return (parsed, parsed)
        case (nil, let from?, let to?): return (try Month.parse(from, field: "from"), try Month.parse(to, field: "to"))
        case (nil, nil, nil):
            let current = DomainCalendar.date(atMillis: nowMillis()).month
            return (current, current)
        default: throw CLIError.usage("give --month, or both --from and --to")
        }
    }

    func level() throws -> ScopePrefix.Level {
        guard let level = ScopePrefix.Level(rawValue: by) else {
            throw InputError(field: "by", reason: "must be county, township or village")
        }
        return level
    }

    func render(_ replica: Replica) throws {
        let (start, end) = try period()
        let lines = try replica.report(from: start, to: end, by: try level(), nowMillis: nowMillis())
        let periodText = start == end ? start.description : "\(start)–\(end)"
        let header = ["地区", "救助项目", "户数", "人数", "新增", "退出", "\(end) 金额(元)", "期间金额(元)"]
        func row(_ line: ReportLine) -> [String] {
            [
                line.area, line.program.chineseName, "\(line.households)", "\(line.persons)", "\(line.newEntries)", "\(line.exits)",
                line.monthTotal.yuanText, line.periodTotal.yuanText,
            ]
        }
        let totals = ReportLine(
            area: "合计", program: .dibaoRural, households: lines.reduce(0) { $0 + $1.households },
            persons: lines.reduce(0) { $0 + $1.persons }, newEntries: lines.reduce(0) { $0 + $1.newEntries },
            exits: lines.reduce(0) { $0 + $1.exits }, monthTotal: Money(fen: lines.reduce(0) { $0 + $1.monthTotal.fen }),
            periodTotal: Money(fen: lines.reduce(0) { $0 + $1.periodTotal.fen }))
        switch format {
        case "json":
            Output.json(.object([
                "from": .string(start.description), "to": .string(end.description), "by": .string(by),
                "lines": .array(lines.map { line in
                    .object([
                        "area": .string(line.area), "program": .string(line.program.rawValue),
                        "program_name": .string(line.program.chineseName), "households": .integer(Int64(line.households)),
                        "persons": .integer(Int64(line.persons)), "new_entries": .integer(Int64(line.newEntries)),
                        "exits": .integer(Int64(line.exits)), "month_total_fen": .integer(line.monthTotal.fen),
                        "period_total_fen": .integer(line.periodTotal.fen),
                    ])
                }),
            ]))
        case "csv":
            // Areas come from the records' village field: cells are neutralised like every CSV's.
            let total = ["合计", ""] + Array(row(totals).dropFirst(2))
            let out = SpreadsheetCSV.document([header] + lines.map(row) + [total])
            FileHandle.standardOutput.write(Data(out.utf8))
        case "table":
            print("社会救助情况统计表  \(periodText)  (\(replica.info.name), 按\(by == "county" ? "县" : by == "township" ? "乡镇" : "村")汇总)")
            Output.table(header, lines.map(row) + [["合计", ""] + Array(row(totals).dropFirst(2))])
        default: throw InputError(field: "format", reason: "must be table, csv or json")
        }
    }
}

struct HubReport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "The bureau's report: per program and area, households, persons, new entries, exits, amounts in yuan.")
    @OptionGroup var replica: HubReplicaOptions
    @OptionGroup var options: ReportOptions

    func run() throws {
        try guarded { try options.render(try replica.open()) }
    }
}

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "The report for this node's scope (same flags as `hearth hub report`).")
    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var options: ReportOptions

    func run() throws {
        try guarded { try options.render(try replica.open()) }
    }
}
