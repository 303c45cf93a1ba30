import Synchronization

/// The simulated wall clock the hub and every node read (each node with its own skew).
/// Only the simulation moves it; the hub service reads it through a `@Sendable` closure.
public final class SimClock: Sendable {
    private let millis: Mutex<Int64>

    public init(start: Int64) { millis = Mutex(start) }

    public var now: Int64 { millis.withLock { $0 } }

    public func advance(by delta: Int64) { millis.withLock { $0 += max(0, delta) } }
}
