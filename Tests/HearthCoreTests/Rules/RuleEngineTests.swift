import HearthCore
import Testing

@Suite("The rule engine: admission, desk cases and automatic decisions composed in docs/rules.md's order")
struct RuleEngineTests {
    @Test("admission takes the first refusal by precedence: R14 before R7, R7 before R6; Admission agrees")
    func admissionOrder() throws {
        var book = RecordBook()
        let home = book.household(in: Place.village1)
        let member = book.member(of: home)
        let enrollment = book.enrollment(of: member, .dibaoRural, status: "applied")
        var lookup = book.lookup()
        // From another village: R14, though it is also an approval from below the rank (R7).
        let foreign = book.op(
            .enrollment, enrollment, by: Writer.village2, village: Place.village2,
            fields: ["decision": .text("approved"), "amount": .text("2026-01:9999900")])
        let first = try RuleEngine.admissionVerdict(of: foreign, writer: Place.scope(Place.village2), lookup: &lookup)
        #expect(first.refusal?.ruleID == .r14)
        // From its own village: R7, though the amount is implausible too (R6).
        let own = book.op(
            .enrollment, enrollment, village: Place.village1,
            fields: ["decision": .text("approved"), "amount": .text("2026-01:9999900")])
        let second = try RuleEngine.admissionVerdict(of: own, writer: Place.scope(Place.village1), lookup: &lookup)
        #expect(second.refusal?.ruleID == .r7)
        // From the township: R6 is what is left.
        let township = book.op(
            .enrollment, enrollment, by: Writer.township, village: Place.village1,
            fields: ["decision": .text("approved"), "amount": .text("2026-01:9999900")])
        let third = try RuleEngine.admissionVerdict(
            of: township, writer: Place.scope(Place.township), lookup: &lookup)
        #expect(third.refusal?.ruleID == .r6)
        for (op, writer) in [(foreign, Place.village2), (own, Place.village1), (township, Place.township)] {
            #expect(
                try Admission.refusal(of: op, writer: Place.scope(writer), lookup: &lookup)
                    == RuleEngine.admissionVerdict(of: op, writer: Place.scope(writer), lookup: &lookup).refusal)
        }
        // A plausible approval by the township is admitted.
        let fine = book.op(
            .enrollment, enrollment, by: Writer.township, village: Place.village1,
            fields: ["decision": .text("approved"), "status": .text("approved")])
        #expect(
            try RuleEngine.admissionVerdict(of: fine, writer: Place.scope(Place.township), lookup: &lookup) == .admit)
    }

    @Test("a malformed op is refused under no rule, after its origin and before anything else")
    func malformed() throws {
        var book = RecordBook()
        var lookup = book.lookup()
        let unknownField = book.op(
            .household, village: Place.village1, fields: ["village": .text(Place.village1), "colour": .text("red")])
        let verdict = try RuleEngine.admissionVerdict(
            of: unknownField, writer: Place.scope(Place.village1), lookup: &lookup)
        #expect(verdict.refusal?.rule == nil)
        #expect(verdict.refusal?.message == "colour: not a field of a household")
        let unsafe = book.op(
            .household, village: Place.village1, fields: ["village": .text(Place.village1)], cause: "a\u{1B}[2J")
        #expect(
            try RuleEngine.admissionVerdict(of: unsafe, writer: Place.scope(Place.village1), lookup: &lookup).refusal?
                .message == "author or cause contains control or bidirectional-override characters")
        let made = book.op(.household, village: Place.village1, fields: ["village": .text(Place.village1)])
        #expect(
            try RuleEngine.admissionVerdict(of: made, writer: Place.scope(Place.village1), lookup: &lookup) == .admit)
    }

    @Test("desk cases come in the desk's order, each once, from the subjects the store names")
    func deskCases() throws {
        var book = RecordBook()
        let home = book.household()
        let widow = book.household()
        let member = book.member(of: home, idHash: "ee55")
        let twin = book.member(of: widow, idHash: "ee55")
        book.write(home, ["head": .text(member.value)])
        book.write(widow, ["head": .text(twin.value)])
        let dibao = book.enrollment(of: member, .dibaoRural)
        _ = book.enrollment(of: member, .tekunDispersed)
        let care = book.enrollment(of: twin, .disabilityCare)
        let wait = CausalOrderRule.WaitingOp(
            dot: Dot(replica: Writer.village, counter: 900), record: home.value, needs: "x", sinceMillis: 0)
        var lookup = book.lookup()
        let subjects = RuleEngine.Subjects(
            idHashes: ["ee55", "ee55", "ff66"], members: [member, twin, member],
            enrollments: [book[care], book[dibao]], households: [book[widow], book[home]], waits: [wait])
        let cases = try RuleEngine.deskCases(subjects, nowMillis: 8 * 86_400_000, lookup: &lookup)
        let (earlier, _) = member < twin ? (member, twin) : (twin, member)
        #expect(cases.map(\.id) == ["R5:\(earlier)", "R6:\(member)", "R6:\(care)", "R11:aaaaaaaaaaa1:900"])
        #expect(Set(cases.map(\.id)).count == cases.count)
    }

    @Test("a batch's decisions: overrides the hub logged, then deaths, then what exits supersede")
    func batchDecisions() throws {
        var book = RecordBook()
        let home = book.household()
        let member = book.member(of: home)
        let enrollment = book.enrollment(of: member, .dibaoRural)
        let seen = book[enrollment].clock
        let exit = book.write(enrollment, ["status": .text("suspended")])
        let raise = book.write(
            enrollment, ["amount": .text("2026-01:60000")], by: Writer.township, seen: seen,
            cause: Plausibility.cause("raise", override: "county rule"))
        let death = book.write(member, ["vital_status": .text("deceased"), "death_date": .text("2026-05-01")])
        var lookup = book.lookup()
        let decisions = try RuleEngine.batchDecisions(
            after: [exit, raise, death], logged: { $0.dot != exit.dot }, deceased: [book[member]],
            history: { _ in [exit, raise] }, lookup: &lookup)
        #expect(decisions.map(\.rule) == [.r6, .r1, .r2, .r2])
        #expect(decisions[0].subject == raise.dot)
        #expect(decisions[1].record == enrollment)
        #expect(decisions[2].trigger == "\(raise.dot),\(exit.dot)")
        #expect(decisions[2].trigger == decisions[3].trigger)
    }
}
