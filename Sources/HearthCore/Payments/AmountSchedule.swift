import HearthText

/// What an enrollment is granted from a month on: a fixed sum, or the county's standard less
/// a deduction (补差).
///
/// Dibao pays the difference between the standard and the household's verified income per
/// person; recording that as "the standard less 326 yuan" rather than "234 yuan" is what lets
/// a raise (提标) reach the enrollment without an edit, as the county's rules say.
public enum ScheduledAmount: Hashable, Sendable {
    /// So many fen a month, whatever the standard.
    case fixed(Money)
    /// The standard in force for the member's band that month, less so many fen per person
    /// (zero: the full standard). Never below zero.
    case standard(less: Money)

    /// The fixed sum, or nil for an amount that follows the standard.
    public var fixed: Money? {
        if case .fixed(let money) = self { return money }
        return nil
    }

    /// Text form inside a schedule: `56000`, `std`, or `std-32600`.
    public var text: String {
        switch self {
        case .fixed(let money): return String(money.fen)
        case .standard(let less): return less.fen == 0 ? "std" : "std-\(less.fen)"
        }
    }

    public init?(text: Substring) {
        if text == "std" {
            self = .standard(less: .zero)
        } else if text.hasPrefix("std-") {
            guard let fen = Int64(text.dropFirst(4)), fen > 0 else { return nil }
            self = .standard(less: Money(fen: fen))
        } else {
            guard let fen = Int64(text), fen >= 0 else { return nil }
            self = .fixed(Money(fen: fen))
        }
    }

    /// How people read it: `560.00`, `the standard`, `the standard less 326.00` (yuan), in the
    /// process's language.
    public var readable: String { readable(in: .current) }

    /// How people read it in `language`.
    public func readable(in language: Language) -> String {
        switch self {
        case .fixed(let money): return money.yuanText
        case .standard(let less):
            return less.fen == 0
                ? Catalogue.text("schedule.standard", in: language)
                : Catalogue.text("schedule.standard_less", ["less": less.yuanText], in: language)
        }
    }

    /// An amount as people type it: yuan (`560`, `560.50`), `std` (the standard), or
    /// `std-326` (the standard less 326 yuan per person: a top-up, 补差).
    public static func parse(_ raw: String, field: String) throws(InputError) -> ScheduledAmount {
        let text = raw.trimmingCharacters(in: .whitespaces).lowercased()
        if text == "std" || text == "standard" { return .standard(less: .zero) }
        if text.hasPrefix("std-") {
            let less = try Money.parse(yuan: String(text.dropFirst(4)), field: field)
            guard less.fen > 0 else { return .standard(less: .zero) }
            return .standard(less: less)
        }
        return .fixed(try Money.parse(yuan: raw, field: field))
    }

    /// The largest sum of fen the value names, for bounds checks.
    var magnitude: Money {
        switch self {
        case .fixed(let money): return money
        case .standard(let less): return less
        }
    }
}

/// An enrollment's monthly amount over time: from each month on, a ``ScheduledAmount``.
///
/// Changing the amount from a month keeps every earlier month as it was, which is what
/// reports and locked payment rolls need. Text form: `2024-01:56000;2024-07:std-32600`.
/// What a month actually pays once the county's standards apply is
/// ``StandardTable/effective(_:program:grade:birth:rules:)``, whose result holds fixed sums only.
public struct AmountSchedule: Hashable, Sendable, CustomStringConvertible {
    public private(set) var entries: [(from: Month, amount: ScheduledAmount)]

    public init() { entries = [] }

    public init(from month: Month, amount: Money) {
        entries = [(month, .fixed(amount))]
    }

    public init(from month: Month, _ amount: ScheduledAmount) {
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
                let amount = ScheduledAmount(text: pieces[1])
            else { return nil }
            if let last = entries.last, last.from >= month { return nil }
            entries.append((month, amount))
        }
    }

    /// A copy in which the amount is `amount` from `month` on; later entries are replaced.
    public func setting(_ amount: Money, from month: Month) -> AmountSchedule {
        setting(.fixed(amount), from: month)
    }

    /// A copy in which the amount is `amount` from `month` on; later entries are replaced.
    public func setting(_ amount: ScheduledAmount, from month: Month) -> AmountSchedule {
        var copy = self
        copy.entries.removeAll { $0.from >= month }
        copy.entries.append((month, amount))
        return copy
    }

    /// The fixed sum paid for a month, or nil before the first entry or where the entry
    /// follows the standard (resolve the schedule with a ``StandardTable`` first).
    public func amount(for month: Month) -> Money? {
        entries.last { $0.from <= month }?.amount.fixed
    }

    /// The entry in force in a month.
    public func entry(for month: Month) -> (from: Month, amount: ScheduledAmount)? {
        entries.last { $0.from <= month }
    }

    /// The fixed sum of the latest entry, nil when it follows the standard.
    public var current: Money? { entries.last?.amount.fixed }

    public var description: String {
        entries.map { "\($0.from):\($0.amount.text)" }.joined(separator: ";")
    }

    /// How people read it: `560.00 from 2026-01; the standard from 2027-01`, in the process's
    /// language.
    public var readable: String { readable(in: .current) }

    /// How people read it in `language`.
    public func readable(in language: Language) -> String {
        entries.map {
            Catalogue.text(
                "schedule.from", ["amount": $0.amount.readable(in: language), "month": $0.from.description],
                in: language)
        }.joined(separator: Catalogue.text("schedule.separator", in: language))
    }

    /// The largest fen figure written in the schedule, for bounds checks.
    public var largest: Money { entries.map(\.amount.magnitude).max { $0.fen < $1.fen } ?? .zero }
}
