import Crypto
import Foundation
import HearthCore

/// The desk's secrets: session ids, the login form's cookie, and the CSRF tokens derived from
/// them.
///
/// Why derived, not stored: a session's id is 256 random bits that only the browser's cookie
/// holds (the hub keeps its SHA-256). The CSRF token of its forms is an HMAC of a fixed label
/// under that id, so it is bound to the session, changes with it, needs no storage and tells
/// nothing of the id. A token of another session, or of one that ended, never matches.
enum DeskTokens {
    /// A new random 256-bit secret, as base64url without padding (43 characters).
    static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return base64url(bytes)
    }

    /// Whether `text` has the form ``random()`` gives: anything else from a cookie is ignored
    /// without a lookup.
    static func wellFormed(_ text: String) -> Bool {
        text.utf8.count == 43
            && text.utf8.allSatisfy { byte in
                (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                    || byte == 0x2D || byte == 0x5F
            }
    }

    /// The hex SHA-256 of a session id: what the hub's database keeps.
    static func hash(_ secret: String) -> String {
        Hex.encode(SHA256.hash(data: Data(secret.utf8)))
    }

    /// The CSRF token of the forms of the session (or login form) whose secret is `secret`.
    static func csrf(for secret: String, purpose: String) -> String {
        let key = SymmetricKey(data: Data(secret.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data("hearth desk \(purpose) v1".utf8), using: key)
        return base64url(Array(mac))
    }

    /// Compares a token from a form with the expected one in time that does not depend on where
    /// they differ.
    static func matches(_ given: String?, _ expected: String) -> Bool {
        guard let given else { return false }
        let left = Array(given.utf8)
        let right = Array(expected.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }

    static func base64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(
            of: "/", with: "_"
        ).replacingOccurrences(of: "=", with: "")
    }
}
