import CompressNIO
import HearthCore
import NIOCore

/// A zip built in memory, each part deflated as it is written: the workbooks Hearth writes (a
/// county's roll is four worksheets, some 40 MB of XML for 54,000 lines) hold only their
/// compressed bytes and a window of XML at a time, not each part's whole text beside its copy.
///
/// Parts are deflated at zlib's fastest level: a worksheet's XML repeats itself so much that
/// the file comes out only a little larger than at the default level, in a fraction of the time.
/// Every part's time is 1980-01-01 00:00 (the zip's earliest), so the same workbook is the same
/// bytes whenever it is written.
struct ZipWriter {
    /// Where the bytes of one part are written: kept in a window, deflated when it fills.
    struct Part {
        fileprivate var pending: [UInt8] = []
        fileprivate var compressed: [UInt8] = []
        fileprivate var crc = CRC32()
        fileprivate var size = 0
        fileprivate let compressor: ZlibCompressor

        static let windowSize = 256 << 10

        fileprivate init() throws {
            compressor = try ZlibCompressor(
                algorithm: .deflate, configuration: ZlibConfiguration(compressionLevel: .fastestCompression))
            pending.reserveCapacity(Self.windowSize + (16 << 10))
        }

        mutating func append(_ bytes: some Sequence<UInt8>) {
            pending.append(contentsOf: bytes)
        }

        mutating func append(_ byte: UInt8) {
            pending.append(byte)
        }

        mutating func append(_ text: String) {
            var text = text
            text.withUTF8 { pending.append(contentsOf: $0) }
        }

        /// A whole number in decimal.
        mutating func append(decimal value: Int) {
            if value < 0 { pending.append(UInt8(ascii: "-")) }
            var magnitude = value.magnitude
            let start = pending.count
            repeat {
                pending.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
                magnitude /= 10
            } while magnitude > 0
            pending[start...].reverse()
        }

        /// Deflates what is pending once a window of it has gathered.
        mutating func flushIfFull() throws {
            if pending.count >= Self.windowSize { try deflate(finish: false) }
        }

        fileprivate mutating func deflate(finish: Bool) throws {
            pending.withUnsafeBytes { crc.update($0) }
            size += pending.count
            var input = ByteBuffer(bytes: pending)
            pending.removeAll(keepingCapacity: true)
            // zlib's output, a window at a time, straight into the part's compressed bytes; what
            // it leaves in the window without a flush is taken too, so the window starts empty.
            var window = ByteBufferAllocator().buffer(capacity: 64 << 10)
            try input.compressStream(with: compressor, window: &window, flush: finish ? .finish : .no) { chunk in
                compressed.append(contentsOf: chunk.readableBytesView)
            }
            if !finish { compressed.append(contentsOf: window.readableBytesView) }
        }
    }

    private(set) var bytes: [UInt8] = []
    private var directory: [UInt8] = []
    private var count = 0

    /// A part or a zip past what a zip without its 64-bit extension holds (4 GiB, 65,535
    /// parts): far past any workbook Hearth writes.
    struct TooLarge: Error {}

    /// Adds the part at `path`, its bytes written by `write`.
    mutating func add(_ path: String, _ write: (inout Part) throws -> Void) throws {
        var part = try Part()
        try write(&part)
        try part.deflate(finish: true)
        guard part.size <= UInt32.max, bytes.count + part.compressed.count + 1024 <= UInt32.max, count < 0xFFFF else {
            throw TooLarge()
        }
        let name = Array(path.utf8)
        let offset = bytes.count
        // The local header, then the data.
        Self.append(&bytes, uint32: 0x0403_4B50)
        Self.header(&bytes, part: part, name: name)
        bytes += name
        bytes += part.compressed
        // Its entry in the central directory.
        Self.append(&directory, uint32: 0x0201_4B50)
        Self.append(&directory, uint16: 20)  // made by: MS-DOS, zip 2.0
        Self.header(&directory, part: part, name: name)
        Self.append(&directory, uint16: 0)  // comment
        Self.append(&directory, uint16: 0)  // disk
        Self.append(&directory, uint16: 0)  // internal attributes
        Self.append(&directory, uint32: 0)  // external attributes
        Self.append(&directory, uint32: UInt32(offset))
        directory += name
        count += 1
    }

    /// The zip's bytes: the parts, the directory and its end.
    consuming func finish() -> [UInt8] {
        let start = bytes.count
        bytes += directory
        Self.append(&bytes, uint32: 0x0605_4B50)
        Self.append(&bytes, uint16: 0)
        Self.append(&bytes, uint16: 0)
        Self.append(&bytes, uint16: UInt16(count))
        Self.append(&bytes, uint16: UInt16(count))
        Self.append(&bytes, uint32: UInt32(directory.count))
        Self.append(&bytes, uint32: UInt32(start))
        Self.append(&bytes, uint16: 0)
        return bytes
    }

    /// The fields a local header and a directory entry share, from "version needed" to the
    /// extra field's length.
    private static func header(_ out: inout [UInt8], part: Part, name: [UInt8]) {
        append(&out, uint16: 20)  // version needed: 2.0, deflate
        append(&out, uint16: 0)  // flags
        append(&out, uint16: 8)  // deflated
        append(&out, uint16: 0)  // 00:00
        append(&out, uint16: 0x21)  // 1980-01-01
        append(&out, uint32: part.crc.value)
        append(&out, uint32: UInt32(part.compressed.count))
        append(&out, uint32: UInt32(part.size))
        append(&out, uint16: UInt16(name.count))
        append(&out, uint16: 0)
    }

    private static func append(_ out: inout [UInt8], uint16 value: UInt16) {
        out += [UInt8(value & 0xFF), UInt8(value >> 8)]
    }

    private static func append(_ out: inout [UInt8], uint32 value: UInt32) {
        out += [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)]
    }
}
