import Foundation
import HearthCore
import Testing

@Suite("The hearth CLI refuses implausible enrollments unless --override says why (R6)")
struct CLIPlausibilityTests {
    @Test("56000 a month, urban dibao for a rural household: exit 65 naming the field; --override goes in the history")
    func enrollAndEdit() throws {
        let (cli, _, head, _) = try CLIFlowTests().seeded()
        let slip = try cli.run([
            "enroll", "--member", head, "--program", "dibao_rural", "--amount", "56000", "--start", "2026-01",
        ])
        #expect(slip.status == 65, "\(slip.stderr)")
        #expect(slip.stderr.contains("amount:"), "\(slip.stderr)")
        #expect(slip.stderr.contains("above the dibao_rural ceiling"), "\(slip.stderr)")
        #expect(slip.stderr.contains("--override"), "\(slip.stderr)")
        let urban = try cli.run([
            "enroll", "--member", head, "--program", "dibao_urban", "--amount", "560", "--start", "2026-01",
        ])
        #expect(urban.status == 65)
        #expect(urban.stderr.contains("program:"), "\(urban.stderr)")
        #expect(try cli.ok(["enrollment", "list", "--json"]).json?.arrayValue?.isEmpty == true)

        let enrollment = try cli.ok([
            "enroll", "--member", head, "--program", "dibao_rural", "--amount", "560", "--start", "2026-01",
        ]).firstLine
        let edit = try cli.run([
            "enrollment", "edit", enrollment, "--amount", "56000", "--from", "2026-07", "--reason", "核定",
        ])
        #expect(edit.status == 65)
        #expect(edit.stderr.contains("amount:"), "\(edit.stderr)")
        try cli.ok([
            "enrollment", "edit", enrollment, "--amount", "5000", "--from", "2026-07", "--reason", "核定",
            "--override", "大病一次性救助，县局批复",
        ])
        let history = try cli.ok(["show", enrollment, "--history"]).stdout
        #expect(history.contains("amount change: 核定; plausibility override: 大病一次性救助，县局批复"), "\(history)")
    }
}
