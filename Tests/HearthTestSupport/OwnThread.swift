import Foundation

/// Runs an async body whose synchronous stretches are long (generating a county, rolling it
/// month by month) on a thread of its own instead of Swift's cooperative pool, and awaits it
/// (a synchronous closure goes to ``offPool(_:)``).
///
/// Why: the pool has one thread per core, two on the build machines. Tests run side by side,
/// and two of them computing for tens of seconds between their awaits held both threads, so
/// the hubs other tests serve in-process on loopback answered nothing and their clients gave up
/// (`HTTPClientError.deadlineExceeded` in `HubBoundsTests` when it ran beside `RollReadsTests`
/// and `GeneratorTests`). The body's nonisolated code, and the async functions it calls that
/// are not bound to an actor, run on the thread of a serial queue (SE-0417's task executor
/// preference); the operating system shares the cores between it and the pool.
public func onOwnThread<T: Sendable>(_ body: () async throws -> T) async throws -> T {
    try await withTaskExecutorPreference(OwnThreadExecutor()) { try await body() }
}

/// Whether the caller runs on the queue of an ``onOwnThread(_:)`` body, not on the
/// cooperative pool: what its tests check without depending on how busy the pool is.
public func isOnOwnThread() -> Bool {
    DispatchQueue.getSpecific(key: OwnThreadExecutor.marker) ?? false
}

/// The task executor behind ``onOwnThread(_:)``: every job on one serial dispatch queue, whose
/// threads are the system's, not the cooperative pool's.
final class OwnThreadExecutor: TaskExecutor {
    /// Set on every such queue, so ``isOnOwnThread()`` can tell its jobs from the pool's.
    static let marker = DispatchSpecificKey<Bool>()

    private let queue: DispatchQueue

    init() {
        queue = DispatchQueue(label: "hearth.tests.own-thread")
        queue.setSpecific(key: Self.marker, value: true)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { [self] in job.runSynchronously(on: asUnownedTaskExecutor()) }
    }
}
