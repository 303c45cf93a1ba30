/// An amount of money in integer fen (1 yuan = 100 fen), never floating point.
///
/// Benefit amounts are added up across households and months and reconciled with bank
/// payment files to the fen; binary floating point cannot represent 0.10 exactly.
/// `init(fen:)` accepts negative amounts (corrections, differences); `parse` does not.
/// Encoded as a single integer number of fen.
public struct Money: Hashable, Comparable, Sendable, Codable {
    public let fen: Int64

    /// Nothing.
    public static let zero = Money(fen: 0)

    /// The largest amount `parse` accepts: 100,000,000 yuan.
    public static let parseLimit = Money(fen: 10_000_000_000)

    public init(fen: Int64) {
        self.fen = fen
    }

    /// Parses an amount in yuan as a person writes it: "560", "560.5", "560.50", "1,300",
    /// "1300元", "¥1300", full-width digits. Refuses empty, negative, non-numeric, exponent
    /// notation, more than two decimal places and amounts over 100,000,000 yuan.
    public static func parse(yuan text: String, field: String) throws(InputError) -> Money {
        var scalars = Array(ValueText.cleaned(text).unicodeScalars)
        if scalars.last == "元" {
            scalars.removeLast()
        }
        if let first = scalars.first, first == "¥" || first == "\u{FFE5}" {
            scalars.removeFirst()
        }
        let body = ValueText.cleaned(ValueText.string(scalars))
        guard !body.isEmpty else {
            throw InputError(field: field, "input.is_empty")
        }
        if let first = body.unicodeScalars.first, ValueText.isHyphen(first) {
            throw InputError(field: field, "input.negative")
        }
        if ValueText.looksLikeExponent(body) {
            throw InputError(field: field, "input.exponent")
        }
        let notAnAmount = InputError(field: field, "input.amount")
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { throw notAnAmount }
        let whole = parts[0]
        let fraction = parts.count == 2 ? parts[1] : ""
        guard whole.isEmpty || whole.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ",") }),
            fraction.isEmpty || ValueText.isDigits(fraction),
            !whole.isEmpty || !fraction.isEmpty,
            parts.count == 1 || !fraction.isEmpty
        else {
            throw notAnAmount
        }
        guard fraction.utf8.count <= 2 else {
            throw InputError(field: field, "input.fen")
        }
        if whole.contains(",") {
            let groups = whole.split(separator: ",", omittingEmptySubsequences: false)
            guard (1...3).contains(groups[0].utf8.count), groups.dropFirst().allSatisfy({ $0.utf8.count == 3 }) else {
                throw InputError(field: field, "input.thousands")
            }
        }
        let wholeDigits = whole.filter { $0 != "," }.drop { $0 == "0" }
        let tooLarge = InputError(field: field, "input.too_large")
        guard wholeDigits.utf8.count <= 9 else { throw tooLarge }
        let yuan = Int64(wholeDigits) ?? 0
        let fen = Int64(String(fraction) + String(repeating: "0", count: 2 - fraction.utf8.count)) ?? 0
        let total = yuan * 100 + fen
        guard total <= parseLimit.fen else { throw tooLarge }
        return Money(fen: total)
    }

    /// The amount in yuan with exactly two decimals: "560.00", "1300.50", "0.05", "-3.20".
    public var yuanText: String {
        let magnitude = fen.magnitude
        let cents = magnitude % 100
        return (fen < 0 ? "-" : "") + "\(magnitude / 100)." + (cents < 10 ? "0" : "") + "\(cents)"
    }

    /// The sum, or nil when it does not fit in 64 bits of fen. Totals over a county cannot
    /// overflow with amounts within ``parseLimit``, but the sums in reports and rolls are
    /// taken over stored data, so they check rather than trap.
    public func adding(_ other: Money) -> Money? {
        let (sum, overflow) = fen.addingReportingOverflow(other.fen)
        return overflow ? nil : Money(fen: sum)
    }

    /// The difference, or nil when it does not fit in 64 bits of fen.
    public func subtracting(_ other: Money) -> Money? {
        let (difference, overflow) = fen.subtractingReportingOverflow(other.fen)
        return overflow ? nil : Money(fen: difference)
    }

    public static func < (lhs: Money, rhs: Money) -> Bool {
        lhs.fen < rhs.fen
    }

    public init(from decoder: any Decoder) throws {
        fen = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(fen)
    }
}
