import HearthCore
import Testing

@Suite("R14 jurisdiction: a change from outside the record's owning area is refused")
struct JurisdictionRuleTests {
    @Test("an edit from another village's node is refused, with one answer whether the record exists or not")
    func foreignEdit() throws {
        var book = RecordBook()
        let home = book.household(in: Place.village1)
        let edit = book.op(
            .household, home, by: Writer.village2, village: Place.village2, fields: ["phone": .text("1")])
        var lookup = book.lookup()
        let writer = Place.scope(Place.village2)
        guard case .refused(let refusal) = try JurisdictionRule.placement(of: edit, writer: writer, lookup: &lookup)
        else {
            Issue.record("a foreign edit was placed")
            return
        }
        #expect(refusal.ruleID == .r14)
        #expect(refusal.message == "R14: \(home) is not a record of this node's scope \(Place.village2)")
        // The same words for a record the hub does not hold at all.
        let ghost = RecordID(type: .household, creator: Dot(replica: Writer.county, counter: 99))
        let unknown = book.op(.household, ghost, by: Writer.village2, village: Place.village2, fields: [:])
        let answer = try JurisdictionRule.placement(of: unknown, writer: writer, lookup: &lookup)
        #expect(
            answer
                == .refused(
                    AdmissionRefusal(.r14, "R14: \(ghost) is not a record of this node's scope \(Place.village2)")))
        // The owning village's own edit is placed where the record is.
        let own = book.op(.household, home, village: Place.village1, fields: ["phone": .text("2")])
        #expect(
            try JurisdictionRule.placement(of: own, writer: Place.scope(Place.village1), lookup: &lookup)
                == .village(Place.village1))
    }

    @Test("an op claiming another origin than its node's scope is refused; its own scope passes")
    func origin() {
        var book = RecordBook()
        let op = book.op(.household, village: Place.village1, fields: [:], origin: Place.scope(Place.township))
        let verdict = JurisdictionRule.originVerdict(of: op, writer: Place.scope(Place.village1))
        #expect(verdict.refusal?.ruleID == .r14)
        #expect(verdict.refusal?.message.hasSuffix("(R14)") == true)
        #expect(JurisdictionRule.originVerdict(of: op, writer: Place.scope(Place.township)) == .admit)
    }

    @Test("a new record lies in the village its op is logged under, inside the writer's scope")
    func creation() {
        var book = RecordBook()
        let elsewhere = book.op(.household, village: Place.village1, fields: ["village": .text(Place.village2)])
        #expect(
            JurisdictionRule.creationVerdict(of: elsewhere, writer: Place.scope(Place.village1)).refusal?.message
                == "R14: a new record's village must be the village its op is logged under (\(Place.village1))")
        let outside = book.op(.household, village: Place.village2, fields: ["village": .text(Place.village2)])
        #expect(
            JurisdictionRule.creationVerdict(of: outside, writer: Place.scope(Place.village1)).refusal?.message
                == "village \(Place.village2) is outside the node's scope \(Place.village1) (R14)")
        #expect(JurisdictionRule.creationVerdict(of: outside, writer: Place.scope(Place.township)) == .admit)
    }

    @Test(
        "county configuration under <county>000000 is no node's: refused on the code even for a scope that contains it"
    )
    func countyWideCode() throws {
        var book = RecordBook()
        let countyWide = Place.county + "000000"
        // A township scope `<county>000` contains the county-wide code as a prefix; the code decides, not the prefix.
        let zeroTownship = Place.scope(Place.county + "000")
        let forged = book.op(
            .division, village: countyWide,
            fields: ["village": .text(countyWide), "code": .text(Place.village1), "name": .text("冒名村")])
        let message = "R14: records under the county-wide code \(countyWide) are written by the county hub only"
        #expect(JurisdictionRule.creationVerdict(of: forged, writer: zeroTownship).refusal?.message == message)
        #expect(JurisdictionRule.creationVerdict(of: forged, writer: Place.scope(Place.township)).refusal != nil)
        let named = book.create(.division, in: countyWide, by: Writer.county, ["name": .text("新庄村")])
        let rename = book.op(.division, named, by: Writer.township, village: countyWide, fields: ["name": .text("x")])
        var lookup = book.lookup()
        #expect(
            try JurisdictionRule.placement(of: rename, writer: zeroTownship, lookup: &lookup)
                == .refused(AdmissionRefusal(.r14, message)))
    }

    @Test("only a township or the county moves a record, within its scope, logged under the new village")
    func moves() throws {
        var book = RecordBook()
        let home = book.household(in: Place.village1)
        var lookup = book.lookup()
        func placement(_ op: Op, _ writer: String) throws -> JurisdictionRule.Placement {
            try JurisdictionRule.placement(of: op, writer: Place.scope(writer), lookup: &lookup)
        }
        let byVillage = book.op(
            .household, home, village: Place.village2, fields: ["village": .text(Place.village2)])
        guard case .refused(let refused) = try placement(byVillage, Place.village1) else {
            Issue.record("a village node moved a record")
            return
        }
        #expect(refused.message.contains("a village node does not move records between villages"))
        let byTownship = book.op(
            .household, home, by: Writer.township, village: Place.village2, fields: ["village": .text(Place.village2)])
        #expect(try placement(byTownship, Place.township) == .village(Place.village2))
        let outOfTownship = book.op(
            .household, home, by: Writer.township, village: Place.otherVillage,
            fields: ["village": .text(Place.otherVillage)])
        guard case .refused(let outside) = try placement(outOfTownship, Place.township) else {
            Issue.record("a township moved a record out of its scope")
            return
        }
        #expect(outside.message.contains("cannot move to \(Place.otherVillage), outside the node's scope"))
        let misLogged = book.op(
            .household, home, by: Writer.township, village: Place.village1, fields: ["village": .text(Place.village2)])
        guard case .refused(let logged) = try placement(misLogged, Place.township) else {
            Issue.record("a move logged under the old village was placed")
            return
        }
        #expect(logged.message.contains("but is logged under \(Place.village1)"))
    }

    @Test("a reference must name a record of the same village; one of another village is refused")
    func references() throws {
        var book = RecordBook()
        let here = book.household(in: Place.village1)
        let there = book.household(in: Place.village2)
        var lookup = book.lookup()
        let joinThere = book.op(.member, village: Place.village1, fields: ["household": .text(there.value)])
        let verdict = try JurisdictionRule.referenceVerdict(of: joinThere, village: Place.village1, lookup: &lookup)
        #expect(
            verdict.refusal?.message
                == "R14: household names \(there), which is not a record of village \(Place.village1)")
        let joinHere = book.op(.member, village: Place.village1, fields: ["household": .text(here.value)])
        #expect(try JurisdictionRule.referenceVerdict(of: joinHere, village: Place.village1, lookup: &lookup) == .admit)
        // A target whose creation waits in quarantine lies where its op was logged.
        let pending = RecordID(type: .household, creator: Dot(replica: Writer.village, counter: 500))
        lookup.quarantined[pending] = Place.village1
        let joinPending = book.op(.member, village: Place.village1, fields: ["household": .text(pending.value)])
        #expect(
            try JurisdictionRule.referenceVerdict(of: joinPending, village: Place.village1, lookup: &lookup) == .admit)
    }

    @Test("a jurisdiction refusal is recognised from its stored reason, whichever end carries the rule")
    func storedReasons() {
        #expect(JurisdictionRule.isJurisdiction("R14: H-aaaaaaaaaaa1-1 is not a record of this node's scope 1"))
        #expect(JurisdictionRule.isJurisdiction("village 1 is outside the node's scope 2 (R14)"))
        #expect(!JurisdictionRule.isJurisdiction("R8: H-aaaaaaaaaaa1-1 moved to village 1"))
        #expect(AdmissionRefusal.isJurisdiction("R14: x") == JurisdictionRule.isJurisdiction("R14: x"))
    }
}
