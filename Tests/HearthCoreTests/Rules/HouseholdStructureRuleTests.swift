import HearthCore
import Testing

@Suite("R8 household structure: one live household, a living head, no joining an archived household")
struct HouseholdStructureRuleTests {
    @Test("a member cannot join an archived household; an active one they can")
    func joinArchived() throws {
        var book = RecordBook()
        let archived = book.household(status: "archived")
        let active = book.household()
        var lookup = book.lookup()
        let join = book.op(.member, village: Place.village1, fields: ["household": .text(archived.value)])
        #expect(
            try HouseholdStructureRule.joinVerdict(of: join, lookup: &lookup).refusal?.message
                == "R8: household \(archived) is archived; a member cannot join it")
        let joinActive = book.op(.member, village: Place.village1, fields: ["household": .text(active.value)])
        #expect(try HouseholdStructureRule.joinVerdict(of: joinActive, lookup: &lookup) == .admit)
    }

    @Test("an edit made for the village a record has left goes to the desk")
    func movedAway() {
        var book = RecordBook()
        let home = book.household(in: Place.village2)
        let stale = book.op(.household, home, village: Place.village1, fields: ["phone": .text("1")])
        #expect(
            HouseholdStructureRule.movedAwayVerdict(of: stale, currentVillage: Place.village2).refusal?.message
                == "R8: \(home) moved to village \(Place.village2); an edit made for \(Place.village1) goes to the desk"
        )
        #expect(HouseholdStructureRule.movedAwayVerdict(of: stale, currentVillage: Place.village1) == .admit)
    }

    @Test("a live household whose members all died is a case holding its live enrollments, and only those")
    func noLivingMember() throws {
        var book = RecordBook()
        let home = book.household()
        let first = book.member(of: home, vital: "deceased")
        let second = book.member(of: home, vital: "deceased")
        let live = book.enrollment(of: first, .dibaoRural)
        _ = book.enrollment(of: second, .dibaoRural, status: "exited")
        _ = book.enrollment(of: second, .temporary, status: nil)
        var lookup = book.lookup()
        let found = try HouseholdStructureRule.deskVerdict(household: book[home], lookup: &lookup).deskCase
        #expect(found?.id == "H:\(home)/living")
        #expect(found?.rule == .r8)
        #expect(found?.kind == "no-living-member")
        #expect(found?.village == Place.village1)
        #expect(found?.holds == [live])
        #expect(found?.detail == "\(home) has no living member: archive it or correct the record")
    }

    @Test("a household with a living member and no head, or a deceased head, needs one; a living head closes it")
    func head() throws {
        var book = RecordBook()
        let home = book.household()
        let father = book.member(of: home)
        let son = book.member(of: home)
        var lookup = book.lookup()
        #expect(
            try HouseholdStructureRule.deskVerdict(household: book[home], lookup: &lookup).deskCase?.id
                == "H:\(home)/head")
        book.write(home, ["head": .text(father.value)])
        lookup = book.lookup()
        #expect(try HouseholdStructureRule.deskVerdict(household: book[home], lookup: &lookup) == .admit)
        book.write(father, ["vital_status": .text("deceased")])
        lookup = book.lookup()
        let headless = try HouseholdStructureRule.deskVerdict(household: book[home], lookup: &lookup).deskCase
        #expect(headless?.kind == "no-head")
        #expect(headless?.holds.isEmpty == true)
        book.write(home, ["head": .text(son.value)])
        lookup = book.lookup()
        #expect(try HouseholdStructureRule.deskVerdict(household: book[home], lookup: &lookup) == .admit)
    }

    @Test("archived households and households without members are no case")
    func notCases() throws {
        var book = RecordBook()
        let archived = book.household(status: "archived")
        _ = book.member(of: archived, vital: "deceased")
        let empty = book.household()
        var lookup = book.lookup()
        #expect(try HouseholdStructureRule.deskVerdict(household: book[archived], lookup: &lookup) == .admit)
        #expect(try HouseholdStructureRule.deskVerdict(household: book[empty], lookup: &lookup) == .admit)
    }
}
