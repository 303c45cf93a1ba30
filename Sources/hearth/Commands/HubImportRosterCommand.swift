import ArgumentParser
import Foundation
import HearthCore
import HearthLedger
import HearthStore

struct HubImportRoster: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-roster",
        abstract: L("cmd.hub.import_roster.abstract"),
        discussion: L("cmd.hub.import_roster.discussion", ["columns": columnHelp]))
    /// One line per column: header, English aliases, required mark, meaning.
    static var columnHelp: String {
        RosterColumn.allCases.filter { $0 != .reason }.map { column in
            let aliases = column.headers.filter { $0.allSatisfy(\.isASCII) }.joined(separator: ", ")
            let mark = RosterColumn.required.contains(column) ? "*" : " "
            return "  "
                + L(
                    "roster.column_line",
                    ["mark": mark, "header": column.chineseHeader, "aliases": aliases, "meaning": column.meaning])
        }.joined(separator: "\n")
    }

    @OptionGroup var replica: HubReplicaOptions
    @Argument(help: .text("arg.hub.import_roster.file")) var file: String
    @OptionGroup var options: ImportOptions

    func run() async throws {
        try await guardedAsync {
            let hub = try await replica.open()
            let author = options.dryRun ? replica.reader : try replica.author
            let name = (file as NSString).lastPathComponent
            let progress = ProgressLine(quiet: options.json)
            progress.update(L("roster.progress.reading", ["file": name]), force: true)
            let report = try await hub.importRoster(
                file: file, dryRun: options.dryRun, skipInvalid: options.skipInvalid, author: author,
                nowMillis: nowMillis()
            ) { step in
                let key = step.stage == .checking ? "roster.progress.checking" : "roster.progress.writing"
                // The last record written is always shown: what the transaction's commit waits on.
                progress.update(
                    L(key, ["file": name, "done": step.done, "total": step.total]),
                    force: step.stage == .writing && step.done == step.total)
            }
            progress.finish()
            if options.json {
                try Output.json(RosterImportDocument(report))
            } else {
                Self.printReport(report)
            }
            if report.refused { throw CLIError.importRefused(badRows: report.badLines.count) }
        }
    }

    /// "2 合计/小计 rows skipped (lines 7, 12)".
    static func totalRowsLine(_ lines: [Int]) -> String {
        L("roster.total_rows", ["count": lines.count, "lines": Self.lines(lines)])
    }

    /// "7, 12, 15" (the first 20, then "…").
    static func lines(_ lines: [Int]) -> String {
        let separator = L("roster.columns_separator")
        return lines.prefix(20).map(String.init).joined(separator: separator)
            + (lines.count > 20 ? separator + "…" : "")
    }

    static func printReport(_ report: RosterImportReport) {
        let name = (report.file as NSString).lastPathComponent
        let lines = report.badLines.count
        let totals = report.totalRows.isEmpty ? nil : Self.totalRowsLine(report.totalRows)
        if report.refused {
            if let totals { printError(totals) }
            for problem in report.problems { printError("\(name) \(problem)") }
            let key = (report.dryRun ? "roster.refused_dry_run_" : "roster.refused_") + (lines == 1 ? "one" : "many")
            printError(L(key, ["count": lines, "file": name]))
            return
        }
        print(report.recordsCreated)
        print(
            L(
                report.dryRun ? "roster.summary_dry_run" : "roster.summary",
                [
                    "file": name, "encoding": report.encoding.displayName, "rows": report.rows,
                    "households": report.householdsCreated, "members": report.membersCreated,
                    "enrollments": report.enrollmentsCreated, "already": report.rowsAlreadyImported,
                ]))
        if let totals { print(totals) }
        if !report.filledDown.isEmpty {
            print(L("roster.filled_down", ["count": report.filledDown.count, "lines": Self.lines(report.filledDown)]))
        }
        for flag in report.withoutIDNumber {
            printError(
                L(
                    "roster.no_id_warning",
                    ["file": name, "line": flag.line, "name": flag.name, "member": flag.member?.value ?? "M-…"]))
        }
        if report.rowsSkipped > 0 {
            for problem in report.problems {
                printError(L("import.skipped_problem", ["file": name, "problem": problem]))
            }
            if let skipped = report.skippedFile {
                print(L("roster.skipped_written", ["count": report.rowsSkipped, "file": skipped]))
            } else {
                print(L("roster.would_skip", ["count": report.rowsSkipped]))
            }
        }
        if !report.withoutIDNumber.isEmpty {
            print(
                L(
                    report.dryRun ? "roster.flagged_dry_run" : "roster.flagged",
                    ["count": report.withoutIDNumber.count]))
        }
    }
}
