import HearthCore
import Testing

@Suite("R5 one person, one record; R5a ID numbers checked at the hub")
struct DuplicatePersonRuleTests {
    @Test("two living members with one ID number are a case; the later record's live enrollments are held")
    func duplicate() throws {
        var book = RecordBook()
        let home = book.household(in: Place.village2)
        let other = book.household(in: Place.village1)
        let first = book.member(of: home, idHash: "aa11")
        let second = book.member(of: other, idHash: "aa11")
        _ = book.member(of: other, idHash: "bb22")
        let (earlier, later) = first < second ? (first, second) : (second, first)
        let paid = book.enrollment(of: later, .dibaoRural)
        _ = book.enrollment(of: later, .elderly, status: "exited")
        _ = book.enrollment(of: earlier, .dibaoRural)
        var lookup = book.lookup()
        let found = try DuplicatePersonRule.verdict(idHash: "aa11", lookup: &lookup).deskCase
        #expect(found?.id == "R5:\(earlier)")
        #expect(found?.rule == .r5)
        #expect(found?.kind == "duplicate-person")
        #expect(found?.records == [earlier, later])
        #expect(found?.holds == [paid])
        #expect(found?.village == Place.village1)
        #expect(
            found?.detail
                == "the same ID number is registered to \(earlier) and \(later); the later record's enrollments are held"
        )
        #expect(try DuplicatePersonRule.verdict(idHash: "bb22", lookup: &lookup) == .admit)
    }

    @Test("a deceased holder, or one in an archived household, does not count; one in no known household does")
    func liveHolders() throws {
        var book = RecordBook()
        let home = book.household()
        let archived = book.household(status: "archived")
        _ = book.member(of: home, idHash: "cc33")
        _ = book.member(of: home, vital: "deceased", idHash: "cc33")
        _ = book.member(of: archived, idHash: "cc33")
        var lookup = book.lookup()
        #expect(try DuplicatePersonRule.verdict(idHash: "cc33", lookup: &lookup) == .admit)
        let nowhere = RecordID(type: .household, creator: Dot(replica: Writer.county, counter: 77))
        _ = book.member(of: nowhere, idHash: "cc33")
        lookup = book.lookup()
        #expect(try DuplicatePersonRule.verdict(idHash: "cc33", lookup: &lookup).deskCase?.records.count == 2)
    }

    @Test("a sealed ID number must open with the county's key and be valid; the problem never repeats it")
    func idNumbers() {
        var book = RecordBook()
        let sealed = SealedValue(box: "box", digest: "dd44")
        let op = book.op(.member, village: Place.village1, fields: ["id_number": .sealed(sealed)])
        let today = date("2025-06-01")
        #expect(IDNumberRule.problem(of: op, today: today) { _ in "421281198001010011" } == nil)
        #expect(IDNumberRule.problem(of: op, today: today) { _ in nil } == "id_number: sealed under another county key")
        let wrong = IDNumberRule.problem(of: op, today: today) { _ in "421281198001010012" }
        #expect(wrong?.hasPrefix("id_number: ") == true)
        #expect(wrong?.contains("42128119800101001") == false)
        let plain = book.op(.member, village: Place.village1, fields: ["name": .text("王五")])
        #expect(IDNumberRule.problem(of: plain, today: today) { _ in nil } == nil)
        // The hub's field check is the ID number's, then the date of death's.
        let both = book.op(
            .member, village: Place.village1,
            fields: ["id_number": .sealed(sealed), "death_date": .text("2025-07-01")])
        #expect(
            RuleEngine.fieldProblem(of: both, today: today) { _ in nil } == "id_number: sealed under another county key"
        )
        #expect(
            RuleEngine.fieldProblem(of: both, today: today) { _ in "421281198001010011" }
                == "death_date: is in the future")
    }
}
