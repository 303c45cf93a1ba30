import ArgumentParser
import Foundation
import HearthCore
import HearthLedger
import HearthStore
import HearthText

struct HubCrosscheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crosscheck",
        abstract: L("cmd.hub.crosscheck.abstract"),
        subcommands: [HubCrosscheckImport.self])
}

struct HubCrosscheckImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: L("cmd.hub.crosscheck.import.abstract"),
        discussion: L("cmd.hub.crosscheck.import.discussion"))
    static let idHeaders = ["身份证号", "身份证号码", "公民身份号码", "证件号码", "id_number", "idnumber", "id"]
    static let dateHeaders = ["死亡日期", "火化日期", "注销日期", "日期", "date", "death_date"]

    /// A long run of digits (another ID or a card number) is never copied into a lead's detail.
    static func looksSensitive(_ value: String) -> Bool {
        value.filter { $0.isNumber }.count >= 15
    }

    @OptionGroup var replica: HubReplicaOptions
    @Option(help: .text("opt.hub.crosscheck.source")) var source: String
    @Argument(help: .text("arg.hub.crosscheck.file")) var file: String
    @OptionGroup var options: ImportOptions

    func run() async throws {
        try await guardedAsync {
            // The code as typed, or the list's name in either language (死亡).
            guard
                let list = Catalogue.code(
                    named: source, field: "source", among: CrosscheckSource.allCases.map(\.rawValue)
                ).flatMap(CrosscheckSource.init(rawValue:))
            else {
                throw InputError(field: "source", "input.crosscheck_source")
            }
            let hub = try await replica.open()
            let table = try SpreadsheetTable.read(path: file)
            guard let idColumn = table.column(named: Self.idHeaders) else {
                throw InputError(field: "header", "input.crosscheck_no_id_column", ["file": file])
            }
            let dateColumn = table.column(named: Self.dateHeaders)
            let rows = table.rows.map { row in
                CrosscheckRow(
                    line: row.line, idNumber: row[idColumn], date: dateColumn.map { row[$0] },
                    detail: table.headers.filter { $0 != idColumn && !row[$0].isEmpty && !Self.looksSensitive(row[$0]) }
                        .map { "\($0): \(row[$0])" }.joined(separator: "; "))
            }
            let author = options.dryRun ? replica.reader : try replica.author
            let outcome = try await hub.importCrosscheck(
                source: list, rows: rows, dryRun: options.dryRun, skipInvalid: options.skipInvalid, author: author,
                nowMillis: nowMillis())
            let refused = !outcome.problems.isEmpty && !options.skipInvalid
            var skippedFile: String?
            if !refused, !options.dryRun, !outcome.problems.isEmpty {
                let reasons = Dictionary(grouping: outcome.problems, by: \.line)
                let skipped = table.rows.filter { reasons[$0.line] != nil }.map { row in
                    SkippedRow(row: row, reason: ImportProblem.cell(reasons[row.line]!))
                }
                skippedFile = try table.writeSkipped(skipped)
                // The rows as the list had them, ID numbers in clear: audited.
                let source = (file as NSString).lastPathComponent
                try await hub.audit(
                    AuditEvent(
                        atMillis: nowMillis(), worker: author, action: AuditEvent.Action.export,
                        subject: skippedFile ?? "", field: "skipped rows",
                        detail: "\(skipped.count) rows of \(source) skipped by the \(list.rawValue) cross-check"))
            }
            let name = (file as NSString).lastPathComponent
            if options.json {
                try Output.json(
                    CrosscheckDocument(
                        file: file, source: list, outcome: outcome, dryRun: options.dryRun, refused: refused,
                        skippedFile: skippedFile))
                if refused { throw CLIError.importRefused(badRows: outcome.problems.count) }
                return
            }
            if refused {
                for problem in outcome.problems { printError("\(name) \(problem)") }
                printError(L("crosscheck.refused", ["count": outcome.problems.count, "file": name]))
                throw CLIError.importRefused(badRows: outcome.problems.count)
            }
            print(outcome.newLeads)
            for lead in outcome.leads { print("  \(lead)") }
            print(
                L(
                    options.dryRun ? "crosscheck.summary_dry_run" : "crosscheck.summary",
                    [
                        "file": name, "list": list.chineseName, "rows": outcome.rows, "matched": outcome.matched,
                        "unmatched": outcome.unmatched, "leads": outcome.newLeads,
                        "already": outcome.alreadyImported, "deceased": outcome.alreadyDeceased,
                    ]))
            if !outcome.suspended.isEmpty {
                print(L("crosscheck.suspended", ["count": outcome.suspended.count]))
            }
            for problem in outcome.problems {
                printError(L("import.skipped_problem", ["file": name, "problem": problem]))
            }
            if let skippedFile {
                print(L("crosscheck.skipped_written", ["count": outcome.problems.count, "file": skippedFile]))
            }
        }
    }
}
