import ArgumentParser
import Foundation
import HearthCore
import HearthLedger
import HearthStore

struct HubCrosscheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crosscheck",
        abstract: "Cross-check other departments' lists (信息比对) against the county's members.",
        subcommands: [HubCrosscheckImport.self])
}

struct HubCrosscheckImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Match a list (deaths, pensions, vehicles, …) on ID number and turn each match into a lead (问题线索).",
        discussion: """
            The file is an .xlsx workbook (its first worksheet) or CSV as Excel saves it (UTF-8 with or without BOM, or
            GB18030), read like the roster. Columns:
            身份证号 (or 公民身份号码, id_number) is required; 死亡日期 / 火化日期 / 注销日期 / 日期 (date) is the date the
            list gives; every other column is kept, as "header: value", in the lead's detail for the verifier. The
            match is on the ID number's keyed hash; 15-digit numbers are upgraded; an ID number Excel turned into a
            number is refused.

            Each match becomes a lead in the member's village, replicated to the owning township
            (`hearth lead list|confirm|refute` there). A death match suspends the person's approved enrollments at once
            and holds any other, pending verification; a member already recorded as deceased needs nothing.

            Every bad row is reported with its line, column and reason, and then nothing is imported (exit 65), unless
            --skip-invalid: the good rows are imported and the bad ones written beside the file (0600). Importing the
            same list twice changes nothing.

            Output: the number of new leads alone on the first line, then the lead ids and a summary; --json prints
            one JSON document instead.
            """)
    static let idHeaders = ["身份证号", "身份证号码", "公民身份号码", "证件号码", "id_number", "idnumber", "id"]
    static let dateHeaders = ["死亡日期", "火化日期", "注销日期", "日期", "date", "death_date"]

    /// A long run of digits (another ID or a card number) is never copied into a lead's detail.
    static func looksSensitive(_ value: String) -> Bool {
        value.filter { $0.isNumber }.count >= 15
    }

    @OptionGroup var replica: HubReplicaOptions
    @Option(help: "Which list: death (火化/户籍注销), pension, vehicle or other.") var source: String
    @Argument(help: "The list: an .xlsx workbook or a CSV file.") var file: String
    @OptionGroup var options: ImportOptions

    func run() async throws {
        try await guardedAsync {
            guard let list = CrosscheckSource(rawValue: source) else {
                throw InputError(field: "source", reason: "must be death, pension, vehicle or other")
            }
            let hub = try replica.open()
            let table = try SpreadsheetTable.read(path: file)
            guard let idColumn = table.column(named: Self.idHeaders) else {
                throw InputError(field: "header", reason: "\(file) has no 身份证号 column (the ID number to match on)")
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
                    SkippedRow(
                        row: row, reason: reasons[row.line]!.map { "\($0.field): \($0.reason)" }.joined(separator: "; ")
                    )
                }
                skippedFile = try table.writeSkipped(skipped)
                // The rows as the list had them, ID numbers in clear: audited.
                let source = (file as NSString).lastPathComponent
                try hub.replica.audit(
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
                printError(
                    "nothing imported: \(outcome.problems.count) bad row(s) in \(name); fix them, or import the good rows with --skip-invalid"
                )
                throw CLIError.importRefused(badRows: outcome.problems.count)
            }
            print(outcome.newLeads)
            for lead in outcome.leads { print("  \(lead)") }
            print(
                "\(options.dryRun ? "dry run, nothing changed: " : "")\(name) (\(list.chineseName), \(outcome.rows) rows): "
                    + "\(outcome.matched) matched, \(outcome.unmatched) not in the county; \(options.dryRun ? "would make" : "made") "
                    + "\(outcome.newLeads) leads; \(outcome.alreadyImported) already imported; "
                    + "\(outcome.alreadyDeceased) already recorded as deceased")
            if !outcome.suspended.isEmpty {
                print(
                    "\(outcome.suspended.count) enrollments suspended pending verification (the township confirms or refutes)"
                )
            }
            for problem in outcome.problems { printError("skipped \(name) \(problem)") }
            if let skippedFile { print("\(outcome.problems.count) rows skipped, written to \(skippedFile)") }
        }
    }
}
