import HearthCore
import Testing

@Suite("R11 causal order: held ops, flagged when they wait too long; no move before the creation is accepted")
struct CausalOrderRuleTests {
    private let wait = CausalOrderRule.WaitingOp(
        dot: Dot(replica: Writer.village, counter: 7), record: "H-aaaaaaaaaaa1-3", needs: "aaaaaaaaaaa1:6",
        sinceMillis: 1_780_000_000_000)

    @Test("an op waiting longer than a week is a case for the county, naming what it waits for")
    func waitingTooLong() {
        let day: Int64 = 86_400_000
        #expect(CausalOrderRule.waitingVerdict(wait, nowMillis: wait.sinceMillis + 6 * day) == .admit)
        #expect(CausalOrderRule.waitingVerdict(wait, nowMillis: wait.sinceMillis + 7 * day) == .admit)
        let late = CausalOrderRule.waitingVerdict(wait, nowMillis: wait.sinceMillis + 7 * day + 1).deskCase
        #expect(late?.id == "R11:aaaaaaaaaaa1:7")
        #expect(late?.rule == .r11)
        #expect(late?.kind == "waiting-too-long")
        #expect(late?.records.map(\.value) == ["H-aaaaaaaaaaa1-3"])
        #expect(late?.detail.hasSuffix("for aaaaaaaaaaa1:6") == true)
        #expect(late?.holds.isEmpty == true)
        // The limit is a parameter of the county's.
        #expect(
            CausalOrderRule.waitingVerdict(wait, nowMillis: wait.sinceMillis + day + 1, waitLimitMillis: day).deskCase?
                .id == "R11:aaaaaaaaaaa1:7")
    }

    @Test("a record whose creation waits at the desk is not moved; once accepted it may be")
    func noMoveBeforeCreation() throws {
        var book = RecordBook()
        let pending = RecordID(type: .household, creator: Dot(replica: Writer.village, counter: 40))
        let move = book.op(
            .household, pending, by: Writer.township, village: Place.village2,
            fields: ["village": .text(Place.village2)])
        var lookup = book.lookup()
        lookup.quarantined[pending] = Place.village1
        let placement = try JurisdictionRule.placement(of: move, writer: Place.scope(Place.township), lookup: &lookup)
        guard case .refused(let refusal) = placement else {
            Issue.record("a pending record was moved")
            return
        }
        #expect(refusal.ruleID == .r11)
        #expect(refusal.message.hasPrefix("R11: \(pending) is not accepted yet"))
        #expect(CausalOrderRule.moveVerdict(of: move, creationAccepted: true) == .admit)
    }
}
