import HearthCore
import CompressNIO
import NIOCore

/// gzip for request and response bodies and bundle payloads, with a bound on the inflated size
/// so a small hostile body cannot expand into gigabytes.
public enum Gzip {
    /// Why bytes could not be inflated, as a phrase that follows what they were:
    /// "request body is truncated …", "bundle.hbundle inflates past … bytes".
    public struct Failure: Error, CustomStringConvertible {
        /// What kind of failure, so a caller can answer "too large" apart from "damaged".
        public enum Kind: Sendable, Equatable {
            case notGzip, damaged, truncated, tooLarge
        }

        public let kind: Kind
        public let description: String
    }

    /// The inflater writes into a window of this size, which is copied out and reused: memory
    /// grows with what was inflated (never past the bound), not with what the stream claims.
    static let window = 64 << 10

    public static func compress(_ bytes: [UInt8]) -> [UInt8] {
        var buffer = ByteBuffer(bytes: bytes)
        // Compressing into a buffer sized by the compressor's own bound cannot overflow.
        var out = try! buffer.compress(with: .gzip())
        return out.readBytes(length: out.readableBytes) ?? []
    }

    /// Inflates one complete gzip stream, a window at a time, and stops as soon as the output
    /// passes `maxSize`: refused when it is not gzip, is damaged, inflates past `maxSize`, ends
    /// early (truncated) or is followed by other bytes.
    ///
    /// - Parameter expected: the size the sender declared, when it is known (a bundle's signed
    ///   header): memory for it is set aside at once, never more than `maxSize`.
    public static func decompress(
        _ bytes: [UInt8], maxSize: Int = WireLimits.maxInflatedBytes, expected: Int? = nil
    ) throws(Failure) -> [UInt8] {
        guard looksCompressed(bytes) else { throw Failure(kind: .notGzip, description: "is not gzip") }
        let damaged = Failure(kind: .damaged, description: "is damaged (not valid gzip data)")
        let decompressor = CompressionAlgorithm.gzip().decompressor
        do { try decompressor.startStream() } catch { throw damaged }
        defer { try? decompressor.finishStream() }
        var input = ByteBuffer(bytes: bytes)
        var window = ByteBufferAllocator().buffer(capacity: Self.window)
        var inflated: [UInt8] = []
        if let expected, expected > 0 { inflated.reserveCapacity(min(expected, maxSize)) }
        while true {
            window.clear()
            var full = false
            do {
                try input.decompressStream(to: &window, with: decompressor)
            } catch let error as CompressNIOError where error == .bufferOverflow {
                full = true
            } catch {
                throw damaged
            }
            inflated.append(contentsOf: window.readableBytesView)
            guard inflated.count <= maxSize else {
                throw Failure(kind: .tooLarge, description: "inflates past \(maxSize) bytes")
            }
            if !full { break }
        }
        // The inflater stops where its stream ends; anything after it is not part of the body.
        guard input.readableBytes == 0 else {
            throw Failure(kind: .damaged, description: "is damaged: it has bytes after the end of its gzip stream")
        }
        // The inflater stops without an error where the input stops, even in the middle of the
        // stream; the trailer (CRC-32 and length of the content) shows the stream was whole.
        let expectedTrailer = (CRC32.checksum(inflated), UInt32(truncatingIfNeeded: inflated.count))
        guard bytes.count >= 18, trailer(of: bytes) == expectedTrailer else {
            throw Failure(
                kind: .truncated, description: "is truncated or damaged (the gzip stream ends before its checksum)")
        }
        return inflated
    }

    /// Whether the bytes start with the gzip magic number.
    public static func looksCompressed<Bytes: Collection>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        var iterator = bytes.makeIterator()
        return iterator.next() == 0x1F && iterator.next() == 0x8B
    }

    /// The last eight bytes: CRC-32 and length modulo 2^32, both little-endian.
    private static func trailer(of bytes: [UInt8]) -> (UInt32, UInt32) {
        func word(_ at: Int) -> UInt32 {
            (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << (8 * UInt32($1)) }
        }
        return (word(bytes.count - 8), word(bytes.count - 4))
    }
}
