import NIOPosix

/// The threads the desk's pages run on: a task executor of the desk's own.
///
/// Why: a page reads the ledger through the replica's synchronous reads (a conflict's record and
/// its log) and renders a template by reflection; on Swift's cooperative pool (two threads on the
/// county's machines) a long list would hold a thread the hub's sync needs. Each desk request
/// runs with these threads as its task executor preference (SE-0417), so its synchronous work
/// holds one of them instead.
final class DeskWorkers: TaskExecutor {
    static let shared = DeskWorkers(threads: 2)

    private let pool: NIOThreadPool

    init(threads: Int) {
        pool = NIOThreadPool(numberOfThreads: max(1, threads))
        pool.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        pool.submit { _ in job.runSynchronously(on: executor) }
    }

    deinit {
        pool.shutdownGracefully { _ in }
    }
}
