import Foundation
import HearthCore
import HearthLedger
import HearthStore
import Testing

/// The marks a lock leaves (docs/payments.md, "Cost"): a roll judges again only the locked
/// months of enrollments whose inputs changed since the last lock, and finds what judging every
/// enrollment finds. Each test changes one input the marks must notice, on both of the hub's
/// stores, and checks the roll with the marks against the roll without them.
@Suite("A lock's marks: only changed enrollments are judged again, and the roll is the same")
struct SettledMarksTests {
    static let september = try! Month.parse("2026-09", field: "m")
    static let october = try! Month.parse("2026-10", field: "m")
    static let now = TestCounty.now

    /// A household of one in village 1 with its member, on the given programs from 2026-01,
    /// each approved.
    static func person(_ hub: HubLedger, _ name: String, idNumber: String, programs: [String]) async throws
        -> (member: RecordID, enrollments: [RecordID])
    {
        let home = try await hub.writing(author: "a", nowMillis: now) {
            try $0.household(in: TestCounty.village1, address: name)
        }.result
        let member = try await hub.writing(author: "a", nowMillis: now) {
            try $0.member(of: home, name: name, idNumber: idNumber)
        }.result
        var enrollments: [RecordID] = []
        for program in programs {
            let enrollment = try await hub.writing(author: "a", nowMillis: now) {
                try $0.enroll(
                    EnrollInput(member: member.value, program: program, amount: nil, start: "2026-01"), author: "a",
                    nowMillis: now)
            }.result[0]
            try await hub.writing(author: "a", nowMillis: now) {
                try $0.changeEnrollment(enrollment.value, .approve, note: nil, author: "a", nowMillis: now)
            }.result
            enrollments.append(enrollment)
        }
        return (member, enrollments)
    }

    static func standards(_ hub: HubLedger) async throws {
        for program in ["dibao_rural", "tekun_dispersed"] {
            _ = try await hub.setStandard(
                program: program, band: nil, from: "2026-01", amount: program == "dibao_rural" ? "560" : "700",
                note: nil, author: "county", nowMillis: now)
        }
    }

    /// The roll of `month` with the marks and without them, which must be the same, and the
    /// ids of the enrollments the marks left to judge (nil: all of them).
    static func rolls(_ hub: HubLedger, _ month: Month) async throws -> (roll: Payroll, judged: Set<RecordID>?) {
        try await hub.reading { reading in
            let marked = try reading.rollBook(before: month, nowMillis: now)
            let full = try reading.rollBook(before: month, nowMillis: now, usingMarks: false)
            // Made to be locked: with the marks its lock will change, from the same book.
            var roll = try reading.roll(for: month, book: marked)
            roll.settling = try reading.pendingMarks(roll, book: marked)
            #expect(roll.settling?.lockedBefore == marked.lockedMonths)
            let everything = try reading.roll(for: month, book: full)
            #expect(full.judged == nil)
            #expect(roll.rows.map(Line.init) == everything.rows.map(Line.init))
            #expect(roll.leftOut == everything.leftOut)
            return (roll, marked.judged.map { Set($0.map { marked.entries[$0].id }) })
        }
    }

    /// The marks a lock keeps (only what changed is written, worked out from the roll's book
    /// or in the lock's transaction) are those a lock with no marks before it, judging every
    /// enrollment for every locked month now, would write. A mark of inputs that have changed
    /// since the roll's book was read can never match again, and is passed over.
    static func checkMarksFromScratch(_ county: TestCounty, after roll: Payroll) async throws {
        let info = county.hub.info
        let keys = county.hub.keys
        let (kept, scratch) = try await county.hubRead { sql in
            let reading = ReplicaTransaction(sql: sql, info: info, keys: keys, role: NoMarks())
            let now = try reading.rollBook(before: roll.month.adding(months: 1), nowMillis: now, usingMarks: false)
            let digests = Dictionary(uniqueKeysWithValues: zip(now.entries.map(\.id.value), now.digests))
            let kept = try sql.rows("SELECT enrollment, digest_high, digest_low FROM roll_settled", []).compactMap {
                row -> String? in
                let (enrollment, high, low) = (row[0].text ?? "", row[1].integer ?? 0, row[2].integer ?? 0)
                guard digests[enrollment] == SettleDigest(high: high, low: low) else { return nil }
                return "\(enrollment) \(high) \(low)"
            }
            let scratch = try reading.settledMarks(afterLocking: roll, nowMillis: Self.now)
            #expect(scratch.cleared.isEmpty)
            return (kept, scratch.set.map { "\($0.enrollment) \($0.mark.high) \($0.mark.low)" })
        }
        #expect(!kept.isEmpty)
        #expect(Set(kept) == Set(scratch), "\(roll.month): the marks kept are not those judged from scratch")
    }

    /// The hub's role with no marks to read: a lock judges everything from scratch.
    struct NoMarks: ApplyRole {
        let hub = HubApplyRole()
        var tracksScopeEntries: Bool { hub.tracksScopeEntries }
        func afterApply(_ sql: any SQLStatements, info: ReplicaInfo, batch: [Op], nowMillis: Int64) throws -> Bool {
            try hub.afterApply(sql, info: info, batch: batch, nowMillis: nowMillis)
        }
        func acknowledgedCases(_ sql: any SQLStatements, among ids: [String]) throws -> Set<String> {
            try hub.acknowledgedCases(sql, among: ids)
        }
        func lockedMonths(_ sql: any SQLStatements, before month: Month) throws -> [Month] {
            try hub.lockedMonths(sql, before: month)
        }
        func paidBefore(
            _ sql: any SQLStatements, month: Month, only: [RollBook.Entry]?,
            _ body: (_ enrollment: String, _ forMonth: String, _ fen: Int64) throws -> Void
        ) throws { try hub.paidBefore(sql, month: month, only: only, body) }
        func paid(
            _ sql: any SQLStatements, for month: Month,
            _ body: (_ enrollment: String, _ forMonth: String, _ fen: Int64) throws -> Void
        ) throws { try hub.paid(sql, for: month, body) }
        func lockedLines(_ sql: any SQLStatements, month: Month, payees: Bool) throws -> [[SQLValue]]? {
            try hub.lockedLines(sql, month: month, payees: payees)
        }
        func settledMarks(
            _ sql: any SQLStatements, _ body: (_ enrollment: String, _ mark: SettleDigest) throws -> Void
        ) throws {}
    }

    /// What a roll's line says, to compare two rolls.
    struct Line: Equatable, CustomStringConvertible {
        let enrollment: RecordID
        let kind: PayrollRow.Kind
        let forMonth: Month?
        let fen: Int64
        init(_ row: PayrollRow) {
            enrollment = row.enrollment
            kind = row.kind
            forMonth = row.forMonth
            fen = row.amount.fen
        }
        var description: String { "\(enrollment) \(kind.rawValue) \(forMonth.map(\.description) ?? "-") \(fen)" }
    }

    @Test(
        "a hold released by the desk, with no record changed, is judged again and brings its back pay",
        arguments: HubStoreKind.allCases)
    func releasedHold(_ store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        let hub = county.hub
        try await Self.standards(hub)
        let (_, quiet) = try await Self.person(
            hub, "甲", idNumber: idNumber(born: "19600101", sequence: "011"), programs: ["dibao_rural"])
        // Dibao and tekun together: R6 holds both until the county reviews the case.
        let (both, held) = try await Self.person(
            hub, "乙", idNumber: idNumber(born: "19500101", sequence: "021"),
            programs: ["dibao_rural", "tekun_dispersed"])
        let september = try await Self.rolls(hub, Self.september)
        #expect(september.judged == nil, "no month is locked: nothing is marked")
        #expect(september.roll.rows.map(\.enrollment) == quiet)
        try await hub.lock(september.roll, worker: "admin", nowMillis: Self.now)
        try await Self.checkMarksFromScratch(county, after: september.roll)

        // Nothing changed: every enrollment is settled, the held ones too (held, they owe nothing yet).
        let unchanged = try await Self.rolls(hub, Self.october)
        #expect(unchanged.judged == [])
        #expect(unchanged.roll.rows.allSatisfy { $0.kind == .regular })

        // The review changes no record of the enrollments, only whether they are held.
        try await hub.acknowledgeCase("R6:\(both)", note: "核实无误", author: "admin", nowMillis: Self.now)
        let released = try await Self.rolls(hub, Self.october)
        #expect(released.judged == Set(held))
        let backPay = released.roll.rows.filter { $0.kind == .backPay }
        #expect(Set(backPay.map(\.enrollment)) == Set(held))
        #expect(backPay.allSatisfy { $0.forMonth == Self.september })
        #expect(backPay.map(\.amount.fen).sorted() == [56_000, 70_000])

        // A raise of a standard changes what every month may owe: everything is judged.
        _ = try await hub.setStandard(
            program: "dibao_rural", band: nil, from: "2026-09", amount: "600", note: nil, author: "county",
            nowMillis: Self.now)
        let raised = try await Self.rolls(hub, Self.october)
        #expect(raised.judged == Set(quiet + held))
        #expect(raised.roll.rows.contains { $0.enrollment == quiet[0] && $0.kind == .backPay })
    }

    /// One person registered in two villages at once, written offline on two nodes, both
    /// approved: R5 holds the later record's enrollment until the county reviews the case, and
    /// the roll pays the person once. September is locked with one of them paid.
    static func duplicated(_ county: TestCounty) async throws -> (paid: RecordID, other: RecordID, paidMember: RecordID)
    {
        let hub = county.hub
        try await standards(hub)
        let number = idNumber(born: "19550101", sequence: "031")
        var records: [(member: RecordID, enrollment: RecordID)] = []
        try await withRunningHub(county.service()) { url in
            for (name, village) in [("village-001", TestCounty.village1), ("village-002", TestCounty.village2)] {
                let node = try await county.node(name: name, scope: village, hubURL: url)
                let home = try node.household(in: village, address: "丙")
                let member = try node.member(of: home, name: "丙", idNumber: number)
                let enrollment = try node.enroll(
                    EnrollInput(member: member.value, program: "dibao_rural", amount: "560", start: "2026-01"),
                    author: "w1", nowMillis: now)[0]
                try await county.sync(node, url: url)
                records.append((member, enrollment))
            }
        }
        for record in records {
            try await hub.writing(author: "a", nowMillis: now) {
                try $0.changeEnrollment(record.enrollment.value, .approve, note: nil, author: "a", nowMillis: now)
            }.result
        }
        let earlier = min(records[0].member, records[1].member)
        try await hub.acknowledgeCase("R5:\(earlier)", note: "同一人", author: "admin", nowMillis: now)
        let september = try await rolls(hub, Self.september)
        #expect(september.roll.rows.count == 1)
        let paid = try #require(september.roll.rows.first?.enrollment)
        let other = records.map(\.enrollment).first { $0 != paid }!
        try await hub.lock(september.roll, worker: "admin", nowMillis: now)
        try await checkMarksFromScratch(county, after: september.roll)
        #expect(try await rolls(hub, Self.october).judged == [])
        return (paid, other, records.first { $0.enrollment == paid }!.member)
    }

    @Test(
        "a record's ID number corrected: the person's other record, itself unchanged, is judged again and paid",
        arguments: HubStoreKind.allCases)
    func recordLeavesItsPerson(_ store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        let (paid, other, owner) = try await Self.duplicated(county)
        // The paid record was another person's, registered under a mistyped number: corrected,
        // it keeps what it was paid, and the person the number is left with is owed September.
        let corrected = {
            var input = MemberInput()
            input.idNumber = idNumber(born: "19550101", sequence: "032")
            return input
        }()
        try await county.hub.writing(author: "a", nowMillis: Self.now) {
            try $0.editMember(owner.value, corrected, author: "a", nowMillis: Self.now)
        }.result
        let moved = try await Self.rolls(county.hub, Self.october)
        #expect(moved.judged == [paid, other])
        let adjustments = moved.roll.rows.filter { $0.kind != .regular }.map(Line.init)
        #expect(adjustments.map(\.description) == ["\(other) back_pay 2026-09 56000"])
    }

    @Test(
        "the records of one person and program are judged together: a change to one moves the payment to the other",
        arguments: HubStoreKind.allCases)
    func onePersonTwoRecords(_ store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        let hub = county.hub
        let (paid, other, _) = try await Self.duplicated(county)

        // The paid record ends before September; the other, itself unchanged, is owed September now.
        try await hub.writing(author: "a", nowMillis: Self.now) {
            try $0.exitEnrollment(paid.value, reason: "重复登记", end: "2026-08", author: "a", nowMillis: Self.now)
        }.result
        let moved = try await Self.rolls(hub, Self.october)
        #expect(moved.judged == [paid, other])
        let adjustments = moved.roll.rows.filter { $0.kind != .regular }.map(Line.init)
        #expect(
            Set(adjustments.map(\.description)) == [
                "\(paid) recovery 2026-09 -56000", "\(other) back_pay 2026-09 56000",
            ])
    }

    @Test(
        "month after month with few changes, each lock judges and reads only what changed, and every roll is the full one",
        arguments: HubStoreKind.allCases)
    func fewChangesOverMonths(_ store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        let hub = county.hub
        try await Self.standards(hub)
        var made: [(member: RecordID, enrollment: RecordID)] = []
        for number in 0..<17 {
            let (member, enrollments) = try await Self.person(
                hub, "户\(number)", idNumber: idNumber(born: "19500101", sequence: String(format: "%03d", 100 + number)),
                programs: ["dibao_rural"])
            made.append((member, enrollments[0]))
        }
        let people = made
        func month(_ text: String) throws -> Month { try Month.parse(text, field: "m") }
        func lockRoll(_ text: String, judged expected: Set<RecordID>?) async throws -> Payroll {
            let (roll, judged) = try await Self.rolls(hub, try month(text))
            #expect(judged == expected, "\(text)")
            try await hub.lock(roll, worker: "admin", nowMillis: Self.now)
            try await Self.checkMarksFromScratch(county, after: roll)
            return roll
        }
        _ = try await lockRoll("2026-09", judged: nil)
        // One amount cut from September: recovered for it, read from its lines alone.
        try await hub.writing(author: "a", nowMillis: Self.now) {
            try $0.changeAmount(
                people[3].enrollment.value, amount: "520", from: "2026-09", reason: "核减", author: "a",
                nowMillis: Self.now)
        }.result
        let october = try await lockRoll("2026-10", judged: [people[3].enrollment])
        #expect(
            october.rows.filter { $0.kind != .regular }.map(Line.init).map(\.description) == [
                "\(people[3].enrollment) recovery 2026-09 -4000"
            ])
        _ = try await lockRoll("2026-11", judged: [])
        // A death in September found in December: October and November are recovered.
        _ = try await hub.writing(author: "a", nowMillis: Self.now) {
            try $0.recordDeath(
                member: people[11].member.value, date: "2026-09-15", author: "a", nowMillis: Self.now)
        }.result
        let december = try await lockRoll("2026-12", judged: [people[11].enrollment])
        #expect(
            Set(december.rows.filter { $0.kind != .regular }.map(Line.init).map(\.description)) == [
                "\(people[11].enrollment) recovery 2026-10 -56000", "\(people[11].enrollment) recovery 2026-11 -56000",
            ])
        let january = try await Self.rolls(hub, try month("2027-01"))
        #expect(january.judged == [])
        #expect(january.roll.rows.allSatisfy { $0.kind == .regular } && january.roll.rows.count == 16)
        // A cut written after January's roll was made, before it was locked: the roll locked
        // does not settle it, so its mark goes, and February recovers it.
        try await hub.writing(author: "a", nowMillis: Self.now) {
            try $0.changeAmount(
                people[5].enrollment.value, amount: "520", from: "2026-10", reason: "核减", author: "a",
                nowMillis: Self.now)
        }.result
        try await hub.lock(january.roll, worker: "admin", nowMillis: Self.now)
        try await Self.checkMarksFromScratch(county, after: january.roll)
        let february = try await Self.rolls(hub, try month("2027-02"))
        #expect(february.judged == [people[5].enrollment])
        #expect(
            Set(february.roll.rows.filter { $0.kind != .regular }.map(Line.init).map(\.description))
                == Set(
                    ["2026-10", "2026-11", "2026-12", "2027-01"].map { "\(people[5].enrollment) recovery \($0) -4000" })
        )
    }

    @Test(
        "a month locked between a roll and its lock: the lock judges its marks again in its own transaction",
        arguments: HubStoreKind.allCases)
    func monthLockedBetweenRollAndLock(_ store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        let hub = county.hub
        try await Self.standards(hub)
        var enrollments: [RecordID] = []
        for number in 0..<5 {
            enrollments.append(
                try await Self.person(
                    hub, "丁\(number)",
                    idNumber: idNumber(born: "19580101", sequence: String(format: "%03d", 200 + number)),
                    programs: ["dibao_rural"]
                ).enrollments[0])
        }
        let cut = enrollments[2]
        let september = try await Self.rolls(hub, Self.september)
        try await hub.lock(september.roll, worker: "admin", nowMillis: Self.now)
        try await Self.checkMarksFromScratch(county, after: september.roll)

        // October's roll is made, then an amount is cut from October, then November's roll is
        // made: both saw September alone locked. October is locked as it was made, so it pays
        // the old amount.
        let october = try await Self.rolls(hub, Self.october)
        try await hub.writing(author: "a", nowMillis: Self.now) {
            try $0.changeAmount(
                cut.value, amount: "520", from: "2026-10", reason: "核减", author: "a", nowMillis: Self.now)
        }.result
        let november = try await Self.rolls(hub, try Month.parse("2026-11", field: "m"))
        #expect(november.roll.settling?.lockedBefore == [Self.september])
        #expect(november.roll.rows.first { $0.enrollment == cut }?.amount.fen == 52_000)
        try await hub.lock(october.roll, worker: "admin", nowMillis: Self.now)
        #expect(october.roll.rows.first { $0.enrollment == cut }?.amount.fen == 56_000)

        // November's marks, worked out when October was not locked, would say the cut
        // enrollment is settled (it saw November paid at the new amount and October owing
        // nothing). The lock sees October locked since and works the marks out again: October
        // was overpaid.
        try await hub.lock(november.roll, worker: "admin", nowMillis: Self.now)
        try await Self.checkMarksFromScratch(county, after: november.roll)
        let december = try await Self.rolls(hub, try Month.parse("2026-12", field: "m"))
        #expect(december.judged == [cut])
        #expect(
            december.roll.rows.filter { $0.kind != .regular }.map(Line.init).map(\.description) == [
                "\(cut) recovery 2026-10 -4000"
            ])
    }
}
