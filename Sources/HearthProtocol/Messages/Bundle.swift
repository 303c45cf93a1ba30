import HearthCore

/// A sync exchange written to a file for places with no connection (USB stick): the same
/// messages as over HTTP, signed by the sender, gzip-compressed by the caller.
///
/// A node's bundle carries its push (and, for a node that never reached the hub, its
/// registration) and the cursor up to which it has imported the hub's log; a hub's bundle
/// carries a pull answer for one node.
public struct Bundle: Sendable, Equatable {
    public enum Kind: String, Sendable { case nodeToHub = "node-to-hub", hubToNode = "hub-to-node" }

    public let kind: Kind
    public let from: ReplicaID
    public let registration: RegisterRequest?
    public let push: PushRequest?
    public let pulledCursor: Int64?
    public let pull: PullResponse?

    public init(
        kind: Kind, from: ReplicaID, registration: RegisterRequest? = nil, push: PushRequest? = nil,
        pulledCursor: Int64? = nil, pull: PullResponse? = nil
    ) {
        self.kind = kind
        self.from = from
        self.registration = registration
        self.push = push
        self.pulledCursor = pulledCursor
        self.pull = pull
    }

    /// The signed content, canonical.
    public var content: JSON {
        var members: [String: JSON] = [
            "v": .integer(WireVersion.current), "kind": .string(kind.rawValue), "from": .string(from.value),
        ]
        if let registration { members["registration"] = registration.json }
        if let push { members["push"] = push.json }
        if let pulledCursor { members["pulled_cursor"] = .integer(pulledCursor) }
        if let pull { members["pull"] = pull.json }
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
        let bundle = Bundle(
            kind: kind, from: try content.replica("from"),
            registration: try content["registration"].map { json throws(MessageError) in try RegisterRequest(json: json) },
            push: try content["push"].map { json throws(MessageError) in try PushRequest(json: json) },
            pulledCursor: content["pulled_cursor"]?.integerValue,
            pull: try content["pull"].map { json throws(MessageError) in try PullResponse(json: json) })
        return (bundle, signature, content.canonicalBytes)
    }

    public func verify(signature: String, content: [UInt8], publicKey: String) -> Bool {
        Signer.verify(signature, of: Signer.bundleMessage(content), publicKey: publicKey)
    }
}
