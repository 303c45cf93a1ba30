import HearthCore

/// A sync exchange written to a file for places with no connection (USB stick): the same
/// messages as over HTTP, signed by the sender.
///
/// A node's bundle carries its pushes (consecutive pieces of its chain, each within the
/// message limit; for a node that never reached the hub, also its registration) and the
/// cursor up to which it has imported the hub's log; a hub's bundle carries consecutive pull
/// answers for one node, after the snapshot of its scope when the hub has seen the node pull
/// nothing yet (a laptop set up from a USB stick starts from states, not from history).
///
/// On disk it is a ``SealedBundle``: who sent it to whom, the registration, and the length and
/// hash of the compressed content, signed; then the content, gzip-compressed. The reader
/// checks the signature before it inflates anything.
public struct Bundle: Sendable, Equatable {
    public enum Kind: String, Sendable { case nodeToHub = "node-to-hub", hubToNode = "hub-to-node" }

    public let kind: Kind
    public let from: ReplicaID
    /// The one replica meant to import the bundle: another refuses it.
    public let to: ReplicaID
    public let registration: RegisterRequest?
    public let pushes: [PushRequest]
    public let pulledCursor: Int64?
    /// In a node's bundle: a pulled op changed a record the node let go with an archived
    /// household (docs/compaction.md, "Archived households on a node"), so the hub's next
    /// bundle for it carries the snapshot of its scope.
    public let snapshotWanted: Bool
    public let pulls: [PullResponse]
    /// A hub's snapshot of the node's scope, whole: its pages in order, each as the hub answers
    /// `POST /v1/snapshot` (``SnapshotResponse``). Kept as JSON here: a page's states read back
    /// only with the county key, which the node applies when it takes them. The pulls follow
    /// from the first page's position.
    public let snapshot: [JSON]
    /// The county's duplicate index, in a hub's bundle.
    public let index: IndexResponse?

    public init(
        kind: Kind, from: ReplicaID, to: ReplicaID, registration: RegisterRequest? = nil, pushes: [PushRequest] = [],
        pulledCursor: Int64? = nil, snapshotWanted: Bool = false, pulls: [PullResponse] = [], snapshot: [JSON] = [],
        index: IndexResponse? = nil
    ) {
        self.kind = kind
        self.snapshotWanted = snapshotWanted
        self.from = from
        self.to = to
        self.registration = registration
        self.pushes = pushes
        self.pulledCursor = pulledCursor
        self.pulls = pulls
        self.snapshot = snapshot
        self.index = index
    }

    /// Most pieces in one bundle file (each piece up to ``WireLimits/maxOpsPerMessage`` ops).
    public static let maxPieces = 200

    /// Most bytes of content (canonical JSON, before compression) a writer puts in one bundle:
    /// the reader's bound, ``WireLimits/maxBundleBytes``, less room for the header and for gzip's
    /// own overhead on content that does not compress. What does not fit waits for the next bundle.
    public static let contentBudget = WireLimits.maxBundleBytes - (256 << 10)

    /// The content: what is compressed into the file, after the signed header.
    public var content: JSON {
        var members: [String: JSON] = ["v": .integer(WireVersion.current)]
        members["pushes"] = .array(pushes.map(\.json))
        if let pulledCursor { members["pulled_cursor"] = .integer(pulledCursor) }
        if snapshotWanted { members["snapshot_wanted"] = .bool(true) }
        members["pulls"] = .array(pulls.map(\.json))
        if !snapshot.isEmpty { members["snapshot"] = .array(snapshot) }
        if let index { members["index"] = index.json }
        return .object(members)
    }

    /// The file's bytes: the header signed with `privateKey`, then the content compressed.
    /// Refused when the content is over ``WireLimits/maxBundleBytes`` (a reader would refuse it).
    public func sealed(privateKey: [UInt8]) throws -> [UInt8] {
        let bytes = content.canonicalBytes
        guard bytes.count <= WireLimits.maxBundleBytes else {
            throw MessageError(
                "the bundle's content is \(bytes.count) bytes; a bundle holds at most \(WireLimits.maxBundleBytes)")
        }
        return try SealedBundle.seal(
            kind: kind, from: from, to: to, registration: registration, content: bytes, privateKey: privateKey)
    }

    /// Reads the content a verified ``SealedBundle`` carried, with the header's fields.
    init(header: BundleHeader, content: JSON) throws(MessageError) {
        try content.checkVersion()
        guard let pushItems = content["pushes"]?.arrayValue, let pullItems = content["pulls"]?.arrayValue,
            pushItems.count <= Self.maxPieces, pullItems.count <= Self.maxPieces
        else { throw MessageError("\"pushes\" and \"pulls\" must be arrays of at most \(Self.maxPieces) pieces") }
        var pushes: [PushRequest] = []
        for item in pushItems { pushes.append(try PushRequest(json: item)) }
        var pulls: [PullResponse] = []
        for item in pullItems { pulls.append(try PullResponse(json: item)) }
        var snapshot: [JSON] = []
        if let pages = content["snapshot"] {
            guard header.kind == .hubToNode, let items = pages.arrayValue, !items.isEmpty,
                items.count <= Self.maxPieces,
                items.allSatisfy({ $0.objectValue != nil })
            else {
                throw MessageError(
                    "\"snapshot\" must be, in a hub's bundle only, an array of 1 to \(Self.maxPieces) pages")
            }
            snapshot = items
        }
        self.init(
            kind: header.kind, from: header.from, to: header.to, registration: header.registration, pushes: pushes,
            pulledCursor: content["pulled_cursor"]?.integerValue,
            snapshotWanted: header.kind == .nodeToHub && content["snapshot_wanted"] == .bool(true), pulls: pulls,
            snapshot: snapshot,
            index: try content["index"].map { json throws(MessageError) in try IndexResponse(json: json) })
    }

    /// Splits consecutive ops into pieces of at most ``WireLimits/maxOpsPerMessage`` ops whose
    /// JSON together stays within `budget` bytes (each piece counted with `pieceOverhead` for
    /// its chain head and keys). Ops past the budget are left out, for the next bundle; the
    /// first op always fits, as one op is far smaller than any budget a writer uses.
    public static func pieces(of ops: [Op], budget: Int, pieceOverhead: Int = 1 << 10) -> [[Op]] {
        var pieces: [[Op]] = []
        var current: [Op] = []
        var used = 0
        for op in ops {
            if current.count == WireLimits.maxOpsPerMessage {
                pieces.append(current)
                current = []
                if pieces.count == maxPieces { break }
            }
            let size = op.json.canonicalBytes.count + 1 + (current.isEmpty ? pieceOverhead : 0)
            guard used + size <= budget || used == 0 else { break }
            current.append(op)
            used += size
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }
}

/// The signed part of a bundle file: who sent it to whom, a node's registration, and the
/// length and SHA-256 of the compressed content and how large it inflates.
///
/// It is small and read first, so a reader knows which key to check and that the content is
/// the sender's before it inflates a byte of it.
public struct BundleHeader: Sendable, Equatable {
    public let kind: Bundle.Kind
    public let from: ReplicaID
    public let to: ReplicaID
    /// A node's pending registration: its key verifies the signature when the hub does not
    /// know the node yet.
    public let registration: RegisterRequest?
    /// The compressed content's length in bytes, as it follows the header in the file.
    public let contentBytes: Int
    /// The compressed content's SHA-256, lower-case hex.
    public let contentSHA256: String
    /// The content's length after inflating; the reader inflates no more than this.
    public let inflatedBytes: Int

    public var json: JSON {
        var members: [String: JSON] = [
            "v": .integer(WireVersion.current), "kind": .string(kind.rawValue), "from": .string(from.value),
            "to": .string(to.value), "content_bytes": .integer(Int64(contentBytes)),
            "content_sha256": .string(contentSHA256), "inflated_bytes": .integer(Int64(inflatedBytes)),
        ]
        if let registration { members["registration"] = registration.json }
        return .object(members)
    }

    public init(
        kind: Bundle.Kind, from: ReplicaID, to: ReplicaID, registration: RegisterRequest?, contentBytes: Int,
        contentSHA256: String, inflatedBytes: Int
    ) {
        self.kind = kind
        self.from = from
        self.to = to
        self.registration = registration
        self.contentBytes = contentBytes
        self.contentSHA256 = contentSHA256
        self.inflatedBytes = inflatedBytes
    }

    public init(json: JSON) throws(MessageError) {
        try json.checkVersion()
        guard let kind = Bundle.Kind(rawValue: try json.string("kind")) else {
            throw MessageError("unknown bundle kind")
        }
        let limit = Int64(WireLimits.maxBundleBytes)
        let contentBytes = try json.integer("content_bytes")
        let inflatedBytes = try json.integer("inflated_bytes")
        guard (0...limit).contains(contentBytes) else {
            throw MessageError("\"content_bytes\" must be 0 to \(limit)")
        }
        guard (0...limit).contains(inflatedBytes) else {
            throw MessageError(
                "its content inflates to \(inflatedBytes) bytes; a bundle holds at most \(limit) "
                    + "(WireLimits.maxBundleBytes)"
            )
        }
        let hash = try json.string("content_sha256")
        guard Hex.isSHA256(hash) else { throw MessageError("\"content_sha256\" must be a SHA-256 in hex") }
        self.init(
            kind: kind, from: try json.replica("from"), to: try json.replica("to"),
            registration: try json["registration"].map { json throws(MessageError) in try RegisterRequest(json: json) },
            contentBytes: Int(contentBytes), contentSHA256: hash, inflatedBytes: Int(inflatedBytes))
    }
}

/// A bundle file as read from disk, before anything in it is trusted: its header parsed, its
/// content still compressed.
///
/// Why the file is laid out this way: a bundle used to be gzip of its signed JSON, so a reader
/// had to inflate and parse the whole file before it could check who signed it, and a 1.5 MB
/// file that inflated to 1.5 GB held the hub for minutes. Now the file is
///
///     hearth-bundle-v2\n
///     {"header":{…},"signature":"…"}\n
///     <gzip of the content>
///
/// and the reader checks the file's size, the signature over the header, and the compressed
/// content's length and SHA-256 against the header before it inflates; then it inflates a
/// window at a time, never past the size the signed header declared.
public struct SealedBundle: Sendable {
    /// The file's first line: the bundle format. A file that starts otherwise is not a bundle
    /// this version reads (an older Hearth wrote gzip from the first byte).
    public static let magic = Array("hearth-bundle-v2\n".utf8)
    /// Longest header line, in bytes (a header with a registration is under 1 KiB).
    public static let maxHeaderBytes = 16 << 10

    public let header: BundleHeader
    public let signature: String
    /// The header's canonical bytes: what the signature covers (through its SHA-256).
    let headerBytes: [UInt8]
    /// The compressed content, exactly as it follows the header in the file.
    public let compressedContent: [UInt8]

    /// Why a sealed bundle could not be opened.
    public enum OpenFailure: Error, CustomStringConvertible {
        /// The signature over the header does not verify with the key given.
        case notSigned
        /// The content is not the one the header's signer hashed: damaged or changed afterwards.
        case damaged
        /// The content, once verified, could not be read: it names what was wrong.
        case malformed(MessageError)

        public var description: String {
            switch self {
            case .notSigned: "its signature does not verify"
            case .damaged: "its content is not what its sender signed (damaged, or changed after signing)"
            case .malformed(let error): error.description
            }
        }
    }

    /// Reads the header of a bundle file; nothing is inflated and nothing is trusted yet.
    public init(reading bytes: [UInt8]) throws(MessageError) {
        guard bytes.count <= WireLimits.maxBundleBytes else {
            throw MessageError("the file is \(bytes.count) bytes; a bundle is at most \(WireLimits.maxBundleBytes)")
        }
        guard bytes.starts(with: Self.magic) else {
            if Gzip.looksCompressed(bytes) {
                throw MessageError(
                    "this is a bundle in the format of an earlier Hearth (gzip of signed JSON), which is no longer "
                        + "read because it must be inflated before its signature can be checked: export it again")
            }
            throw MessageError("not a Hearth bundle (it does not start with \"hearth-bundle-v2\")")
        }
        let start = Self.magic.count
        let searchEnd = min(bytes.count, start + Self.maxHeaderBytes)
        guard let newline = bytes[start..<searchEnd].firstIndex(of: UInt8(ascii: "\n")) else {
            throw MessageError("the bundle's header line is missing or longer than \(Self.maxHeaderBytes) bytes")
        }
        let line: JSON
        do { line = try JSON.parse(Array(bytes[start..<newline])) } catch {
            throw MessageError("the bundle's header is not JSON: \(error.description)")
        }
        guard let headerJSON = line["header"], let signature = line["signature"]?.stringValue else {
            throw MessageError("the bundle's header line must be {\"header\": …, \"signature\": …}")
        }
        header = try BundleHeader(json: headerJSON)
        self.signature = signature
        headerBytes = headerJSON.canonicalBytes
        compressedContent = Array(bytes[(newline + 1)...])
        guard compressedContent.count == header.contentBytes else {
            throw MessageError(
                "the bundle is truncated or damaged: its content is \(compressedContent.count) bytes, "
                    + "its header says \(header.contentBytes)")
        }
    }

    /// Checks the sender's signature over the header, then the compressed content against the
    /// header's hash; then, and only then, inflates the content (never past the header's
    /// `inflated_bytes`, itself at most ``WireLimits/maxBundleBytes``) and reads it.
    public func open(publicKey: String) throws(OpenFailure) -> Bundle {
        guard Signer.verify(signature, of: Signer.bundleMessage(headerBytes), publicKey: publicKey) else {
            throw .notSigned
        }
        guard Signer.sha256Hex(compressedContent) == header.contentSHA256 else { throw .damaged }
        let inflated: [UInt8]
        do {
            inflated = try Gzip.decompress(
                compressedContent, maxSize: header.inflatedBytes, expected: header.inflatedBytes)
        } catch {
            throw .malformed(MessageError("the bundle's content \(error.description)"))
        }
        guard inflated.count == header.inflatedBytes else {
            throw .malformed(
                MessageError(
                    "the bundle's content inflates to \(inflated.count) bytes; its header says \(header.inflatedBytes)")
            )
        }
        let content: JSON
        do { content = try JSON.parse(inflated) } catch {
            throw .malformed(MessageError("the bundle's content is not JSON: \(error.description)"))
        }
        do { return try Bundle(header: header, content: content) } catch { throw .malformed(error) }
    }

    /// A bundle file: `content` (canonical JSON bytes) compressed, under a header signed with
    /// `privateKey`.
    public static func seal(
        kind: Bundle.Kind, from: ReplicaID, to: ReplicaID, registration: RegisterRequest?, content: [UInt8],
        privateKey: [UInt8]
    ) throws -> [UInt8] {
        let compressed = Gzip.compress(content)
        let header = BundleHeader(
            kind: kind, from: from, to: to, registration: registration, contentBytes: compressed.count,
            contentSHA256: Signer.sha256Hex(compressed), inflatedBytes: content.count)
        let headerJSON = header.json
        let signature = try Signer.sign(Signer.bundleMessage(headerJSON.canonicalBytes), with: privateKey)
        let line = JSON.object(["header": headerJSON, "signature": .string(signature)]).canonicalBytes
        return magic + line + [UInt8(ascii: "\n")] + compressed
    }
}
