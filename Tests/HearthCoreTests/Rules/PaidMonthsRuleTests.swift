import HearthCore
import Testing

@Suite("R12 paid months are history: a locked month is adjusted in the next roll, never rewritten")
struct PaidMonthsRuleTests {
    @Test("owed more than paid is back pay, less is recovery, the same is nothing")
    func adjustments() throws {
        #expect(
            try PaidMonthsRule.adjustment(owed: Money(fen: 60_000), paid: Money(fen: 56_000))
                == .backPay(Money(fen: 4_000)))
        let recovery = try PaidMonthsRule.adjustment(owed: .zero, paid: Money(fen: 56_000))
        #expect(recovery == .recovery(Money(fen: -56_000)))
        #expect(recovery?.amount == Money(fen: -56_000))
        #expect(try PaidMonthsRule.adjustment(owed: Money(fen: 56_000), paid: Money(fen: 56_000)) == nil)
    }

    @Test("a month still withheld or held is neither paid nor adjusted; an absurd amount is refused")
    func unsettled() throws {
        #expect(try PaidMonthsRule.adjustment(owed: nil, paid: Money(fen: 56_000)) == nil)
        #expect(throws: PaidMonthsRule.Overflow.self) {
            try PaidMonthsRule.adjustment(owed: Money(fen: Int64.min), paid: Money(fen: 1))
        }
    }
}
