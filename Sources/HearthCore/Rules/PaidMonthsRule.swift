/// R12, paid months are history: a change that affects a month whose payment roll is locked
/// is never a rewrite of that roll; the next roll carries the difference between what the
/// month is owed now and what was paid for it, as back pay (补发) or recovery (追缴).
public enum PaidMonthsRule {
    /// A line of the next roll for a locked month.
    public enum Adjustment: Hashable, Sendable {
        /// Owed more than was paid: the difference is paid.
        case backPay(Money)
        /// Paid more than is owed: the difference (negative) is recovered.
        case recovery(Money)

        /// The line's amount: positive for back pay, negative for recovery.
        public var amount: Money {
            switch self {
            case .backPay(let money), .recovery(let money): return money
            }
        }
    }

    /// The difference cannot be represented: an amount on record is out of bounds.
    public struct Overflow: Error, Hashable, Sendable {}

    /// The adjustment for a locked month owed `owed` now (nil while the month is withheld or
    /// held: neither paid nor adjusted until it settles) and paid `paid`; nil when they agree.
    public static func adjustment(owed: Money?, paid: Money) throws(Overflow) -> Adjustment? {
        guard let owed else { return nil }
        let (difference, overflow) = owed.fen.subtractingReportingOverflow(paid.fen)
        guard !overflow else { throw Overflow() }
        if difference == 0 { return nil }
        return difference > 0 ? .backPay(Money(fen: difference)) : .recovery(Money(fen: difference))
    }
}
