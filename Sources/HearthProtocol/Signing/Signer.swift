import Crypto
import Foundation
import HearthCore

/// Ed25519 signing and verification over the exact strings Protocol/sync.md defines.
///
/// Every signed string starts with a purpose tag (`hearth-chain-v1`, `hearth-request-v1`,
/// `hearth-response-v1`, `hearth-bundle-v2`) so a signature made for one purpose can never
/// be replayed as another.
public enum Signer {
    public static func sign(_ message: [UInt8], with privateKey: [UInt8]) throws -> String {
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: privateKey)
        return Data(try key.signature(for: Data(message))).base64EncodedString()
    }

    public static func verify(_ signature: String, of message: [UInt8], publicKey: String) -> Bool {
        Ed25519Signature.verify(signature, of: message, publicKey: publicKey)
    }

    /// What an author signs for its chain: one signature authenticates every op up to the head,
    /// because each op carries the hash of the one before it.
    public static func chainMessage(replica: ReplicaID, counter: UInt64, head: String) -> [UInt8] {
        ChainHeadMessage.bytes(replica: replica, counter: counter, head: head)
    }

    /// What a replica signs for an HTTP request: method, path, who, when, a nonce, and the
    /// SHA-256 of the body exactly as sent (compressed), so it is checked before inflating.
    /// A request that states a clock offset (`x-hearth-offset`) signs it as an eighth line,
    /// so the offset cannot be changed in transit to make an old request look fresh.
    public static func requestMessage(
        method: String, path: String, replica: String, timeMillis: Int64, nonce: String, body: [UInt8],
        offsetMillis: Int64? = nil
    ) -> [UInt8] {
        let offset = offsetMillis.map { "\n\($0)" } ?? ""
        let lines = "hearth-request-v1\n\(method)\n\(path)\n\(replica)\n\(timeMillis)\n\(nonce)"
        return Array("\(lines)\n\(sha256Hex(body))\(offset)".utf8)
    }

    /// What the hub signs for a response: tied to the request's nonce, so an old answer cannot
    /// be replayed to a later request. An answer that carries the hub's clock (`x-hearth-time`)
    /// signs it as a fifth line: the node corrects its request time by it only because it
    /// comes from the hub, for this request.
    public static func responseMessage(nonce: String, status: Int, body: [UInt8], timeMillis: Int64? = nil) -> [UInt8] {
        let time = timeMillis.map { "\n\($0)" } ?? ""
        return Array("hearth-response-v1\n\(nonce)\n\(status)\n\(sha256Hex(body))\(time)".utf8)
    }

    /// What the sender of a file bundle signs: the canonical bytes of the bundle's header, which
    /// holds the length and SHA-256 of the compressed content, so the signature is checked
    /// before anything is inflated. (Version 1 signed the inflated content.)
    public static func bundleMessage(_ header: [UInt8]) -> [UInt8] {
        Array("hearth-bundle-v2\n".utf8) + Array(sha256Hex(header).utf8)
    }

    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        Hex.encode(SHA256.hash(data: bytes))
    }
}
