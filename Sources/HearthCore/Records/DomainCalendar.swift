/// Calendar facts for the domain: dates are China Standard Time (UTC+8), where the
/// records are made, whatever timezone a server is set to.
public enum DomainCalendar {
    public static let offsetMillis: Int64 = 8 * 3600 * 1000

    /// The calendar date at the given Unix time, in China Standard Time.
    public static func date(atMillis millis: Int64) -> CivilDate {
        let shifted = millis + offsetMillis
        let days = shifted >= 0 ? shifted / 86_400_000 : (shifted - 86_399_999) / 86_400_000
        return CivilDate.fromDaysSinceEpoch(days)
    }
}
