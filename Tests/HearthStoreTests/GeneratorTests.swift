import Foundation
import GRDB
import HearthCore
import Testing

@testable import HearthStore

@Suite("A realistic synthetic county")
struct GeneratorTests {
    @Test("a generated profile's persons per program match its figures within 2% for the named month, and its roll is clean")
    func smallCounty() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-gen-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let profile = try #require(CountyProfile.all["small-county"]).scaled(0.2)
        let month = try Month.parse("2026-11", field: "m")
        let now: Int64 = 1_795_600_000_000
        let (hub, nodes) = try CountyGenerator(profile: profile, seed: 7, directory: directory, month: month, nowMillis: now)
            .run { _ in }
        #expect(nodes.count == 5)
        let report = try hub.report(from: month, to: month, by: .county, nowMillis: now)
        for (program, declared) in profile.programs {
            let persons = report.lines.first { $0.program == program }?.persons ?? 0
            let tolerance = max(2, Int((Double(declared) * 0.02).rounded(.up)))
            #expect(abs(persons - declared) <= tolerance, "\(program.rawValue): \(persons) paid, \(declared) declared")
        }
        let members = try hub.status().counts[.member] ?? 0
        #expect(abs(members - profile.people) <= profile.people / 50)

        // The roll, checked against the tables independently of the payroll code.
        let roll = try hub.payroll(for: month, nowMillis: now)
        #expect(!roll.rows.isEmpty)
        try hub.read { db in
            var seen: Set<String> = []
            for row in roll.rows {
                let facts = try #require(
                    try Row.fetchOne(
                        db,
                        sql: """
                            SELECT m.vital_status, m.id_number_hash, e.status, e.decision, e.end_month, e.program
                            FROM enrollments e JOIN members m ON m.id = e.member WHERE e.id = ?
                            """, arguments: [row.enrollment.value]))
                #expect((facts["vital_status"] as String) == "alive")
                #expect((facts["decision"] as String) == "approved")
                #expect((facts["status"] as String) == "approved")
                #expect((facts["end_month"] as String?) == nil)
                let person = "\(facts["id_number_hash"] as String)|\(facts["program"] as String)"
                #expect(seen.insert(person).inserted, "a person paid twice in one program")
            }
        }
        let deaths = try hub.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM enrollments WHERE exit_reason = 'death' AND status = 'exited'") ?? 0
        }
        #expect(deaths > 0, "the profile has deaths this year, their enrollments ended")
    }

    @Test("the same profile and seed give the same county")
    func reproducible() throws {
        let profile = try #require(CountyProfile.all["city"]).scaled(0.01)
        let month = try Month.parse("2026-11", field: "m")
        var digests: [[Int]] = []
        for _ in 0..<2 {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-gen-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let (hub, _) = try CountyGenerator(profile: profile, seed: 11, directory: directory, month: month, nowMillis: 1_795_600_000_000)
                .run { _ in }
            digests.append(try hub.report(from: month, to: month, by: .township, nowMillis: 1_795_600_000_000).lines.map(\.persons))
        }
        #expect(digests[0] == digests[1])
        #expect(!digests[0].isEmpty)
    }

    @Test("a generated county records its standards; a raise pays every follower the new standard from its month only")
    func raiseOnGeneratedCounty() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-gen-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let profile = try #require(CountyProfile.all["small-county"]).scaled(0.05)
        let november = try Month.parse("2026-11", field: "m")
        let december = november.adding(months: 1)
        let now: Int64 = 1_795_600_000_000
        let (hub, nodes) = try CountyGenerator(profile: profile, seed: 3, directory: directory, month: november, nowMillis: now)
            .run { _ in }
        #expect(try hub.standards().count == CountyProfile.standards.count)
        #expect(try nodes.allSatisfy { try $0.standards().count == CountyProfile.standards.count })
        let before = try hub.payroll(for: december, nowMillis: now)
        let rural = before.rows.filter { $0.program == .dibaoRural }
        #expect(!rural.isEmpty && rural.allSatisfy { $0.amount == Money(fen: 56_000) })
        let novemberTotal = try hub.payroll(for: november, nowMillis: now).total

        try hub.setStandard(program: "dibao_rural", band: nil, from: "2026-12", amount: "600", note: nil, author: "admin", nowMillis: now)
        #expect(try hub.payroll(for: november, nowMillis: now).total == novemberTotal)
        let after = try hub.payroll(for: december, nowMillis: now)
        #expect(after.rows.filter { $0.program == .dibaoRural }.map(\.enrollment) == rural.map(\.enrollment))
        #expect(after.rows.filter { $0.program == .dibaoRural }.allSatisfy { $0.amount == Money(fen: 60_000) })
        #expect(after.total.fen - before.total.fen == Int64(rural.count) * 4_000)
    }
}
