import CompressNIO
import Foundation
import NIOCore

/// The pixels of an 8-bit RGB or RGBA PNG (what headless Chromium's screenshots are), decoded
/// far enough to tell a rendered page from a blank one: its size and how many pixels are dark.
struct PNGImage {
    let width: Int
    let height: Int
    /// Bytes per pixel: 3 (RGB) or 4 (RGBA).
    let channels: Int
    /// Unfiltered rows, `width * channels` bytes each.
    let pixels: [UInt8]

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(path: String) throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        guard bytes.count > 33, bytes.prefix(8) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else {
            throw Failure(description: "\(path) is not a PNG")
        }
        func int(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        var index = 8
        var width = 0
        var height = 0
        var channels = 0
        var compressed: [UInt8] = []
        while index + 8 <= bytes.count {
            let length = int(index)
            let type = String(decoding: bytes[index + 4..<index + 8], as: UTF8.self)
            let body = Array(bytes[index + 8..<min(bytes.count, index + 8 + length)])
            switch type {
            case "IHDR":
                width = body[0..<4].reduce(0) { $0 << 8 | Int($1) }
                height = body[4..<8].reduce(0) { $0 << 8 | Int($1) }
                guard body[8] == 8, body[12] == 0, [2, 6].contains(body[9]) else {
                    throw Failure(description: "\(path): not an 8-bit RGB or RGBA PNG without interlace")
                }
                channels = body[9] == 6 ? 4 : 3
            case "IDAT": compressed += body
            default: break
            }
            index += 12 + length
        }
        var buffer = ByteBuffer(bytes: compressed)
        var inflated = try buffer.decompress(with: .zlib())
        let raw = inflated.readBytes(length: inflated.readableBytes) ?? []
        let stride = width * channels
        guard raw.count == height * (stride + 1) else {
            throw Failure(description: "\(path): \(raw.count) bytes of pixels for \(width)x\(height)")
        }
        var pixels = [UInt8](repeating: 0, count: height * stride)
        for row in 0..<height {
            let filter = raw[row * (stride + 1)]
            for column in 0..<stride {
                let x = Int(raw[row * (stride + 1) + 1 + column])
                let a = column >= channels ? Int(pixels[row * stride + column - channels]) : 0
                let b = row > 0 ? Int(pixels[(row - 1) * stride + column]) : 0
                let c = row > 0 && column >= channels ? Int(pixels[(row - 1) * stride + column - channels]) : 0
                let predicted: Int
                switch filter {
                case 0: predicted = 0
                case 1: predicted = a
                case 2: predicted = b
                case 3: predicted = (a + b) / 2
                case 4:
                    let p = a + b - c
                    let (pa, pb, pc) = (abs(p - a), abs(p - b), abs(p - c))
                    predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
                default: throw Failure(description: "\(path): unknown PNG filter \(filter)")
                }
                pixels[row * stride + column] = UInt8((x + predicted) & 0xFF)
            }
        }
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// Pixels whose red, green and blue are all below 128: text and rules on a white page.
    var darkPixels: Int {
        var count = 0
        for pixel in 0..<(width * height) {
            let at = pixel * channels
            if pixels[at] < 128 && pixels[at + 1] < 128 && pixels[at + 2] < 128 { count += 1 }
        }
        return count
    }
}
