import Foundation
import HearthCore

/// A node asking for the duplicate index, naming the version it holds, and whether it takes
/// the changes since that version instead of the whole index.
public struct IndexRequest: Sendable, Equatable {
    public let replica: ReplicaID
    public let version: String
    /// True from nodes that apply a delta (`added`, `removed`); a node that sends none gets
    /// the whole index whenever it changed, as before deltas existed.
    public let deltas: Bool
    /// The protocol version the request came in, which its answer is written in.
    public let protocolVersion: Int64

    public init(replica: ReplicaID, version: String, deltas: Bool = false) {
        protocolVersion = WireVersion.current
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
        protocolVersion = try json.checkVersion()
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
/// prefixes `added` and `removed` since its version (`entries` then empty). To such a node the
/// whole index travels as a `bitmap` of the 16,384 prefixes (2 KiB before gzip, whatever the
/// county's size) instead of a list of up to 16,384 numbers.
public struct IndexResponse: Sendable, Equatable {
    public let version: String
    public let unchanged: Bool
    /// The whole index (decoded from the bitmap when it came as one); empty in a delta.
    public let entries: [Int]
    /// Whether the whole index is written as a bitmap.
    public let asBitmap: Bool
    /// Present in a delta only: the prefixes that gained their first live ID number.
    public let added: [Int]?
    /// Present in a delta only: the prefixes that lost their last.
    public let removed: [Int]?

    public init(
        version: String, unchanged: Bool, entries: [Int], added: [Int]? = nil, removed: [Int]? = nil,
        asBitmap: Bool = false
    ) {
        self.version = version
        self.unchanged = unchanged
        self.entries = Self.ascending(entries)
        self.asBitmap = asBitmap && added == nil && removed == nil && !unchanged
        self.added = added.map(Self.ascending)
        self.removed = removed.map(Self.ascending)
    }

    /// `prefixes` ascending and each once; as given when they are already (a whole index read
    /// from a bitmap or from the hub's sorted copy: some 16,000 prefixes to a county).
    private static func ascending(_ prefixes: [Int]) -> [Int] {
        zip(prefixes, prefixes.dropFirst()).allSatisfy { $0 < $1 } ? prefixes : Array(Set(prefixes)).sorted()
    }

    /// Whether this answer is a delta to apply to the version the node holds.
    public var isDelta: Bool { added != nil || removed != nil }

    public var json: JSON {
        var fields: [String: JSON] = [
            "v": .integer(WireVersion.current), "version": .string(version), "unchanged": .bool(unchanged),
            "entries": .array(asBitmap ? [] : entries.map { .integer(Int64($0)) }),
        ]
        if asBitmap { fields["bitmap"] = .string(Data(DuplicateIndexBitmap.bitmap(of: entries)).base64EncodedString()) }
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
        guard let bitmap = json["bitmap"] else {
            self.init(version: version, unchanged: unchanged, entries: entries, added: added, removed: removed)
            return
        }
        guard case .string(let text) = bitmap, let bytes = Data(base64Encoded: text),
            bytes.count == DuplicateIndexBitmap.byteCount
        else {
            throw MessageError("\"bitmap\" is the base64 of \(DuplicateIndexBitmap.byteCount) bytes, a bit per prefix")
        }
        guard entries.isEmpty, added == nil, !unchanged else {
            throw MessageError("an index sent as a bitmap has no \"entries\", no delta and is not \"unchanged\"")
        }
        self.init(
            version: version, unchanged: false, entries: DuplicateIndexBitmap.prefixes(in: Array(bytes)), asBitmap: true
        )
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
