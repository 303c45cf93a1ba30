import Foundation
import GRDB
import HearthCore
import HearthTools
import HearthTestSupport
import Testing

@testable import HearthLedger
@testable import HearthLedgerSQLite
@testable import HearthStore

/// A generated county with three months locked, in a fresh temporary directory removed when
/// the test ends.
private func lockedCounty(seed: UInt64 = 3, _ body: (HubLedger) async throws -> Void) async throws {
    try await onOwnThread { try await lockedCountyOnThisThread(seed: seed, body) }
}

private func lockedCountyOnThisThread(seed: UInt64, _ body: (HubLedger) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-roll-\(UUID().uuidString)")
        .path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let profile = try #require(CountyProfile.all["small-county"]).scaled(0.05)
    let (hub, _) = try await CountyGenerator(
        profile: profile, seed: seed, directory: directory, month: RollReadsTests.november,
        nowMillis: RollReadsTests.now
    )
    .run { _ in }
    for month in RollReadsTests.locked {
        try await hub.lock(
            try hub.replica.payroll(for: month, nowMillis: RollReadsTests.now), worker: "admin",
            nowMillis: RollReadsTests.now)
    }
    try await body(hub)
}

@Suite("The roll's reads: each record once, by index, whatever the number of locked months")
struct RollReadsTests {
    static let now: Int64 = 1_795_600_000_000
    static let november = try! Month.parse("2026-11", field: "m")
    static let locked = ["2026-08", "2026-09", "2026-10"].map { try! Month.parse($0, field: "m") }

    @Test("the book holds what the locked rolls paid for each enrollment and month, as the table sums it")
    func paidByMonth() async throws {
        try await lockedCounty { hub in
            let book = try hub.replica.rollBook(before: Self.november, nowMillis: Self.now, usingMarks: false)
            #expect(book.lockedMonths == Self.locked)
            #expect(book.judged == nil)
            let summed = try hub.replica.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT enrollment, for_month, sum(amount_fen) AS fen FROM roll_lines
                        GROUP BY enrollment, for_month
                        """)
            }
            #expect(!summed.isEmpty)
            let position = Dictionary(uniqueKeysWithValues: book.entries.enumerated().map { ($1.id.value, $0) })
            for row in summed {
                let index = try #require(position[row["enrollment"] as String])
                let month = try Month.parse(row["for_month"] as String, field: "m")
                #expect(book.paid(index, for: month) == row["fen"] as Int64)
            }
            // Nothing else was paid: the column sums are the table's.
            let total = try hub.replica.read { db in
                try Int64.fetchOne(db, sql: "SELECT sum(amount_fen) FROM roll_lines") ?? 0
            }
            #expect(book.paid.values.reduce(0) { $0 + $1.reduce(0, +) } == total)
            #expect(book.paid(0, for: Self.november) == 0)

            // With the marks of the last lock and nothing changed since, no entry is judged again
            // and no line is read; with some changed, only theirs, as the table sums them.
            let marked = try hub.replica.rollBook(before: Self.november, nowMillis: Self.now)
            #expect(marked.judged == [])
            #expect(marked.paid.values.allSatisfy { $0.allSatisfy { $0 == 0 } })
            #expect(marked.digests == book.digests)
            let changed = Array(
                book.entries.indices.filter { index in book.paid.values.contains { $0[index] != 0 } }.prefix(3))
            #expect(changed.count == 3)
            try hub.replica.pool.write { db in
                for index in changed {
                    try db.execute(
                        sql: "DELETE FROM roll_settled WHERE enrollment = ?", arguments: [book.entries[index].id.value])
                }
            }
            let some = try hub.replica.rollBook(before: Self.november, nowMillis: Self.now)
            let judged = try #require(some.judged)
            #expect(Set(changed).isSubset(of: judged) && judged.count < book.entries.count / 8)
            for index in book.entries.indices {
                for month in Self.locked {
                    #expect(some.paid(index, for: month) == (judged.contains(index) ? book.paid(index, for: month) : 0))
                }
            }
        }
    }

    @Test("after three locked months with nothing changed, the next roll adjusts nothing and pays as before")
    func lockedMonthsAdjustNothing() async throws {
        try await lockedCounty { hub in
            let roll = try hub.replica.payroll(for: Self.november, nowMillis: Self.now)
            #expect(!roll.rows.isEmpty)
            #expect(roll.rows.allSatisfy { $0.kind == .regular && $0.forMonth == nil })
            // What each locked month paid is what the roll of that month says now.
            for month in Self.locked {
                let paid = try #require(try hub.replica.lockedRoll(month))
                #expect(paid.locked)
                let owed = try hub.replica.roll(
                    for: month, book: try hub.replica.rollBook(before: month, nowMillis: Self.now))
                #expect(paid.regularTotal == owed.regularTotal)
                #expect(Set(paid.rows.map(\.enrollment)) == Set(owed.rows.map(\.enrollment)))
            }
        }
    }

    @Test("a report reads locked months as paid without reading a payee, and sums them with the open month")
    func reportOverLockedMonths() async throws {
        try await lockedCounty { hub in
            for month in Self.locked {
                let paid = try #require(try hub.replica.lockedRoll(month))
                let unopened = try #require(try hub.replica.lockedRoll(month, payees: false))
                #expect(!paid.rows.isEmpty && !paid.opened.isEmpty)
                #expect(paid.rows.contains { !$0.idNumber.isEmpty } && paid.rows.contains { !$0.bankCard.isEmpty })
                // The same lines, amounts and places; no one named, no number opened.
                #expect(unopened.locked && unopened.opened.isEmpty)
                #expect(unopened.rows.allSatisfy { $0.idNumber.isEmpty && $0.bankCard.isEmpty && $0.name.isEmpty })
                #expect(unopened.rows.map(\.enrollment) == paid.rows.map(\.enrollment))
                #expect(unopened.rows.map(\.amount) == paid.rows.map(\.amount))
                #expect(unopened.rows.map(\.village) == paid.rows.map(\.village))
                #expect(unopened.rows.map(\.household) == paid.rows.map(\.household))
                #expect(unopened.rows.map(\.kind) == paid.rows.map(\.kind))
                #expect(unopened.total == paid.total)
            }
            // A period over the three locked months and the open one adds up what each paid.
            let first = try #require(Self.locked.first)
            let report = try hub.replica.report(from: first, to: Self.november, by: .township, nowMillis: Self.now)
            var expected = try hub.replica.payroll(for: Self.november, nowMillis: Self.now).total.fen
            for month in Self.locked { expected += try #require(try hub.replica.lockedRoll(month)).total.fen }
            #expect(report.total.periodTotal.fen == expected)
            #expect(report.total.periodTotal.fen > 0)
        }
    }

    @Test(
        "a report over any period is each month's roll added up by area and program, its last month's households and persons counted once",
        arguments: [3, 17] as [UInt64])
    func reportIsTheRolls(seed: UInt64) async throws {
        try await lockedCounty(seed: seed) { hub in
            // Deaths in September, after it was paid: November recovers what September and
            // October paid them (adjustment lines), and stops paying them.
            let october = try #require(try hub.replica.lockedRoll(Self.locked[2]))
            var dead: Set<RecordID> = []
            for row in october.rows where dead.count < 6 && !dead.contains(row.member) {
                _ = try hub.replica.recordDeath(
                    member: row.member.value, date: "2026-09-15", author: "admin", nowMillis: Self.now)
                dead.insert(row.member)
            }
            let december = Self.november.adding(months: 1)
            let periods: [(Month, Month, ScopePrefix.Level)] = [
                (Self.november, Self.november, .township),
                (try Month.parse("2026-05", field: "m"), december, .township),
                (Self.locked[0], Self.locked[2], .village),
                (try Month.parse("2026-06", field: "m"), Self.november, .county),
                (Self.locked[1], december, .village),
            ]
            var adjusted = false
            for (from, to, level) in periods {
                let report = try hub.replica.report(from: from, to: to, by: level, nowMillis: Self.now)
                // The same figures from each month's own roll (`payroll(for:)`: a locked month as
                // paid, any other worked out over a book of its own).
                struct Figures: Equatable {
                    var period: Int64 = 0
                    var month: Int64 = 0
                    var households: Set<String> = []
                    var persons: Set<RecordID> = []
                }
                var expected: [String: Figures] = [:]
                func keys(_ row: PayrollRow) -> [String] {
                    let area: String
                    switch level {
                    case .county: area = String(row.village.prefix(6))
                    case .township: area = String(row.village.prefix(9))
                    case .village: area = row.village
                    }
                    return ["\(area)|\(row.program.rawValue)", "\(area)|", "|"]
                }
                var month = from
                while month <= to {
                    let roll = try hub.replica.payroll(for: month, nowMillis: Self.now)
                    for row in roll.rows {
                        adjusted = adjusted || row.kind != .regular
                        for key in keys(row) {
                            expected[key, default: Figures()].period += row.amount.fen
                            guard month == to, row.kind == .regular else { continue }
                            expected[key, default: Figures()].month += row.amount.fen
                            expected[key, default: Figures()].households.insert(row.household)
                            expected[key, default: Figures()].persons.insert(row.member)
                        }
                    }
                    month = month.adding(months: 1)
                }
                var seen: Set<String> = []
                let lines =
                    report.lines.map { ("\($0.area)|\($0.program?.rawValue ?? "")", $0) }
                    + report.areaTotals.map { ("\($0.area)|", $0) } + [("|", report.total)]
                for (key, line) in lines {
                    let figures = expected[key] ?? Figures()
                    seen.insert(key)
                    #expect(line.periodTotal.fen == figures.period, "\(from)…\(to) by \(level), \(key): period")
                    #expect(line.monthTotal.fen == figures.month, "\(from)…\(to) by \(level), \(key): month")
                    #expect(line.households == figures.households.count, "\(from)…\(to), \(key): households")
                    #expect(line.persons == figures.persons.count, "\(from)…\(to), \(key): persons")
                }
                #expect(report.total.periodTotal.fen == expected["|"]?.period)
                #expect(report.total.periodTotal.fen != 0)
                // Every area and program a roll paid has its line.
                #expect(Set(expected.keys).subtracting(seen).isEmpty, "\(from)…\(to) by \(level)")
            }
            #expect(adjusted)
        }
    }

    @Test("rolls of several months over one book open each ID number once, and read as rolls of their own books")
    func rollsShareOpenedNumbers() async throws {
        try await lockedCounty { hub in
            let december = Self.november.adding(months: 1)
            let book = try hub.replica.rollBook(before: december.adding(months: 1), nowMillis: Self.now)
            let first = try hub.replica.roll(for: Self.november, book: book, openingCards: false)
            let second = try hub.replica.roll(for: december, book: book, openingCards: false)
            let numbers = Set(book.entries.compactMap(\.idSealed))
            #expect(first.opened.keys.contains { numbers.contains($0.sealed.box) })
            // The second month took every number from the book: it opened none again.
            #expect(!second.opened.keys.contains { numbers.contains($0.sealed.box) })
            for (month, shared) in [(Self.november, first), (december, second)] {
                let own = try hub.replica.roll(
                    for: month, book: try hub.replica.rollBook(before: december.adding(months: 1), nowMillis: Self.now),
                    openingCards: false)
                #expect(!own.rows.isEmpty)
                #expect(shared.rows.map(\.enrollment) == own.rows.map(\.enrollment))
                #expect(shared.rows.map(\.idNumber) == own.rows.map(\.idNumber))
                #expect(shared.rows.allSatisfy { !$0.idNumber.isEmpty })
                #expect(shared.total == own.total && shared.leftOut == own.leftOut)
            }
        }
    }

    @Test("read set-wise and from what the roll opened, the bank roll is the one read line by line")
    func bankRollSetWise() async throws {
        try await lockedCounty { hub in
            for month in [Self.locked[1], Self.november] {
                let payroll = try hub.replica.payroll(for: month, nowMillis: Self.now)
                #expect(payroll.locked == (month != Self.november))
                var unopened = payroll
                unopened.opened = [:]
                let setWise = try await hub.bankRoll(payroll)
                let lineByLine = try await hub.bankRoll(unopened, prefetching: false)
                // The accounts read ahead, in a transaction of their own, while the roll is computed.
                let (rollAhead, ahead) = try await hub.payrollWithBankRoll(for: month, nowMillis: Self.now)
                #expect(rollAhead.rows.count == payroll.rows.count && rollAhead.total == payroll.total)
                #expect(PayrollFile.disbursement(ahead) == PayrollFile.disbursement(lineByLine))
                #expect(PayrollFile.noCard(ahead) == PayrollFile.noCard(lineByLine))
                #expect(PayrollFile.recovery(ahead) == PayrollFile.recovery(lineByLine))
                #expect(!setWise.lines.isEmpty)
                #expect(PayrollFile.disbursement(setWise) == PayrollFile.disbursement(lineByLine))
                #expect(PayrollFile.noCard(setWise) == PayrollFile.noCard(lineByLine))
                #expect(PayrollFile.recovery(setWise) == PayrollFile.recovery(lineByLine))
                #expect(try PayrollFile.summary(setWise) == PayrollFile.summary(lineByLine))
            }
        }
    }

    @Test("every query of the roll, the bank roll and the report searches an index or passes over a table once")
    func queryPlans() async throws {
        try await lockedCounty { hub in
            try hub.replica.read { db in
                func plan(_ sql: String, _ arguments: StatementArguments) throws -> [String] {
                    try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] }
                }
                let ids = "[\"H-000000000000-1\"]"
                let queries: [(String, StatementArguments, [String])] = [
                    // Run once a roll: one pass over the enrollments, members and households by key.
                    (BookRows.sql, [], ["SCAN e"]),
                    (HubApplyRole.paidSQL, ["2026-11"], []),
                    (HubApplyRole.paidOfSQL(2), ["2026-11", "M-000000000000-1", "M-000000000000-2"], []),
                    // Run once a lock, for the month it locks.
                    (HubApplyRole.paidForSQL, ["2026-10"], []),
                    (HubApplyRole.lockedLinesSQL, ["2026-09"], []),
                    (HubApplyRole.lockedSumsSQL, ["2026-09"], []),
                    // Run once a report.
                    (ReplicaCore.reportEnrollmentsSQL, [], ["SCAN enrollments"]),
                    // Run once a roll with its bank roll: whose accounts to read ahead.
                    (LedgerCountyReading.rollAccountHoldersSQL, [], ["SCAN enrollments"]),
                    // Run once a bank roll, each over the ids it is given.
                    (LedgerCountyReading.householdsSQL(where: LedgerCountyReading.anyOf(.sqlite)), [ids], []),
                    (LedgerCountyReading.membersSQL(where: LedgerCountyReading.anyOf(.sqlite)), [ids], []),
                    (LedgerCountyReading.householdsSQL(where: "id = ?"), ["H-000000000000-1"], []),
                    (LedgerCountyReading.membersSQL(where: "id = ?"), ["M-000000000000-1"], []),
                ]
                for (sql, arguments, passes) in queries {
                    let steps = try plan(sql, arguments)
                    let scans = steps.filter { $0.hasPrefix("SCAN") && !$0.contains("json_each") }
                    #expect(scans == passes, "\(sql)\n\(steps)")
                    #expect(!steps.contains { $0.contains("TEMP B-TREE") }, "\(sql)\n\(steps)")
                    #expect(steps.contains { $0.hasPrefix("SEARCH") } || !passes.isEmpty, "\(sql)\n\(steps)")
                }
                #expect(
                    try plan(HubApplyRole.paidSQL, ["2026-11"]).contains {
                        $0.contains("COVERING INDEX roll_lines_paid")
                    })
                #expect(
                    try plan(HubApplyRole.paidOfSQL(2), ["2026-11", "M-000000000000-1", "M-000000000000-2"]).contains {
                        $0.contains("INDEX roll_lines_by_member")
                    })
            }
        }
    }
}

@Suite("A lock's marks digest every input of an enrollment's locked months")
struct SettleDigestTests {
    static let base = EnrollmentFacts(
        program: .dibaoRural, status: "approved", decision: "approved", exitReason: nil,
        start: try! Month.parse("2026-01", field: "m"), end: nil,
        schedule: AmountSchedule(from: try! Month.parse("2026-01", field: "m"), amount: Money(fen: 56_000)),
        suspendedFrom: nil, grade: nil, birth: CivilDate(year: 1950, month: 1, day: 1), deceased: false,
        deathDate: nil)

    static func entry(_ facts: EnrollmentFacts, id: String = "E-3f9a2c71b0d4-42", idHash: String? = "h1")
        -> RollBook.Entry
    {
        RollBook.Entry(
            id: RecordID(id)!, member: RecordID("M-3f9a2c71b0d4-7")!, household: "H-3f9a2c71b0d4-1",
            village: "421281101001", name: "甲", facts: facts, idSealed: idHash == nil ? nil : "sealed",
            idHash: idHash, cardSealed: nil, cardHash: nil)
    }

    static func digest(
        _ entries: [RollBook.Entry], standards: [ProgramStandard] = [], rules: CountyRules = .standard
    ) -> [SettleDigest] {
        var persons: [String: Int] = [:]
        for entry in entries {
            guard let hash = entry.idHash else { continue }
            entry.person = persons[hash, default: persons.count]
            persons[hash] = entry.person
        }
        return SettledMarks.digests(
            entries, persons: persons.count, standards: StandardTable(standards), rules: rules)
    }

    @Test("each field of the facts, the holds, the alternatives, the ID number, the standards and the rules change it")
    func everyInputChangesTheDigest() throws {
        // A field added to the facts must be added to the digest too (SettleBytes.facts).
        #expect(Mirror(reflecting: Self.base).children.count == 12)
        let month = try Month.parse("2026-09", field: "m")
        var variants: [EnrollmentFacts] = []
        func vary(_ change: (inout EnrollmentFacts) -> Void) {
            var facts = Self.base
            change(&facts)
            variants.append(facts)
        }
        vary { $0.program = .tekunDispersed }
        vary { $0.program = nil }
        vary { $0.status = "suspended" }
        vary { $0.decision = "pending" }
        vary { $0.exitReason = "收入超标" }
        vary { $0.start = month }
        vary { $0.end = month }
        vary { $0.schedule = AmountSchedule(from: month, amount: Money(fen: 56_000)) }
        vary { $0.suspendedFrom = month }
        vary { $0.grade = 2 }
        vary { $0.birth = CivilDate(year: 1950, month: 1, day: 2) }
        vary { $0.deceased = true }
        vary { $0.deathDate = CivilDate(year: 2026, month: 9, day: 1) }
        var digests = Set([Self.digest([Self.entry(Self.base)])[0]])
        for facts in variants { digests.insert(Self.digest([Self.entry(facts)])[0]) }
        #expect(digests.count == variants.count + 1)

        let held = Self.entry(Self.base)
        held.heldAlways = true
        let disputed = Self.entry(Self.base)
        disputed.alternatives = [Self.base, variants[7]]
        let others = [
            Self.digest([held])[0], Self.digest([disputed])[0], Self.digest([Self.entry(Self.base, idHash: nil)])[0],
            Self.digest([Self.entry(Self.base, idHash: "h2")])[0],
            Self.digest([Self.entry(Self.base, id: "E-3f9a2c71b0d4-43")])[0],
            Self.digest(
                [Self.entry(Self.base)],
                standards: [ProgramStandard(program: .dibaoRural, band: "", from: month, amount: Money(fen: 60_000))])[
                    0],
            Self.digest([Self.entry(Self.base)], rules: CountyRules(deathMonth: .stopped))[0],
            Self.digest([Self.entry(Self.base)], rules: CountyRules(topUpRaise: .stays))[0],
        ]
        digests.formUnion(others)
        #expect(digests.count == variants.count + 1 + others.count)
        // The same inputs give the same digest, in every process: it is kept in the database.
        #expect(Self.digest([Self.entry(Self.base)]) == Self.digest([Self.entry(Self.base)]))
    }

    @Test("the records of one person and program share one digest, which any of them changes")
    func groupsShareADigest() throws {
        let a = Self.entry(Self.base, id: "E-3f9a2c71b0d4-1")
        let b = Self.entry(Self.base, id: "E-3f9a2c71b0d4-2")
        let alone = Self.entry(Self.base, id: "E-3f9a2c71b0d4-3", idHash: "h9")
        let before = Self.digest([a, b, alone])
        #expect(before[0] == before[1] && before[0] != before[2])
        var changed = Self.base
        changed.status = "suspended"
        let after = Self.digest([a, Self.entry(changed, id: "E-3f9a2c71b0d4-2"), alone])
        #expect(after[0] != before[0], "a change to b changes a's digest")
        #expect(after[2] == before[2], "nor anyone else's")
        // One leaving the group changes the digest of those who stay.
        let left = Self.digest([a, Self.entry(Self.base, id: "E-3f9a2c71b0d4-2", idHash: "h3"), alone])
        #expect(left[0] != before[0])
        // Unsettled: whole groups, ascending (a and b one person again, alone another).
        #expect(Self.digest([a, b, alone]) == before)
        let marks: [SettleDigest?] = [before[0], before[0], nil]
        #expect(SettledMarks.unsettled([a, b, alone], persons: 2, digests: after, marks: marks) == [0, 1, 2])
        #expect(SettledMarks.unsettled([a, b, alone], persons: 2, digests: before, marks: marks) == [2])
    }
}
