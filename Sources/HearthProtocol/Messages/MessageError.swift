/// Why bytes received as a sync message could not be read as one.
public struct MessageError: Error, Equatable, Sendable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "malformed message: \(reason)" }
}

/// The sync protocol's version; a message with another `v` is refused with this number in the reason.
///
/// Version 2 lets a message's ops leave out what the receiver derives (``WireOps``). The hub
/// still reads version 1 and answers a version-1 request in version 1 with whole ops, so
/// nodes not yet upgraded keep syncing with an upgraded hub (Protocol/sync.md, Versions).
public enum WireVersion {
    public static let current: Int64 = 2
    /// The versions this side reads.
    public static let readable: ClosedRange<Int64> = 1...2
}
