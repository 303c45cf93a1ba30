import Foundation
import HearthCore
import HearthLedger
import HearthStore
import Testing

/// The roll's one promise, as a property: for random histories of enrollments, approvals,
/// amount changes from past and future months, suspensions, resumes, exits, deaths dated
/// before, in and after locked months, refuted and confirmed death leads, standard raises and
/// a roll locked every month, what the rolls paid for each enrollment and month, adjustments
/// included, equals what the final state says was due under the county's rules.
///
/// "What was due" comes from a model kept by this test from the commands it ran, not from the
/// code under test: the model is written from the rules in README ("What the roll pays").
@Suite("Every month is paid exactly what it is owed, adjustments included")
struct RollPropertyTests {
    static let seeds: [UInt64] = [1, 2, 3, 5, 8, 13, 21, 34]

    @Test("random histories on a real hub file: paid equals due for every enrollment and locked month")
    func paidEqualsDue() async throws {
        var tally: [String: Int] = [:]
        for seed in Self.seeds {
            var run = try await RollRun(seed: seed)
            try await run.play(months: 12)
            try run.decideLeads(all: true)
            try run.checkWithheldMonthsUntouched()
            try run.settle()
            try run.checkPaidEqualsDue()
            for (key, count) in run.tally { tally[key, default: 0] += count }
        }
        // The histories are rich enough to mean something.
        for key in [
            "back_pay", "recovery", "suspend", "resume", "death", "lead confirmed", "lead refuted", "raise", "exit",
            "settled", "judged again",
        ] {
            #expect(tally[key, default: 0] > 0, "no \(key) in any history")
        }
    }
}

/// One random history against a hub replica, with the test's own model of what is owed.
struct RollRun {
    enum Amount: Equatable {
        case fixed(Int64)
        case standard(less: Int64)
    }

    struct Enrollment {
        let id: RecordID
        let member: RecordID
        let start: Month
        var schedule: [(from: Month, amount: Amount)]
        var approved = false
        var suspended = false
        var suspendedFrom: Month?
        var exited = false
        var end: Month?
    }

    struct Person {
        let id: RecordID
        let idNumber: String
        let born: CivilDate
        var death: CivilDate?
    }

    let county: TestCounty
    let seed: UInt64
    var random: SplitMix64
    let deathMonthPaid: Bool
    let topUpsFollow: Bool
    var standards: [Month: Int64] = [:]
    var people: [Person] = []
    var enrollments: [Enrollment] = []
    /// Open death leads: lead id, member, the enrollments it suspended.
    var leads: [(lead: RecordID, member: RecordID, suspended: [RecordID])] = []
    var locked: [Month] = []
    var tally: [String: Int] = [:]
    var clock: Int64 = 0
    var sequence = 0

    static let program = "dibao_rural"
    static let first = try! Month.parse("2025-01", field: "m")

    init(seed: UInt64) async throws {
        county = try TestCounty()
        self.seed = seed
        var random = SplitMix64(seed: seed)
        deathMonthPaid = Int.random(in: 0...99, using: &random) < 50
        topUpsFollow = Int.random(in: 0...99, using: &random) < 70
        self.random = random
        let hub = county.hub
        clock = Self.millis(Self.first.adding(months: -1).firstDay) + 3_600_000
        _ = try await hub.setStandard(
            program: Self.program, band: nil, from: "2024-01", amount: "560", note: nil, author: "county",
            nowMillis: tick())
        standards[try Month.parse("2024-01", field: "m")] = 56_000
        _ = try await hub.setSetting(
            name: "death_month", value: deathMonthPaid ? "paid" : "stopped", note: nil, author: "county",
            nowMillis: tick())
        _ = try await hub.setSetting(
            name: "top_up_raise", value: topUpsFollow ? "follows" : "stays", note: nil, author: "county",
            nowMillis: tick())
    }

    static func millis(_ day: CivilDate) -> Int64 {
        day.daysSinceEpoch * 86_400_000 - DomainCalendar.offsetMillis + 10 * 3_600_000
    }

    mutating func tick() -> Int64 {
        clock += 1_000
        return clock
    }

    mutating func pick(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }

    mutating func chance(_ percent: Int) -> Bool { pick(0...99) < percent }

    // MARK: the model

    func standard(in month: Month) -> Int64? {
        standards.filter { $0.key <= month }.max { $0.key < $1.key }?.value
    }

    func amount(_ enrollment: Enrollment, in month: Month) -> Int64? {
        guard let index = enrollment.schedule.lastIndex(where: { $0.from <= month }) else { return nil }
        let (from, amount) = enrollment.schedule[index]
        switch amount {
        case .standard(let less):
            guard let standard = standard(in: less > 0 && !topUpsFollow ? from : month) else { return nil }
            return max(0, standard - less)
        case .fixed(var current):
            // A sum equal to the standard in force the month before a raise follows the raise.
            for raise in standards.keys.sorted() where (raise > from || (index == 0 && raise == from)) && raise <= month
            {
                if current == standard(in: raise.adding(months: -1)) { current = standards[raise]! }
            }
            return current
        }
    }

    /// What the month is owed; nil while a suspension withholds it.
    func due(_ enrollment: Enrollment, in month: Month) -> Int64? {
        if month < enrollment.start { return 0 }
        if let end = enrollment.end, month > end { return 0 }
        let person = people.first { $0.id == enrollment.member }!
        if let death = person.death {
            let last = deathMonthPaid ? death.month : death.month.adding(months: -1)
            if month > last { return 0 }
        }
        guard enrollment.approved else { return 0 }
        if enrollment.suspended, month >= enrollment.suspendedFrom! { return nil }
        return amount(enrollment, in: month) ?? 0
    }

    // MARK: the history

    mutating func play(months: Int) async throws {
        var month = Self.first
        for _ in 0..<months {
            clock = Self.millis(month.firstDay) + 3_600_000
            let today = DomainCalendar.date(atMillis: clock)
            for _ in 0..<pick(1...3) { try enroll(in: month) }
            for index in enrollments.indices { try act(on: index, in: month, today: today) }
            try await deaths(in: month, today: today)
            try decideLeads()
            if chance(25) { try await raise(around: month) }
            let roll = try county.hub.replica.payroll(for: month, nowMillis: tick())
            try checkMarksChangeNothing(roll)
            for row in roll.rows where row.kind != .regular { tally[row.kind.rawValue, default: 0] += 1 }
            try await county.hub.lock(roll, worker: "county", nowMillis: tick())
            try await SettledMarksTests.checkMarksFromScratch(county, after: roll)
            locked.append(month)
            month = month.adding(months: 1)
        }
    }

    /// The roll as the hub made it (its book read with the last lock's marks, ``SettledMarks``)
    /// is the roll that judges every enrollment's locked months again; tallies how many the
    /// marks let it skip.
    mutating func checkMarksChangeNothing(_ roll: Payroll) throws {
        let replica = try county.hub.replica
        let book = try replica.rollBook(before: roll.month, nowMillis: clock)
        let everything = try replica.roll(
            for: roll.month, book: try replica.rollBook(before: roll.month, nowMillis: clock, usingMarks: false))
        func lines(_ roll: Payroll) -> [String] {
            roll.rows.map { "\($0.enrollment) \($0.kind) \($0.forMonth.map(\.description) ?? "-") \($0.amount.fen)" }
        }
        #expect(lines(roll) == lines(everything), "seed \(seed), \(roll.month): the marks changed the roll")
        #expect(roll.leftOut == everything.leftOut, "seed \(seed), \(roll.month): the marks changed what was left out")
        if let judged = book.judged {
            tally["settled", default: 0] += book.entries.count - judged.count
            tally["judged again", default: 0] += judged.count
        }
    }

    mutating func enroll(in month: Month) throws {
        let hub = county.hub
        sequence += 1
        var household = HouseholdInput()
        household.village = TestCounty.village1
        household.address = "户 \(sequence)"
        household.type = "rural"
        household.population = 1
        let home = try hub.replica.addHousehold(household, author: "w1", nowMillis: tick())
        let bornYear = 1940 + pick(0...40)
        let number = idNumber(born: "\(bornYear)0101", sequence: String(format: "%03d", sequence % 1000))
        var input = MemberInput()
        input.household = home.value
        input.name = "人\(sequence)"
        input.idNumber = number
        input.relation = "head"
        let member = try hub.replica.addMember(input, author: "w1", nowMillis: tick())
        people.append(
            Person(id: member, idNumber: number, born: CivilDate(year: bornYear, month: 1, day: 1)!, death: nil))
        let start = month.adding(months: pick(-2...1))
        let amount: Amount
        let text: String
        switch pick(0...3) {
        case 0, 1:
            amount = .standard(less: 0)
            text = "std"
        case 2:
            let yuan = Int64(pick(50...400))
            amount = .standard(less: yuan * 100)
            text = "std-\(yuan)"
        default:
            let yuan = chance(50) ? (standard(in: start)! / 100) : Int64(pick(100...560))
            amount = .fixed(yuan * 100)
            text = String(yuan)
        }
        let id = try hub.replica.enroll(
            EnrollInput(member: member.value, program: Self.program, amount: text, start: start.description),
            author: "county",
            nowMillis: tick())[0]
        enrollments.append(Enrollment(id: id, member: member, start: start, schedule: [(start, amount)]))
    }

    mutating func act(on index: Int, in month: Month, today: CivilDate) throws {
        let hub = county.hub
        var enrollment = enrollments[index]
        guard !enrollment.exited else { return }
        if !enrollment.approved {
            if chance(60) {
                try hub.replica.changeEnrollment(
                    enrollment.id.value, .approve, note: nil, author: "county", nowMillis: tick())
                enrollment.approved = true
            }
        } else if enrollment.suspended {
            if chance(30) {
                try hub.replica.changeEnrollment(
                    enrollment.id.value, .resume, note: nil, author: "county", nowMillis: tick())
                enrollment.suspended = false
                enrollment.suspendedFrom = nil
                tally["resume", default: 0] += 1
            }
        } else if chance(8) {
            try hub.replica.changeEnrollment(
                enrollment.id.value, .suspend, note: nil, author: "county", nowMillis: tick())
            enrollment.suspended = true
            enrollment.suspendedFrom = month
            tally["suspend", default: 0] += 1
        }
        if chance(15) {
            let from = max(enrollment.start, month.adding(months: pick(-3...1)))
            let amount: Amount
            let text: String
            if chance(30) {
                amount = .standard(less: 0)
                text = "std"
            } else {
                let yuan = Int64(pick(100...700))
                amount = .fixed(yuan * 100)
                text = String(yuan)
            }
            // Amounts above the standard are plausible only with a reason (R6); the county gives one.
            try hub.replica.changeAmount(
                enrollment.id.value, amount: text, from: from.description, reason: "核定", override: "县民政局特批",
                author: "county", nowMillis: tick())
            enrollment.schedule.removeAll { $0.from >= from }
            enrollment.schedule.append((from, amount))
        }
        if chance(4) {
            let end = max(enrollment.start, month.adding(months: pick(-3...1)))
            try hub.replica.exitEnrollment(
                enrollment.id.value, reason: "收入超标", end: end.description, author: "county", nowMillis: tick())
            enrollment.exited = true
            enrollment.end = end
            enrollment.suspended = false
            tally["exit", default: 0] += 1
        }
        enrollments[index] = enrollment
    }

    /// Deaths recorded directly, and death lists that raise leads; dates reach back months.
    mutating func deaths(in month: Month, today: CivilDate) async throws {
        for index in people.indices
        where people[index].death == nil && !leads.contains(where: { $0.member == people[index].id }) {
            let roll = pick(0...99)
            guard roll < 8 else { continue }
            let back = month.adding(months: -pick(0...4)).firstDay
            let day = max(back, people[index].born)
            let date = min(CivilDate(year: day.year, month: day.monthNumber, day: min(28, pick(1...28)))!, today)
            if roll < 4 {
                _ = try county.hub.replica.recordDeath(
                    member: people[index].id.value, date: date.description, author: "county", nowMillis: tick())
                markDead(index, on: date)
                tally["death", default: 0] += 1
            } else {
                let outcome = try await county.hub.importCrosscheck(
                    source: .death,
                    rows: [
                        CrosscheckRow(
                            line: 2, idNumber: people[index].idNumber, date: roll < 7 ? date.description : nil,
                            detail: "火化")
                    ],
                    dryRun: false, skipInvalid: false, author: "county", nowMillis: tick())
                guard let lead = outcome.leads.first else { continue }
                for id in outcome.suspended {
                    let at = enrollments.firstIndex { $0.id == id }!
                    enrollments[at].suspended = true
                    enrollments[at].suspendedFrom = month
                }
                leads.append((lead, people[index].id, outcome.suspended))
            }
        }
    }

    mutating func markDead(_ index: Int, on date: CivilDate) {
        people[index].death = date
        let last = deathMonthPaid ? date.month : date.month.adding(months: -1)
        for at in enrollments.indices where enrollments[at].member == people[index].id && !enrollments[at].exited {
            enrollments[at].exited = true
            enrollments[at].end = max(last, enrollments[at].start)
            enrollments[at].suspended = false
        }
    }

    mutating func decideLeads(all: Bool = false) throws {
        var open: [(lead: RecordID, member: RecordID, suspended: [RecordID])] = []
        for lead in leads {
            guard all || chance(50) else {
                open.append(lead)
                continue
            }
            let confirm = chance(50)
            let person = people.firstIndex { $0.id == lead.member }!
            let date = DomainCalendar.date(atMillis: clock)
            let given = max(
                CivilDate(year: date.year, month: date.monthNumber, day: 1)!.month.adding(months: -pick(0...3))
                    .firstDay, people[person].born)
            _ = try county.hub.replica.decideLead(
                lead.lead.value, confirm: confirm, note: "入户核实", date: confirm ? given.description : nil,
                author: "county",
                nowMillis: tick())
            if confirm {
                // The date the verifier gives wins over the list's (`hearth lead confirm --date`).
                markDead(person, on: given)
                tally["lead confirmed", default: 0] += 1
            } else {
                for id in lead.suspended {
                    let at = enrollments.firstIndex { $0.id == id }!
                    if enrollments[at].suspended, !enrollments[at].exited {
                        enrollments[at].suspended = false
                        enrollments[at].suspendedFrom = nil
                    }
                }
                tally["lead refuted", default: 0] += 1
            }
        }
        leads = open
    }

    mutating func raise(around month: Month) async throws {
        let from = month.adding(months: pick(-2...2))
        let amount = standard(in: from)! + Int64(pick(1...6)) * 1_000
        _ = try await county.hub.setStandard(
            program: Self.program, band: nil, from: from.description, amount: String(amount / 100), note: nil,
            author: "county",
            nowMillis: tick())
        standards[from] = amount
        tally["raise", default: 0] += 1
    }

    /// Resumes every suspension, so nothing is withheld.
    mutating func settle() throws {
        for index in enrollments.indices where enrollments[index].suspended && !enrollments[index].exited {
            try county.hub.replica.changeEnrollment(
                enrollments[index].id.value, .resume, note: nil, author: "county", nowMillis: tick())
            enrollments[index].suspended = false
            enrollments[index].suspendedFrom = nil
        }
    }

    // MARK: the checks

    /// The model's view and the hub's, for a failure message.
    func explain(_ enrollment: Enrollment, _ next: Payroll) throws -> String {
        let person = people.first { $0.id == enrollment.member }!
        let state = try county.hub.replica.state(of: enrollment.id)
        let fields = ["status", "decision", "amount", "start_month", "end_month", "suspended_from", "exit_reason"].map {
            "\($0)=\(state?.resolution(of: $0).value.textValue ?? "-")"
        }
        let lines =
            try locked.flatMap { month in
                try county.hub.replica.payroll(for: month, nowMillis: clock).rows.filter {
                    $0.enrollment == enrollment.id
                }
                .map { "\(month):\($0.kind.rawValue)/\($0.forMonth?.description ?? "")=\($0.amount.fen)" }
            }
            + next.rows.filter { $0.enrollment == enrollment.id }.map {
                "next:\($0.kind.rawValue)/\($0.forMonth?.description ?? "")=\($0.amount.fen)"
            }
        return """
            model: start=\(enrollment.start) schedule=\(enrollment.schedule) approved=\(enrollment.approved) \
            suspended=\(enrollment.suspended) from=\(enrollment.suspendedFrom?.description ?? "-") exited=\(enrollment.exited) \
            end=\(enrollment.end?.description ?? "-") death=\(person.death?.description ?? "-") deathPaid=\(deathMonthPaid) \
            follows=\(topUpsFollow) standards=\(standards.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" })
            due: \(locked.map { "\($0):\(due(enrollment, in: $0).map(String.init) ?? "w")" }.joined(separator: " "))
            hub: \(fields.joined(separator: " ")) leads=\(try county.hub.replica.leads().filter { $0.member == enrollment.member }.map { "\($0.status)/\($0.reportedDate ?? "-")" })
            lines: \(lines.joined(separator: " "))
            """
    }

    /// Paid per enrollment and month: every locked roll's lines plus the next roll's adjustments.
    func paid(including next: Payroll) throws -> [RecordID: [Month: Int64]] {
        var paid: [RecordID: [Month: Int64]] = [:]
        for month in locked {
            for row in try county.hub.replica.payroll(for: month, nowMillis: clock).rows {
                paid[row.enrollment, default: [:]][row.forMonth ?? month, default: 0] += row.amount.fen
            }
        }
        for row in next.rows where row.kind != .regular {
            paid[row.enrollment, default: [:]][row.forMonth!, default: 0] += row.amount.fen
        }
        return paid
    }

    /// Before settling: a month a suspension withholds gets no adjustment (a suspension never
    /// reaches into paid months), and every other month is paid what it is owed.
    mutating func checkWithheldMonthsUntouched() throws {
        let next = try county.hub.replica.payroll(for: locked.last!.adding(months: 1), nowMillis: tick())
        let paid = try paid(including: next)
        for enrollment in enrollments {
            for month in locked {
                if let due = due(enrollment, in: month) {
                    let story = try explain(enrollment, next)
                    #expect(
                        paid[enrollment.id]?[month] ?? 0 == due,
                        "seed \(seed): \(enrollment.id) \(month): paid vs due\n\(story)")
                } else {
                    #expect(
                        !next.rows.contains { $0.enrollment == enrollment.id && $0.forMonth == month },
                        "seed \(seed): \(enrollment.id) \(month) is withheld yet adjusted")
                }
            }
        }
    }

    /// After settling: every locked month paid exactly what is due, and the next month's
    /// regular lines are what it owes.
    mutating func checkPaidEqualsDue() throws {
        let month = locked.last!.adding(months: 1)
        let next = try county.hub.replica.payroll(for: month, nowMillis: tick())
        let paid = try paid(including: next)
        for enrollment in enrollments {
            for locked in locked {
                let due = due(enrollment, in: locked)
                #expect(due != nil)
                #expect(
                    paid[enrollment.id]?[locked] ?? 0 == due ?? -1,
                    "seed \(seed): \(enrollment.id) \(locked): paid vs due")
            }
            let regular = next.rows.filter { $0.enrollment == enrollment.id && $0.kind == .regular }.map(\.amount.fen)
            let owed = due(enrollment, in: month) ?? -1
            #expect(regular == (owed > 0 ? [owed] : []), "seed \(seed): \(enrollment.id) \(month): regular line")
        }
    }
}
