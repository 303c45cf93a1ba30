import Foundation

/// Runs a synchronous CPU-bound closure on a thread of its own and awaits it (an async body
/// goes to ``onOwnThread(_:)``).
///
/// Swift's cooperative pool has one thread per core (two on the build machines). A synchronous
/// test that computes for minutes on it, or a task group of such work, leaves no thread for the
/// tests that serve HTTP in-process, whose hubs then stop answering and their clients time out.
/// Work run here holds no cooperative thread; the operating system shares the cores.
public func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: work()) }
        thread.stackSize = 16 << 20
        thread.start()
    }
}
