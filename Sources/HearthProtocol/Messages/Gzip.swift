import CompressNIO
import NIOCore

/// gzip for request and response bodies and bundle files, with a bound on the inflated size
/// so a small hostile body cannot expand into gigabytes.
public enum Gzip {
    /// Why bytes could not be inflated, as a phrase that follows what they were:
    /// "request body is truncated …", "bundle.hbundle inflates past … bytes".
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func compress(_ bytes: [UInt8]) -> [UInt8] {
        var buffer = ByteBuffer(bytes: bytes)
        // Compressing into a buffer sized by the compressor's own bound cannot overflow.
        var out = try! buffer.compress(with: .gzip())
        return out.readBytes(length: out.readableBytes) ?? []
    }

    /// Inflates one complete gzip stream: refused when it is not gzip, is damaged, inflates past
    /// `maxSize`, ends early (truncated) or is followed by other bytes.
    public static func decompress(
        _ bytes: [UInt8], maxSize: Int = WireLimits.maxInflatedBytes
    ) throws(Failure) -> [UInt8] {
        guard looksCompressed(bytes) else { throw Failure(description: "is not gzip") }
        var buffer = ByteBuffer(bytes: bytes)
        let inflated: [UInt8]
        do {
            var out = try buffer.decompress(with: .gzip(), maxSize: maxSize)
            inflated = out.readBytes(length: out.readableBytes) ?? []
        } catch let error as CompressNIOError where error == .bufferOverflow {
            throw Failure(description: "inflates past \(maxSize) bytes")
        } catch {
            throw Failure(description: "is damaged (not valid gzip data)")
        }
        // The inflater's bound is loose (its buffers round up), so the limit is checked here too.
        guard inflated.count <= maxSize else { throw Failure(description: "inflates past \(maxSize) bytes") }
        guard buffer.readableBytes == 0 else {
            throw Failure(description: "is damaged: it has bytes after the end of its gzip stream")
        }
        // The inflater stops without an error where the input stops, even in the middle of the
        // stream; the trailer (CRC-32 and length of the content) shows the stream was whole.
        let expected = (CRC32.checksum(inflated), UInt32(truncatingIfNeeded: inflated.count))
        guard bytes.count >= 18, trailer(of: bytes) == expected else {
            throw Failure(description: "is truncated or damaged (the gzip stream ends before its checksum)")
        }
        return inflated
    }

    /// Whether the bytes start with the gzip magic number.
    public static func looksCompressed(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// The last eight bytes: CRC-32 and length modulo 2^32, both little-endian.
    private static func trailer(of bytes: [UInt8]) -> (UInt32, UInt32) {
        func word(_ at: Int) -> UInt32 {
            (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << (8 * UInt32($1)) }
        }
        return (word(bytes.count - 8), word(bytes.count - 4))
    }
}
