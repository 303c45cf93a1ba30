import Foundation
import HearthCore
import HearthLedger
import HearthStore
import Testing

/// What each competing value of a field would pay, as the desk shows beside a conflict: checked
/// against the roll once the value is the enrollment's.
@Suite("What each competing value would pay, month by month")
struct PaymentEffectsTests {
    static let months = (1...8).map { MoneyRuleTests.Desk.month("2026-0\($0)") }

    /// The regular line the roll of `month` pays the enrollment; zero when it pays none.
    static func paid(_ desk: inout MoneyRuleTests.Desk, _ month: Month) throws -> Money {
        let roll = try desk.roll(month.description)
        return roll.rows.first { $0.kind == .regular && $0.enrollment == desk.enrollment }?.amount ?? .zero
    }

    /// The amount a value's runs give for a month.
    static func amount(_ segments: [PaymentEffect.Segment], _ month: Month) -> Money? {
        segments.last { $0.from <= month }?.amount
    }

    @Test("an amount: each value's runs are what the roll pays once that value is the enrollment's")
    func amountMatchesTheRoll() async throws {
        var desk = try await MoneyRuleTests.Desk()
        let hub = desk.county.hub
        let before = try #require(try hub.replica.state(of: desk.enrollment)?.resolution(of: "amount").value)
        try hub.replica.changeAmount(
            desk.enrollment.value, amount: "500", from: "2026-04", reason: "核减", author: "county",
            nowMillis: desk.clock)
        let after = try #require(try hub.replica.state(of: desk.enrollment)?.resolution(of: "amount").value)
        let effects = try hub.replica.paymentEffects(
            of: desk.enrollment, field: "amount", values: [before, after], months: Self.months)
        #expect(effects.map(\.enrollment) == [desk.enrollment])
        let runs = try #require(effects.first?.segments)
        #expect(runs[0] == [PaymentEffect.Segment(from: Self.months[0], amount: Money(fen: 56_000))])
        #expect(
            runs[1] == [
                PaymentEffect.Segment(from: Self.months[0], amount: Money(fen: 56_000)),
                PaymentEffect.Segment(from: Self.months[3], amount: Money(fen: 50_000)),
            ])
        for month in Self.months {
            #expect(try Self.paid(&desk, month) == Self.amount(runs[1], month), "\(month)")
        }
    }

    @Test("a member's vital status: alive pays as the roll does; deceased without a date withholds every month")
    func vitalStatusOfTheMember() async throws {
        var desk = try await MoneyRuleTests.Desk()
        let hub = desk.county.hub
        let values: [FieldValue] = [.text("alive"), .text("deceased")]
        let effects = try hub.replica.paymentEffects(
            of: desk.member, field: "vital_status", values: values, months: Self.months)
        #expect(effects.map(\.enrollment) == [desk.enrollment], "the member's enrollments")
        let runs = try #require(effects.first?.segments)
        #expect(runs[0] == [PaymentEffect.Segment(from: Self.months[0], amount: Money(fen: 56_000))])
        #expect(runs[1] == [PaymentEffect.Segment(from: Self.months[0], amount: nil)], "withheld: no date of death")
        for month in Self.months {
            #expect(try Self.paid(&desk, month) == Self.amount(runs[0], month), "\(month)")
        }
        #expect(
            try hub.replica.paymentEffects(of: desk.member, field: "name", values: values, months: Self.months)
                .isEmpty, "a field that decides no money")
    }
}
