/// Why bytes received as a sync message could not be read as one.
public struct MessageError: Error, Equatable, Sendable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "malformed message: \(reason)" }
}

/// The sync protocol's version; a message with another `v` is refused with this number in the reason.
///
/// Version 2 lets a message's ops leave out what the receiver derives (``WireOps``); version 3
/// sends a record entering a node's scope as its state (``PullResponse/entered``), not its
/// history. The hub still reads versions 1 and 2 and answers a request in its own version, so
/// nodes not yet upgraded keep syncing with an upgraded hub (Protocol/sync.md, Versions).
public enum WireVersion {
    public static let current: Int64 = 3
    /// The versions this side reads.
    public static let readable: ClosedRange<Int64> = 1...3
    /// The first version whose pull answers carry entering records as states.
    public static let statesOnEntry: Int64 = 3
}
