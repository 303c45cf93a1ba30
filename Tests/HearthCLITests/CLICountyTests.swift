import Foundation
import HearthCore
import Testing

@Suite("What the bureau produces, end to end on a generated county")
struct CLICountyTests {
    private func total(_ result: CLIRunner.Result) -> String { result.json?["total_yuan"]?.stringValue ?? "?" }

    @Test("generate, report by township, a raise, a death list with leads, the roll and the recovery report")
    func bureauDay() throws {
        let cli = try CLIRunner()
        let out = cli.directory + "/city"
        _ = try cli.ok(["hub", "generate", "--profile", "city", "--out", out, "--seed", "1", "--scale", "0.01", "--month", "2026-11"])
        let hub = out + "/hub.db"

        let report = try cli.ok(["hub", "report", "--db", hub, "--month", "2026-11", "--by", "township"])
        for heading in ["地区", "救助项目", "户数", "人数", "城市低保", "农村低保", "合计"] {
            #expect(report.stdout.contains(heading), "the report shows \(heading)")
        }
        let areas = report.stdout.split(separator: "\n").compactMap { line -> String? in
            line.split(separator: " ").first.map(String.init)
        }
        let townships = Set(areas.filter { $0.count == 9 && $0.allSatisfy(\.isNumber) })
        #expect(townships.count == 16, "one line group per township of the city profile")

        // A raise from December: November's roll is untouched, December's pays dispersed tekun 900
        // (a program paid the standard in full; dibao pays the standard less the household's income).
        #expect(try cli.ok(["hub", "standard", "list", "--db", hub, "--json"]).json?.arrayValue?.count == 11)
        let novemberBefore = total(try cli.ok(["hub", "payroll", "--db", hub, "--month", "2026-11", "--out", cli.directory + "/n1.csv", "--json"]))
        let decemberBefore = try cli.ok(["hub", "payroll", "--db", hub, "--month", "2026-12", "--out", cli.directory + "/d1.csv", "--json"])
        let raised = try cli.ok(["hub", "standard", "set", "--db", hub, "--program", "特困分散供养", "--from", "2026-12", "--amount", "900"])
        #expect(raised.firstLine.hasPrefix("S-"))
        #expect(total(try cli.ok(["hub", "payroll", "--db", hub, "--month", "2026-11", "--out", cli.directory + "/n2.csv", "--json"])) == novemberBefore)
        let december = try cli.ok(["hub", "payroll", "--db", hub, "--month", "2026-12", "--out", cli.directory + "/d2.csv", "--json"])
        #expect(total(december) != total(decemberBefore))
        let decemberRoll = try String(contentsOfFile: cli.directory + "/d2.csv", encoding: .utf8)
        let raisedLines = decemberRoll.split(separator: "\r\n").filter { $0.contains(",特困分散供养,") }
        #expect(!raisedLines.isEmpty && raisedLines.allSatisfy { $0.contains(",900.00,") })

        // A death list: two people on the roll, a stranger, and a row Excel mangled.
        let paid = decemberRoll.split(separator: "\r\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let first = String(paid[0][4]).trimmingCharacters(in: .whitespaces)
        let second = String(paid[paid.count - 1][4]).trimmingCharacters(in: .whitespaces)
        let stranger = "43010119300101001" + String(IDNumber.checkDigit(of: "43010119300101001")!)
        let list = cli.directory + "/deaths.csv"
        let text = ["姓名,身份证号,死亡日期,来源", "甲,\(first),2026-10-03,殡葬管理所", "乙,\(second),2026/11/20,公安户籍注销",
            "丙,\(stranger),2026-09-01,殡葬管理所", "丁,4.21281E+17,2026-09-01,殡葬管理所"].joined(separator: "\n") + "\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: list))
        let refused = try cli.run(["hub", "crosscheck", "import", "--db", hub, "--source", "death", list])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("line 5, 身份证号"))
        #expect(!refused.stderr.contains(first) && !refused.stdout.contains(first))
        let imported = try cli.ok(["hub", "crosscheck", "import", "--db", hub, "--source", "death", list, "--skip-invalid"])
        #expect(imported.firstLine == "2")
        #expect(!imported.stdout.contains(first) && !imported.stderr.contains(first))
        #expect(FileManager.default.fileExists(atPath: cli.directory + "/deaths.skipped.csv"))
        #expect(try cli.ok(["hub", "crosscheck", "import", "--db", hub, "--source", "death", list, "--skip-invalid"]).firstLine == "0")
        let leads = try #require(try cli.ok(["hub", "leads", "--db", hub, "--status", "open", "--json"]).json?.arrayValue)
        #expect(leads.count == 2)
        #expect(leads.allSatisfy { !($0["detail"]?.stringValue ?? "").contains(first) })

        // The December roll no longer pays them; confirming one lead records the death.
        let held = try cli.ok(["hub", "payroll", "--db", hub, "--month", "2026-12", "--out", cli.directory + "/d3.csv", "--json"])
        let heldRoll = try String(contentsOfFile: cli.directory + "/d3.csv", encoding: .utf8)
        #expect(!heldRoll.contains(first) && !heldRoll.contains(second))
        #expect((held.json?["left_out"]?["suspended"]?.integerValue ?? 0) >= 2)
        let lead = try #require(leads.first { ($0["reported_date"]?.stringValue) == "2026-10-03" }?["id"]?.stringValue)
        let confirmed = try cli.ok(["lead", "confirm", lead, "--note", "火化证明已核", "--db", hub])
        #expect(confirmed.firstLine.hasPrefix("E-"))
        #expect(try cli.ok(["hub", "leads", "--db", hub, "--status", "confirmed", "--json"]).json?.arrayValue?.count == 1)
        let recovery = try #require(try cli.ok(["hub", "recovery", "--db", hub, "--json"]).json)
        #expect(recovery["lines"]?.arrayValue != nil)
    }
}
