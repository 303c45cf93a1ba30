import Foundation
import HearthCore
import HearthLedger
import HearthStore
import Testing

/// The adjustments after a locked month, one rule at a time (issue 11, "Wrong today"), on a
/// real hub file with a clock that walks through the months.
@Suite("Adjustments after a locked month move exactly the money the facts say")
struct MoneyRuleTests {
    /// A hub with one rural dibao person at the 560-yuan standard from 2026-01, approved.
    struct Desk {
        let county: TestCounty
        let member: RecordID
        let enrollment: RecordID
        let number: String
        var clock: Int64

        init(amount: String? = nil, start: String = "2026-01") async throws {
            county = try TestCounty()
            clock = Self.millis("2025-12-10")
            let hub = county.hub
            _ = try await hub.setStandard(
                program: "dibao_rural", band: nil, from: "2024-01", amount: "560", note: nil, author: "county",
                nowMillis: clock)
            let home = try hub.replica.household(in: TestCounty.village1, address: "一户", nowMillis: clock)
            number = idNumber(born: "19500101", sequence: "011")
            var input = MemberInput()
            input.household = home.value
            input.name = "王秀英"
            input.idNumber = number
            input.relation = "head"
            member = try hub.replica.addMember(input, author: "w1", nowMillis: clock)
            enrollment = try hub.replica.enroll(
                EnrollInput(member: member.value, program: "dibao_rural", amount: amount, start: start),
                author: "county",
                nowMillis: clock)[0]
            try hub.replica.changeEnrollment(enrollment.value, .approve, note: nil, author: "county", nowMillis: clock)
        }

        static func millis(_ day: String) -> Int64 {
            (try! CivilDate.parse(day, field: "d")).daysSinceEpoch * 86_400_000 - DomainCalendar.offsetMillis
                + 36_000_000
        }

        static func month(_ text: String) -> Month { try! Month.parse(text, field: "m") }

        /// Moves the clock into a month and returns its roll.
        mutating func roll(_ month: String) throws -> Payroll {
            clock = Self.millis(month + "-20")
            return try county.hub.replica.payroll(for: Self.month(month), nowMillis: clock)
        }

        /// Locks a month's roll, the clock in that month.
        mutating func lock(_ month: String) async throws {
            let roll = try roll(month)
            try await county.hub.lock(roll, worker: "county", nowMillis: clock)
        }

        mutating func at(_ day: String) { clock = Self.millis(day) }

        func adjustments(_ roll: Payroll) -> [String] {
            roll.rows.filter { $0.kind != .regular }.map { "\($0.kind.rawValue) \($0.forMonth!) \($0.amount.fen)" }
                .sorted()
        }
    }

    @Test(
        "a suspension withholds from its month and never recovers paid months; refuting the lead pays back exactly what was withheld"
    )
    func suspensionNeverReachesBack() async throws {
        var desk = try await Desk()
        for month in ["2026-01", "2026-02", "2026-03"] { try await desk.lock(month) }
        // April: a death list names her without a date; the lead suspends her at once.
        desk.at("2026-04-05")
        let outcome = try await desk.county.hub.importCrosscheck(
            source: .death, rows: [CrosscheckRow(line: 2, idNumber: desk.number, date: nil, detail: "火化")],
            dryRun: false,
            skipInvalid: false, author: "county", nowMillis: desk.clock)
        #expect(outcome.suspended == [desk.enrollment])
        let april = try desk.roll("2026-04")
        #expect(desk.adjustments(april).isEmpty, "nothing paid is clawed back")
        #expect(april.leftOut["suspended"] == [desk.enrollment])
        try await desk.lock("2026-04")
        try await desk.lock("2026-05")
        // June: the village finds her alive; the lead is refuted and payments resume.
        desk.at("2026-06-03")
        _ = try desk.county.hub.replica.decideLead(
            outcome.leads[0].value, confirm: false, note: "入户核实，本人健在", date: nil, author: "county",
            nowMillis: desk.clock)
        let june = try desk.roll("2026-06")
        #expect(desk.adjustments(june) == ["back_pay 2026-04 56000", "back_pay 2026-05 56000"])
        #expect(june.rows.filter { $0.kind == .regular }.map(\.amount) == [Money(fen: 56_000)])
        #expect(june.rows.allSatisfy { $0.amount.fen > 0 }, "no recovery line")
    }

    @Test("a confirmed death recovers only the months after the death, never the months before it")
    func recoveryStartsAfterTheDeath() async throws {
        var desk = try await Desk()
        for month in ["2026-01", "2026-02", "2026-03", "2026-04"] { try await desk.lock(month) }
        desk.at("2026-05-04")
        let outcome = try await desk.county.hub.importCrosscheck(
            source: .death, rows: [CrosscheckRow(line: 2, idNumber: desk.number, date: "2026-02-14", detail: "火化")],
            dryRun: false, skipInvalid: false, author: "county", nowMillis: desk.clock)
        #expect(desk.adjustments(try desk.roll("2026-05")).isEmpty, "a lead alone recovers nothing")
        try await desk.lock("2026-05")
        desk.at("2026-06-02")
        _ = try desk.county.hub.replica.decideLead(
            outcome.leads[0].value, confirm: true, note: "火化证明", date: nil, author: "county", nowMillis: desk.clock)
        // February, the month of death, is paid (次月停发): March and April are recovered;
        // May was withheld by the lead, so nothing of it comes back.
        let june = try desk.roll("2026-06")
        #expect(desk.adjustments(june) == ["recovery 2026-03 -56000", "recovery 2026-04 -56000"])
        #expect(june.rows.allSatisfy { $0.kind != .regular })
        let recovery = try await desk.county.hub.recoveryReport()
        #expect(recovery.map(\.months) == [[Desk.month("2026-03"), Desk.month("2026-04")]])
        #expect(recovery.first?.amount == Money(fen: 112_000))
        #expect(
            try desk.county.hub.replica.state(of: desk.enrollment)?.resolution(of: "end_month").value
                == .text("2026-02"))
    }

    @Test(
        "one month-of-death rule for the roll, the end month and recovery: paid through it, or stopped from it",
        arguments: [true, false])
    func monthOfDeath(paid: Bool) async throws {
        var desk = try await Desk()
        _ = try await desk.county.hub.setSetting(
            name: "death_month", value: paid ? "paid" : "stopped", note: nil, author: "county", nowMillis: desk.clock)
        for month in ["2026-08", "2026-09", "2026-10"] { try await desk.lock(month) }
        desk.at("2026-11-02")
        _ = try desk.county.hub.replica.recordDeath(
            member: desk.member.value, date: "2026-10-20", author: "county", nowMillis: desk.clock)
        let end = try desk.county.hub.replica.state(of: desk.enrollment)?.resolution(of: "end_month").value
        #expect(end == .text(paid ? "2026-10" : "2026-09"))
        let november = try desk.roll("2026-11")
        #expect(november.rows.allSatisfy { $0.kind != .regular })
        #expect(desk.adjustments(november) == (paid ? [] : ["recovery 2026-10 -56000"]))
        let recovery = try await desk.county.hub.recoveryReport()
        #expect(recovery.flatMap(\.months) == (paid ? [] : [Desk.month("2026-10")]))
    }

    @Test(
        "an enrollment made at the standard follows a raise set later for its own start month, however it was made",
        arguments: [nil, "560"])
    func raiseAtTheStartMonth(amount: String?) async throws {
        var desk = try await Desk(amount: amount, start: "2027-01")
        desk.at("2026-12-20")
        _ = try await desk.county.hub.setStandard(
            program: "dibao_rural", band: nil, from: "2027-01", amount: "600", note: "提标", author: "county",
            nowMillis: desk.clock)
        let january = try desk.roll("2027-01")
        #expect(january.rows.map(\.amount) == [Money(fen: 60_000)])
    }

    @Test("a top-up (补差) follows a raise by the county's rule: the difference rises with the standard, or stays")
    func topUpFollowsTheRule() async throws {
        var desk = try await Desk(amount: "std-326", start: "2026-01")
        _ = try await desk.county.hub.setStandard(
            program: "dibao_rural", band: nil, from: "2026-07", amount: "600", note: "提标", author: "county",
            nowMillis: desk.clock)
        #expect(try desk.roll("2026-06").rows.map(\.amount) == [Money(fen: 23_400)])
        #expect(try desk.roll("2026-07").rows.map(\.amount) == [Money(fen: 27_400)])
        _ = try await desk.county.hub.setSetting(
            name: "top_up_raise", value: "stays", note: nil, author: "county", nowMillis: desk.clock)
        #expect(try desk.roll("2026-07").rows.map(\.amount) == [Money(fen: 23_400)])
    }
}
