import ArgumentParser
import Foundation
import HearthCore
import HearthLedger
import HearthStore

/// Options shared by `hearth hub report` and the node's `hearth report`.
struct ReportOptions: ParsableArguments {
    @Option(help: .text("opt.report.month")) var month: String?
    @Option(help: .text("opt.report.from")) var from: String?
    @Option(help: .text("opt.report.to")) var to: String?
    @Option(help: .text("opt.report.by")) var by: String = "township"
    @Option(help: .text("opt.report.format"))
    var format: String = "table"
    @Option(help: .text("opt.report.out")) var out: String?

    func period() throws -> (Month, Month) {
        switch (month, from, to) {
        case (let month?, nil, nil):
            let parsed = try Month.parse(month, field: "month")
            return (parsed, parsed)
        case (nil, let from?, let to?): return (try Month.parse(from, field: "from"), try Month.parse(to, field: "to"))
        case (nil, nil, nil):
            let current = DomainCalendar.date(atMillis: nowMillis()).month
            return (current, current)
        default: throw CLIError.usage(L("usage.report_period"))
        }
    }

    func level() throws -> ScopePrefix.Level {
        guard let level = ScopePrefix.Level(rawValue: by) else {
            throw InputError(field: "by", "input.report_by")
        }
        return level
    }

    func render(_ replica: some SnapshotReading, worker: String) async throws {
        let (start, end) = try period()
        if format == "print" {
            try await PrintFormat.report(replica: replica, start: start, end: end, out: out)
            return
        }
        if format == "xlsx", out == nil { throw CLIError.usage(L("usage.xlsx_needs_out")) }
        if format != "xlsx", out != nil {
            throw CLIError.usage(L("usage.report_out"))
        }
        let progress = ProgressLine(quiet: format == "json")
        progress.update(
            L(
                "report.computing",
                ["period": start == end ? start.description : L("report.period_range", ["from": start, "to": end])]),
            force: true)
        let (level, now) = (try level(), nowMillis())
        let (report, names) = try await replica.reading { replica in
            (try replica.report(from: start, to: end, by: level, nowMillis: now), try replica.divisionNames())
        }
        progress.finish()
        let periodText = start == end ? start.description : "\(start)–\(end)"
        let levelName = by == "county" ? "县" : by == "township" ? "乡镇" : "村"
        let title = "社会救助情况统计表  \(periodText)  (\(replica.info.name), 按\(levelName)汇总)"
        let header = ReportTable.header(end: end)
        let rows = ReportTable.rows(report, names: names)
        switch format {
        case "json":
            try Output.json(
                ReportDocument(
                    from: start.description, to: end.description, by: by,
                    lines: report.lines.map { ReportDocument.Line($0, names: names) },
                    areaTotals: report.areaTotals.map { ReportDocument.Line($0, names: names) },
                    total: ReportDocument.Line(report.total, names: names)))
        case "csv":
            // Areas come from the records' village field: cells are neutralised like every CSV's.
            let out = SpreadsheetCSV.document([header] + rows)
            FileHandle.standardOutput.write(Data(out.utf8))
        case "table":
            print(title)
            Output.table(header, rows)
        case "xlsx":
            try await writeWorkbook(
                title: title, header: header, rows: rows, replica: replica, period: periodText, worker: worker)
        default: throw InputError(field: "format", "input.report_format")
        }
    }
}

struct HubReport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: L("cmd.hub.report.abstract"))
    @OptionGroup var replica: HubReplicaOptions
    @OptionGroup var options: ReportOptions

    func run() async throws {
        // The report is read once and the command ends: its book is freed off its path.
        BackgroundRelease.enableForOneShotCommand()
        try await guardedAsync { try await options.render(try await replica.open(), worker: replica.reader) }
    }
}

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: L("cmd.report.abstract"))
    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var options: ReportOptions

    func run() async throws {
        // The report is read once and the command ends: its book is freed off its path.
        BackgroundRelease.enableForOneShotCommand()
        try await guardedAsync { try await options.render(try replica.open(), worker: replica.reader) }
    }
}
