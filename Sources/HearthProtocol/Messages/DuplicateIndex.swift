import HearthCore

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

/// The hub's answer: the index (the prefixes, ascending), or `unchanged` when the node
/// already holds this version.
public struct IndexResponse: Sendable, Equatable {
    public let version: String
    public let unchanged: Bool
    public let entries: [Int]

    public init(version: String, unchanged: Bool, entries: [Int]) {
        self.version = version
        self.unchanged = unchanged
        self.entries = Array(Set(entries)).sorted()
    }

    public var json: JSON {
        .object([
            "v": .integer(WireVersion.current), "version": .string(version), "unchanged": .bool(unchanged),
            "entries": .array(entries.map { .integer(Int64($0)) }),
        ])
    }

    public init(json: JSON) throws(MessageError) {
        try json.checkVersion()
        let version = try json.string("version")
        guard case .bool(let unchanged)? = json["unchanged"], let items = json["entries"]?.arrayValue else {
            throw MessageError("an index answer has \"unchanged\" and \"entries\"")
        }
        var entries: [Int] = []
        for item in items {
            guard let prefix = item.integerValue, prefix >= 0, prefix < Int64(DuplicateIndex.prefixCount) else {
                throw MessageError("an index entry is an integer from 0 to \(DuplicateIndex.prefixCount - 1)")
            }
            entries.append(Int(prefix))
        }
        self.init(version: version, unchanged: unchanged, entries: entries)
    }
}
