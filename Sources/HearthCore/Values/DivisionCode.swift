/// A 12-digit statistical division code: 6 county + 3 township + 3 village digits.
///
/// Every household record belongs to a village, and the code is how replicas decide which
/// records they hold and who may edit them, so it is validated once and then compared as text.
/// Encoded as a single string.
public struct DivisionCode: Hashable, Comparable, Sendable, Codable {
    /// The 12 ASCII digits.
    public let value: String

    private init(value: String) {
        self.value = value
    }

    /// Requires exactly 12 digits whose county part (first 6) is not all zeros.
    /// Surrounding spaces are ignored and full-width digits are accepted.
    public static func parse(_ text: String, field: String) throws(InputError) -> DivisionCode {
        let digits = try DivisionDigits.parse(
            text, field: field, lengths: [12],
            lengthKey: "input.division_village_length")
        return DivisionCode(value: digits)
    }

    /// The county-wide code of a county, `<county>000000`: where county configuration
    /// (program standards) lives. No village has it, and every replica of the county pulls it.
    public static func countyWide(_ county: String) -> DivisionCode? {
        try? DivisionCode.parse(String(county.prefix(6)) + "000000", field: "county")
    }

    /// Whether this is a county-wide code (`<county>000000`) rather than a village's.
    public var isCountyWide: Bool { value.hasSuffix("000000") }

    /// The county part: the first 6 digits.
    public var county: String { String(value.prefix(6)) }

    /// The county and township parts: the first 9 digits.
    public var township: String { String(value.prefix(9)) }

    public static func < (lhs: DivisionCode, rhs: DivisionCode) -> Bool {
        lhs.value < rhs.value
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try DivisionCode.parse(text, field: "division-code")
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

/// Digit checks shared by `DivisionCode` and `ScopePrefix`.
enum DivisionDigits {
    static func parse(_ text: String, field: String, lengths: [Int], lengthKey: String) throws(InputError)
        -> String
    {
        let cleaned = ValueText.cleaned(text)
        guard !cleaned.isEmpty else {
            throw InputError(field: field, "input.is_empty")
        }
        guard ValueText.isDigits(cleaned) else {
            throw InputError(field: field, "input.digits_only")
        }
        let count = cleaned.utf8.count
        guard lengths.contains(count) else {
            throw InputError(field: field, lengthKey, ["count": "\(count)"])
        }
        guard cleaned.prefix(6).contains(where: { $0 != "0" }) else {
            throw InputError(field: field, "input.county_zeros")
        }
        return cleaned
    }
}
