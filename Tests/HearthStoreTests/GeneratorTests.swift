import Foundation
import GRDB
import HearthCore
import HearthLedger
@testable import HearthTools
import HearthTestSupport
import Testing

@testable import HearthStore

/// A generated county in a fresh temporary directory, removed when the test ends.
private func generated(
    _ profile: CountyProfile, seed: UInt64, month: Month, now: Int64 = GeneratorTests.now,
    _ body: (HubLedger, [Replica]) async throws -> Void
) async throws {
    try await onOwnThread { try await generatedOnThisThread(profile, seed: seed, month: month, now: now, body) }
}

private func generatedOnThisThread(
    _ profile: CountyProfile, seed: UInt64, month: Month, now: Int64,
    _ body: (HubLedger, [Replica]) async throws -> Void
) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-gen-\(UUID().uuidString)")
        .path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let (hub, nodes) = try await CountyGenerator(
        profile: profile, seed: seed, directory: directory, month: month, nowMillis: now
    )
    .run { _ in }
    try await body(hub, nodes)
}

/// What one paid dibao enrollment of a generated county says, read from the tables.
private struct DibaoCase {
    let program: Program
    let household: String
    let income: Int64?
    let amount: String
}

@Suite("A realistic synthetic county")
struct GeneratorTests {
    static let now: Int64 = 1_795_600_000_000
    static let november = try! Month.parse("2026-11", field: "m")
    /// Whether this build's amount schedules read `std` entries (they pay the standard in force).
    @Test("a generated profile's persons per program are its scaled figures exactly, and its roll is clean")
    func smallCounty() async throws {
        let profile = try #require(CountyProfile.all["small-county"]).scaled(0.2)
        try await generated(profile, seed: 7, month: Self.november) { hub, nodes in
            #expect(nodes.count == 5)
            let report = try hub.replica.report(
                from: Self.november, to: Self.november, by: .county, nowMillis: Self.now)
            for (program, declared) in profile.programs {
                let persons = report.lines.first { $0.program == program }?.persons ?? 0
                #expect(persons == declared, "\(program.rawValue): \(persons) paid, \(declared) declared")
            }
            let members = try hub.replica.status().counts[.member] ?? 0
            #expect(abs(members - profile.people) <= profile.people / 50)
            #expect(try hub.replica.status().counts[.household] == profile.households)

            // The roll, checked against the tables independently of the payroll code.
            let roll = try hub.replica.payroll(for: Self.november, nowMillis: Self.now)
            #expect(!roll.rows.isEmpty)
            try hub.replica.read { db in
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
            let deaths = try hub.replica.read { db in
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM enrollments WHERE exit_reason = 'death' AND status = 'exited'")
                    ?? 0
            }
            #expect(deaths > 0, "the profile has deaths this year, their enrollments ended")
        }
    }

    @Test("the same profile and seed give the same county")
    func reproducible() async throws {
        let profile = try #require(CountyProfile.all["city"]).scaled(0.01)
        var digests: [[Int]] = []
        var incomes: [[Int64]] = []
        for _ in 0..<2 {
            try await generated(profile, seed: 11, month: Self.november) { hub, _ in
                digests.append(
                    try hub.replica.report(from: Self.november, to: Self.november, by: .township, nowMillis: Self.now)
                        .lines
                        .map(\.persons))
                incomes.append(
                    try hub.replica.read { db in
                        try Int64.fetchAll(db, sql: "SELECT income FROM households WHERE income IS NOT NULL").sorted()
                    })
            }
        }
        #expect(digests[0] == digests[1])
        #expect(!digests[0].isEmpty)
        #expect(incomes[0] == incomes[1])
        #expect(!incomes[0].isEmpty)
    }

    @Test(
        "each program's total is its scaled figure exactly; dibao pays standard less income, ~280/234 yuan a person"
    )
    func exactProgramTotals() async throws {
        let profile = try #require(CountyProfile.all["city"]).scaled(0.1)
        #expect(profile.programs[.orphan] == 6, "6 orphans over 16 townships: each township's share rounds to 0")
        try await generated(profile, seed: 5, month: Self.november) { hub, _ in
            let report = try hub.replica.report(
                from: Self.november, to: Self.november, by: .township, nowMillis: Self.now)
            for (program, declared) in profile.programs {
                let persons = report.lines.filter { $0.program == program }.reduce(0) { $0 + $1.persons }
                #expect(persons == declared, "\(program.rawValue): \(persons) paid, \(declared) declared")
            }
            for program in CountyProfile.householdPrograms {
                let households = report.lines.filter { $0.program == program }.reduce(0) { $0 + $1.households }
                #expect(households == profile.programHouseholds[program], "\(program.rawValue) households")
            }
            #expect(try hub.replica.status().counts[.household] == profile.households)
            try checkTopUps(hub, profile)
        }
    }

    @Test("the largest-remainder split adds up to the total and spreads the remainder one by one")
    func apportion() {
        #expect(
            CountyProfile.apportion(6, over: 16, from: 0) == Array(repeating: 1, count: 6)
                + Array(repeating: 0, count: 10))
        #expect(
            CountyProfile.apportion(6, over: 16, from: 14) == [1, 1, 1, 1] + Array(repeating: 0, count: 10) + [1, 1])
        #expect(CountyProfile.apportion(56_790, over: 20, from: 3).reduce(0, +) == 56_790)
        #expect(Set(CountyProfile.apportion(56_790, over: 20, from: 3)) == [2_839, 2_840])
    }

    @Test(
        "dibao households are as small as the bureau's: 29,456 rural households for 56,790 persons (large district)"
    )
    func dibaoHouseholdSizes() async throws {
        let large = try #require(CountyProfile.all["large-district"])
        #expect(large.programHouseholds[.dibaoRural] == 29_456)
        // Every profile's dibao: about 1.9 persons per household (urban and rural alike).
        for profile in CountyProfile.all.values {
            for program in CountyProfile.householdPrograms {
                let persons = Double(profile.programs[program] ?? 0)
                let households = Double(profile.programHouseholds[program] ?? 0)
                #expect((1.85...2.0).contains(persons / households), "\(profile.name) \(program.rawValue)")
            }
        }
        let profile = large.scaled(0.03)
        try await generated(profile, seed: 9, month: Self.november) { hub, _ in
            let report = try hub.replica.report(
                from: Self.november, to: Self.november, by: .county, nowMillis: Self.now)
            let rural = try #require(report.lines.first { $0.program == .dibaoRural })
            #expect(rural.persons == profile.programs[.dibaoRural])
            #expect(rural.households == profile.programHouseholds[.dibaoRural])
            #expect(abs(Double(rural.households) - 29_456 * 0.03) <= 29_456 * 0.03 * 0.02)
            // The sizes are spread as dibao households are: mostly one or two persons, a few larger.
            let sizes = try hub.replica.read { db in
                try Int.fetchAll(
                    db,
                    sql: """
                        SELECT count(*) FROM enrollments WHERE program = 'dibao_rural' AND status = 'approved'
                        GROUP BY household
                        """)
            }
            let small = sizes.filter { $0 <= 2 }.count
            #expect(Double(small) / Double(sizes.count) > 0.6)
            #expect(sizes.contains { $0 >= 4 })
        }
    }

    /// Dibao pays the standard less the household's income (补差): about 280 yuan a person urban,
    /// 234 rural, never below the floor; read from the tables, not through the roll.
    func checkTopUps(_ hub: HubLedger, _ profile: CountyProfile) throws {
        let cases = try hub.replica.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT e.program, e.household, e.amount, h.income FROM enrollments e
                    JOIN households h ON h.id = e.household
                    WHERE e.program IN ('dibao_urban', 'dibao_rural') AND e.status = 'approved'
                    """
            ).map { row in
                DibaoCase(
                    program: Program(rawValue: row["program"])!, household: row["household"], income: row["income"],
                    amount: row["amount"])
            }
        }
        for program in CountyProfile.householdPrograms {
            let paid = cases.filter { $0.program == program }
            #expect(paid.count == profile.programs[program])
            let standard = CountyProfile.standard(program) * 100
            var total: Int64 = 0
            for one in paid {
                let income = try #require(one.income, "every dibao household has a verified income")
                // The schedule pays the standard less that income: `std-<income>` (or `std` for none).
                let pieces = one.amount.split(separator: ":")
                #expect(pieces.count == 2)
                let entry = String(pieces.last ?? "")
                let pays: Int64?
                if entry == "std" {
                    pays = standard
                } else if entry.hasPrefix("std-") {
                    pays = Int64(entry.dropFirst(4)).map { standard - $0 }
                } else {
                    Issue.record("\(one.amount) is a fixed amount, not the standard less the income")
                    pays = nil
                }
                #expect(pays == standard - income, "\(one.amount) against an income of \(income) fen")
                #expect(standard - income >= standard / 10, "the floor: 10% of the standard")
                #expect(income >= 0 && income % 100 == 0)
                total += standard - income
            }
            let mean = Double(total) / Double(max(1, paid.count)) / 100
            let target = Double(try #require(CountyProfile.dibaoMeanPaid[program]))
            #expect(abs(mean - target) <= target * 0.05, "\(program.rawValue): \(mean) yuan a person, \(target) wanted")
            // Households' incomes differ: some are paid nearly the standard, some the floor.
            let incomes = Set(paid.compactMap(\.income))
            #expect(incomes.count > 10)
        }
        // Every other program pays its standard in full, following it.
        let others = try hub.replica.read { db in
            try String.fetchAll(db, sql: "SELECT amount FROM enrollments WHERE program NOT LIKE 'dibao%'")
        }
        #expect(!others.isEmpty)
        #expect(others.allSatisfy { $0.hasSuffix(":std") })
    }

    @Test("the schedule text: `std` for the standard in full, `std-<fen>` for the standard less an income")
    func scheduleText() throws {
        let january = try Month.parse("2024-01", field: "m")
        #expect(CountyGenerator.scheduleText(from: january, lessIncome: Money(fen: 32_600)) == "2024-01:std-32600")
        #expect(CountyGenerator.scheduleText(from: january, lessIncome: nil) == "2024-01:std")
        #expect(CountyGenerator.scheduleText(from: january, lessIncome: Money(fen: 0)) == "2024-01:std")
        // The income quantiles: from the floor (10% of the standard) to the standard in full.
        #expect(CountyGenerator.dibaoIncome(.dibaoUrban, unit: 0) == 585)
        #expect(CountyGenerator.dibaoIncome(.dibaoRural, unit: 0.999_999) == 0)
    }

    @Test("centralized tekun support is not below the dispersed standard")
    func centralizedNotBelowDispersed() throws {
        let yuan = { (program: Program) in CountyProfile.standards.first { $0.program == program }?.yuan ?? 0 }
        #expect(yuan(.tekunCentralized) >= yuan(.tekunDispersed))
        #expect(CountyProfile.standard(.tekunCentralized) >= CountyProfile.standard(.tekunDispersed))
        for entry in CountyProfile.standards {
            let grade = entry.band == "1-2" ? 1 : entry.band == "3-4" ? 3 : nil
            let age = entry.band == "90-150" ? 92 : entry.band == "80-89" ? 85 : nil
            #expect(CountyProfile.standard(entry.program, grade: grade, age: age) == entry.yuan, "\(entry.program)")
        }
    }

    @Test("a generated county records its standards; a raise pays every follower the new standard from its month only")
    func raiseOnGeneratedCounty() async throws {
        let profile = try #require(CountyProfile.all["small-county"]).scaled(0.05)
        let december = Self.november.adding(months: 1)
        try await generated(profile, seed: 3, month: Self.november) { hub, nodes in
            #expect(try hub.replica.standards().count == CountyProfile.standards.count)
            #expect(try nodes.allSatisfy { try $0.standards().count == CountyProfile.standards.count })
            let before = try hub.replica.payroll(for: december, nowMillis: Self.now)
            let dispersed = before.rows.filter { $0.program == .tekunDispersed }
            #expect(!dispersed.isEmpty && dispersed.allSatisfy { $0.amount == Money(fen: 83_800) })
            let novemberTotal = try hub.replica.payroll(for: Self.november, nowMillis: Self.now).total

            _ = try await hub.setStandard(
                program: "tekun_dispersed", band: nil, from: "2026-12", amount: "900", note: nil, author: "admin",
                nowMillis: Self.now)
            #expect(try hub.replica.payroll(for: Self.november, nowMillis: Self.now).total == novemberTotal)
            let after = try hub.replica.payroll(for: december, nowMillis: Self.now)
            #expect(
                after.rows.filter { $0.program == .tekunDispersed }.map(\.enrollment) == dispersed.map(\.enrollment))
            #expect(after.rows.filter { $0.program == .tekunDispersed }.allSatisfy { $0.amount == Money(fen: 90_000) })
            #expect(after.total.fen - before.total.fen == Int64(dispersed.count) * 6_200)
        }
    }

    @Test(
        "a raise of the dibao standard raises every generated 补差 payment by the same amount")
    func raiseCarriesTopUps() async throws {
        let profile = try #require(CountyProfile.all["small-county"]).scaled(0.05)
        let december = Self.november.adding(months: 1)
        try await generated(profile, seed: 3, month: Self.november) { hub, _ in
            let before = try hub.replica.payroll(for: december, nowMillis: Self.now).rows.filter {
                $0.program == .dibaoRural
            }
            #expect(!before.isEmpty)
            #expect(before.contains { $0.amount != Money(fen: 56_000) }, "incomes are deducted")
            _ = try await hub.setStandard(
                program: "dibao_rural", band: nil, from: "2026-12", amount: "600", note: nil, author: "admin",
                nowMillis: Self.now)
            let after = try hub.replica.payroll(for: december, nowMillis: Self.now).rows.filter {
                $0.program == .dibaoRural
            }
            #expect(after.map(\.enrollment) == before.map(\.enrollment))
            #expect(zip(before, after).allSatisfy { $1.amount.fen - $0.amount.fen == 4_000 })
        }
    }
}
