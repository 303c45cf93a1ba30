/// How far the hub's log goes, and the positions it skipped: what a node's lag is counted
/// against.
///
/// Why not `end − cursor`: a hub restored from a backup skips 2^40 positions (`hub restore`),
/// so that no node's cursor passes an op it logs afterwards; counted by subtraction, every
/// node would then be a trillion ops behind.
public struct LogExtent: Sendable, Equatable {
    /// A run of positions never given to an op: those after `after`, `count` of them.
    public struct Skip: Sendable, Equatable {
        public let after: Int64
        public let count: Int64
        public init(after: Int64, count: Int64) {
            self.after = after
            self.count = count
        }
    }

    /// The greatest log position.
    public let end: Int64
    /// The runs skipped, in any order.
    public let skipped: [Skip]

    public init(end: Int64, skipped: [Skip] = []) {
        self.end = end
        self.skipped = skipped
    }

    /// The positions after `cursor` up to the end that may hold an op: the log entries a node
    /// that confirmed `cursor` has not confirmed.
    public func lag(from cursor: Int64) -> Int64 {
        guard end > cursor else { return 0 }
        var lag = end - cursor
        for skip in skipped {
            // The overlap of (cursor, end] with (after, after + count].
            let low = max(cursor, skip.after)
            let high = min(end, skip.after + skip.count)
            if high > low { lag -= high - low }
        }
        return max(0, lag)
    }
}
