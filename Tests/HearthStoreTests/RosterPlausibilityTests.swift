import Foundation
import GRDB
import HearthCore
import HearthLedger
import Testing

@testable import HearthStore

/// R6 in a roster import: an implausible enrollment row is a bad row unless its 特批理由
/// (override) cell says why it is right; the reason then goes into the op and the audit.
@Suite("Plausibility in a roster import (R6)")
struct RosterPlausibilityTests {
    typealias Roster = RosterImportTests

    /// The import suite's helpers, kept for the whole test: the hub `importing` returns lives in
    /// their directories, which go when they do.
    let tests = Roster()

    static let header = Roster.header + ",特批理由"
    static let zhao = Roster.id("42128119750303005")
    static let qian = Roster.id("42128119600404006")

    /// Line 2: plausible. Line 3: 56,000 yuan a month (no standard: above 3,000). Line 4: urban
    /// dibao for a rural household.
    static func rows(override3: String = "", override4: String = "") -> [String] {
        [
            "421281101001,0001,新庄村1号,农村,,,王秀英,\(Roster.head),户主,,农村低保,560,2026-01,不需要",
            "421281101001,0003,新庄村3号,农村,,,赵六,\(zhao),户主,,农村低保,56000,2026-01,\(override3)",
            "421281101001,0004,新庄村4号,农村,,,钱七,\(qian),户主,,城市低保,700,2026-01,\(override4)",
        ]
    }

    func importing(_ rows: [String], header: String = header) async throws -> (HubLedger, RosterImportReport) {
        let folder = try tests.directory()
        let hub = try tests.hub(folder)
        let path = try tests.write(Roster.csv(rows, header: header), to: folder + "/roster.csv")
        return (hub, try await tests.importing(hub, path))
    }

    @Test("an implausible row is bad, naming the column and pointing to 特批理由; nothing is imported")
    func refused() async throws {
        let (hub, report) = try await importing(Self.rows())
        #expect(report.refused)
        #expect(report.badLines == [3, 4])
        let amount = report.problems.first { $0.line == 3 }
        #expect(amount?.field == "月保障金额")
        #expect(amount?.reason.contains("56000.00 yuan a month from 2026-01 is above the dibao_rural ceiling") == true)
        #expect(amount?.reason.contains("特批理由") == true)
        let program = report.problems.first { $0.line == 4 }
        #expect(program?.field == "救助项目")
        #expect(program?.reason.contains("for urban households; this household is rural") == true)
        #expect(try hub.replica.list(.enrollment).isEmpty)
        // A roster without the column: the same rows are bad the same way.
        let plain = Self.rows().map { String($0[..<$0.lastIndex(of: ",")!]) }
        let (_, without) = try await importing(plain, header: Roster.header)
        #expect(without.badLines == [3, 4])
    }

    @Test("with a reason in 特批理由 the rows are imported; the cause and the hub's audit keep the reason")
    func overridden() async throws {
        let (hub, report) = try await importing(Self.rows(override3: "大病一次性救助，县局批复", override4: "户籍待迁"))
        #expect(!report.refused)
        #expect(report.enrollmentsCreated == 3)
        let causes = try hub.replica.allOps().filter { $0.record.type == .enrollment }.map { $0.cause ?? "" }
        #expect(
            causes == [
                "roster import: roster.csv line 2",
                "roster import: roster.csv line 3; plausibility override: 大病一次性救助，县局批复",
                "roster import: roster.csv line 4; plausibility override: 户籍待迁",
            ])
        let audit = try await hub.decisions().filter { $0.rule == "R6" }
        #expect(audit.map(\.note) == ["plausibility override: 大病一次性救助，县局批复", "plausibility override: 户籍待迁"])
        #expect(audit.allSatisfy { $0.worker == "county-admin" && $0.choice == "override" })
    }
}
