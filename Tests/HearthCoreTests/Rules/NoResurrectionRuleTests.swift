import HearthCore
import Testing

@Suite("R10 no resurrection: an edit to an archived record goes to the desk")
struct NoResurrectionRuleTests {
    @Test("an edit to an archived household is refused; re-archiving or a status decision passes")
    func archived() {
        var book = RecordBook()
        let home = book.household(status: "archived")
        let edit = book.op(.household, home, village: Place.village1, fields: ["phone": .text("138")])
        let verdict = NoResurrectionRule.verdict(of: edit, current: book[home])
        #expect(verdict.refusal?.ruleID == .r10)
        #expect(verdict.refusal?.message == "R10: \(home) is archived; an edit to it goes to the desk")
        let again = book.op(.household, home, village: Place.village1, fields: ["status": .text("archived")])
        #expect(NoResurrectionRule.verdict(of: again, current: book[home]).refusal?.ruleID == .r10)
        let reopen = book.op(.household, home, village: Place.village1, fields: ["status": .text("active")])
        #expect(NoResurrectionRule.verdict(of: reopen, current: book[home]) == .admit)
    }

    @Test("an active household, a new one and other record types are let through")
    func others() {
        var book = RecordBook()
        let home = book.household()
        let member = book.member(of: home)
        let edit = book.op(.household, home, village: Place.village1, fields: ["phone": .text("138")])
        #expect(NoResurrectionRule.verdict(of: edit, current: book[home]) == .admit)
        #expect(NoResurrectionRule.verdict(of: edit, current: nil) == .admit)
        let memberEdit = book.op(.member, member, village: Place.village1, fields: ["note": .text("x")])
        #expect(NoResurrectionRule.verdict(of: memberEdit, current: book[member]) == .admit)
    }
}
