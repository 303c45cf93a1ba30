/// CRC-32 (IEEE 802.3), the checksum a gzip trailer and a zip's directory carry for what they
/// hold: how Hearth tells that inflated bytes are whole, the stream ended where its writer
/// ended it, whatever sizes the container declared.
///
/// Computed as the bytes go by (``update(_:)``), so a part inflated a window at a time is
/// checked without being held whole.
public struct CRC32: Sendable, Equatable {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    private var state: UInt32 = 0xFFFF_FFFF

    public init() {}

    /// The checksum of the bytes seen so far.
    public var value: UInt32 { state ^ 0xFFFF_FFFF }

    /// Takes in more bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var crc = state
        Self.table.withUnsafeBufferPointer { table in
            for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        }
        state = crc
    }

    /// The checksum of `bytes`.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc = CRC32()
        bytes.withUnsafeBytes { crc.update($0) }
        return crc.value
    }
}
