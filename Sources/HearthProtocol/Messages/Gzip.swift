import CompressNIO
import NIOCore

/// gzip for request and response bodies and bundle files, with a bound on the inflated size
/// so a small hostile body cannot expand into gigabytes.
public enum Gzip {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func compress(_ bytes: [UInt8]) -> [UInt8] {
        var buffer = ByteBuffer(bytes: bytes)
        // Compressing into a buffer sized by the compressor's own bound cannot overflow.
        var out = try! buffer.compress(with: .gzip())
        return out.readBytes(length: out.readableBytes) ?? []
    }

    public static func decompress(_ bytes: [UInt8], maxSize: Int = WireLimits.maxInflatedBytes) throws(Failure) -> [UInt8] {
        var buffer = ByteBuffer(bytes: bytes)
        do {
            var out = try buffer.decompress(with: .gzip(), maxSize: maxSize)
            return out.readBytes(length: out.readableBytes) ?? []
        } catch {
            throw Failure(description: "not valid gzip, or inflates past \(maxSize) bytes")
        }
    }

    /// Whether the bytes start with the gzip magic number.
    public static func looksCompressed(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }
}
