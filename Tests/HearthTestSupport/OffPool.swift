import Foundation

/// Runs a synchronous closure (CPU-bound work, a child process waited for, a pipe read to its
/// end) on a thread of its own and awaits it, throwing what it throws
/// (an async body goes to ``onOwnThread(_:)``).
///
/// Swift's cooperative pool has one thread per core (two on the build machines). A synchronous
/// test that computes for minutes on it, or a task group of such work, leaves no thread for the
/// tests that serve HTTP in-process, whose hubs then stop answering and their clients time out.
/// Work run here holds no cooperative thread; the operating system shares the cores.
public func offPool<T: Sendable, Failure: Error>(_ work: @escaping @Sendable () throws(Failure) -> T)
    async throws(Failure) -> T
{
    let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, Failure>, Never>) in
        let thread = Thread { continuation.resume(returning: Result(catching: work)) }
        thread.stackSize = 16 << 20
        thread.start()
    }
    return try result.get()
}
