/// What one field of one record type holds and how its conflicts are settled.
///
/// The table of these (``RecordSchema``) is the single place where the merge, the
/// storage columns, op validation and Protocol/ learn about fields.
public struct FieldSpec: Hashable, Sendable {
    public let name: String
    public let kind: FieldKind
    public let policy: FieldPolicy
    /// One line for people: what the field means, shown in help and Protocol/.
    public let summary: String

    public init(_ name: String, _ kind: FieldKind, _ policy: FieldPolicy, _ summary: String) {
        self.name = name
        self.kind = kind
        self.policy = policy
        self.summary = summary
    }

    /// Whether the field holds sensitive personal information (sealed at rest).
    public var isSensitive: Bool { kind == .sealed }
}

/// The shape of a field's values, used to check ops and to type the state columns.
public enum FieldKind: Hashable, Sendable {
    /// Free text up to the given number of characters.
    case text(maxLength: Int)
    /// One of a fixed list of codes.
    case code([String])
    /// An integer in a closed range.
    case integer(ClosedRange<Int64>)
    /// Integer fen, never negative.
    case money
    /// `YYYY-MM-DD`.
    case date
    /// `YYYY-MM`.
    case month
    /// A 12-digit village division code.
    case division
    /// The id of another record of the given type.
    case reference(RecordType)
    /// A sealed sensitive value (ID number, bank card).
    case sealed
    /// A sorted set of short strings (a `union` field).
    case set
    /// A monthly amount schedule: `YYYY-MM:fen` entries joined by `;`, months ascending.
    case schedule

    /// The name used in Protocol/.
    public var name: String {
        switch self {
        case .text: return "text"
        case .code: return "code"
        case .integer: return "integer"
        case .money: return "money"
        case .date: return "date"
        case .month: return "month"
        case .division: return "division"
        case .reference(let type): return "ref:\(type.rawValue)"
        case .sealed: return "sealed"
        case .set: return "set"
        case .schedule: return "schedule"
        }
    }

    /// Whether the storage column for this kind holds integers.
    public var isInteger: Bool {
        switch self {
        case .integer, .money: return true
        default: return false
        }
    }
}
