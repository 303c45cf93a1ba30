import Foundation
import HearthCore
import Testing

@Suite("The CSV files Hearth writes carry no live formulas")
struct CLISpreadsheetTests {
    static func id(_ first17: String) -> String { first17 + String(IDNumber.checkDigit(of: first17)!) }
    static let formula = "=HYPERLINK(\"http://x\",\"y\")"

    @Test("a member named like a formula is neutralised in the payroll CSV; recoveries stay negative numbers")
    func payrollAndReport() async throws {
        let cli = try CLIRunner()
        let hub = cli.directory + "/hub.db"
        try await cli.ok(["hub", "init", "--db", hub, "--name", "宜城", "--scope", "421281"])
        func person(_ name: String, _ id: String, village: String) async throws -> (member: String, enrollment: String)
        {
            let home = try await cli.ok([
                "household", "add", "--db", hub, "--village", village, "--address", "一组", "--type", "rural",
                "--bank-card", "6222020200112233445",
            ]).firstLine
            let member = try await cli.ok([
                "member", "add", "--db", hub, "--household", home, "--name", name, "--id-number", id, "--relation",
                "head",
            ]).firstLine
            let enrollment = try await cli.ok([
                "enroll", "--db", hub, "--member", member, "--program", "dibao_rural", "--amount", "560", "--start",
                "2026-01",
            ]).firstLine
            try await cli.ok(["approve", "--db", hub, enrollment])
            return (member, enrollment)
        }
        _ = try await person(Self.formula, Self.id("42128119600101011"), village: "421281101001")
        let dead = try await person(
            "@SUM(1+1)*cmd|' /C calc'!A0", Self.id("42128119400101021"), village: "421281101002")
        try await cli.ok([
            "hub", "payroll", "--db", hub, "--month", "2026-09", "--out", cli.directory + "/paid.csv", "--lock",
        ])
        // Found after September was paid: a death in August, so September's 560.00 is recovered (追缴).
        try await cli.ok(["death", "--db", hub, "--member", dead.member, "--date", "2026-08-20"])
        let roll = cli.directory + "/roll-2026-10.csv"
        try await cli.ok(["hub", "payroll", "--db", hub, "--month", "2026-10", "--out", roll])

        // The bank's file names the payee (and 户名) neutralised; the recovery is in a file of its own.
        let text = try String(contentsOfFile: roll, encoding: .utf8)
        #expect(text.contains(",\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\","), "\(text)")
        #expect(!text.contains(",\"=HYPERLINK"))
        #expect(!text.contains(",=HYPERLINK"))
        // Every cell of every line of the four files: none begins with what a spreadsheet runs, except plain numbers.
        let files = ["", "-no-card", "-recovery", "-summary"].map { cli.directory + "/roll-2026-10" + $0 + ".csv" }
        for file in files {
            let lines = try String(contentsOfFile: file, encoding: .utf8).dropFirst().split(separator: "\r\n")
            #expect(lines.count >= 2, "\(file)")
            for line in lines {
                for cell in Self.cells(String(line)) {
                    let first = cell.unicodeScalars.first
                    #expect(
                        !["=", "+", "@"].contains(first) && (first != "-" || Double(cell) != nil),
                        "a live cell \(cell) in \(line)")
                }
            }
        }
        let recoveries = try String(contentsOfFile: files[2], encoding: .utf8).split(separator: "\r\n")
        #expect(recoveries.count == 3)
        #expect(Self.cells(String(recoveries[2])).contains("-560.00"), "\(recoveries[2])")
        #expect(recoveries[2].contains("'@SUM(1+1)"), "\(recoveries[2])")
        #expect(!text.contains("-560.00"), "recovery is never netted into the bank's file")
        #expect(text.contains("\t" + Self.id("42128119600101011")), "ID numbers keep their tab (text in Excel)")

        // The report's CSV (codes, program names and numbers) goes through the same writer: the village
        // whose only line is a recovery keeps its negative total as a number.
        let report = try await cli.ok([
            "hub", "report", "--db", hub, "--month", "2026-10", "--by", "village", "--format", "csv",
        ])
        let lines = report.stdout.split(separator: "\r\n").map { Self.cells(String($0)) }
        let recovered = try #require(lines.first { $0.first == "421281101002" })
        #expect(recovered.last == "-560.00", "\(recovered)")
        #expect(lines.first { $0.first == "421281101001" }?.last == "560.00")
    }

    /// The cells of one CSV line as written (quotes removed, doubled quotes undone).
    static func cells(_ line: String) -> [String] {
        var cells: [String] = []
        var cell = ""
        var quoted = false
        var iterator = Array(line).makeIterator()
        var previousQuote = false
        while let character = iterator.next() {
            if quoted {
                if character == "\"" {
                    quoted = false
                    previousQuote = true
                } else {
                    cell.append(character)
                }
            } else if character == "\"" {
                if previousQuote { cell.append("\"") }
                quoted = true
                previousQuote = false
            } else if character == "," {
                cells.append(cell)
                cell = ""
                previousQuote = false
            } else {
                cell.append(character)
                previousQuote = false
            }
        }
        cells.append(cell)
        return cells
    }
}
