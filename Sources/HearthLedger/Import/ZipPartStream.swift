import CompressNIO
import Foundation
import HearthCore
import NIOCore

/// One part of a zip, inflated a window at a time as the XML parser reads it: a county's
/// worksheet (150 MB of XML for 360,000 rows) is never held whole, only a window of it.
///
/// The stream is the reader's guard as well as its source:
/// - it counts the bytes it inflates against a budget (a zip's declared sizes can lie), and
///   stops at it: a zip bomb costs the time to inflate the budget, never the memory;
/// - it refuses a part that declares a document type (a DTD is how entity-expansion bombs and
///   external entities get in, and no spreadsheet program writes one) before the parser sees it;
/// - at the end it checks that the part inflated to the size and CRC-32 the zip's directory
///   gives it, so a damaged part is refused, not read short.
///
/// Foundation's `XMLParser` pulls from an `InputStream`; this subclass is that stream. When it
/// stops, `read` answers -1 and ``failure`` says why: the parser's own verdict is not enough,
/// because it may report success for a stream that ended early.
final class ZipPartStream: InputStream {
    /// Why the stream stopped early.
    enum Failure: Error, Equatable {
        /// More than the budget was inflated.
        case overBudget
        /// The part does not inflate, or not to the size and checksum the zip declares.
        case damaged
        /// The part declares a document type.
        case doctype
    }

    private(set) var failure: Failure?
    /// The bytes inflated so far.
    private(set) var produced = 0

    private let entry: ZipDirectory.Entry
    private let budget: Int
    private var input: ByteBuffer
    private let inflater: ZlibDecompressor?
    private var window: ByteBuffer
    private var crc = CRC32()
    private var ended = false
    /// The last bytes handed out, to find `<!DOCTYPE` split across two windows.
    private var tail: [UInt8] = []

    static let windowSize = 64 << 10

    /// - Parameters:
    ///   - entry: a part located in `bytes` (``ZipDirectory/locate(_:in:)``);
    ///   - budget: the most bytes it may inflate.
    init(_ entry: ZipDirectory.Entry, in bytes: [UInt8], budget: Int) throws(ZipDirectory.Failure) {
        self.entry = entry
        self.budget = budget
        self.input = ByteBuffer(bytes: bytes[entry.data])
        if entry.method == 8 {
            guard let inflater = try? ZlibDecompressor(algorithm: .deflate) else {
                throw .unreadable(path: entry.path)
            }
            self.inflater = inflater
        } else {
            self.inflater = nil
        }
        self.window = ByteBufferAllocator().buffer(capacity: Self.windowSize)
        super.init(data: Data())
    }

    override func open() {}
    override func close() {}
    override var hasBytesAvailable: Bool { failure == nil && !(ended && window.readableBytes == 0) }
    // The parser asks for these when `read` answers -1; the base class's own would look for a
    // stream of data this one does not have.
    override var streamError: Error? {
        failure.map { NSError(domain: "ZipPartStream", code: 1, userInfo: [NSLocalizedDescriptionKey: "\($0)"]) }
    }
    override var streamStatus: Stream.Status {
        failure != nil ? .error : ended && window.readableBytes == 0 ? .atEnd : .open
    }

    override func read(_ buffer: UnsafeMutablePointer<UInt8>, maxLength length: Int) -> Int {
        guard failure == nil else { return -1 }
        if window.readableBytes == 0 {
            if ended { return 0 }
            fill()
            guard failure == nil else { return -1 }
            if window.readableBytes == 0 { return 0 }
        }
        let count = min(length, window.readableBytes)
        window.withUnsafeReadableBytes { bytes in
            UnsafeMutableRawBufferPointer(start: buffer, count: count).copyMemory(
                from: UnsafeRawBufferPointer(rebasing: bytes.prefix(count)))
        }
        window.moveReaderIndex(forwardBy: count)
        return count
    }

    /// Inflates (or copies, for a stored part) the next window, and checks it.
    private func fill() {
        window.clear()
        if let inflater {
            if input.readableBytes > 0 {
                do {
                    try inflater.inflate(from: &input, to: &window)
                    ended = true
                } catch let error as CompressNIOError where error == .bufferOverflow {
                    // The window is full; there is more.
                } catch {
                    return stop(.damaged)
                }
            } else {
                ended = true
            }
        } else {
            let count = min(input.readableBytes, Self.windowSize)
            window.writeImmutableBuffer(input.readSlice(length: count)!)
            ended = input.readableBytes == 0
        }
        produced += window.readableBytes
        guard produced <= budget else { return stop(.overBudget) }
        window.withUnsafeReadableBytes { crc.update($0) }
        guard !declaresDoctype() else { return stop(.doctype) }
        if ended, produced != entry.size || crc.value != entry.crc32 { stop(.damaged) }
    }

    private func stop(_ failure: Failure) {
        self.failure = failure
        window.clear()
    }

    /// Whether `<!DOCTYPE` is in this window, or begins in the one before.
    private func declaresDoctype() -> Bool {
        let seam = tail + window.readableBytesView.prefix(16)
        tail = Array(window.readableBytesView.suffix(8))
        return window.withUnsafeReadableBytes(Self.declaresDoctype) || seam.withUnsafeBytes(Self.declaresDoctype)
    }

    /// Whether `bytes` hold `<!DOCTYPE` (or `<!doctype`).
    static func declaresDoctype(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress, bytes.count >= 9 else { return false }
        let upper = Array("<!DOCTYPE".utf8)
        let lower = Array("<!doctype".utf8)
        var at = 0
        let last = bytes.count - 9
        while at <= last {
            // `<` is frequent in a worksheet: find each one, then compare what follows.
            guard let found = memchr(base + at, Int32(UInt8(ascii: "<")), last - at + 1) else { return false }
            let start = base.distance(to: UnsafeRawPointer(found))
            if bytes[start + 1] == UInt8(ascii: "!"),
                (1..<9).allSatisfy({ bytes[start + $0] == upper[$0] })
                    || (1..<9).allSatisfy({ bytes[start + $0] == lower[$0] })
            {
                return true
            }
            at = start + 1
        }
        return false
    }
}
