import Foundation
import NIOPosix

/// Runs the hub's long synchronous work — inflating, parsing, checking signatures and chains,
/// encoding and compressing, and the reads not yet on the ledger's async storage — on threads
/// of its own.
///
/// Why: Swift's cooperative pool has one thread per core, two on the county's machines. A
/// request that parses a 60 MB body or hashes its chain holds its thread for as long as that
/// takes; two such requests and `/healthz` stopped answering for seconds. Here the work holds
/// a thread of this pool instead, and the cooperative threads stay free to read requests and
/// answer `/healthz`. The ledger's storage waits for SQLite through GRDB's async access,
/// holding no thread of either pool.
public final class DatabaseExecutor: Sendable {
    /// The pool HTTP handlers use: SQLite takes one writer at a time, so a few threads beyond the
    /// cores keep the CPU busy (inflating, parsing, checking signatures) while one of them writes.
    public static let shared = DatabaseExecutor(threads: max(4, 2 * ProcessInfo.processInfo.activeProcessorCount))

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
