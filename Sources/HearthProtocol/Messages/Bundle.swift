import HearthCore

/// A sync exchange written to a file for places with no connection (USB stick): the same
/// messages as over HTTP, signed by the sender, gzip-compressed by the caller.
///
/// A node's bundle carries its pushes (consecutive pieces of its chain, each within the
/// message limit; for a node that never reached the hub, also its registration) and the
/// cursor up to which it has imported the hub's log; a hub's bundle carries consecutive pull
/// answers for one node.
public struct Bundle: Sendable, Equatable {
    public enum Kind: String, Sendable { case nodeToHub = "node-to-hub", hubToNode = "hub-to-node" }

    public let kind: Kind
    public let from: ReplicaID
    /// The one replica meant to import the bundle: another refuses it.
    public let to: ReplicaID
    public let registration: RegisterRequest?
    public let pushes: [PushRequest]
    public let pulledCursor: Int64?
    public let pulls: [PullResponse]
    /// The county's duplicate index, in a hub's bundle.
    public let index: IndexResponse?

    public init(
        kind: Kind, from: ReplicaID, to: ReplicaID, registration: RegisterRequest? = nil, pushes: [PushRequest] = [],
        pulledCursor: Int64? = nil, pulls: [PullResponse] = [], index: IndexResponse? = nil
    ) {
        self.kind = kind
        self.from = from
        self.to = to
        self.registration = registration
        self.pushes = pushes
        self.pulledCursor = pulledCursor
        self.pulls = pulls
        self.index = index
    }

    /// Most pieces in one bundle file (each piece up to ``WireLimits/maxOpsPerMessage`` ops).
    public static let maxPieces = 200

    /// The signed content, canonical.
    public var content: JSON {
        var members: [String: JSON] = [
            "v": .integer(WireVersion.current), "kind": .string(kind.rawValue), "from": .string(from.value),
            "to": .string(to.value),
        ]
        if let registration { members["registration"] = registration.json }
        members["pushes"] = .array(pushes.map(\.json))
        if let pulledCursor { members["pulled_cursor"] = .integer(pulledCursor) }
        members["pulls"] = .array(pulls.map(\.json))
        if let index { members["index"] = index.json }
        return .object(members)
    }

    /// The file's JSON: the content and the sender's signature over it.
    public func signed(privateKey: [UInt8]) throws -> [UInt8] {
        let bytes = content.canonicalBytes
        let signature = try Signer.sign(Signer.bundleMessage(bytes), with: privateKey)
        return JSON.object(["bundle": content, "signature": .string(signature)]).canonicalBytes
    }

    /// Reads a bundle file's JSON; the caller verifies ``signature`` with the sender's key.
    public static func read(_ bytes: [UInt8]) throws(MessageError) -> (bundle: Bundle, signature: String, content: [UInt8]) {
        let document: JSON
        do { document = try JSON.parse(bytes) } catch { throw MessageError("bundle is not JSON: \(error.description)") }
        guard let content = document["bundle"], let signature = document["signature"]?.stringValue else {
            throw MessageError("not a Hearth bundle (expected {bundle, signature})")
        }
        try content.checkVersion()
        guard let kind = Kind(rawValue: try content.string("kind")) else { throw MessageError("unknown bundle kind") }
        guard let pushItems = content["pushes"]?.arrayValue, let pullItems = content["pulls"]?.arrayValue,
            pushItems.count <= maxPieces, pullItems.count <= maxPieces
        else { throw MessageError("\"pushes\" and \"pulls\" must be arrays of at most \(maxPieces) pieces") }
        var pushes: [PushRequest] = []
        for item in pushItems { pushes.append(try PushRequest(json: item)) }
        var pulls: [PullResponse] = []
        for item in pullItems { pulls.append(try PullResponse(json: item)) }
        let bundle = Bundle(
            kind: kind, from: try content.replica("from"), to: try content.replica("to"),
            registration: try content["registration"].map { json throws(MessageError) in try RegisterRequest(json: json) },
            pushes: pushes, pulledCursor: content["pulled_cursor"]?.integerValue, pulls: pulls,
            index: try content["index"].map { json throws(MessageError) in try IndexResponse(json: json) })
        return (bundle, signature, content.canonicalBytes)
    }

    public func verify(signature: String, content: [UInt8], publicKey: String) -> Bool {
        Signer.verify(signature, of: Signer.bundleMessage(content), publicKey: publicKey)
    }
}
