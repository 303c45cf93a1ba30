import Crypto
import Foundation
import HearthCore

/// Stamps the ops a hub writes, and checks a stamp when one of them comes back.
///
/// Why: a hub put back from a backup has lost the ops it made after the backup was taken
/// (rule decisions, the desk's resolutions, imports), while nodes that pulled them still hold
/// them. The hub trusts no node, so it takes such an op back only when it proves itself the
/// hub's: a keyed hash (HMAC-SHA256, cut to 128 bits) over the op's dot and hash, under a key
/// derived from the hub's own signing key, which no node holds. A MAC, not a signature: the
/// hub stamps every op it writes (a roster import writes a county's worth) and is the only
/// one who ever checks. Protocol/sync.md, A restored hub.
///
/// Holds key material: made for one answer or one push and dropped with it.
package struct OpStamper {
    private let key: SymmetricKey

    /// The stamp's length in bytes before base64 (24 characters on the wire).
    static let length = 16

    init(signingKey: [UInt8]) {
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: signingKey), info: Data("hearth op stamp v1".utf8),
            outputByteCount: 32)
    }

    /// The stamp of the op named `dot` whose hash is `hash`, in base64.
    package func stamp(_ dot: Dot, hash: String) -> String {
        Data(mac(dot, hash: hash).prefix(Self.length)).base64EncodedString()
    }

    /// Whether `stamp` is this hub's stamp of that op (compared in constant time).
    package func verifies(_ stamp: String, dot: Dot, hash: String) -> Bool {
        guard stamp.utf8.count == 24, let given = Data(base64Encoded: stamp), given.count == Self.length else {
            return false
        }
        let expected = mac(dot, hash: hash).prefix(Self.length)
        var difference: UInt8 = 0
        for (a, b) in zip(given, expected) { difference |= a ^ b }
        return difference == 0
    }

    private func mac(_ dot: Dot, hash: String) -> [UInt8] {
        Array(
            HMAC<SHA256>.authenticationCode(
                for: Data("hearth-stamp-v1\n\(dot.replica.value)\n\(dot.counter)\n\(hash)".utf8), using: key))
    }
}

extension KeyMaterial {
    /// A stamper under this replica's signing key (only the hub's is ever used).
    package func stamper() -> OpStamper {
        OpStamper(signingKey: Array(signingKey.rawRepresentation))
    }
}
