/// A calendar month (year and month), such as the month a benefit is paid for.
///
/// Dibao and similar payments are granted and audited per month, so the month is a
/// value of its own rather than a date whose day is ignored. Years are limited to
/// 1...9999. Encoded as a single "YYYY-MM" string.
public struct Month: Comparable, Hashable, Sendable, CustomStringConvertible, Codable {
    public let year: Int
    /// The month of the year, 1...12.
    public let month: Int

    /// A month with year in 1...9999 and month in 1...12, or nil.
    public init?(year: Int, month: Int) {
        guard (1...9999).contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    init(uncheckedYear year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    /// Parses a month typed by a person: `YYYY-MM` or `YYYYMM`, year 1900...2200.
    ///
    /// Surrounding spaces are ignored and full-width digits are accepted.
    public static func parse(_ text: String, field: String) throws(InputError) -> Month {
        let cleaned = ValueText.cleaned(text)
        guard !cleaned.isEmpty else { throw InputError(field: field, "input.is_empty") }
        guard let (year, month) = components(Array(cleaned.utf8), allowCompact: true) else {
            throw InputError(field: field, "input.month_format")
        }
        guard ValueText.years.contains(year) else {
            throw InputError(field: field, "input.year_range")
        }
        guard let value = Month(year: year, month: month) else {
            throw InputError(field: field, "input.month_range")
        }
        return value
    }

    static func components<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, allowCompact: Bool) -> (Int, Int)?
    where Bytes.Index == Int {
        if bytes.count == 7, bytes[4] == UInt8(ascii: "-"),
            let year = ValueText.number(bytes[0..<4]), let month = ValueText.number(bytes[5..<7])
        {
            return (year, month)
        }
        if allowCompact, bytes.count == 6,
            let year = ValueText.number(bytes[0..<4]), let month = ValueText.number(bytes[4..<6])
        {
            return (year, month)
        }
        return nil
    }

    /// The month `months` months later (earlier when negative).
    ///
    /// - Precondition: the result lies in years 1...9999, like any integer overflow.
    public func adding(months: Int) -> Month {
        let (total, overflow) = (year * 12 + month - 1).addingReportingOverflow(months)
        precondition(!overflow && total >= 12 && total <= 9999 * 12 + 11, "Month.adding(months:) left years 1...9999")
        return Month(uncheckedYear: total / 12, month: total % 12 + 1)
    }

    /// The first day of the month.
    public var firstDay: CivilDate {
        CivilDate(year: year, month: month, day: 1)!
    }

    /// The last day of the month (28, 29, 30 or 31).
    public var lastDay: CivilDate {
        CivilDate(year: year, month: month, day: CivilDate.daysIn(year: year, month: month))!
    }

    public static func < (lhs: Month, rhs: Month) -> Bool {
        (lhs.year, lhs.month) < (rhs.year, rhs.month)
    }

    /// "YYYY-MM".
    public var description: String {
        "\(ValueText.padded(year, 4))-\(ValueText.padded(month, 2))"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let (year, month) = Month.components(Array(text.utf8), allowCompact: false),
            let value = Month(year: year, month: month)
        else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected a month written as YYYY-MM")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
