import Crypto
import Foundation
import HearthCore
import HearthText

/// The secrets of one replica, kept outside its database file.
///
/// The data key seals ID numbers and bank card numbers (AES-GCM) and hashes them for
/// equality checks (HMAC-SHA256, under a subkey derived with HKDF); the signing key is the
/// replica's Ed25519 identity. A stolen database without this file reveals neither.
public struct KeyMaterial: Sendable {
    // Raw bytes, not swift-crypto key types: those are not `Sendable` in swift-crypto 3.
    private let dataKeyBytes: [UInt8]
    private let signingKeyBytes: [UInt8]
    private let sealKeyBytes: [UInt8]
    private let hashKeyBytes: [UInt8]

    public var dataKey: SymmetricKey { SymmetricKey(data: dataKeyBytes) }
    public var signingKey: Curve25519.Signing.PrivateKey {
        // The bytes were checked when this value was made.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: signingKeyBytes)
    }
    private var sealKey: SymmetricKey { SymmetricKey(data: sealKeyBytes) }
    private var hashKey: SymmetricKey { SymmetricKey(data: hashKeyBytes) }

    public init(dataKey: SymmetricKey, signingKey: Curve25519.Signing.PrivateKey) {
        dataKeyBytes = dataKey.withUnsafeBytes { Array($0) }
        signingKeyBytes = Array(signingKey.rawRepresentation)
        sealKeyBytes = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: dataKey, info: Data("hearth seal v1".utf8), outputByteCount: 32
        ).withUnsafeBytes { Array($0) }
        hashKeyBytes = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: dataKey, info: Data("hearth hmac v1".utf8), outputByteCount: 32
        ).withUnsafeBytes { Array($0) }
    }

    /// Keys for another replica of the same county: the county's data key (so sealed values
    /// and their hashes agree everywhere) with a signing identity of its own.
    public func withNewSigningKey() -> KeyMaterial {
        KeyMaterial(dataKey: dataKey, signingKey: Curve25519.Signing.PrivateKey())
    }

    /// Fresh keys for a new replica.
    public static func generate() -> KeyMaterial {
        KeyMaterial(dataKey: SymmetricKey(size: .bits256), signingKey: Curve25519.Signing.PrivateKey())
    }

    /// A short check value stored in the database, so opening it with the wrong key file is
    /// caught at once instead of producing unreadable values. It reveals nothing of the key.
    public var checkValue: String {
        Hex.encode(HMAC<SHA256>.authenticationCode(for: Data("hearth key check".utf8), using: hashKey).prefix(8))
    }

    public var publicKeyBase64: String {
        signingKey.publicKey.rawRepresentation.base64EncodedString()
    }

    /// The keyed hash of a normalised sensitive value.
    public func digest(_ clearText: String) -> String {
        Self.hex(HMAC<SHA256>.authenticationCode(for: Data(clearText.utf8), using: hashKey))
    }

    /// A MAC in lower-case hex, from its bytes at once (its sequence yields one byte at a time).
    static func hex(_ mac: HMAC<SHA256>.MAC) -> String {
        mac.withUnsafeBytes { Hex.encode($0) }
    }

    /// Seals a normalised sensitive value for storage and transport.
    ///
    /// AES-GCM with a synthetic nonce: the first 96 bits of a keyed hash of the value (under
    /// the HMAC subkey, in a domain of its own). A nonce repeats only for the same value,
    /// which then seals to the same bytes; the keyed hash stored beside the box already shows
    /// that two values are equal, so this reveals nothing more, and it never reuses a nonce
    /// for two different values (what would break GCM). In return the same number typed on
    /// two replicas seals identically, and a seeded simulation replays byte for byte.
    public func seal(_ clearText: String) -> SealedValue {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("hearth seal nonce v1\n\(clearText)".utf8), using: hashKey)
        // 12 bytes is always a valid nonce, and sealing cannot fail for a valid key.
        let nonce = try! AES.GCM.Nonce(data: Data(mac).prefix(12))
        let box = try! AES.GCM.seal(Data(clearText.utf8), using: sealKey, nonce: nonce).combined!
        return SealedValue(box: box.base64EncodedString(), digest: digest(clearText))
    }

    /// Opens a sealed value, checking that it decrypts and matches its hash.
    public func open(_ sealed: SealedValue) throws(KeyError) -> String {
        guard let text = opener().open(sealed) else { throw KeyError.cannotOpen }
        return text
    }

    /// An opener for many values: the derived keys and the keyed hash's padded key are made
    /// once for it, not for every value (a roll opens a county's ID and card numbers).
    package func opener() -> SealedOpener {
        SealedOpener(sealKey: sealKey, hash: HMAC<SHA256>(key: hashKey))
    }
}

/// Opens sealed values under one key, as ``KeyMaterial/open(_:)`` does (that method is one
/// opener's one use). Holds key material: made for one read and dropped with it, never stored
/// or sent anywhere (swift-crypto's key types are not `Sendable`, and neither is this).
package struct SealedOpener: SealedDigestSource {
    fileprivate let sealKey: SymmetricKey
    /// The keyed hash with its key already absorbed: each value copies it and adds itself.
    fileprivate let hash: HMAC<SHA256>

    /// The keyed hash of a normalised sensitive value, as ``KeyMaterial/digest(_:)`` makes it,
    /// without absorbing the key again (a roster import hashes a county's ID numbers).
    package func digest(_ clearText: String) -> String {
        KeyMaterial.hex(mac(of: clearText))
    }

    /// The keyed hash of `text`: the text's bytes in place (a native string's are contiguous),
    /// else copied.
    private func mac(of text: String) -> HMAC<SHA256>.MAC {
        var hash = self.hash
        if text.utf8.withContiguousStorageIfAvailable({ hash.update(data: UnsafeRawBufferPointer($0)) }) == nil {
            hash.update(data: Data(text.utf8))
        }
        return hash.finalize()
    }

    /// The clear text: nil unless the box decrypts under the key and its text hashes to the
    /// digest stored beside it.
    package func open(_ sealed: SealedValue) -> String? {
        guard let data = Data(base64Encoded: sealed.box), let box = try? AES.GCM.SealedBox(combined: data),
            let clear = try? AES.GCM.open(box, using: sealKey), let text = String(data: clear, encoding: .utf8)
        else { return nil }
        guard Self.matches(mac(of: text), hex: sealed.digest) else { return nil }
        return text
    }

    /// The `hmac` of the value sealed in `box`, computed from its opened bytes: what a message
    /// may leave out because the receiver derives it (Protocol/sync.md, Ops in a message).
    package func digest(ofBox box: String) -> String? {
        guard let data = Data(base64Encoded: box), let sealed = try? AES.GCM.SealedBox(combined: data),
            let clear = try? AES.GCM.open(sealed, using: sealKey)
        else { return nil }
        var hash = self.hash
        hash.update(data: clear)
        return KeyMaterial.hex(hash.finalize())
    }

    /// Whether the MAC's lower-case hex is this text, compared without making the hex.
    static func matches(_ mac: HMAC<SHA256>.MAC, hex: String) -> Bool {
        var hex = hex
        return hex.withUTF8 { digits in
            mac.withUnsafeBytes { bytes in
                guard digits.count == 2 * bytes.count else { return false }
                for (index, byte) in bytes.enumerated() {
                    guard digits[2 * index] == Self.digit(byte >> 4), digits[2 * index + 1] == Self.digit(byte & 15)
                    else { return false }
                }
                return true
            }
        }
    }

    private static func digit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }
}

/// Problems with a replica's key file; messages never contain key bytes.
public enum KeyError: Error, Equatable, Sendable, CustomStringConvertible {
    case missing(path: String)
    case unreadable(path: String, reason: String)
    case malformed(source: String)
    case tooOpen(path: String, mode: String)
    case wrongKey
    /// The key opens the county's sealed values (same data key) but its signing key is another
    /// replica's: such a file would sign this replica's ops and requests as someone else.
    case otherReplica(source: String, database: String, replica: String)
    case cannotOpen

    public var description: String {
        switch self {
        case .missing(let path): return Catalogue.text("key.missing", ["path": path])
        case .unreadable(let path, let reason):
            return Catalogue.text("key.unreadable", ["path": path, "reason": reason])
        case .malformed(let source): return Catalogue.text("key.malformed", ["source": source])
        case .tooOpen(let path, let mode): return Catalogue.text("key.too_open", ["path": path, "mode": mode])
        case .wrongKey: return Catalogue.text("key.wrong_key")
        case .otherReplica(let source, let database, let replica):
            return Catalogue.text(
                "key.other_replica",
                [
                    "source": source, "replica": replica, "database": database,
                    "default": KeyFile.defaultPath(forDatabase: database),
                ])
        case .cannotOpen: return Catalogue.text("key.cannot_open")
        }
    }
}
