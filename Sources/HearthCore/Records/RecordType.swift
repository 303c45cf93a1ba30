/// The kinds of record a replica keeps, each a plain table of its own.
public enum RecordType: String, Hashable, Sendable, CaseIterable, Comparable {
    case household
    case member
    case enrollment
    case visit
    /// A program standard (保障标准): dated county configuration, written by the hub only.
    case standard
    /// A problem lead (问题线索) from a cross-check against another department's list.
    case lead
    /// A county setting (the month-of-death rule, …): configuration, written by the hub only.
    case setting
    /// The name of a township or village (区划名称): county configuration, written by the hub
    /// only. Last, so the position each type is stored by (``RecordType/allCases``) never moves.
    case division

    /// The SQLite table that holds the current state of this kind of record.
    public var table: String {
        switch self {
        case .household: return "households"
        case .member: return "members"
        case .enrollment: return "enrollments"
        case .visit: return "visits"
        case .standard: return "standards"
        case .lead: return "leads"
        case .setting: return "settings"
        case .division: return "divisions"
        }
    }

    /// The letter that starts the ids of this kind of record, so any id says what it names.
    public var idPrefix: Character {
        switch self {
        case .household: return "H"
        case .member: return "M"
        case .enrollment: return "E"
        case .visit: return "V"
        case .standard: return "S"
        case .lead: return "L"
        case .setting: return "C"
        case .division: return "D"
        }
    }

    /// Hashed by its case, not by its name: an enum backed by `String` hashes its raw value
    /// unless told otherwise, so every ``RecordID`` a merge keeps in a dictionary or a set
    /// hashed its type's name besides its own text.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(position)
    }

    /// The type's place in ``allCases``, without searching it.
    var position: UInt8 {
        switch self {
        case .household: 0
        case .member: 1
        case .enrollment: 2
        case .visit: 3
        case .standard: 4
        case .lead: 5
        case .setting: 6
        case .division: 7
        }
    }

    public static func < (lhs: RecordType, rhs: RecordType) -> Bool {
        lhs.position < rhs.position
    }
}

/// The id of one record: its type letter, and the dot of the op that created it.
///
/// Deriving ids from dots makes them unique across the county without coordination,
/// and short enough to type from a paper form: `H-3f9a2c71b0d4-42`.
public struct RecordID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let type: RecordType
    public let value: String

    public init(type: RecordType, creator dot: Dot) {
        self.type = type
        self.value = "\(type.idPrefix)-\(dot.replica.value)-\(dot.counter)"
    }

    /// Parses an id typed by a user or read from the wire.
    public init?(_ text: String) {
        if let type = Self.canonicalType(text) {
            // Already in the form this initializer writes (as every stored id is): kept as it is.
            self.type = type
            self.value = text
            return
        }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 1,
            let type = RecordType.allCases.first(where: { String($0.idPrefix) == parts[0].uppercased() }),
            ReplicaID(validating: String(parts[1])) != nil,
            let counter = UInt64(parts[2]), counter > 0, counter <= Dot.maxCounter, String(counter) == parts[2]
        else { return nil }
        self.type = type
        self.value = "\(type.idPrefix)-\(parts[1])-\(parts[2])"
    }

    /// The type of an id already in canonical form (`H-3f9a2c71b0d4-42`: an upper-case type
    /// letter, 12 lower-case hex digits, a counter from 1 without leading zeros), read byte by
    /// byte; nil for anything else, which the general parse then judges. Reports read ids by
    /// the hundred thousand, and the general parse allocates at every step.
    static func canonicalType(_ text: String) -> RecordType? { canonicalParts(text)?.type }

    /// A canonical id's parts (``canonicalType(_:)``): its type, its replica's 12 hex digits as
    /// a number, its counter; nil for any other text.
    static func canonicalParts(_ text: String) -> (type: RecordType, replica: UInt64, counter: UInt64)? {
        let utf8 = text.utf8
        // 1 + 1 + 12 + 1 + at most 19 digits (Int64.max).
        guard utf8.count >= 16, utf8.count <= 34 else { return nil }
        var index = utf8.startIndex
        let type: RecordType
        switch utf8[index] {
        case UInt8(ascii: "H"): type = .household
        case UInt8(ascii: "M"): type = .member
        case UInt8(ascii: "E"): type = .enrollment
        case UInt8(ascii: "V"): type = .visit
        case UInt8(ascii: "S"): type = .standard
        case UInt8(ascii: "L"): type = .lead
        case UInt8(ascii: "C"): type = .setting
        case UInt8(ascii: "D"): type = .division
        default: return nil
        }
        index = utf8.index(after: index)
        guard utf8[index] == UInt8(ascii: "-") else { return nil }
        var replica: UInt64 = 0
        for _ in 0..<12 {
            index = utf8.index(after: index)
            let byte = utf8[index]
            switch byte {
            case 48...57: replica = replica << 4 | UInt64(byte - 48)
            case 97...102: replica = replica << 4 | UInt64(byte - 87)
            default: return nil
            }
        }
        index = utf8.index(after: index)
        guard utf8[index] == UInt8(ascii: "-") else { return nil }
        index = utf8.index(after: index)
        guard utf8[index] != UInt8(ascii: "0") else { return nil }
        var counter: UInt64 = 0
        while index < utf8.endIndex {
            let byte = utf8[index]
            guard byte >= 48, byte <= 57 else { return nil }
            let (times, overflowTimes) = counter.multipliedReportingOverflow(by: 10)
            let (sum, overflowSum) = times.addingReportingOverflow(UInt64(byte - 48))
            guard !overflowTimes, !overflowSum else { return nil }
            counter = sum
            index = utf8.index(after: index)
        }
        guard counter > 0, counter <= Dot.maxCounter else { return nil }
        return (type, replica, counter)
    }

    /// The dot of the op that created the record.
    ///
    /// An id made from a valid replica (`T-`, 12 digits, `-`, the counter: every stored id) is
    /// read by position; the op log's encoder asks every op's record for it, and splitting
    /// the text made three strings and an array each time.
    public var creator: Dot {
        var text = value
        let fast: Dot? = text.withUTF8 { utf8 in
            guard utf8.count >= 16, utf8.count <= 34, utf8[14] == UInt8(ascii: "-"),
                !utf8[2..<14].contains(UInt8(ascii: "-"))
            else {
                return nil
            }
            var counter: UInt64 = 0
            for byte in utf8[15...] {
                guard byte >= 48, byte <= 57 else { return nil }
                counter = counter &* 10 &+ UInt64(byte - 48)
            }
            let replica = String(decoding: UnsafeBufferPointer(rebasing: utf8[2..<14]), as: UTF8.self)
            return Dot(replica: ReplicaID(replica), counter: counter)
        }
        if let fast { return fast }
        let parts = value.split(separator: "-")
        return Dot(replica: ReplicaID(String(parts[1])), counter: UInt64(parts[2])!)
    }

    public static func < (lhs: RecordID, rhs: RecordID) -> Bool { lhs.value < rhs.value }

    public var description: String { value }
}
