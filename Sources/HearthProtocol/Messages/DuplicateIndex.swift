import HearthCore

/// A node asking for the duplicate index, naming the version it holds, and whether it takes
/// the changes since that version instead of the whole index.
public struct IndexRequest: Sendable, Equatable {
    public let replica: ReplicaID
    public let version: String
    /// True from nodes that apply a delta (`added`, `removed`); a node that sends none gets
    /// the whole index whenever it changed, as before deltas existed.
    public let deltas: Bool

    public init(replica: ReplicaID, version: String, deltas: Bool = false) {
        self.replica = replica
        self.version = version
        self.deltas = deltas
    }

    public var json: JSON {
        var fields: [String: JSON] = [
            "v": .integer(WireVersion.current), "replica": .string(replica.value), "version": .string(version),
        ]
        if deltas { fields["deltas"] = .bool(true) }
        return .object(fields)
    }

    public init(json: JSON) throws(MessageError) {
        try json.checkVersion()
        replica = try json.replica("replica")
        version = try json.string("version")
        switch json["deltas"] {
        case nil: deltas = false
        case .bool(let value)?: deltas = value
        default: throw MessageError("\"deltas\" is true or false")
        }
    }
}

/// The hub's answer: `unchanged` when the node already holds this version; otherwise the
/// whole index (`entries`, the prefixes ascending), or, to a node that takes deltas, the
/// prefixes `added` and `removed` since its version (`entries` then empty).
public struct IndexResponse: Sendable, Equatable {
    public let version: String
    public let unchanged: Bool
    public let entries: [Int]
    /// Present in a delta only: the prefixes that gained their first live ID number.
    public let added: [Int]?
    /// Present in a delta only: the prefixes that lost their last.
    public let removed: [Int]?

    public init(version: String, unchanged: Bool, entries: [Int], added: [Int]? = nil, removed: [Int]? = nil) {
        self.version = version
        self.unchanged = unchanged
        self.entries = Array(Set(entries)).sorted()
        self.added = added.map { Array(Set($0)).sorted() }
        self.removed = removed.map { Array(Set($0)).sorted() }
    }

    /// Whether this answer is a delta to apply to the version the node holds.
    public var isDelta: Bool { added != nil || removed != nil }

    public var json: JSON {
        var fields: [String: JSON] = [
            "v": .integer(WireVersion.current), "version": .string(version), "unchanged": .bool(unchanged),
            "entries": .array(entries.map { .integer(Int64($0)) }),
        ]
        if isDelta {
            fields["added"] = .array((added ?? []).map { .integer(Int64($0)) })
            fields["removed"] = .array((removed ?? []).map { .integer(Int64($0)) })
        }
        return .object(fields)
    }

    public init(json: JSON) throws(MessageError) {
        try json.checkVersion()
        let version = try json.string("version")
        guard case .bool(let unchanged)? = json["unchanged"], let items = json["entries"]?.arrayValue else {
            throw MessageError("an index answer has \"unchanged\" and \"entries\"")
        }
        let entries = try Self.prefixes(items)
        let added = try json["added"].map { item throws(MessageError) in try Self.prefixes(item.arrayValue, "added") }
        let removed = try json["removed"].map { item throws(MessageError) in
            try Self.prefixes(item.arrayValue, "removed")
        }
        guard (added == nil) == (removed == nil) else {
            throw MessageError("a delta of the index has both \"added\" and \"removed\"")
        }
        if added != nil, !entries.isEmpty || unchanged {
            throw MessageError("a delta of the index has no \"entries\" and is not \"unchanged\"")
        }
        self.init(version: version, unchanged: unchanged, entries: entries, added: added, removed: removed)
    }

    private static func prefixes(_ items: [JSON]?, _ name: String = "entries") throws(MessageError) -> [Int] {
        guard let items else { throw MessageError("\"\(name)\" is an array of prefixes") }
        var prefixes: [Int] = []
        for item in items {
            guard let prefix = item.integerValue, prefix >= 0, prefix < Int64(DuplicateIndex.prefixCount) else {
                throw MessageError("an index entry is an integer from 0 to \(DuplicateIndex.prefixCount - 1)")
            }
            prefixes.append(Int(prefix))
        }
        return prefixes
    }
}
