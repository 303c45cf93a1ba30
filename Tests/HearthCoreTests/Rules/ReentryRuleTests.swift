import HearthCore
import Testing

@Suite("R13 re-entry is new: one live enrollment per program; after an exit, a new one")
struct ReentryRuleTests {
    @Test("a second live enrollment in a program is refused, naming the live one")
    func secondLive() throws {
        var book = RecordBook()
        let home = book.household()
        let member = book.member(of: home)
        let live = book.enrollment(of: member, .dibaoRural, status: "applied")
        var lookup = book.lookup()
        let refusal = try ReentryRule.verdict(member: member, program: .dibaoRural, lookup: &lookup).refusal
        #expect(refusal?.ruleID == .r13)
        #expect(refusal?.message == "\(member) already has a live dibao_rural enrollment (\(live))")
        #expect(try ReentryRule.verdict(member: member, program: .elderly, lookup: &lookup) == .admit)
    }

    @Test("after an exit the person is enrolled again in a new enrollment")
    func afterExit() throws {
        var book = RecordBook()
        let home = book.household()
        let member = book.member(of: home)
        let old = book.enrollment(of: member, .dibaoRural)
        book.write(old, ["status": .text("exited"), "exit_reason": .text("income")])
        var lookup = book.lookup()
        #expect(try ReentryRule.verdict(member: member, program: .dibaoRural, lookup: &lookup) == .admit)
    }
}
