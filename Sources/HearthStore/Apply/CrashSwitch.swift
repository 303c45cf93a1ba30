import Synchronization

/// A fault a simulation arms on a replica: the next integration fails after a number of ops,
/// inside its transaction, as a power cut would stop it. SQLite then rolls the whole
/// transaction back; the simulation reopens the replica from its file, as a restarted
/// process would, and checks that nothing acknowledged was lost.
///
/// Never armed outside simulations and tests: an unarmed switch costs one atomic load per op.
public final class CrashSwitch: Sendable {
    private let remaining = Atomic<Int>(-1)

    public init() {}

    /// The next integration fails once `ops` more ops have been logged (0: before the first).
    public func arm(afterOps ops: Int) { remaining.store(max(0, ops), ordering: .relaxed) }

    public func disarm() { remaining.store(-1, ordering: .relaxed) }

    /// Whether it is still waiting to fire (false once it fired, or when never armed).
    public var isArmed: Bool { remaining.load(ordering: .relaxed) >= 0 }

    /// Called per op by the applier; throws when the switch fires (and disarms it).
    package func tick() throws {
        let left = remaining.load(ordering: .relaxed)
        guard left >= 0 else { return }
        if left == 0 {
            remaining.store(-1, ordering: .relaxed)
            throw ReplicaError.database("simulated crash in the middle of applying a batch")
        }
        remaining.store(left - 1, ordering: .relaxed)
    }
}
