import HearthCore
import Testing

@Suite("R1 death is terminal: the enrollments end, reported deaths hold payments, only the county undoes one")
struct DeathRuleTests {
    @Test("a death ends every enrollment not exited, with the last month the county pays, once per trigger")
    func endings() throws {
        var book = RecordBook()
        let home = book.household()
        let member = book.member(of: home)
        let approved = book.enrollment(of: member, .dibaoRural, start: "2026-01")
        let applied = book.enrollment(of: member, .elderly, status: "applied", start: "2026-09")
        let unwritten = book.enrollment(of: member, .temporary, status: nil)
        _ = book.enrollment(of: member, .disabilityLiving, status: "exited")
        let death = book.write(member, ["vital_status": .text("deceased"), "death_date": .text("2026-06-15")])
        var lookup = book.lookup()
        let decisions = try DeathRule.decisionsVerdict(member: book[member], lookup: &lookup).decisions
        #expect(decisions.map(\.record) == [approved, applied, unwritten].sorted())
        let first = try #require(decisions.first { $0.record == approved })
        #expect(first.rule == .r1)
        #expect(first.field == "status" && first.choice == "exited" && first.worker == "rule R1")
        #expect(
            first.changes == [
                "status": .text("exited"), "exit_reason": .text("death"), "end_month": .text("2026-06"),
            ])
        #expect(first.trigger == death.dot.description)
        #expect(first.note == "death of \(member)")
        #expect(
            first.cause
                == "rule R1 (rule set \(ConflictRules.ruleSetVersion)): death of \(member) ends the enrollment "
                + "(trigger \(death.dot))")
        #expect(first.subject == nil)
        // An enrollment that starts after the death ends where it starts.
        #expect(decisions.first { $0.record == applied }?.changes["end_month"] == .text("2026-09"))
        // A county that stops payment in the month of death ends a month earlier.
        var stopped = book.lookup(
            configuration: CountyConfiguration(
                standards: StandardTable([]), rules: CountyRules(deathMonth: .stopped)))
        let early = try DeathRule.decisionsVerdict(member: book[member], lookup: &stopped).decisions
        #expect(early.first { $0.record == approved }?.changes["end_month"] == .text("2026-05"))
    }

    @Test("a living member's enrollments, and those already exited, are left alone")
    func nothingToEnd() throws {
        var book = RecordBook()
        let home = book.household()
        let member = book.member(of: home)
        _ = book.enrollment(of: member, .dibaoRural)
        var lookup = book.lookup()
        #expect(try DeathRule.decisionsVerdict(member: book[member], lookup: &lookup) == .admit)
    }

    @Test("once the date of death is settled, the end month of each enrollment it ended follows it")
    func settledEndMonth() throws {
        var book = RecordBook()
        let home = book.household()
        let member = book.member(of: home)
        let enrollment = book.enrollment(of: member, .dibaoRural)
        let seenMember = book[member].clock
        let seenEnrollment = book[enrollment].clock
        // Two replicas record the death in different months, each ending the enrollment.
        let early = book.write(member, ["vital_status": .text("deceased"), "death_date": .text("2026-03-02")])
        book.write(
            enrollment,
            ["status": .text("exited"), "exit_reason": .text("death"), "end_month": .text("2026-03")])
        book.write(
            member, ["vital_status": .text("deceased"), "death_date": .text("2026-05-20")], by: Writer.township,
            seen: seenMember)
        book.write(
            enrollment,
            ["status": .text("exited"), "exit_reason": .text("death"), "end_month": .text("2026-05")],
            by: Writer.township, seen: seenEnrollment)
        var lookup = book.lookup()
        // The date is in conflict: nothing follows it yet.
        #expect(try DeathRule.decisionsVerdict(member: book[member], lookup: &lookup) == .admit)
        // The desk settles the date; the end month follows.
        let settle = book.write(member, ["death_date": .text("2026-03-02")], by: Writer.county)
        lookup = book.lookup()
        let decisions = try DeathRule.decisionsVerdict(member: book[member], lookup: &lookup).decisions
        #expect(decisions.count == 1)
        #expect(decisions.first?.record == enrollment)
        #expect(decisions.first?.field == "end_month")
        #expect(decisions.first?.changes == ["end_month": .text("2026-03")])
        #expect(decisions.first?.choice == "2026-03")
        #expect(decisions.first?.trigger == "end:\(settle.dot)")
        _ = early
    }

    @Test("only the county makes a deceased member alive again (R1c)")
    func undo() {
        var book = RecordBook()
        let home = book.household()
        let member = book.member(of: home, vital: "deceased")
        let revive = book.op(.member, member, village: Place.village1, fields: ["vital_status": .text("alive")])
        let verdict = DeathRule.undoVerdict(of: revive, writer: Place.scope(Place.township), current: book[member])
        #expect(verdict.refusal?.ruleID == .r1c)
        #expect(verdict.refusal?.message == "R1c: \(member) is recorded as deceased; only the county can undo a death")
        #expect(DeathRule.undoVerdict(of: revive, writer: Place.scope(Place.county), current: book[member]) == .admit)
        let living = book.member(of: home)
        #expect(DeathRule.undoVerdict(of: revive, writer: Place.scope(Place.village1), current: book[living]) == .admit)
    }

    @Test("a date of death after today is a field problem; today's is not")
    func futureDate() {
        var book = RecordBook()
        let op = book.op(.member, village: Place.village1, fields: ["death_date": .text("2026-06-02")])
        #expect(DeathRule.futureDateProblem(of: op, today: date("2026-06-01")) == "death_date: is in the future")
        #expect(DeathRule.futureDateProblem(of: op, today: date("2026-06-02")) == nil)
    }

    @Test("a death a list reports holds the person's live enrollments until the township verifies it")
    func reported() throws {
        var book = RecordBook()
        let home = book.household()
        let member = book.member(of: home)
        let live = book.enrollment(of: member, .dibaoRural)
        _ = book.enrollment(of: member, .elderly, status: "exited")
        let lead = book.create(
            .lead,
            [
                "member": .text(member.value), "source": .text("death"), "status": .text("open"),
                "reported_date": .text("2026-04-01"),
            ])
        var lookup = book.lookup()
        let found = try DeathRule.reportedVerdict(lead: book[lead], lookup: &lookup).deskCase
        #expect(found?.id == "R1:\(lead)")
        #expect(found?.kind == "death-reported")
        #expect(found?.records == [lead, member])
        #expect(found?.holds == [live])
        #expect(found?.detail.hasPrefix("a death list reports \(member) died on 2026-04-01 (lead \(lead))") == true)
        // Refuted: the case closes. A clash of confirmation and refutation opens it again.
        let seen = book[lead].clock
        book.write(lead, ["status": .text("refuted")])
        lookup = book.lookup()
        #expect(try DeathRule.reportedVerdict(lead: book[lead], lookup: &lookup) == .admit)
        book.write(lead, ["status": .text("confirmed")], by: Writer.township, seen: seen)
        lookup = book.lookup()
        #expect(try DeathRule.reportedVerdict(lead: book[lead], lookup: &lookup).deskCase?.id == "R1:\(lead)")
    }

    @Test("a lead from another list, or about a member already recorded deceased, is no case")
    func reportedNotCases() throws {
        var book = RecordBook()
        let home = book.household()
        let member = book.member(of: home)
        let dead = book.member(of: home, vital: "deceased")
        let pension = book.create(
            .lead, ["member": .text(member.value), "source": .text("pension"), "status": .text("open")])
        let late = book.create(.lead, ["member": .text(dead.value), "source": .text("death"), "status": .text("open")])
        var lookup = book.lookup()
        #expect(try DeathRule.reportedVerdict(lead: book[pension], lookup: &lookup) == .admit)
        #expect(try DeathRule.reportedVerdict(lead: book[late], lookup: &lookup) == .admit)
    }
}
