import Crypto

package enum SHA256Digest {
    package static func of(_ bytes: [UInt8]) -> SHA256.Digest { SHA256.hash(data: bytes) }
}
