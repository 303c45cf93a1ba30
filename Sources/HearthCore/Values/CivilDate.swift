/// A calendar day (year, month, day) with no time of day and no time zone.
///
/// Birth dates, application dates and payment dates are days on the wall calendar, not
/// instants; keeping them as plain days avoids time-zone shifts turning 1 March into
/// 28 February. Years are limited to 1...9999 so the text form is always `YYYY-MM-DD`.
/// Encoded as a single "YYYY-MM-DD" string.
public struct CivilDate: Comparable, Hashable, Sendable, CustomStringConvertible, Codable {
    public let year: Int
    /// The month of the year, 1...12.
    public let monthNumber: Int
    /// The day of the month, 1...31.
    public let day: Int

    /// A real calendar date (proleptic Gregorian, leap years respected), or nil.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            day >= 1, day <= CivilDate.daysIn(year: year, month: month)
        else {
            return nil
        }
        self.year = year
        self.monthNumber = month
        self.day = day
    }

    private init(unchecked year: Int, _ month: Int, _ day: Int) {
        self.year = year
        self.monthNumber = month
        self.day = day
    }

    /// Whether `year` is a Gregorian leap year.
    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    /// The number of days in a month, or 0 for a month number outside 1...12.
    public static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: return 31
        case 4, 6, 9, 11: return 30
        case 2: return isLeapYear(year) ? 29 : 28
        default: return 0
        }
    }

    /// Parses a date typed by a person: `YYYY-MM-DD` or `YYYYMMDD`, year 1900...2200.
    ///
    /// Surrounding spaces are ignored and full-width digits are accepted.
    public static func parse(_ text: String, field: String) throws(InputError) -> CivilDate {
        let cleaned = ValueText.cleaned(text)
        guard !cleaned.isEmpty else { throw InputError(field: field, "input.is_empty") }
        guard let (year, month, day) = components(Array(cleaned.utf8), allowCompact: true) else {
            throw InputError(field: field, "input.date_format")
        }
        guard ValueText.years.contains(year) else {
            throw InputError(field: field, "input.year_range")
        }
        guard (1...12).contains(month) else {
            throw InputError(field: field, "input.month_range")
        }
        guard let date = CivilDate(year: year, month: month, day: day) else {
            throw InputError(field: field, "input.no_such_day")
        }
        return date
    }

    /// Splits `YYYY-MM-DD` (or `YYYYMMDD` when allowed) into numbers without checking ranges.
    static func components<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, allowCompact: Bool) -> (Int, Int, Int)?
    where Bytes.Index == Int {
        if bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            let year = ValueText.number(bytes[0..<4]),
            let month = ValueText.number(bytes[5..<7]),
            let day = ValueText.number(bytes[8..<10])
        {
            return (year, month, day)
        }
        if allowCompact, bytes.count == 8,
            let year = ValueText.number(bytes[0..<4]),
            let month = ValueText.number(bytes[4..<6]),
            let day = ValueText.number(bytes[6..<8])
        {
            return (year, month, day)
        }
        return nil
    }

    /// The month this date falls in.
    public var month: Month {
        Month(uncheckedYear: year, month: monthNumber)
    }

    /// Completed years from `self` (a birth date) to `date`, as used for age rules.
    ///
    /// Someone born on 29 February completes a year on 1 March in common years.
    /// Negative when `date` is before `self`.
    public func age(on date: CivilDate) -> Int {
        let years = date.year - year
        let beforeBirthday = (date.monthNumber, date.day) < (monthNumber, day)
        return years - (beforeBirthday ? 1 : 0)
    }

    /// Days since 1970-01-01 (which is day 0); negative before it.
    public var daysSinceEpoch: Int64 {
        CivilDate.days(year: Int64(year), month: Int64(monthNumber), day: Int64(day))
    }

    private static let firstEpochDay = days(year: 1, month: 1, day: 1)
    private static let lastEpochDay = days(year: 9999, month: 12, day: 31)

    /// The date `days` days after 1970-01-01 in the proleptic Gregorian calendar.
    ///
    /// Lets callers turn Unix time into a date without Foundation:
    /// `fromDaysSinceEpoch(seconds / 86_400)` (floor the division for times before 1970).
    /// Values outside 0001-01-01...9999-12-31 are clamped to those ends so a corrupt
    /// clock cannot crash the caller.
    public static func fromDaysSinceEpoch(_ days: Int64) -> CivilDate {
        // Howard Hinnant's civil_from_days.
        let clamped = min(max(days, firstEpochDay), lastEpochDay)
        let shifted = clamped + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let marchMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * marchMonth + 2) / 5 + 1
        let month = marchMonth < 10 ? marchMonth + 3 : marchMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return CivilDate(unchecked: Int(year), Int(month), Int(day))
    }

    private static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        // Howard Hinnant's days_from_civil.
        let marchYear = month <= 2 ? year - 1 : year
        let era = (marchYear >= 0 ? marchYear : marchYear - 399) / 400
        let yearOfEra = marchYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.monthNumber, lhs.day) < (rhs.year, rhs.monthNumber, rhs.day)
    }

    /// "YYYY-MM-DD".
    public var description: String {
        "\(ValueText.padded(year, 4))-\(ValueText.padded(monthNumber, 2))-\(ValueText.padded(day, 2))"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let (year, month, day) = CivilDate.components(Array(text.utf8), allowCompact: false),
            let date = CivilDate(year: year, month: month, day: day)
        else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected a real date written as YYYY-MM-DD")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
