/// A hybrid logical clock timestamp: wall-clock milliseconds plus a logical counter.
///
/// HLC orders last-writer-wins ties and shows people when a change was made, while never
/// running backwards when a laptop's clock does. It never orders money fields (docs/rules.md R15).
public struct HLC: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Milliseconds since the Unix epoch, as the clock best knew it.
    public let millis: Int64
    /// Breaks ties between events in the same millisecond.
    public let logical: UInt32

    public init(millis: Int64, logical: UInt32) {
        self.millis = millis
        self.logical = logical
    }

    public static let zero = HLC(millis: 0, logical: 0)

    public static func < (lhs: HLC, rhs: HLC) -> Bool {
        (lhs.millis, lhs.logical) < (rhs.millis, rhs.logical)
    }

    public var description: String { "\(millis).\(logical)" }
}

/// The clock state of one replica: the greatest timestamp it has issued or seen.
///
/// Pure: the wall clock is passed in, so tests and the simulator control time.
public struct HybridClock: Sendable, Hashable {
    public private(set) var last: HLC

    public init(last: HLC = .zero) {
        self.last = last
    }

    /// The timestamp for a new local event.
    public mutating func tick(wallMillis: Int64) -> HLC {
        if wallMillis > last.millis {
            last = HLC(millis: wallMillis, logical: 0)
        } else if last.logical == UInt32.max {
            last = HLC(millis: last.millis + 1, logical: 0)
        } else {
            last = HLC(millis: last.millis, logical: last.logical + 1)
        }
        return last
    }

    /// Folds in a timestamp received from another replica, so the next local event is after it.
    ///
    /// `maxAhead` bounds how far a remote clock may drag this one past its own wall clock
    /// (docs/rules.md R15); a remote timestamp beyond that bound is clamped, not adopted.
    public mutating func observe(_ remote: HLC, wallMillis: Int64, maxAheadMillis: Int64 = ClockRule.maxSkewMillis) {
        let bound = HLC(millis: wallMillis + maxAheadMillis, logical: 0)
        let seen = min(remote, bound)
        if seen > last { last = seen }
    }
}
