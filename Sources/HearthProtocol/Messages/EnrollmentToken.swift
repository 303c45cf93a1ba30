import Foundation
import HearthCore

/// The one-time token `hearth hub enroll` prints: everything a new node needs to join the
/// county, on one line it can be pasted from.
///
/// It carries the hub's identity and key, the node's name and scope, a one-time secret the
/// hub checks (it stores only its hash), and the county data key (so sealed values agree
/// across the county). It is a credential: whoever holds it can join as that node once,
/// and can read sealed values. Treat it like a password.
public struct EnrollmentToken: Sendable, Equatable {
    public let hub: ReplicaID
    public let hubKey: String
    public let name: String
    public let scope: String
    public let secret: String
    public let dataKey: String

    public init(hub: ReplicaID, hubKey: String, name: String, scope: String, secret: String, dataKey: String) {
        self.hub = hub
        self.hubKey = hubKey
        self.name = name
        self.scope = scope
        self.secret = secret
        self.dataKey = dataKey
    }

    public var text: String {
        let json = JSON.object([
            "v": .integer(WireVersion.current), "hub": .string(hub.value), "hub_key": .string(hubKey),
            "name": .string(name),
            "scope": .string(scope), "secret": .string(secret), "data_key": .string(dataKey),
        ])
        return "hearth1." + Base64URL.encode(json.canonicalBytes)
    }

    public init(text: String) throws(MessageError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("hearth1."), let bytes = Base64URL.decode(String(trimmed.dropFirst(8))),
            let json = try? JSON.parse(bytes)
        else {
            throw MessageError(
                "not an enrollment token (it starts with hearth1. and is printed by `hearth hub enroll`)")
        }
        try json.checkVersion()
        hub = try json.replica("hub")
        hubKey = try json.string("hub_key")
        name = try json.string("name")
        scope = try json.string("scope")
        secret = try json.string("secret")
        dataKey = try json.string("data_key")
    }
}
