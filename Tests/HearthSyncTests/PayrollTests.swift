import Foundation
import GRDB
import HearthClient
import HearthCore
import HearthLedger
import HearthStore
import Testing

@Suite("The payment roll never pays a dead, exited, suspended, held, unidentified or duplicated person")
struct PayrollTests {
    @Test(
        "a month's roll built from replicas syncing through the hub pays exactly the payable cases, each person once",
        arguments: HubStoreKind.allCases)
    func payableOnly(_ store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let other = try await county.node(name: "village-002", scope: TestCounty.village2, hubURL: url)
            let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            func person(_ node: Replica, _ village: String, _ name: String, _ id: String?) throws -> (
                RecordID, RecordID
            ) {
                let home = try node.household(in: village, address: name)
                let member = try node.member(of: home, name: name, idNumber: id)
                let enrollment = try node.enroll(
                    EnrollInput(member: member.value, program: "dibao_rural", amount: "560", start: "2026-01"),
                    author: "w1",
                    nowMillis: TestCounty.now)[0]
                return (member, enrollment)
            }
            let (_, paid) = try person(village, TestCounty.village1, "甲", idNumber(born: "19600101", sequence: "011"))
            let (dead, deadEnrollment) = try person(
                village, TestCounty.village1, "乙", idNumber(born: "19400101", sequence: "021"))
            let (_, suspended) = try person(
                village, TestCounty.village1, "丙", idNumber(born: "19500101", sequence: "031"))
            let (_, exited) = try person(village, TestCounty.village1, "丁", idNumber(born: "19550101", sequence: "041"))
            let (_, pending) = try person(village, TestCounty.village1, "戊", nil)
            let (_, held) = try person(village, TestCounty.village1, "己", idNumber(born: "19650101", sequence: "051"))
            let (_, applied) = try person(
                village, TestCounty.village1, "庚", idNumber(born: "19700101", sequence: "061"))
            let twice = idNumber(born: "19450101", sequence: "071")
            let (_, first) = try person(village, TestCounty.village1, "辛", twice)
            let (_, second) = try person(other, TestCounty.village2, "辛", twice)
            for node in [village, other, township] { try await county.sync(node, url: url) }
            for enrollment in [paid, deadEnrollment, suspended, exited, pending, held, first, second] {
                try township.changeEnrollment(
                    enrollment.value, .approve, note: nil, author: "t1", nowMillis: TestCounty.now)
            }
            try township.changeEnrollment(suspended.value, .suspend, note: nil, author: "t1", nowMillis: TestCounty.now)
            try township.exitEnrollment(
                exited.value, reason: "收入超标", end: "2026-09", author: "t1", nowMillis: TestCounty.now)
            try await county.sync(township, url: url)
            for node in [village, other] { try await county.sync(node, url: url) }
            _ = try village.recordDeath(member: dead.value, date: "2026-10-10", author: "w1", nowMillis: TestCounty.now)
            // Two writers with authority over the money disagree (a village's change to an approved
            // enrollment would be held as a recommendation instead, R7).
            try await county.hub.writing(author: "a", nowMillis: TestCounty.now) {
                try $0.changeAmount(
                    held.value, amount: "600", from: "2026-07", reason: "核增", author: "county",
                    nowMillis: TestCounty.now)
            }.result
            try township.changeAmount(
                held.value, amount: "500", from: "2026-07", reason: "核减", author: "t1", nowMillis: TestCounty.now)
            for _ in 0..<2 { for node in [village, other, township] { try await county.sync(node, url: url) } }

            let november = try Month.parse("2026-11", field: "month")
            let roll = try await county.hub.reading { try $0.payroll(for: november, nowMillis: TestCounty.now) }
            let paidIDs = Set(roll.rows.map(\.enrollment))
            #expect(paidIDs.count == roll.rows.count)
            #expect(paidIDs.contains(paid))
            #expect(paidIDs.intersection([first, second]).count == 1, "the duplicated person is paid once")
            #expect(paidIDs.count == 2)
            #expect(!paidIDs.contains(deadEnrollment))
            // October, the month of the death: paid by default (次月停发); left out as deceased
            // once the county stops payment from the month of death (当月停发).
            let octoberMonth = try Month.parse("2026-10", field: "month")
            let october = try await county.hub.reading { try $0.payroll(for: octoberMonth, nowMillis: TestCounty.now) }
            #expect(october.rows.contains { $0.enrollment == deadEnrollment && $0.amount == Money(fen: 56_000) })
            _ = try await county.hub.setSetting(
                name: "death_month", value: "stopped", note: nil, author: "county", nowMillis: TestCounty.now)
            let stopped = try await county.hub.reading { try $0.payroll(for: octoberMonth, nowMillis: TestCounty.now) }
            #expect(stopped.leftOut["deceased"] == [deadEnrollment])
            #expect(!stopped.rows.contains { $0.enrollment == deadEnrollment })
            _ = try await county.hub.setSetting(
                name: "death_month", value: "paid", note: nil, author: "county", nowMillis: TestCounty.now)
            #expect(roll.leftOut["suspended"] == [suspended])
            #expect(roll.leftOut["no ID number (pending)"] == [pending])
            #expect(roll.leftOut["held (conflict or rule case)"]?.contains(held) == true)
            #expect(roll.leftOut["not approved"] == [applied])
            #expect(!paidIDs.contains(exited), "exited in September")
            #expect(roll.total == Money(fen: 2 * 56_000))
            #expect(roll.rows.allSatisfy { $0.idNumber.count == 18 })

            // The report for the same month agrees with the roll; the period sums its months.
            let report = try await county.hub.reading {
                try $0.report(
                    from: november, to: november, by: .county, nowMillis: TestCounty.now)
            }
            #expect(report.total.persons == Set(roll.rows.map(\.member)).count)
            #expect(report.lines.reduce(0) { $0 + $1.monthTotal.fen } == roll.total.fen)
            #expect(report.total.monthTotal == roll.total)
            let year = try await county.hub.reading {
                try $0.report(
                    from: try Month.parse("2026-01", field: "from"), to: november, by: .township,
                    nowMillis: TestCounty.now)
            }
            var expected: Int64 = 0
            var month = try Month.parse("2026-01", field: "m")
            while month <= november {
                let paying = month
                expected += try await county.hub.reading { try $0.payroll(for: paying, nowMillis: TestCounty.now) }
                    .total.fen
                month = month.adding(months: 1)
            }
            #expect(year.lines.reduce(0) { $0 + $1.periodTotal.fen } == expected)
            #expect(year.total.periodTotal.fen == expected)
            #expect(year.lines.allSatisfy { $0.area.count == 9 })

            // September: the exited one is still paid, the dead one too (died in October).
            let september = try await county.hub.reading {
                try $0.payroll(
                    for: try Month.parse("2026-09", field: "month"), nowMillis: TestCounty.now)
            }
            let septemberIDs = Set(september.rows.map(\.enrollment))
            #expect(septemberIDs.isSuperset(of: [paid, exited, deadEnrollment]))
            #expect(!septemberIDs.contains(held))
            // The amount is disputed from July only: March, which every value agrees on, is paid.
            let march = try await county.hub.reading {
                try $0.payroll(
                    for: try Month.parse("2026-03", field: "month"), nowMillis: TestCounty.now)
            }
            #expect(march.rows.contains { $0.enrollment == held && $0.amount == Money(fen: 56_000) })
            #expect(march.leftOut["held (conflict or rule case)"]?.contains(held) != true)

            // The files: owner-only, a BOM for Excel, Chinese headers, the numbers in clear. No
            // household here has a card: every line is listed apart, none goes to the bank.
            let path = county.directory + "/roll-2026-11.csv"
            let bank = try await county.hub.bankRoll(roll)
            let paths = try await county.hub.writeRoll(bank, to: path, worker: "admin", nowMillis: TestCounty.now)
            #expect(bank.lines.isEmpty && bank.withoutCard.count == 2)
            for file in paths.all {
                let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
                #expect(mode == 0o600, "\(file)")
                let bytes = try #require(FileManager.default.contents(atPath: file))
                #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF], "\(file)")
            }
            let text = try String(contentsOfFile: paths.noCard, encoding: .utf8)
            #expect(text.contains("身份证号"))
            #expect(text.contains("农村低保"))
            #expect(text.contains(idNumber(born: "19600101", sequence: "011")))
            await #expect(throws: ReplicaError.self) {
                try await county.hub.writeRoll(bank, to: path, worker: "admin", nowMillis: TestCounty.now)
            }
        }
    }

    /// The roll judges the month once without opening ID numbers, then fills the lines' numbers
    /// in; an ID number this key cannot open must still leave its entry unsettled and let the
    /// person's other record be paid, as if the numbers had been opened during the judging.
    @Test("an ID number sealed under another key leaves its entry out, and the same person's other record is paid")
    func unreadableIDNumber() async throws {
        let county = try TestCounty()
        let hub = county.hub
        let twice = idNumber(born: "19450101", sequence: "071")
        var members: [RecordID] = []
        var enrollments: [RecordID] = []
        for index in 0..<2 {
            // The hub refuses a second record of a registered number; two nodes offline can each
            // make one (``payableOnly(_:)``). Here the second is given the first's number below.
            let (member, enrollment) = try hub.replica.approvedDibao(
                in: TestCounty.village1, address: "组\(index)", name: "辛",
                idNumber: index == 0 ? twice : idNumber(born: "19450101", sequence: "081"))
            members.append(member)
            enrollments.append(enrollment)
        }
        let database = try DatabaseQueue(path: hub.path)
        let (first, second) = (members[0].value, members[1].value)
        try await database.write { db in
            try db.execute(
                sql: """
                    UPDATE members SET (id_number_sealed, id_number_hash) =
                        (SELECT id_number_sealed, id_number_hash FROM members WHERE id = ?) WHERE id = ?
                    """, arguments: [first, second])
        }
        let month = try Month.parse("2026-11", field: "month")
        let both = try hub.replica.payroll(for: month, nowMillis: TestCounty.now)
        #expect(both.rows.count == 1 && both.leftOut["duplicate person"]?.count == 1)
        #expect(both.rows.first?.idNumber == twice)
        // Each record in turn holds the number sealed under another county's key (its keyed
        // hash, which says who the person is, unchanged): whichever came first in the judging.
        let foreign = KeyMaterial.generate().seal(twice).box
        for (index, member) in members.enumerated() {
            let held = try await database.read { db in
                try String.fetchOne(
                    db, sql: "SELECT id_number_sealed FROM members WHERE id = ?", arguments: [member.value])
            }
            try await database.write { db in
                try db.execute(
                    sql: "UPDATE members SET id_number_sealed = ? WHERE id = ?", arguments: [foreign, member.value])
            }
            let roll = try hub.replica.payroll(for: month, nowMillis: TestCounty.now)
            #expect(roll.leftOut["ID number unreadable with this key"] == [enrollments[index]], "record \(index)")
            #expect(roll.leftOut["duplicate person"] == nil, "record \(index)")
            #expect(roll.rows.map(\.enrollment) == [enrollments[1 - index]], "record \(index)")
            #expect(roll.rows.first?.idNumber == twice)
            try await database.write { db in
                try db.execute(
                    sql: "UPDATE members SET id_number_sealed = ? WHERE id = ?", arguments: [held, member.value])
            }
        }
        try database.close()
    }
}
