import HearthCore
import Testing

@Suite("R7 approval authority: below the approving rank a decision is a recommendation")
struct ApprovalAuthorityRuleTests {
    @Test("a village's approval or rejection is refused as a recommendation; a township's counts")
    func decisions() {
        var book = RecordBook()
        let home = book.household()
        let member = book.member(of: home)
        let enrollment = book.enrollment(of: member, .dibaoRural, status: "applied")
        for (decision, verb) in [("approved", "approve"), ("rejected", "reject")] {
            let op = book.op(.enrollment, enrollment, village: Place.village1, fields: ["decision": .text(decision)])
            let verdict = ApprovalAuthorityRule.verdict(
                of: op, writer: Place.scope(Place.village1), current: book[enrollment])
            #expect(verdict.refusal?.ruleID == .r7)
            #expect(
                verdict.refusal?.message
                    == "R7: a village cannot \(verb) dibao_rural; it counts as a recommendation for the township")
            #expect(
                ApprovalAuthorityRule.verdict(of: op, writer: Place.scope(Place.township), current: book[enrollment])
                    == .admit)
        }
        #expect(ApprovalAuthorityRule.recommends(.village, for: .elderly))
        #expect(!ApprovalAuthorityRule.recommends(.township, for: .elderly))
        #expect(!ApprovalAuthorityRule.recommends(.county, for: .dibaoUrban))
    }

    @Test("a village may change an application's amount, not an approved enrollment's")
    func money() {
        var book = RecordBook()
        let home = book.household()
        let member = book.member(of: home)
        let applied = book.enrollment(of: member, .dibaoRural, status: "applied")
        let approved = book.enrollment(of: member, .elderly, status: "approved")
        let village = Place.scope(Place.village1)
        let onApplied = book.op(.enrollment, applied, village: Place.village1, fields: ["amount": .text("2026-01:1")])
        #expect(ApprovalAuthorityRule.verdict(of: onApplied, writer: village, current: book[applied]) == .admit)
        let onApproved = book.op(.enrollment, approved, village: Place.village1, fields: ["amount": .text("2026-01:1")])
        let refusal = ApprovalAuthorityRule.verdict(of: onApproved, writer: village, current: book[approved]).refusal
        #expect(refusal?.message.hasPrefix("R7: a village cannot change the amount of an approved elderly") == true)
        #expect(Admission.isApproved(book[approved]))
        #expect(!Admission.isApproved(book[applied]))
        // Notes are anyone's.
        let note = book.op(.enrollment, approved, village: Place.village1, fields: ["note": .text("visited")])
        #expect(ApprovalAuthorityRule.verdict(of: note, writer: village, current: book[approved]) == .admit)
    }
}
