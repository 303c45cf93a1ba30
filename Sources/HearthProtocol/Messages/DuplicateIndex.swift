import HearthCore

/// The county's live ID numbers as a node may hold them: a 20-bit prefix of each number's
/// keyed hash, with its township and programs (ARCHITECTURE.md, Security). About a million
/// numbers share each prefix across the country's range, so an entry reveals no one; a hit
/// only says "possibly registered elsewhere", which the hub confirms at the next sync.
public struct DuplicateIndexEntry: Sendable, Hashable {
    /// The first five hex digits (20 bits) of the keyed hash.
    public let prefix: String
    public let township: String
    public let programs: [String]

    public init(prefix: String, township: String, programs: [String]) {
        self.prefix = prefix
        self.township = township
        self.programs = programs.sorted()
    }

    public static let prefixLength = 5

    public var json: JSON { .array([.string(prefix), .string(township), .array(programs.map(JSON.string))]) }

    public init(json: JSON) throws(MessageError) {
        guard let parts = json.arrayValue, parts.count == 3, let prefix = parts[0].stringValue,
            prefix.utf8.count == Self.prefixLength, Hex.decode(prefix + "0") != nil, let township = parts[1].stringValue,
            let programs = parts[2].arrayValue?.compactMap(\.stringValue)
        else { throw MessageError("an index entry is [prefix, township, [programs]]") }
        self.init(prefix: prefix, township: township, programs: programs)
    }
}

/// A node asking for the duplicate index, naming the version it holds.
public struct IndexRequest: Sendable, Equatable {
    public let replica: ReplicaID
    public let version: String

    public init(replica: ReplicaID, version: String) {
        self.replica = replica
        self.version = version
    }

    public var json: JSON {
        .object(["v": .integer(WireVersion.current), "replica": .string(replica.value), "version": .string(version)])
    }

    public init(json: JSON) throws(MessageError) {
        try json.checkVersion()
        replica = try json.replica("replica")
        version = try json.string("version")
    }
}

/// The hub's answer: the index, or `unchanged` when the node already holds this version.
public struct IndexResponse: Sendable, Equatable {
    public let version: String
    public let unchanged: Bool
    public let entries: [DuplicateIndexEntry]

    public init(version: String, unchanged: Bool, entries: [DuplicateIndexEntry]) {
        self.version = version
        self.unchanged = unchanged
        self.entries = entries
    }

    public var json: JSON {
        .object([
            "v": .integer(WireVersion.current), "version": .string(version), "unchanged": .bool(unchanged),
            "entries": .array(entries.map(\.json)),
        ])
    }

    public init(json: JSON) throws(MessageError) {
        try json.checkVersion()
        version = try json.string("version")
        guard case .bool(let unchanged)? = json["unchanged"], let items = json["entries"]?.arrayValue else {
            throw MessageError("an index answer has \"unchanged\" and \"entries\"")
        }
        self.unchanged = unchanged
        var entries: [DuplicateIndexEntry] = []
        for item in items { entries.append(try DuplicateIndexEntry(json: item)) }
        self.entries = entries
    }
}
