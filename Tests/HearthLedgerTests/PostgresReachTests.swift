import Dispatch
import Foundation
import HearthStore
import HearthTestPostgres
import Testing

@testable import HearthLedgerPostgres

/// When a hub decides that its PostgreSQL server did not answer: at the connection's own
/// deadline, kept where the answer arrives, and never because the hub's tasks were slow to
/// take an answer that had come in time.
@Suite("Whether PostgreSQL answered is judged where its answer arrives")
struct PostgresReachTests {
    @Test(
        "An answer that came in time counts, though every thread the hub's tasks run on was busy past the limit",
        .timeLimit(.minutes(2)))
    func busyThreads() async throws {
        let server = try await PostgresServer.shared()
        let location = try await server.freshDatabase()
        let database = PostgresDatabase(location)
        let limit = Duration.seconds(5)
        // The check runs on one thread the test controls, as a hub's tasks run on a
        // cooperative pool that may be busy. Once the check has started and its connection is
        // under way, that thread is held until well past the limit; the server answers in
        // milliseconds meanwhile.
        let thread = OneThreadExecutor()
        let checked = Task(executorPreference: thread) { () async -> String? in
            do throws(ReplicaError) {
                try await database.reach(within: limit)
                return nil
            } catch { return "\(error)" }
        }
        let held = Task(executorPreference: thread) {
            // The thread runs its tasks in order: each yield lets whatever the check started
            // (its connection, and any timer) run up to its first wait before the thread is held.
            for _ in 0..<20 { await Task.yield() }
            OneThreadExecutor.hold(until: .now + limit + .milliseconds(1500))
        }
        await held.value
        let failure = await checked.value
        await database.close()
        #expect(failure == nil, "the server answered in time: \(failure ?? "")")
    }

    @Test(
        "A server that takes the connection and never answers is an error naming the store and the limit",
        .timeLimit(.minutes(2)))
    func silentServer() async throws {
        let silent = try SilentListener()
        defer { silent.close() }
        let location = try PostgresLocation.parse("postgres://postgres:hunter2@127.0.0.1:\(silent.port)/county")
        let database = PostgresDatabase(location)
        let started = ContinuousClock.now
        let refused = await #expect(throws: ReplicaError.self) { try await database.reach(within: .seconds(1)) }
        let waited = ContinuousClock.now - started
        await database.close()
        let said = refused.map { "\($0)" } ?? ""
        #expect(said.contains("postgres://postgres@127.0.0.1:\(silent.port)/county"), "\(said)")
        #expect(said.contains("did not answer within 1"), "\(said)")
        #expect(!said.contains("hunter2"), "\(said)")
        #expect(waited >= .seconds(1), "the limit was kept, not cut short: \(waited)")
    }
}

/// A task executor on one thread of its own, running its jobs in the order they come: a
/// stand-in for a cooperative pool whose threads the test can make busy.
final class OneThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let queue = DispatchQueue(label: "hearth.tests.one-thread")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// Keeps the calling thread busy until `deadline`, as a long synchronous piece of work
    /// would.
    static func hold(until deadline: ContinuousClock.Instant) {
        while ContinuousClock.now < deadline { usleep(10_000) }
    }
}

/// A TCP port that takes connections (the kernel completes them) and never reads or answers.
final class SilentListener: Sendable {
    let port: Int
    private let socket: Int32

    init() throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw ListenerError(step: "socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                Glibc.bind(socket, pointer, length) == 0 && Glibc.listen(socket, 8) == 0
                    && getsockname(socket, pointer, &length) == 0
            }
        }
        guard bound else {
            Glibc.close(socket)
            throw ListenerError(step: "bind")
        }
        self.socket = socket
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { Glibc.close(socket) }

    struct ListenerError: Error { let step: String }
}
