import HummingbirdBcrypt
import NIOPosix
import Synchronization

/// bcrypt (hummingbird-auth's) on threads of its own, never on Swift's cooperative threads.
///
/// Why: one bcrypt at cost 12 takes a quarter of a second of CPU. On the cooperative pool (two
/// threads on the county's machines) two logins at once would stall every other request of the
/// hub, its sync included. Here a login waits for a thread of this small pool and holds none of
/// the others; past ``maxWaiting`` hashes waiting, a login is refused as busy rather than queued
/// without end.
public final class PasswordHasher: Sendable {
    /// The hasher the desk and the CLI share: one thread, so logins take at most one core.
    public static let shared = PasswordHasher(threads: 1)

    private let pool: NIOThreadPool
    private let waiting = Mutex(0)
    /// Most hashes waiting or running at once.
    public let maxWaiting: Int

    public init(threads: Int, maxWaiting: Int = 32) {
        pool = NIOThreadPool(numberOfThreads: max(1, threads))
        pool.start()
        self.maxWaiting = maxWaiting
    }

    deinit {
        pool.shutdownGracefully { _ in }
    }

    /// A bcrypt hash of `password` at `cost` (4 to 31).
    public func hash(_ password: String, cost: UInt8) async throws -> String {
        try await run { Bcrypt.hash(password, cost: min(31, max(4, cost))) }
    }

    /// Whether `password` matches the bcrypt `hash`.
    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await run { Bcrypt.verify(password, hash: hash) }
    }

    private func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async throws -> T {
        let admitted = waiting.withLock { count in
            guard count < maxWaiting else { return false }
            count += 1
            return true
        }
        guard admitted else { throw DeskError.busy }
        defer { waiting.withLock { $0 -= 1 } }
        return try await pool.runIfActive(work)
    }
}
