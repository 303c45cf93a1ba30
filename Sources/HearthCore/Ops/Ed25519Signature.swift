import Crypto
import Foundation

/// Verifies an Ed25519 signature given as Hearth stores and sends them: the signature and the
/// public key in base64.
///
/// Why in the core: the wire (HearthProtocol's `Signer`) checks signatures as messages arrive,
/// and the hub's ledger checks the nodes' kept chain heads again when it verifies its store
/// (``ChainHeadMessage``); the ledger does not depend on the wire, and both must decode alike.
public enum Ed25519Signature {
    public static func verify(_ signature: String, of message: [UInt8], publicKey: String) -> Bool {
        guard let keyBytes = Data(base64Encoded: publicKey),
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: keyBytes),
            let signatureBytes = Data(base64Encoded: signature)
        else { return false }
        return key.isValidSignature(signatureBytes, for: Data(message))
    }
}
