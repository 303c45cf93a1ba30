import Foundation
import HearthCore
import Testing

/// Spreadsheets as bureaus have them, through the built `hearth`: rosters and lists saved as
/// .xlsx by a real spreadsheet program (LibreOffice, converting a CSV the test writes), the
/// roster's real-file cases, and the report and roll written as .xlsx and opened again by
/// LibreOffice.
@Suite("Spreadsheets in and out (.xlsx), end to end")
struct CLISheetsTests {
    static func id(_ first17: String) -> String { first17 + String(IDNumber.checkDigit(of: first17)!) }
    static let head = id("42128119800101001")
    static let spouse = id("42128119820305002")
    static let elder = id("42128119400101003")
    static let orphan = id("42128120150601004")
    static let card = "6222020200112233445"
    static let card2 = "6222020200112233446"

    static let header = "序号,区划代码,户号,地址,户类型,一卡通账号,姓名,身份证号,与户主关系,救助项目,月保障金额,起始年月,备注"
    /// 1-based: 一卡通账号 and 身份证号 typed as text, as a careful clerk formats them.
    static let textColumns = [6, 8]

    /// Two households in two townships as a county's sheet has them: a 序号 and a 备注 column,
    /// household cells given once (merged), a 小计 under each village and a 合计 at the end,
    /// official program names, 户号 with leading zeros.
    static let rosterRows = [
        "1,421281101001,001,新庄村三组12号,农村,\(card),王秀英,\(head),户主,农村最低生活保障,560,2026-01,",
        "2,,,,,,李强,\(spouse),配偶,农村最低生活保障,560,2026-01,",
        ",小计,,,,,,,,,1120,,",
        "3,421281102001,002,河湾村1号,农村,\(card2),张三,\(elder),户主,高龄补贴,100,2026-01,五保",
        "4,,,,,,张小四,\(orphan),孙子,孤儿基本生活费,1000,2026-01,",
        "合 计,,,,,,,,,,2220,,",
    ]

    func hub(_ cli: CLIRunner) async throws {
        _ = try await cli.ok(["hub", "init", "--name", "赤壁市", "--scope", "421281"])
    }

    func write(_ cli: CLIRunner, _ name: String, _ lines: [String]) throws -> String {
        let path = cli.directory + "/" + name
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test(
        "an .xlsx roster from a spreadsheet program imports: 序号 and 备注 ignored, 小计 and 合计 rows skipped and listed, merged household cells filled from above, official program names, 户号 1 is 001",
        .enabled(if: LibreOffice.usable, "needs LibreOffice (soffice)"))
    func roster() async throws {
        let cli = try CLIRunner()
        try await hub(cli)
        // First the head alone, from CSV as typed: 户号 001.
        let first = try write(cli, "first.csv", [Self.header, Self.rosterRows[0]])
        let earlier = try #require(try await cli.ok(["hub", "import-roster", first, "--json"]).json)
        #expect(earlier["households_created"]?.integerValue == 1)

        // Then the whole sheet as an .xlsx, where Calc has made 001 the number 1.
        let csv = try write(cli, "roster.csv", [Self.header] + Self.rosterRows)
        let xlsx = try await LibreOffice.xlsx(fromCSV: csv, textColumns: Self.textColumns)
        try FileManager.default.removeItem(atPath: csv)
        let dry = try await cli.ok(["hub", "import-roster", xlsx, "--dry-run"])
        #expect(dry.stdout.contains("Excel workbook"))
        let imported = try await cli.ok(["hub", "import-roster", xlsx])
        #expect(imported.firstLine == "7")  // 1 household, 3 members, 3 enrollments
        #expect(imported.stdout.contains("2 合计/小计 rows skipped, not imported: lines 4, 7"), "\(imported.stdout)")
        #expect(imported.stdout.contains("2 rows took 区划代码 or 户号 from the row above"), "\(imported.stdout)")
        #expect(!imported.stdout.contains(Self.head) && !imported.stderr.contains(Self.head))
        let again = try #require(try await cli.ok(["hub", "import-roster", xlsx, "--json"]).json)
        #expect(again["encoding"]?.stringValue == "xlsx")
        #expect(again["households_created"]?.integerValue == 0)
        #expect(again["rows_already_imported"]?.integerValue == 4)
        #expect(again["total_rows_skipped"]?.arrayValue?.compactMap(\.integerValue) == [4, 7])
        #expect(again["filled_from_above"]?.arrayValue?.compactMap(\.integerValue) == [3, 6])

        // Two households, the head's household the one the CSV made; the programs by their names.
        let households = try #require(try await cli.ok(["household", "list", "--json"]).json?.arrayValue)
        #expect(households.count == 2)
        let enrollments = try #require(try await cli.ok(["enrollment", "list", "--json"]).json?.arrayValue)
        #expect(
            Set(enrollments.compactMap { $0["fields"]?["program"]?.stringValue }) == [
                "dibao_rural", "elderly", "orphan",
            ])
        #expect(enrollments.count == 4)
    }

    @Test(
        "a division code Excel turned into scientific notation is refused with how to keep it as text (.xlsx and CSV)",
        .enabled(if: LibreOffice.usable, "needs LibreOffice (soffice)"))
    func scientificNotation() async throws {
        let cli = try CLIRunner()
        try await hub(cli)
        let row = "1,1.30102E+11,003,某地,农村,,赵六,\(Self.head),户主,,,,"
        let csv = try write(cli, "mangled.csv", [Self.header, row])
        let fromCSV = try await cli.run(["hub", "import-roster", csv])
        #expect(fromCSV.status == 65)
        #expect(fromCSV.stderr.contains("line 2, 区划代码: Excel turned the code into a number"), "\(fromCSV.stderr)")
        #expect(fromCSV.stderr.contains("1.30102E+11") && fromCSV.stderr.contains("文本 (Text)"))
        // Here the ID number column is left to Calc too: an 18-digit number, its last digits lost.
        let xlsx = try await LibreOffice.xlsx(fromCSV: csv, textColumns: [6])
        let fromXLSX = try await cli.run(["hub", "import-roster", xlsx])
        #expect(fromXLSX.status == 65)
        #expect(fromXLSX.stderr.contains("line 2, 区划代码: Excel turned the code into a number"), "\(fromXLSX.stderr)")
        #expect(fromXLSX.stderr.contains("E+11") && fromXLSX.stderr.contains("文本 (Text)"))
        #expect(fromXLSX.stderr.contains("line 2, 身份证号") && fromXLSX.stderr.contains("scientific notation"))
        #expect(!fromXLSX.stderr.contains(Self.head))
    }

    @Test(
        "--skip-invalid never creates a household without its head: the household's other rows are skipped with it",
        .enabled(if: LibreOffice.usable, "needs LibreOffice (soffice)"))
    func headlessHousehold() async throws {
        let cli = try CLIRunner()
        try await hub(cli)
        let badHead = "42128119800101001" + (Self.head.last == "1" ? "2" : "1")  // a wrong check digit
        let csv = try write(
            cli, "heads.csv",
            [
                Self.header,
                "1,421281101001,001,新庄村三组12号,农村,,王秀英,\(badHead),户主,农村低保,560,2026-01,",
                "2,,,,,,李强,\(Self.spouse),配偶,农村低保,560,2026-01,",
                "3,421281101001,002,新庄村四组1号,农村,,张三,\(Self.elder),子,,,,",
                "4,421281101001,003,新庄村五组2号,农村,,王五,\(Self.orphan),户主,,,,",
            ])
        let xlsx = try await LibreOffice.xlsx(fromCSV: csv, textColumns: Self.textColumns)
        let refused = try await cli.run(["hub", "import-roster", xlsx])
        #expect(refused.status == 65)
        let result = try await cli.ok(["hub", "import-roster", xlsx, "--skip-invalid", "--json"])
        let report = try #require(result.json)
        #expect(report["households_created"]?.integerValue == 1)
        #expect(report["members_created"]?.integerValue == 1)
        #expect(report["rows_skipped"]?.integerValue == 3)
        let bad = try #require(report["bad_rows"]?.arrayValue)
        #expect(
            bad.contains {
                $0["line"]?.integerValue == 3
                    && $0["reason"]?.stringValue?.contains("the head's row (line 2) was refused") == true
            })
        #expect(bad.contains { $0["line"]?.integerValue == 4 && $0["reason"]?.stringValue?.contains("户主") == true })
        let skipped = try #require(report["skipped_file"]?.stringValue)
        let text = try String(contentsOfFile: skipped, encoding: .utf8)
        #expect(text.contains("李强") && text.contains("张三") && !text.contains("王五"))
        let households = try #require(try await cli.ok(["household", "list", "--json"]).json?.arrayValue)
        #expect(households.count == 1)
    }

    @Test(
        "a cross-check list saved as .xlsx matches on the ID number and keeps its date as the sheet shows it",
        .enabled(if: LibreOffice.usable, "needs LibreOffice (soffice)"))
    func crosscheck() async throws {
        let cli = try CLIRunner()
        try await hub(cli)
        let roster = try write(cli, "roster.csv", [Self.header] + Self.rosterRows)
        _ = try await cli.ok(["hub", "import-roster", roster])
        let list = try write(cli, "deaths.csv", ["姓名,身份证号,死亡日期,来源", "甲,\(Self.elder),2026-10-03,殡葬管理所"])
        let xlsx = try await LibreOffice.xlsx(fromCSV: list, textColumns: [2])
        try FileManager.default.removeItem(atPath: list)
        let imported = try await cli.ok(["hub", "crosscheck", "import", "--source", "death", xlsx])
        #expect(imported.firstLine == "1")
        let leads = try #require(try await cli.ok(["hub", "leads", "--status", "open", "--json"]).json?.arrayValue)
        #expect(leads.count == 1)
        #expect(leads.first?["detail"]?.stringValue?.contains("来源: 殡葬管理所") == true)
        #expect("\(leads)".contains("2026-10-03"))
    }

    @Test("a file named .xlsx that is no workbook is refused with what to do, and nothing is imported")
    func brokenWorkbook() async throws {
        let cli = try CLIRunner()
        try await hub(cli)
        let path = cli.directory + "/roster.xlsx"
        try Data("PK\u{3}\u{4}this is not a zip".utf8).write(to: URL(fileURLWithPath: path))
        let result = try await cli.run(["hub", "import-roster", path])
        #expect(result.status == 65)
        #expect(result.stderr.contains("not a readable .xlsx workbook") && result.stderr.contains("另存为"))
        let text = cli.directory + "/list.xlsx"
        try Data("姓名,身份证号\n甲,1\n".utf8).write(to: URL(fileURLWithPath: text))
        let list = try await cli.run(["hub", "crosscheck", "import", "--source", "death", text])
        #expect(list.status == 65 && list.stderr.contains("not a readable .xlsx workbook"))
    }

    @Test(
        "hub payroll and hub report --format xlsx: the sheets LibreOffice reads keep 18-digit ID numbers and the CSV's totals and subtotals; owner-only, never over a file, audited",
        .enabled(if: LibreOffice.usable, "needs LibreOffice (soffice)"))
    func workbooksOut() async throws {
        let cli = try CLIRunner()
        try await hub(cli)
        let roster = try write(cli, "roster.csv", [Self.header] + Self.rosterRows)
        _ = try await cli.ok(["hub", "import-roster", roster])
        let csv = cli.directory + "/roll.csv"
        let xlsx = cli.directory + "/roll.xlsx"
        _ = try await cli.ok(["hub", "payroll", "--month", "2026-11", "--out", csv])
        let written = try await cli.ok(["hub", "payroll", "--month", "2026-11", "--out", xlsx, "--format", "xlsx"])
        #expect(written.firstLine == xlsx)
        let mode = try FileManager.default.attributesOfItem(atPath: xlsx)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        let before = try Data(contentsOf: URL(fileURLWithPath: xlsx))
        let again = try await cli.run(["hub", "payroll", "--month", "2026-11", "--out", xlsx, "--format", "xlsx"])
        #expect(again.status != 0 && again.stderr.contains("already exists"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: xlsx)) == before)
        let audit = try #require(try await cli.ok(["hub", "audit", "--json"]).json?.arrayValue)
        #expect(
            audit.contains {
                $0["kind"]?.stringValue == "export" && $0["record"]?.stringValue == xlsx
                    && $0["field"]?.stringValue == "payroll"
            })

        let sheets = try await LibreOffice.sheets(of: xlsx)
        #expect(Set(sheets.keys) == ["发放名册", "无卡另列", "追缴", "发放汇总"])
        /// LibreOffice pads each row to the sheet's width: the cells up to the last filled one.
        func trimmed(_ rows: [[String]]) -> [[String]] {
            rows.map { row in Array(row.prefix(through: row.lastIndex { !$0.isEmpty } ?? -1)) }
        }
        func csvRows(_ path: String) throws -> [[String]] {
            trimmed(
                LibreOffice.parse(try String(contentsOfFile: path, encoding: .utf8)).map { row in
                    row.map { $0.hasPrefix("\t") ? String($0.dropFirst()) : $0 }
                })
        }
        // The disbursement: every line's ID and card number as the 18 and 19 digits they are.
        let lines = trimmed(try #require(sheets["发放名册"]))
        let expected = try csvRows(csv)
        let idColumn = try #require(expected[1].firstIndex(of: "领款人身份证号"))
        let cardColumn = try #require(expected[1].firstIndex(of: "一卡通账号"))
        #expect(lines[1] == expected[1])
        let ids = lines.dropFirst(2).dropLast().map { $0[idColumn] }
        #expect(ids.count == 3 && ids.allSatisfy { $0.count == 18 && $0.prefix(17).allSatisfy(\.isNumber) })
        #expect(Set(ids) == [Self.head, Self.elder, Self.orphan])
        #expect(Set(lines.dropFirst(2).dropLast().map { $0[cardColumn] }) == [Self.card, Self.card2])
        // Each line and the 合计 as the CSV roll has them (yuan shown with two decimals).
        #expect(Array(lines.dropFirst(2)) == Array(expected.dropFirst(2)))
        #expect(lines.last?.first == "合计" && lines.last?.contains("2220.00") == true)
        // The subtotals per township and village and the county's total, as roll-summary.csv.
        let summary = trimmed(try #require(sheets["发放汇总"]))
        #expect(Array(summary.dropFirst()) == Array(try csvRows(cli.directory + "/roll-summary.csv").dropFirst()))
        #expect(summary.filter { $0.first == "乡镇(街道)小计" }.count == 2)
        #expect(summary.last?.first == "县(市、区)合计" && summary.last?.contains("2220.00") == true)

        // The report: the same rows as its CSV, 小计 per township and the 合计.
        let report = cli.directory + "/report.xlsx"
        let printed = try await cli.ok(["hub", "report", "--month", "2026-11", "--format", "xlsx", "--out", report])
        #expect(printed.firstLine == report)
        let reportCSV = LibreOffice.parse(
            try await cli.ok(["hub", "report", "--month", "2026-11", "--format", "csv"]).stdout)
        let reportSheet = trimmed(try #require(try await LibreOffice.sheets(of: report).values.first))
        #expect(reportSheet.first?.first?.hasPrefix("社会救助情况统计表") == true)
        #expect(Array(reportSheet.dropFirst()) == reportCSV)
        #expect(reportSheet.contains { $0.count > 1 && $0[1] == "小计" })
        #expect(reportSheet.last?.first == "合计")
        let refused = try await cli.run(["hub", "report", "--month", "2026-11", "--format", "xlsx", "--out", report])
        #expect(refused.status != 0 && refused.stderr.contains("already exists"))
        let noOut = try await cli.run(["hub", "report", "--month", "2026-11", "--format", "xlsx"])
        #expect(noOut.status == 2 && noOut.stderr.contains("--out"))
        // A workbook is never written under a .csv name, nor CSV under an .xlsx one.
        let misnamed = try await cli.run([
            "hub", "payroll", "--month", "2026-11", "--out", csv + "x.csv", "--format", "xlsx",
        ])
        #expect(misnamed.status == 2 && misnamed.stderr.contains("ending in .xlsx"))
        let csvAsXLSX = try await cli.run(["hub", "payroll", "--month", "2026-11", "--out", cli.directory + "/r2.xlsx"])
        #expect(csvAsXLSX.status == 2 && csvAsXLSX.stderr.contains("--format xlsx"))
        let reportCSVName = try await cli.run([
            "hub", "report", "--month", "2026-11", "--format", "xlsx", "--out", cli.directory + "/r.csv",
        ])
        #expect(reportCSVName.status == 2)
        #expect(!FileManager.default.fileExists(atPath: csv + "x.csv"))
        #expect(!FileManager.default.fileExists(atPath: cli.directory + "/r2.xlsx"))
        #expect(!FileManager.default.fileExists(atPath: cli.directory + "/r.csv"))
    }
}
