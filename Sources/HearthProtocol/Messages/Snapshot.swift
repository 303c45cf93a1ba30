import Crypto
import Foundation
import HearthCore

/// A node's request for one page of its scope's snapshot (Protocol/sync.md, Snapshot).
public struct SnapshotRequest: Sendable, Equatable {
    public let replica: ReplicaID
    /// Where the page starts: the `next` of the page before, nil for the first.
    public let after: String?
    public let maxRecords: Int
    public let protocolVersion: Int64

    public init(replica: ReplicaID, after: String?, maxRecords: Int) {
        protocolVersion = WireVersion.current
        self.replica = replica
        self.after = after
        self.maxRecords = maxRecords
    }

    public var json: JSON {
        var members: [String: JSON] = [
            "v": .integer(WireVersion.current), "replica": .string(replica.value),
            "max_records": .integer(Int64(maxRecords)),
        ]
        if let after { members["after"] = .string(after) }
        return .object(members)
    }

    public init(json: JSON) throws(MessageError) {
        protocolVersion = try json.checkVersion()
        replica = try json.replica("replica")
        if let value = json["after"] {
            guard let text = value.stringValue, text.utf8.count <= SnapshotResponse.maxCursorBytes else {
                throw MessageError("\"after\" must be a string of at most \(SnapshotResponse.maxCursorBytes) bytes")
            }
            after = text
        } else {
            after = nil
        }
        let requested = try json.integer("max_records")
        guard requested > 0 else { throw MessageError("\"max_records\" must be positive") }
        maxRecords = Int(min(requested, Int64(SnapshotResponse.maxRecords)))
    }
}

/// One page of a node's snapshot: records of its scope with their merge states, the log
/// position the node pulls on from (the first page's counts), the ops waiting at the hub (first
/// page only), where the next page starts, and a digest of the records.
///
/// Every record is checked as it is read: a canonical record id, and state bytes that are a
/// state of that record; the digest must be the records' (``SnapshotDigest``). A page that
/// fails any of it is refused whole.
public struct SnapshotResponse: Sendable, Equatable {
    public let hub: ReplicaID
    public let position: Int64
    public let records: [SnapshotRecord]
    public let waiting: [Op]
    /// The first page only: records that once lay in the node's scope (the hub logged ops of
    /// them there) and lie elsewhere now, with their states. A node that still holds one (it
    /// held the record before this snapshot, and missed the op that took it away) takes the
    /// state, which says where the record went, and hands the record over, as a pull's
    /// departure does; a node that does not hold one ignores it.
    public let departed: [SnapshotRecord]
    public let next: String?

    /// Most records in one page (and departed records in the first).
    public static let maxRecords = 5_000
    /// Most bytes of one record's state.
    public static let maxStateBytes = 1 << 20
    /// Longest `after`/`next`.
    public static let maxCursorBytes = 200

    public init(
        hub: ReplicaID, position: Int64, records: [SnapshotRecord], waiting: [Op], departed: [SnapshotRecord] = [],
        next: String?
    ) {
        self.hub = hub
        self.position = position
        self.records = records
        self.waiting = waiting
        self.departed = departed
        self.next = next
    }

    /// The page as sent. With `digests`, each state leaves out the keyed hash of every sealed
    /// value the receiver derives from its box (``RecordState/compactBytes(leavingOut:)``);
    /// without, states go as stored.
    public func json(version: Int64 = WireVersion.current, digests: (any SealedDigestSource)? = nil) -> JSON {
        var members: [String: JSON] = [
            "v": .integer(version), "hub": .string(hub.value), "position": .integer(position),
            "records": SnapshotRecords.json(records, digests: digests),
            "digest": .string(SnapshotDigest.of(records + departed)),
        ]
        if !waiting.isEmpty { members["waiting"] = WireOps.json(waiting, digests: nil) }
        if !departed.isEmpty { members["departed"] = SnapshotRecords.json(departed, digests: digests) }
        if let next { members["next"] = .string(next) }
        return .object(members)
    }

    /// Reads a page; `digests` derives the keyed hashes its states left out, and each state is
    /// kept as stored (``RecordState/compactBytes``).
    public init(json: JSON, digests: (any SealedDigestSource)? = nil) throws(MessageError) {
        try json.checkVersion()
        hub = try json.replica("hub")
        position = try json.integer("position")
        guard position >= 0 else { throw MessageError("\"position\" must not be negative") }
        var seen = Set<String>()
        guard json["records"]?.arrayValue != nil else {
            throw MessageError("\"records\" must be an array of at most \(Self.maxRecords) records")
        }
        let records = try SnapshotRecords.read(json, "records", digests: digests, seen: &seen)
        let departed = try SnapshotRecords.read(json, "departed", digests: digests, seen: &seen)
        guard try json.string("digest") == SnapshotDigest.of(records + departed) else {
            throw MessageError("\"digest\" is not the digest of the records")
        }
        self.records = records
        self.departed = departed
        waiting =
            json["waiting"] == nil ? [] : try json.ops("waiting", limit: WireLimits.maxOpsPerMessage, digests: nil)
        if let value = json["next"] {
            guard let text = value.stringValue, !text.isEmpty, text.utf8.count <= Self.maxCursorBytes else {
                throw MessageError("\"next\" must be a string of 1 to \(Self.maxCursorBytes) bytes")
            }
            next = text
        } else {
            next = nil
        }
    }
}

/// Records with their merge states as a message carries them (a snapshot page's `records` and
/// `departed`, a pull answer's `entered`): `{"id", "state"}`, the state in base64, less each
/// keyed hash the receiver derives from its box.
enum SnapshotRecords {
    /// The records as sent. With `digests`, each state leaves out the keyed hash of every
    /// sealed value the receiver derives (``RecordState/compactBytes(leavingOut:)``); without,
    /// states go as stored.
    static func json(_ records: [SnapshotRecord], digests: (any SealedDigestSource)?) -> JSON {
        .array(
            records.map { record in
                var state = record.state
                // The hub's own stored bytes, which its encoder wrote.
                if let digests, let decoded = RecordState(id: record.id, storedBytes: record.state) {
                    state = decoded.compactBytes(leavingOut: digests)
                }
                return .object([
                    "id": .string(record.id.value), "state": .string(Data(state).base64EncodedString()),
                ])
            })
    }

    /// Reads the records under `key` (none when absent): at most
    /// ``SnapshotResponse/maxRecords``, each id canonical and not in `seen` (which gains it),
    /// each state a merge state of its record no longer than ``SnapshotResponse/maxStateBytes``,
    /// the keyed hashes it left out derived with `digests`, and kept as stored.
    static func read(
        _ json: JSON, _ key: String, digests: (any SealedDigestSource)?, seen: inout Set<String>
    ) throws(MessageError) -> [SnapshotRecord] {
        guard let value = json[key] else { return [] }
        let most = SnapshotResponse.maxRecords
        guard let items = value.arrayValue, items.count <= most else {
            throw MessageError("\"\(key)\" must be an array of at most \(most) records")
        }
        var records: [SnapshotRecord] = []
        records.reserveCapacity(items.count)
        for item in items {
            let text = try item.string("id")
            guard let id = RecordID(text), id.value == text, seen.insert(text).inserted else {
                throw MessageError("\"\(key)\": \"\(text.prefix(40))\" is not a record id, or comes twice")
            }
            let encoded = try item.string("state")
            guard encoded.utf8.count <= (SnapshotResponse.maxStateBytes / 3 + 1) * 4,
                let data = Data(base64Encoded: encoded),
                let state = RecordState(id: id, compactBytes: Array(data), deriving: digests)
            else { throw MessageError("\"\(key)\": the state of \(text) is not a merge state of that record") }
            records.append(SnapshotRecord(id: id, state: digests == nil ? Array(data) : state.compactBytes))
        }
        return records
    }
}

/// The digest of a snapshot page's records: SHA-256, in lower-case hex, over each record in
/// the page's order (its `records`, then its `departed`) as its id, a line feed, its state as stored (every keyed hash in it) in
/// base64 and a line feed. Computed over the states as stored, not as sent, so it also
/// checks the hashes the receiver derived.
///
/// Why beside the answer's signature: the signature covers an answer as it came over HTTP; the
/// digest names the records themselves, so a page kept or carried in a file (a bundle) can be
/// checked again without the answer it came in.
public enum SnapshotDigest {
    public static func of(_ records: [SnapshotRecord]) -> String {
        var hash = SHA256()
        for record in records {
            hash.update(data: Array(record.id.value.utf8))
            hash.update(data: [0x0A])
            hash.update(data: Array(Data(record.state).base64EncodedString().utf8))
            hash.update(data: [0x0A])
        }
        return Hex.encode(hash.finalize())
    }
}
