/// Why bytes received as a sync message could not be read as one.
public struct MessageError: Error, Equatable, Sendable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "malformed message: \(reason)" }
}

/// The sync protocol's version; a message with another `v` is refused with this number in the reason.
public enum WireVersion {
    public static let current: Int64 = 1
}
