/// The part of the division tree a replica holds: a county (6 digits), township (9) or
/// village (12) prefix of `DivisionCode`.
///
/// A county office replica holds every village below it, a township laptop only its own
/// villages; containment is a plain prefix test. Encoded as a single string.
public struct ScopePrefix: Hashable, Sendable, Codable {
    /// How much of the tree a scope covers; ordered by rank, so `county > township > village`.
    public enum Level: String, Hashable, Sendable, Codable, Comparable, CaseIterable {
        case village
        case township
        case county

        private var rank: Int {
            switch self {
            case .village: return 0
            case .township: return 1
            case .county: return 2
            }
        }

        public static func < (lhs: Level, rhs: Level) -> Bool {
            lhs.rank < rhs.rank
        }
    }

    /// 6, 9 or 12 ASCII digits.
    public let value: String

    private init(value: String) {
        self.value = value
    }

    /// Requires 6, 9 or 12 digits whose county part is not all zeros.
    /// Surrounding spaces are ignored and full-width digits are accepted.
    public static func parse(_ text: String, field: String) throws(InputError) -> ScopePrefix {
        let digits = try DivisionDigits.parse(
            text, field: field, lengths: [6, 9, 12],
            lengthKey: "input.scope_length")
        return ScopePrefix(value: digits)
    }

    /// County for 6 digits, township for 9, village for 12.
    public var level: Level {
        switch value.utf8.count {
        case 6: return .county
        case 9: return .township
        default: return .village
        }
    }

    /// Whether `code` lies inside this scope.
    public func contains(_ code: DivisionCode) -> Bool {
        code.value.hasPrefix(value)
    }

    /// Whether `other` lies inside this scope (a scope contains itself).
    public func contains(_ other: ScopePrefix) -> Bool {
        other.value.hasPrefix(value)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try ScopePrefix.parse(text, field: "scope")
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
