import ArgumentParser
import Foundation
import HearthCore
import HearthLedger
import HearthStore

struct HubImportRoster: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-roster",
        abstract: "Load the county's existing roster (花名册, an .xlsx workbook or CSV) into the hub as ordinary ops.",
        discussion: """
            The file is an Excel workbook (.xlsx, its first worksheet, as Excel, WPS or LibreOffice saves it) or CSV: \
            CSV UTF-8 (with or without BOM) or plain CSV in GB18030 (Excel on a Chinese system). One row per member \
            per program: a member with two programs is on two rows with the same ID number, a member with no program \
            has an empty 救助项目. Household columns may repeat on each member's row or be given once; they must not \
            disagree. A leading ' or tab in a cell (to keep Excel from turning digits into numbers) is ignored.

            As rosters really come: a 序号 or 备注 column is ignored. 合计, 小计 and 总计 rows are skipped, and the \
            output lists their lines. A blank 区划代码 on a member's row (a merged cell) is filled from the row above, \
            and so is a blank 户号 when the row is in the same village: the rows below a household's first row \
            belong to it until the next 户号 (or a 小计 row). A 户号 Excel turned from 001 into 1 is the same \
            household. The official program names (农村最低生活保障, 城市居民最低生活保障, 特困人员分散供养, \
            特困人员集中供养, 孤儿基本生活费, 高龄补贴, …) are read as their programs.

            Columns (header, English alias; * required):
            \(columnHelp)
            With 救助项目, 月保障金额 and 起始年月 are required too. Other headers are refused.

            Every bad row is reported with its line, column and reason (never an ID or card number), and then nothing \
            is imported (exit 65), unless --skip-invalid: the good rows are imported and the bad ones are written \
            beside the file (roster.skipped.csv, a new name if that exists; mode 0600, UTF-8 with BOM, the original \
            columns plus 错误原因), to fix and import again. A household is never created without its head: when the \
            head's row is bad, the household's other rows are skipped with it, and said so. A member without an ID number is kept and flagged: \
            pending, never paid until one is added. Imported enrollments are approved, with --worker as approver.

            Importing the same file again changes nothing; a file with more rows adds only what is new. A row whose \
            ID number belongs to a member registered by other means is refused.

            Output: the number of records created (households + members + enrollments) alone on the first line, then \
            a summary; warnings and bad rows on stderr. --json prints one JSON document instead (also when refused).
            """)
    /// One line per column: header, English aliases, required mark, meaning.
    static var columnHelp: String {
        RosterColumn.allCases.filter { $0 != .reason }.map { column in
            let aliases = column.headers.filter { $0.allSatisfy(\.isASCII) }.joined(separator: ", ")
            let mark = RosterColumn.required.contains(column) ? "*" : " "
            return "  \(mark) \(column.chineseHeader) (\(aliases)): \(column.meaning)"
        }.joined(separator: "\n")
    }

    @OptionGroup var replica: HubReplicaOptions
    @Argument(help: "The roster: an .xlsx workbook or a CSV file.") var file: String
    @OptionGroup var options: ImportOptions

    func run() async throws {
        try await guardedAsync {
            let hub = try replica.open()
            let author = options.dryRun ? replica.reader : try replica.author
            let report = try await hub.importRoster(
                file: file, dryRun: options.dryRun, skipInvalid: options.skipInvalid, author: author,
                nowMillis: nowMillis())
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
        "\(lines.count) 合计/小计 rows skipped, not imported: lines \(Self.lines(lines))"
    }

    /// "7, 12, 15" (the first 20, then "…").
    static func lines(_ lines: [Int]) -> String {
        lines.prefix(20).map(String.init).joined(separator: ", ") + (lines.count > 20 ? ", …" : "")
    }

    static func printReport(_ report: RosterImportReport) {
        let name = (report.file as NSString).lastPathComponent
        let lines = report.badLines.count
        let totals = report.totalRows.isEmpty ? nil : Self.totalRowsLine(report.totalRows)
        if report.refused {
            if let totals { printError(totals) }
            for problem in report.problems { printError("\(name) \(problem)") }
            printError(
                "\(report.dryRun ? "dry run: the import would be refused" : "nothing imported"): \(lines) bad "
                    + "row\(lines == 1 ? "" : "s") in \(name); fix \(lines == 1 ? "it" : "them"), or import the good rows "
                    + "with --skip-invalid (the bad ones are then written beside the file)")
            return
        }
        print(report.recordsCreated)
        let verb = report.dryRun ? "would create" : "created"
        print(
            "\(report.dryRun ? "dry run, nothing changed: " : "")\(name) (\(report.encoding.displayName), \(report.rows) rows): "
                + "\(verb) \(report.householdsCreated) households, \(report.membersCreated) members, "
                + "\(report.enrollmentsCreated) enrollments (approved); \(report.rowsAlreadyImported) rows already imported"
        )
        if let totals { print(totals) }
        if !report.filledDown.isEmpty {
            print(
                "\(report.filledDown.count) rows took 区划代码 or 户号 from the row above (merged cells): lines "
                    + Self.lines(report.filledDown))
        }
        for flag in report.withoutIDNumber {
            printError(
                "warning: \(name) line \(flag.line): \(flag.name) has no ID number: registered as pending, "
                    + "never paid until one is added (`hearth member edit \(flag.member?.value ?? "M-…") --id-number …`)"
            )
        }
        if report.rowsSkipped > 0 {
            for problem in report.problems { printError("skipped \(name) \(problem)") }
            if let skipped = report.skippedFile {
                print(
                    "\(report.rowsSkipped) rows skipped, written to \(skipped) (readable by you only: it holds ID numbers)"
                )
            } else {
                print("\(report.rowsSkipped) rows would be skipped")
            }
        }
        if !report.withoutIDNumber.isEmpty {
            print(
                "\(report.withoutIDNumber.count) members \(report.dryRun ? "would be " : "")flagged without an ID number (never paid until one is added)"
            )
        }
    }
}
