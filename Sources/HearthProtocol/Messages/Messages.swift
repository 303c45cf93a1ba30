import HearthCore

/// Reading helpers shared by the message types.
extension JSON {
    func require(_ key: String) throws(MessageError) -> JSON {
        guard let value = self[key] else { throw MessageError("missing \"\(key)\"") }
        return value
    }

    func string(_ key: String) throws(MessageError) -> String {
        guard let value = self[key]?.stringValue else { throw MessageError("\"\(key)\" must be a string") }
        return value
    }

    func integer(_ key: String) throws(MessageError) -> Int64 {
        guard let value = self[key]?.integerValue else { throw MessageError("\"\(key)\" must be an integer") }
        return value
    }

    func replica(_ key: String) throws(MessageError) -> ReplicaID {
        guard let value = ReplicaID(validating: try string(key)) else {
            throw MessageError("\"\(key)\" is not a replica id")
        }
        return value
    }

    /// A SHA-256 hex hash of an op, or "" (no op: counter 0).
    func chainHash(_ key: String) throws(MessageError) -> String {
        let value = try string(key)
        guard value.isEmpty || Hex.isSHA256(value) else { throw MessageError("\"\(key)\" must be an op hash or \"\"") }
        return value
    }

    /// The message's protocol version, one this side reads.
    @discardableResult
    func checkVersion() throws(MessageError) -> Int64 {
        guard objectValue != nil else { throw MessageError("a message must be a JSON object") }
        guard let version = self["v"]?.integerValue, WireVersion.readable.contains(version) else {
            throw MessageError(
                "unsupported protocol version (this side speaks versions \(WireVersion.readable.lowerBound) "
                    + "to \(WireVersion.readable.upperBound))")
        }
        return version
    }

    func ops(_ key: String, limit: Int, digests: (any SealedDigestSource)?) throws(MessageError) -> [Op] {
        guard let items = self[key]?.arrayValue else { throw MessageError("\"\(key)\" must be an array of ops") }
        guard items.count <= limit else { throw MessageError("more than \(limit) ops in one message") }
        return try WireOps.read(items, digests: digests)
    }

    /// The optional `stamps` member: each op's stamp by its dot (``OpStamps``).
    func stamps(_ key: String) throws(MessageError) -> [Dot: String] {
        guard let value = self[key] else { return [:] }
        guard let members = value.objectValue else { throw MessageError("\"\(key)\" must be an object") }
        guard members.count <= WireLimits.maxOpsPerMessage else {
            throw MessageError("more than \(WireLimits.maxOpsPerMessage) stamps in one message")
        }
        var stamps: [Dot: String] = [:]
        for (text, stamp) in members {
            guard let dot = Dot(text: text) else {
                throw MessageError("\"\(key)\": \"\(text.prefix(80))\" is not a dot")
            }
            guard let stamp = stamp.stringValue, stamp.utf8.count == 24 else {
                throw MessageError("\"\(key)\": the stamp of \(dot) must be 24 characters of base64")
            }
            stamps[dot] = stamp
        }
        return stamps
    }

    /// The document with its `v` set to `version`: the hub answers a request in the version it came in.
    public func answering(version: Int64) -> JSON {
        guard case .object(var members) = self, members["v"] != nil else { return self }
        members["v"] = .integer(version)
        return .object(members)
    }
}

/// Size limits every side enforces, so a hostile or broken peer cannot exhaust memory.
public enum WireLimits {
    /// Most ops in one push, pull answer or bundle.
    public static let maxOpsPerMessage = 5_000
    /// Largest request or response body on the wire (compressed), in bytes.
    public static let maxBodyBytes = 16 << 20
    /// Largest body after inflating, in bytes.
    public static let maxInflatedBytes = 64 << 20
    /// Largest op, in canonical bytes. The largest the schema allows (every field at its
    /// limit) is far below; a bigger op is refused whole, before it can be quarantined, logged
    /// or sent on to other nodes, whose pull answers it would swell past their limits.
    public static let maxOpBytes = 64 << 10
    /// Largest registration body, as sent and after inflating. A registration (secret, replica
    /// id, public key, name) is a few hundred bytes, and the hub reads it before it knows who
    /// sent it: a stranger can make the hub read and inflate this much and no more.
    public static let maxRegisterBytes = 4 << 10
    /// Largest bundle file, and largest bundle content after inflating: a bundle is read whole,
    /// like a message, and holds no more than a message may.
    public static let maxBundleBytes = maxInflatedBytes
}

/// A node's own ops the hub has not acknowledged, with the signed head of the node's chain.
///
/// It may also hand back ops a restored hub lost (`returned`): ops of the hub's retired
/// writers the node pulled before the restore, each with the stamp the hub gave it
/// (`stamps`), which the hub checks before it takes one back (Protocol/sync.md, A restored hub).
public struct PushRequest: Sendable, Equatable {
    public let replica: ReplicaID
    public let ops: [Op]
    public let chain: ChainHead
    /// Ops of the hub's retired writers handed back, oldest first per writer.
    public let returned: [Op]
    /// The hub's stamp of each returned op, by dot.
    public let stamps: [Dot: String]
    /// The protocol version the request came in (``WireVersion/current`` for one made here).
    public let protocolVersion: Int64

    public init(replica: ReplicaID, ops: [Op], chain: ChainHead, returned: [Op] = [], stamps: [Dot: String] = [:]) {
        protocolVersion = WireVersion.current
        self.replica = replica
        self.ops = ops
        self.chain = chain
        self.returned = returned
        self.stamps = stamps
    }

    /// The request with every op whole.
    public var json: JSON { json(digests: nil, compact: false) }

    /// The request as a node sends it: its ops less what the hub derives (``WireOps``), sealed
    /// values without their `hmac` where `digests` shows the hub can derive it.
    public func json(digests: (any SealedDigestSource)?, compact: Bool = true) -> JSON {
        var members: [String: JSON] = [
            "v": .integer(WireVersion.current), "replica": .string(replica.value),
            "ops": compact ? WireOps.json(ops, digests: digests) : .array(ops.map(\.json)), "chain": chain.json,
        ]
        // Whole ops: they are few, and come from several writers with gaps between them.
        if !returned.isEmpty { members["returned"] = .array(returned.map(\.json)) }
        if !stamps.isEmpty { members["stamps"] = OpStamps.json(stamps) }
        return .object(members)
    }

    /// Reads a push; `digests` derives the `hmac` of sealed values sent without it.
    public init(json: JSON, digests: (any SealedDigestSource)? = nil) throws(MessageError) {
        protocolVersion = try json.checkVersion()
        replica = try json.replica("replica")
        ops = try json.ops("ops", limit: WireLimits.maxOpsPerMessage, digests: digests)
        chain = try ChainHead(json: try json.require("chain"))
        returned =
            json["returned"] == nil
            ? [] : try json.ops("returned", limit: WireLimits.maxOpsPerMessage, digests: digests)
        stamps = try json.stamps("stamps")
    }
}

/// An op the hub refused: kept in quarantine with a reason the field worker can read.
public struct QuarantineNote: Sendable, Equatable {
    public let dot: Dot
    public let reason: String

    public init(dot: Dot, reason: String) {
        self.dot = dot
        self.reason = reason
    }

    public var json: JSON { .object(["dot": .string(dot.description), "reason": .string(reason)]) }

    public init(json: JSON) throws(MessageError) {
        guard let dot = Dot(text: try json.string("dot")) else { throw MessageError("\"dot\" is not a dot") }
        self.init(dot: dot, reason: try json.string("reason"))
    }
}

/// The hub's answer to a push.
public struct PushResponse: Sendable, Equatable {
    /// The highest counter of the node's own ops the hub holds (applied, waiting or
    /// quarantined): the node never sends those again.
    public let acked: UInt64
    /// The hash of the op the hub holds under the node's counter `acked` ("" for 0): the
    /// node checks it is its own before it records the acknowledgement, so a copied
    /// database that shares the node's ids never takes another copy's ops for its own.
    public let ackedHash: String
    public let applied: Int
    public let duplicates: Int
    public let waiting: Int
    public let quarantined: [QuarantineNote]
    /// What became of the ops the push handed back; nil when it handed back none.
    public let returned: ReturnedCount?

    public init(
        acked: UInt64, ackedHash: String, applied: Int, duplicates: Int, waiting: Int, quarantined: [QuarantineNote],
        returned: ReturnedCount? = nil
    ) {
        self.acked = acked
        self.ackedHash = ackedHash
        self.applied = applied
        self.duplicates = duplicates
        self.waiting = waiting
        self.quarantined = quarantined
        self.returned = returned
    }

    public var json: JSON {
        var members: [String: JSON] = [
            "v": .integer(WireVersion.current), "acked": .integer(Int64(acked)), "acked_hash": .string(ackedHash),
            "applied": .integer(Int64(applied)),
            "duplicates": .integer(Int64(duplicates)), "waiting": .integer(Int64(waiting)),
            "quarantined": .array(quarantined.map(\.json)),
        ]
        if let returned { members["returned"] = returned.json }
        return .object(members)
    }

    public init(json: JSON) throws(MessageError) {
        try json.checkVersion()
        acked = UInt64(max(0, try json.integer("acked")))
        ackedHash = try json.chainHash("acked_hash")
        applied = Int(try json.integer("applied"))
        duplicates = Int(try json.integer("duplicates"))
        waiting = Int(try json.integer("waiting"))
        guard let items = json["quarantined"]?.arrayValue else {
            throw MessageError("\"quarantined\" must be an array")
        }
        var notes: [QuarantineNote] = []
        for item in items { notes.append(try QuarantineNote(json: item)) }
        quarantined = notes
        returned = try json["returned"].map { json throws(MessageError) in try ReturnedCount(json: json) }
    }
}

/// What the hub did with the ops a push handed back: taken back (logged and applied, or
/// waiting for what they depend on), already held, or refused (a stamp that does not verify,
/// or an op that is not one the hub lost).
public struct ReturnedCount: Sendable, Equatable {
    public let taken: Int
    public let held: Int
    public let refused: Int

    public init(taken: Int, held: Int, refused: Int) {
        self.taken = taken
        self.held = held
        self.refused = refused
    }

    public var json: JSON {
        .object(["taken": .integer(Int64(taken)), "held": .integer(Int64(held)), "refused": .integer(Int64(refused))])
    }

    public init(json: JSON) throws(MessageError) {
        taken = Int(try json.integer("taken"))
        held = Int(try json.integer("held"))
        refused = Int(try json.integer("refused"))
    }
}

/// The `stamps` member of a pull answer or a push: each op's stamp by its dot.
enum OpStamps {
    static func json(_ stamps: [Dot: String]) -> JSON {
        .object(Dictionary(uniqueKeysWithValues: stamps.map { ($0.key.description, JSON.string($0.value)) }))
    }
}

/// A node asking for the hub's log after its cursor.
public struct PullRequest: Sendable, Equatable {
    public let replica: ReplicaID
    public let cursor: Int64
    public let maxOps: Int
    /// The protocol version the request came in: a version-1 node is answered with whole ops.
    public let protocolVersion: Int64

    public init(replica: ReplicaID, cursor: Int64, maxOps: Int) {
        protocolVersion = WireVersion.current
        self.replica = replica
        self.cursor = cursor
        self.maxOps = maxOps
    }

    public var json: JSON {
        .object([
            "v": .integer(WireVersion.current), "replica": .string(replica.value), "cursor": .integer(cursor),
            "max_ops": .integer(Int64(maxOps)),
        ])
    }

    public init(json: JSON) throws(MessageError) {
        protocolVersion = try json.checkVersion()
        replica = try json.replica("replica")
        cursor = try json.integer("cursor")
        guard cursor >= 0 else { throw MessageError("\"cursor\" must not be negative") }
        let requested = try json.integer("max_ops")
        guard requested > 0 else { throw MessageError("\"max_ops\" must be positive") }
        maxOps = Int(min(requested, Int64(WireLimits.maxOpsPerMessage)))
    }
}

/// A batch of the hub's log for one node's scope. Applied whole or not at all; the node
/// stores `cursor` only after it committed the batch, so an interrupted pull resumes.
public struct PullResponse: Sendable, Equatable {
    public let hub: ReplicaID
    public let ops: [Op]
    public let cursor: Int64
    public let more: Bool
    /// The highest counter of the node's own ops the hub holds: a node restored from an old
    /// backup learns at once that it is behind itself.
    public let yourCounter: UInt64
    /// The hash of the op the hub holds under the node's counter `yourCounter` ("" for 0).
    public let yourHash: String
    /// The hub's stamp of each op it wrote itself, by dot: the node keeps them, so it can hand
    /// such an op back should the hub be restored from a backup that lacks it.
    public let stamps: [Dot: String]
    /// The ids the hub wrote under before a restore, with the last counter of each it holds:
    /// the node hands back the stamped ops above it (Protocol/sync.md, A restored hub).
    public let retired: [RetiredWriter]
    /// Records that entered the node's scope, each as the hub's merge state of it (from
    /// version 3; the answer to an older request carries their histories among `ops`). The
    /// node installs them, as a snapshot's records, before the batch's ops.
    public let entered: [SnapshotRecord]

    public init(
        hub: ReplicaID, ops: [Op], cursor: Int64, more: Bool, yourCounter: UInt64, yourHash: String,
        stamps: [Dot: String] = [:], retired: [RetiredWriter] = [], entered: [SnapshotRecord] = []
    ) {
        self.hub = hub
        self.ops = ops
        self.cursor = cursor
        self.more = more
        self.yourCounter = yourCounter
        self.yourHash = yourHash
        self.stamps = stamps
        self.retired = retired
        self.entered = entered
    }

    /// Most retired writers an answer may name (one per restore of the hub).
    public static let maxRetired = 1_000

    /// The answer with every op whole.
    public var json: JSON { json(version: WireVersion.current, digests: nil, compact: false) }

    /// The answer in a request's protocol `version`: from version 2 its ops less what the node
    /// derives (``WireOps``); version 1 has every op whole.
    public func json(version: Int64, digests: (any SealedDigestSource)?, compact: Bool = true) -> JSON {
        var members: [String: JSON] = [
            "v": .integer(version),
            "hub": .string(hub.value),
            "ops": compact && version >= 2 ? WireOps.json(ops, digests: digests) : .array(ops.map(\.json)),
            "cursor": .integer(cursor), "more": .bool(more), "your_counter": .integer(Int64(yourCounter)),
            "your_hash": .string(yourHash),
        ]
        if !stamps.isEmpty { members["stamps"] = OpStamps.json(stamps) }
        if !retired.isEmpty {
            members["retired"] = .array(
                retired.map { .object(["writer": .string($0.writer.value), "after": .integer(Int64($0.after))]) })
        }
        if !entered.isEmpty, version >= WireVersion.statesOnEntry {
            members["entered"] = SnapshotRecords.json(entered, digests: compact ? digests : nil)
        }
        return .object(members)
    }

    /// Reads a pull's answer; `digests` derives the `hmac` of sealed values sent without it.
    public init(json: JSON, digests: (any SealedDigestSource)? = nil) throws(MessageError) {
        try json.checkVersion()
        hub = try json.replica("hub")
        ops = try json.ops("ops", limit: WireLimits.maxOpsPerMessage, digests: digests)
        cursor = try json.integer("cursor")
        guard case .bool(let more)? = json["more"] else { throw MessageError("\"more\" must be true or false") }
        self.more = more
        yourCounter = UInt64(max(0, try json.integer("your_counter")))
        yourHash = try json.chainHash("your_hash")
        stamps = try json.stamps("stamps")
        var retired: [RetiredWriter] = []
        if let value = json["retired"] {
            guard let items = value.arrayValue, items.count <= Self.maxRetired else {
                throw MessageError("\"retired\" must be an array of at most \(Self.maxRetired) writers")
            }
            for item in items {
                let after = try item.integer("after")
                guard after >= 0 else { throw MessageError("\"after\" must not be negative") }
                retired.append(RetiredWriter(writer: try item.replica("writer"), after: UInt64(after)))
            }
        }
        self.retired = retired
        var seen = Set<String>()
        entered = try SnapshotRecords.read(json, "entered", digests: digests, seen: &seen)
        guard ops.count + entered.count <= WireLimits.maxOpsPerMessage else {
            throw MessageError("\"ops\" and \"entered\" must hold at most \(WireLimits.maxOpsPerMessage) together")
        }
    }
}

/// A new node presenting its enrollment token, its replica id and its public key.
public struct RegisterRequest: Sendable, Equatable {
    public let secret: String
    public let replica: ReplicaID
    public let publicKey: String
    public let name: String
    /// The protocol version the request came in, which its answer is written in.
    public let protocolVersion: Int64

    public init(secret: String, replica: ReplicaID, publicKey: String, name: String) {
        protocolVersion = WireVersion.current
        self.secret = secret
        self.replica = replica
        self.publicKey = publicKey
        self.name = name
    }

    public var json: JSON {
        .object([
            "v": .integer(WireVersion.current), "secret": .string(secret), "replica": .string(replica.value),
            "public_key": .string(publicKey), "name": .string(name),
        ])
    }

    public init(json: JSON) throws(MessageError) {
        protocolVersion = try json.checkVersion()
        secret = try json.string("secret")
        replica = try json.replica("replica")
        publicKey = try json.string("public_key")
        name = try json.string("name")
    }
}

/// The hub's answer to a registration: who the hub is and what the node may write.
public struct RegisterResponse: Sendable, Equatable {
    public let hub: ReplicaID
    public let hubKey: String
    public let scope: String
    public let name: String

    public init(hub: ReplicaID, hubKey: String, scope: String, name: String) {
        self.hub = hub
        self.hubKey = hubKey
        self.scope = scope
        self.name = name
    }

    public var json: JSON {
        .object([
            "v": .integer(WireVersion.current), "hub": .string(hub.value), "hub_key": .string(hubKey),
            "scope": .string(scope), "name": .string(name),
        ])
    }

    public init(json: JSON) throws(MessageError) {
        try json.checkVersion()
        hub = try json.replica("hub")
        hubKey = try json.string("hub_key")
        scope = try json.string("scope")
        name = try json.string("name")
    }
}

/// Why a request was refused, as the hub sends it: a stable code for scripts and a sentence for people.
public struct ErrorBody: Sendable, Equatable {
    public let code: String
    public let message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var json: JSON {
        .object(["v": .integer(WireVersion.current), "error": .string(code), "message": .string(message)])
    }

    public init?(json: JSON) {
        guard let code = json["error"]?.stringValue, let message = json["message"]?.stringValue else { return nil }
        self.init(code: code, message: message)
    }
}
