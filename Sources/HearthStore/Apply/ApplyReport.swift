/// What integrating a batch of ops did, for status lines and the property tests' counters.
public struct ApplyReport: Hashable, Sendable {
    /// Ops applied to their records (including earlier arrivals released by this batch).
    public var applied = 0
    /// Ops already held under the same dot and hash: skipped.
    public var duplicates = 0
    /// Ops that arrived before ops their context covers: logged and waiting (R11).
    public var waiting = 0
    /// Waiting ops that became ready and were applied.
    public var released = 0
    /// Records installed from a snapshot (``Applier/install(_:)``).
    public var installed = 0

    public init() {}
}
