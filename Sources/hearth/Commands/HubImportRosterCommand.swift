import ArgumentParser
import Foundation
import HearthCore
import HearthLedger
import HearthStore

struct HubImportRoster: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-roster",
        abstract: "Load the county's existing roster (花名册, a CSV spreadsheet) into the hub as ordinary ops.",
        discussion: """
            The file is CSV as Excel saves it: CSV UTF-8 (with or without BOM) or plain CSV in GB18030 (Excel on a \
            Chinese system). One row per member per program: a member with two programs is on two rows with the same \
            ID number, a member with no program has an empty 救助项目. Household columns may repeat on each member's \
            row or be given once; they must not disagree. A leading ' or tab in a cell (to keep Excel from turning \
            digits into numbers) is ignored.

            Columns (header, English alias; * required):
            \(columnHelp)
            With 救助项目, 月保障金额 and 起始年月 are required too. Other headers are refused.

            Every bad row is reported with its line, column and reason (never an ID or card number), and then nothing \
            is imported (exit 65), unless --skip-invalid: the good rows are imported and the bad ones are written \
            beside the file (roster.skipped.csv, a new name if that exists; mode 0600, UTF-8 with BOM, the original \
            columns plus 错误原因), to fix and import again. A member without an ID number is kept and flagged: \
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
    @Argument(help: "The roster as a CSV file.") var file: String
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

    static func printReport(_ report: RosterImportReport) {
        let name = (report.file as NSString).lastPathComponent
        let lines = report.badLines.count
        if report.refused {
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
