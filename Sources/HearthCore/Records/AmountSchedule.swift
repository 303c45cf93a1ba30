/// An enrollment's monthly amount over time: from each month on, so many fen a month.
///
/// Changing the amount from a month keeps every earlier month as it was, which is what
/// reports and locked payment rolls need. Text form: `2024-01:56000;2024-07:60000`.
public struct AmountSchedule: Hashable, Sendable, CustomStringConvertible {
    public private(set) var entries: [(from: Month, amount: Money)]

    public init() { entries = [] }

    public init(from month: Month, amount: Money) {
        entries = [(month, amount)]
    }

    public static func == (lhs: AmountSchedule, rhs: AmountSchedule) -> Bool {
        lhs.description == rhs.description
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(description) }

    public init?(text: String) {
        entries = []
        guard !text.isEmpty else { return }
        for part in text.split(separator: ";") {
            let pieces = part.split(separator: ":")
            guard pieces.count == 2, let month = try? Month.parse(String(pieces[0]), field: "amount"),
                let fen = Int64(pieces[1]), fen >= 0
            else { return nil }
            if let last = entries.last, last.from >= month { return nil }
            entries.append((month, Money(fen: fen)))
        }
    }

    /// A copy in which the amount is `amount` from `month` on; later entries are replaced.
    public func setting(_ amount: Money, from month: Month) -> AmountSchedule {
        var copy = self
        copy.entries.removeAll { $0.from >= month }
        copy.entries.append((month, amount))
        return copy
    }

    /// The amount paid for a month, or nil before the first entry.
    public func amount(for month: Month) -> Money? {
        entries.last { $0.from <= month }?.amount
    }

    /// The amount of the latest entry: what the enrollment pays now.
    public var current: Money? { entries.last?.amount }

    public var description: String {
        entries.map { "\($0.from):\($0.amount.fen)" }.joined(separator: ";")
    }
}
