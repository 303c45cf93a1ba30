import Crypto

/// One change to one record: the unit that is logged, hashed, signed, synced and merged.
///
/// An op names itself by its ``Dot``, says when (``HLC``) and by whom (worker id, and the
/// scope of the replica that made it, which gives its authority rank), which record it
/// touches and the village that record lives in (so scoped pulls are an index lookup),
/// the fields it sets, and its context: the record's version vector as the author knew it.
/// Applying it replaces exactly the values its context covers in the fields it sets.
public struct Op: Hashable, Sendable {
    /// The op format this code writes; Protocol/ops.md describes it.
    public static let formatVersion: Int64 = 1

    public let dot: Dot
    public let hlc: HLC
    /// The field worker (or administrator) who made the change.
    public let author: String
    /// The scope of the replica that made the op; its level is the writer's rank.
    public let origin: ScopePrefix
    public let record: RecordID
    /// The village the record belongs to.
    public let scope: DivisionCode
    public let fields: [String: FieldValue]
    public let context: VersionVector
    /// The hash of the previous op made by the same replica ("" for its first): the chain
    /// that lets one signature over a chain head authenticate a whole batch.
    public let previous: String
    /// Why the op was made when a person did not type it directly (e.g. "death of M-…").
    public let cause: String?
    /// Ops this op declares void: refused by the hub and never to be applied anywhere. Only
    /// the hub writes them, in the compensating op that brings their author back in line;
    /// every receiver counts them as held, so ops whose context covers them can apply.
    public let voids: [Dot]
    /// The op's hash, when whoever built it already had its canonical bytes (a decoder that
    /// rebuilt them to check them): ``hash`` returns it instead of serializing and hashing the
    /// op again, which the hub would otherwise do three times per op of a push. Not part of
    /// the op's identity: left out of `==` and `hash(into:)`.
    private var knownHash: String?

    public init(
        dot: Dot, hlc: HLC, author: String, origin: ScopePrefix, record: RecordID, scope: DivisionCode,
        fields: [String: FieldValue], context: VersionVector, previous: String, cause: String? = nil, voids: [Dot] = []
    ) {
        self.dot = dot
        self.hlc = hlc
        self.author = author
        self.origin = origin
        self.record = record
        self.scope = scope
        self.fields = fields
        self.context = context
        self.previous = previous
        self.cause = cause
        self.voids = voids.sorted()
    }

    /// Whether this op creates its record (the record id is derived from its dot).
    public var createsRecord: Bool {
        record == RecordID(type: record.type, creator: dot)
    }

    /// The op as a JSON document, in the shape Protocol/ops.md specifies.
    public var json: JSON {
        var members: [String: JSON] = [
            "v": .integer(Op.formatVersion),
            "dot": .string(dot.description),
            "hlc": .array([.integer(hlc.millis), .integer(Int64(hlc.logical))]),
            "author": .string(author),
            "origin": .string(origin.value),
            "record": .string(record.value),
            "scope": .string(scope.value),
            "fields": .object(fields.mapValues(\.json)),
            "context": .object(
                Dictionary(uniqueKeysWithValues: context.entries.map { ($0.key.value, JSON.integer(Int64($0.value))) })),
            "prev": .string(previous),
        ]
        if let cause { members["cause"] = .string(cause) }
        if !voids.isEmpty { members["voids"] = .array(voids.map { .string($0.description) }) }
        return .object(members)
    }

    /// The canonical bytes: what is hashed, chained and signed. Written directly rather than
    /// through ``json`` because every op is encoded at least once on the apply path; a test
    /// keeps the two byte-identical.
    public var canonicalBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(320)
        func key(_ name: String, first: Bool = false) {
            if !first { out.append(UInt8(ascii: ",")) }
            JSON.writeString(name, into: &out)
            out.append(UInt8(ascii: ":"))
        }
        out.append(UInt8(ascii: "{"))
        key("author", first: true)
        JSON.writeString(author, into: &out)
        if let cause {
            key("cause")
            JSON.writeString(cause, into: &out)
        }
        key("context")
        out.append(UInt8(ascii: "{"))
        for (index, entry) in context.sorted.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSON.writeString(entry.replica.value, into: &out)
            out.append(UInt8(ascii: ":"))
            out.append(contentsOf: String(entry.counter).utf8)
        }
        out.append(UInt8(ascii: "}"))
        key("dot")
        JSON.writeString(dot.description, into: &out)
        key("fields")
        out.append(UInt8(ascii: "{"))
        for (index, name) in fields.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSON.writeString(name, into: &out)
            out.append(UInt8(ascii: ":"))
            fields[name]!.json.write(into: &out)
        }
        out.append(UInt8(ascii: "}"))
        key("hlc")
        out.append(contentsOf: "[\(hlc.millis),\(hlc.logical)]".utf8)
        key("origin")
        JSON.writeString(origin.value, into: &out)
        key("prev")
        JSON.writeString(previous, into: &out)
        key("record")
        JSON.writeString(record.value, into: &out)
        key("scope")
        JSON.writeString(scope.value, into: &out)
        key("v")
        out.append(contentsOf: String(Op.formatVersion).utf8)
        if !voids.isEmpty {
            key("voids")
            out.append(UInt8(ascii: "["))
            for (index, dot) in voids.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSON.writeString(dot.description, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Lower-case hex SHA-256 of the canonical bytes.
    public var hash: String { knownHash ?? Hex.encode(SHA256.hash(data: canonicalBytes)) }

    /// This op remembering its hash, computed by the caller from these very canonical bytes
    /// (never taken from a message: a claimed hash is checked, not trusted).
    package func knowingHash(ofCanonical bytes: [UInt8]) -> Op {
        var op = self
        op.knownHash = Hex.encode(SHA256.hash(data: bytes))
        return op
    }

    /// This op remembering the hash its replica's own log holds for it (32 bytes), written
    /// when the op was logged from the same canonical bytes; never one a message claimed.
    /// Bytes of another length leave the op as it was, to compute its hash when asked.
    package func knowingLoggedHash(_ bytes: [UInt8]) -> Op {
        guard bytes.count == 32 else { return self }
        var op = self
        op.knownHash = Hex.encode(bytes)
        return op
    }

    public static func == (a: Op, b: Op) -> Bool {
        a.dot == b.dot && a.hlc == b.hlc && a.author == b.author && a.origin == b.origin && a.record == b.record
            && a.scope == b.scope && a.fields == b.fields && a.context == b.context && a.previous == b.previous
            && a.cause == b.cause && a.voids == b.voids
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(dot)
        hasher.combine(hlc)
        hasher.combine(author)
        hasher.combine(origin)
        hasher.combine(record)
        hasher.combine(scope)
        hasher.combine(fields)
        hasher.combine(context)
        hasher.combine(previous)
        hasher.combine(cause)
        hasher.combine(voids)
    }
}

/// Why bytes received as an op could not be read as one.
public struct OpFormatError: Error, Equatable, Sendable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "malformed op: \(reason)" }
}

extension Op {
    /// The keys an op's JSON form may hold (built once: every op a node or the hub reads
    /// checks its keys against them).
    static let jsonKeys: Set<String> = [
        "v", "dot", "hlc", "author", "origin", "record", "scope", "fields", "context", "prev", "cause", "voids",
    ]

    /// Reads an op from its JSON form, checking its shape (not yet its field values).
    public init(json: JSON) throws(OpFormatError) {
        guard let members = json.objectValue else { throw OpFormatError("an op must be a JSON object") }
        if let unknown = members.keys.first(where: { !Op.jsonKeys.contains($0) }) {
            throw OpFormatError("unknown key \"\(unknown)\"")
        }
        guard members["v"]?.integerValue == Op.formatVersion else {
            throw OpFormatError("unsupported op format version (this replica reads version \(Op.formatVersion))")
        }
        guard let dotText = members["dot"]?.stringValue, let dot = Dot(text: dotText) else {
            throw OpFormatError("\"dot\" must be \"replica:counter\" with a counter from 1 to \(Dot.maxCounter)")
        }
        guard let clock = members["hlc"]?.arrayValue, clock.count == 2, let millis = clock[0].integerValue,
            let logical = clock[1].integerValue, millis >= 0, (0...Int64(UInt32.max)).contains(logical)
        else { throw OpFormatError("\"hlc\" must be [milliseconds, logical]") }
        guard let author = members["author"]?.stringValue, !author.isEmpty, author.count <= 64 else {
            throw OpFormatError("\"author\" must be a worker id of 1 to 64 characters")
        }
        guard let originText = members["origin"]?.stringValue,
            let origin = try? ScopePrefix.parse(originText, field: "origin")
        else { throw OpFormatError("\"origin\" must be a 6, 9 or 12 digit division-code prefix") }
        guard let recordText = members["record"]?.stringValue, let record = RecordID(recordText) else {
            let letters = RecordType.allCases.map { String($0.idPrefix) }.joined(separator: ", ")
            throw OpFormatError(
                "\"record\" must be <T>-<replica>-<counter>, T a known record type (\(letters)), "
                    + "the counter from 1 to \(Dot.maxCounter)")
        }
        guard let scopeText = members["scope"]?.stringValue,
            let scope = try? DivisionCode.parse(scopeText, field: "scope")
        else { throw OpFormatError("\"scope\" must be a 12-digit village code") }
        guard let fieldMembers = members["fields"]?.objectValue, !fieldMembers.isEmpty else {
            throw OpFormatError("\"fields\" must be a non-empty object")
        }
        var fields = [String: FieldValue](minimumCapacity: fieldMembers.count)
        for (name, value) in fieldMembers {
            guard let decoded = FieldValue(json: value) else {
                throw OpFormatError("field \"\(name)\" has a value of an unknown shape")
            }
            fields[name] = decoded
        }
        guard let contextMembers = members["context"]?.objectValue else {
            throw OpFormatError("\"context\" must be an object of replica: counter")
        }
        var entries = [ReplicaID: UInt64](minimumCapacity: contextMembers.count)
        for (replicaText, counter) in contextMembers {
            guard let replica = ReplicaID(validating: replicaText), let number = counter.integerValue, number > 0 else {
                throw OpFormatError("\"context\" entry \"\(replicaText)\" is not replica: positive counter")
            }
            entries[replica] = UInt64(number)
        }
        guard let previous = members["prev"]?.stringValue, previous.isEmpty || Hex.isSHA256(previous) else {
            throw OpFormatError("\"prev\" must be a SHA-256 hex hash or empty")
        }
        guard entries[dot.replica] ?? 0 < dot.counter else {
            throw OpFormatError("\"context\" covers the op's own dot \(dot)")
        }
        let creator = record.creator
        if creator == dot {
            guard entries.isEmpty else { throw OpFormatError("an op creating its record must have an empty context") }
        } else {
            guard entries[creator.replica] ?? 0 >= creator.counter else {
                throw OpFormatError("\"context\" does not cover the op that created \(record)")
            }
        }
        var cause: String?
        if let causeValue = members["cause"] {
            guard let text = causeValue.stringValue else { throw OpFormatError("\"cause\" must be a string") }
            cause = text
        }
        var voids: [Dot] = []
        if let voidValue = members["voids"] {
            guard let items = voidValue.arrayValue, !items.isEmpty, items.count <= 16 else {
                throw OpFormatError("\"voids\" must be a non-empty array of at most 16 dots")
            }
            for item in items {
                guard let text = item.stringValue, let void = Dot(text: text) else {
                    throw OpFormatError("\"voids\" entries must be \"replica:counter\"")
                }
                guard entries[void.replica] ?? 0 >= void.counter else {
                    throw OpFormatError("\"voids\" names \(void), which the context does not cover")
                }
                voids.append(void)
            }
            guard origin.level == .county else { throw OpFormatError("only the county hub may void ops") }
        }
        self.init(
            dot: dot, hlc: HLC(millis: millis, logical: UInt32(logical)), author: author, origin: origin,
            record: record, scope: scope, fields: fields, context: VersionVector(entries), previous: previous,
            cause: cause, voids: voids)
    }

    /// Reads an op from its canonical bytes. Bytes in any other encoding of the same
    /// document are refused: the hash, the author's chain and dedup are all over these exact
    /// bytes, so a re-encoded op would look like a fork.
    public init(bytes: [UInt8]) throws(OpFormatError) {
        let document: JSON
        do { document = try JSON.parse(bytes) } catch { throw OpFormatError(error.description) }
        try self.init(json: document)
        guard canonicalBytes == bytes else {
            throw OpFormatError("not in canonical form (sorted keys, no spaces, plain integers, sorted sets)")
        }
    }
}
