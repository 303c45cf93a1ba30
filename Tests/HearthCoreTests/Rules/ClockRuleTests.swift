import HearthCore
import Testing

@Suite("R15 clock hygiene: a skewed node is accepted and flagged; a clock is never dragged past five minutes")
struct ClockRuleTests {
    @Test("skew is the node's clock minus the hub's, flagged beyond five minutes either way")
    func skew() {
        #expect(ClockRule.skew(nodeMillis: 1_000_000, hubMillis: 700_000) == 300_000)
        #expect(!ClockRule.isFlagged(skewMillis: 300_000))
        #expect(ClockRule.isFlagged(skewMillis: 300_001))
        #expect(ClockRule.isFlagged(skewMillis: -300_001))
        #expect(!ClockRule.isFlagged(skewMillis: nil))
        #expect(ClockRule.skew(nodeMillis: Int64.min, hubMillis: 1) == -Int64.max)
        #expect(ClockRule.skew(nodeMillis: Int64.max, hubMillis: -1) == Int64.max)
        #expect(ClockRule.isFlagged(skewMillis: ClockRule.skew(nodeMillis: Int64.min, hubMillis: 0)))
    }

    @Test("a remote timestamp moves the hub's clock at most five minutes past its wall clock")
    func bound() {
        var clock = HybridClock()
        clock.observe(HLC(millis: 10_000_000, logical: 0), wallMillis: 1_000_000)
        #expect(clock.last == HLC(millis: 1_000_000 + ClockRule.maxSkewMillis, logical: 0))
        clock.observe(HLC(millis: 1_100_000, logical: 3), wallMillis: 1_000_000)
        #expect(clock.last == HLC(millis: 1_300_000, logical: 0))
    }
}
