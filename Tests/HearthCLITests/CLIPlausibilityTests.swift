import Foundation
import HearthCore
import Testing

@Suite("The hearth CLI refuses implausible enrollments unless --override says why (R6)")
struct CLIPlausibilityTests {
    @Test("56000 a month, urban dibao for a rural household: exit 65 naming the field; --override goes in the history")
    func enrollAndEdit() async throws {
        let (cli, _, head, _) = try await CLIFlowTests().seeded()
        let slip = try await cli.run([
            "enroll", "--member", head, "--program", "dibao_rural", "--amount", "56000", "--start", "2026-01",
        ])
        #expect(slip.status == 65, "\(slip.stderr)")
        #expect(slip.stderr.contains("amount:"), "\(slip.stderr)")
        #expect(slip.stderr.contains("above the dibao_rural ceiling"), "\(slip.stderr)")
        #expect(slip.stderr.contains("--override"), "\(slip.stderr)")
        let urban = try await cli.run([
            "enroll", "--member", head, "--program", "dibao_urban", "--amount", "560", "--start", "2026-01",
        ])
        #expect(urban.status == 65)
        #expect(urban.stderr.contains("program:"), "\(urban.stderr)")
        #expect(try await cli.ok(["enrollment", "list", "--json"]).json?.arrayValue?.isEmpty == true)

        let enrollment = try await cli.ok([
            "enroll", "--member", head, "--program", "dibao_rural", "--amount", "560", "--start", "2026-01",
        ]).firstLine
        let edit = try await cli.run([
            "enrollment", "edit", enrollment, "--amount", "56000", "--from", "2026-07", "--reason", "核定",
        ])
        #expect(edit.status == 65)
        #expect(edit.stderr.contains("amount:"), "\(edit.stderr)")
        try await cli.ok([
            "enrollment", "edit", enrollment, "--amount", "5000", "--from", "2026-07", "--reason", "核定",
            "--override", "大病一次性救助，县局批复",
        ])
        let history = try await cli.ok(["show", enrollment, "--history"]).stdout
        #expect(history.contains("amount change: 核定; plausibility override: 大病一次性救助，县局批复"), "\(history)")
    }
}
