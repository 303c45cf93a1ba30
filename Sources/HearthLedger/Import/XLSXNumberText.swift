import Foundation

/// A number cell of a workbook as the text a spreadsheet shows for it, so that an import reads
/// from an .xlsx what it would read from the same sheet saved as CSV.
///
/// The cell's number format decides: a date format gives the date (`2026-01-15`, with the
/// time when the format has one and the value a part of a day); a scientific format gives
/// what Excel shows, e.g. `1.30102E+11` (so the import can say that Excel changed a code); a
/// format of zeros pads (`000` shows 1 as `001`); anything else is the General format:
/// an integer exactly (`1`, not `1.0`; `421281101001`, not `4.21281E+11`) while a double
/// holds it exactly (below 2^53), a larger one as Excel's General shows it (`4.21281E+17`:
/// an 18-digit ID number stored as a number has lost its last digits), other numbers to
/// 15 significant digits (`560.5`, and `0.3` for 0.1 + 0.2).
enum XLSXNumberText {
    /// What a number format is, for display.
    enum Kind: Equatable {
        case general
        case date(time: Bool)
        case time
        case scientific(decimals: Int)
        case zeroPadded(width: Int)
    }

    /// The text of `value` under a format of `kind`; `date1904` for workbooks that count days
    /// from 1904 (old Mac Excel).
    static func text(_ value: Double, kind: Kind, date1904: Bool) -> String {
        guard value.isFinite else { return "" }
        switch kind {
        case .general: return general(value)
        case .scientific(let decimals): return scientific(value, decimals: decimals)
        case .zeroPadded(let width):
            guard value == value.rounded(), abs(value) < 9.0e15 else { return general(value) }
            let digits = String(Int64(abs(value)))
            return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - digits.count)) + digits
        case .date(let time): return date(value, time: time, date1904: date1904) ?? general(value)
        case .time: return clock(value)
        }
    }

    static func general(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {
            return String(Int64(value))
        }
        if value == value.rounded() {
            // Past 2^53 a double no longer holds every integer: what Excel's General shows.
            return scientific(value, decimals: 5).replacingOccurrences(
                of: #"\.?0+E"#, with: "E", options: .regularExpression)
        }
        var text = String(format: "%.15g", value)
        if text.contains("e") { text = text.uppercased() }
        return text
    }

    static func scientific(_ value: Double, decimals: Int) -> String {
        String(format: "%.\(min(max(decimals, 0), 15))E", value)
    }

    /// The day a serial number names: day 1 is 1900-01-01, and Excel counts a 29 February 1900
    /// that never was (serial 60), so serials from 61 on are one day late.
    static func date(_ value: Double, time: Bool, date1904: Bool) -> String? {
        guard value >= 0, value < 2_958_466 else { return nil }  // up to 9999-12-31
        var days = Int(value.rounded(.down))
        if date1904 {
            days += 1462
        } else if days < 61 {
            guard days >= 1, days != 60 else { return nil }
            days += 1
        }
        // Days since 1899-12-30, as a civil date (Howard Hinnant's days_from_civil, reversed).
        let z = days - 25_569 + 719_468  // 1899-12-30 is 25569 days before 1970-01-01
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        let text = "\(year)-\(pad(month))-\(pad(day))"
        let fraction = value - value.rounded(.down)
        return time && fraction > 0 ? text + " " + clock(fraction) : text
    }

    /// A part of a day as hours, minutes and seconds.
    static func clock(_ value: Double) -> String {
        let seconds = Int(((value - value.rounded(.down)) * 86_400).rounded()) % 86_400
        return "\(pad(seconds / 3600)):\(pad(seconds / 60 % 60)):\(pad(seconds % 60))"
    }

    static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// The kind of a built-in number format (ECMA-376 part 1, 18.8.30, with the ids Excel in
    /// Chinese uses for its 年月日 date formats).
    static func builtIn(_ id: Int) -> Kind {
        switch id {
        case 11, 48: return .scientific(decimals: id == 11 ? 2 : 1)
        case 14...17, 27...31, 34...36, 50...58: return .date(time: false)
        case 22: return .date(time: true)
        case 18...21, 32, 33, 45...47: return .time
        default: return .general
        }
    }

    /// The kind of a custom format code such as `yyyy-mm-dd`, `0.00000E+00`, `000` or `0.00`.
    static func custom(_ code: String) -> Kind {
        // The first section (positive numbers), without quoted text, escapes and [colours].
        var plain = ""
        var quoted = false
        var bracket = false
        var escape = false
        for character in code {
            if escape {
                escape = false
                continue
            }
            if quoted {
                if character == "\"" { quoted = false }
                continue
            }
            if bracket {
                if character == "]" { bracket = false }
                continue
            }
            switch character {
            case "\"": quoted = true
            case "[": bracket = true
            case "\\", "_", "*": escape = true
            case ";": break
            default: plain.append(character)
            }
            if character == ";" { break }
        }
        let lower = plain.lowercased()
        if let e = lower.firstIndex(of: "e"), lower[lower.index(after: e)...].first.map({ "+-".contains($0) }) == true,
            lower.contains("0")
        {
            let mantissa = lower[..<e]
            let decimals = mantissa.split(separator: ".", maxSplits: 1).dropFirst().first?.filter { "0#".contains($0) }
            return .scientific(decimals: decimals?.count ?? 0)
        }
        if lower.contains("y") || lower.contains("d") {
            return .date(time: lower.contains("h") || lower.contains("s"))
        }
        if lower.contains("h") || lower.contains("s") { return .time }
        if plain.count > 1, plain.allSatisfy({ $0 == "0" }) { return .zeroPadded(width: plain.count) }
        return .general
    }
}
