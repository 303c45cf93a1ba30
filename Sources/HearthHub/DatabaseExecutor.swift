import Foundation
import NIOPosix

/// Runs the hub's synchronous work — SQLite through GRDB (``HearthStore/Replica``), and the
/// inflating, parsing, signing and compressing around it — on threads of its own.
///
/// Why: Swift's cooperative pool has one thread per core, two on the county's machines. A
/// request that waits for SQLite's write lock, or parses a 60 MB body, holds its thread for as
/// long as that takes; two such requests and `/healthz` stopped answering for seconds. Here a
/// waiting request holds a thread of this pool instead, and the cooperative threads stay free
/// to read requests and answer `/healthz`.
public final class DatabaseExecutor: Sendable {
    /// The pool HTTP handlers use: SQLite takes one writer at a time, so a few threads beyond the
    /// cores keep the CPU busy (inflating, parsing, checking signatures) while one of them writes.
    public static let shared = DatabaseExecutor(threads: max(4, 2 * ProcessInfo.processInfo.activeProcessorCount))

    /// One thread for `/metrics`' count queries: a scrape never queues behind pushes.
    public static let gauges = DatabaseExecutor(threads: 1)

    private let pool: NIOThreadPool
    public let threads: Int

    /// Starts `threads` threads; they live as long as the executor (the shared ones, as long as
    /// the process).
    public init(threads: Int) {
        self.threads = max(1, threads)
        pool = NIOThreadPool(numberOfThreads: self.threads)
        pool.start()
    }

    /// Runs `work` on one of the executor's threads and returns what it returned or threw; the
    /// calling task is suspended meanwhile, holding no thread.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.runIfActive(work)
    }

    deinit {
        pool.shutdownGracefully { _ in }
    }
}
