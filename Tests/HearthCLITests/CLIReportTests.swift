import Foundation
import HearthCore
import Testing

@Suite("The bureau's report counts each household and person once in its totals")
struct CLIReportTests {
    /// A township node: a household in village 001 on rural dibao whose head also draws the
    /// elderly allowance, and a one-person household on rural dibao in village 002.
    func county() async throws -> CLIRunner {
        let cli = try CLIRunner()
        try await cli.ok(["node", "init", "--name", "沙河镇", "--scope", "421281101"])
        func household(_ village: String, _ address: String) async throws -> String {
            try await cli.ok(["household", "add", "--village", village, "--address", address, "--type", "rural"])
                .firstLine
        }
        func member(_ household: String, _ name: String, _ born: String, _ relation: String) async throws -> String {
            let first17 = "421281" + born + "011"
            let id = first17 + String(IDNumber.checkDigit(of: first17)!)
            return try await cli.ok([
                "member", "add", "--household", household, "--name", name, "--id-number", id, "--relation", relation,
            ]).firstLine
        }
        let both = try await household("421281101001", "一组1号")
        let head = try await member(both, "甲", "19400101", "head")
        _ = try await member(both, "乙", "19450101", "spouse")
        let single = try await household("421281101002", "二组2号")
        _ = try await member(single, "丙", "19600101", "head")
        var enrollments: [String] = []
        for home in [both, single] {
            enrollments += try await cli.ok([
                "enroll", "--household", home, "--program", "dibao_rural", "--amount", "560", "--start", "2026-01",
            ]).stdout.split(separator: "\n").map(String.init)
        }
        enrollments.append(
            try await cli.ok([
                "enroll", "--member", head, "--program", "elderly", "--amount", "100", "--start", "2026-01",
            ])
            .firstLine)
        #expect(enrollments.count == 4)
        for enrollment in enrollments { try await cli.ok(["approve", enrollment]) }
        return cli
    }

    @Test("a household in two programs is one household in its area's 小计 and in the 合计; money adds up")
    func distinctTotals() async throws {
        let cli = try await county()
        let csv = try await cli.ok([
            "report", "--from", "2026-01", "--to", "2026-11", "--by", "village", "--format", "csv",
        ])
        .stdout
        let rows = csv.replacingOccurrences(of: "\u{FEFF}", with: "").split(separator: "\r\n").map { line in
            line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        func row(_ area: String, _ program: String) -> [String]? {
            rows.first { $0.count == 8 && $0[0] == area && $0[1] == program }
        }
        // Program rows keep their own figures.
        #expect(row("421281101001", "农村低保")?[2...3] == ["1", "2"])
        #expect(row("421281101001", "高龄津贴")?[2...3] == ["1", "1"])
        #expect(row("421281101002", "农村低保")?[2...3] == ["1", "1"])
        // Totals: distinct households and persons; money summed.
        #expect(row("421281101001", "小计")?[2...3] == ["1", "2"], "\(csv)")
        #expect(row("421281101001", "小计")?[6] == "1220.00")
        #expect(row("421281101002", "小计")?[2...3] == ["1", "1"])
        let total = try #require(row("合计", ""), "\(csv)")
        #expect(total[2...3] == ["2", "3"], "\(csv)")
        #expect(total[4] == "4", "new entries are enrollments, summed over programs")
        #expect(total[6] == "1780.00")
        #expect(total[7] == "19580.00", "eleven months")
    }

    @Test("--format json is one document carrying the lines, a distinct total per area and the grand total")
    func jsonTotals() async throws {
        let cli = try await county()
        let result = try await cli.ok(["report", "--month", "2026-11", "--by", "township", "--format", "json"])
        let report = try #require(result.json, "one JSON document: \(result.stdout)")
        let lines = try #require(report["lines"]?.arrayValue)
        #expect(lines.count == 2)
        #expect(lines.map { $0["persons"]?.integerValue } == [3, 1])
        let areas = try #require(report["area_totals"]?.arrayValue)
        #expect(areas.count == 1)
        #expect(areas.first?["area"]?.stringValue == "421281101")
        #expect(areas.first?["households"]?.integerValue == 2)
        #expect(areas.first?["persons"]?.integerValue == 3)
        #expect(areas.first?["program"] == nil)
        let total = try #require(report["total"])
        #expect(total["households"]?.integerValue == 2)
        #expect(total["persons"]?.integerValue == 3)
        #expect(total["month_total_fen"]?.integerValue == 178_000)
    }
}
