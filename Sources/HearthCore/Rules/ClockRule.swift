/// R15, clock hygiene: a replica whose clock is more than five minutes from the hub's is
/// accepted and flagged with its measured skew; the hub never moves its own clock more than
/// five minutes past its wall clock (``HybridClock/observe(_:wallMillis:maxAheadMillis:)``);
/// wall-clock time never orders money fields (they go to people, ``FieldPolicy/human``).
public enum ClockRule {
    /// Five minutes: the skew from which a node is flagged, and the most a remote timestamp
    /// may move a clock ahead of its wall clock.
    public static let maxSkewMillis: Int64 = 5 * 60 * 1000

    /// A node's clock minus the hub's, as the hub records it: computed without overflow and
    /// clamped to ±`Int64.max`, so whoever reads it may take its magnitude.
    public static func skew(nodeMillis: Int64, hubMillis: Int64) -> Int64 {
        let (raw, overflow) = nodeMillis.subtractingReportingOverflow(hubMillis)
        return overflow ? (nodeMillis < 0 ? -Int64.max : Int64.max) : max(raw, -Int64.max)
    }

    /// Whether a measured skew flags the node (more than five minutes either way).
    public static func isFlagged(skewMillis: Int64?) -> Bool {
        (skewMillis ?? 0).magnitude > UInt64(maxSkewMillis)
    }
}
