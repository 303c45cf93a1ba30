import Foundation
import HearthTestSupport
import Synchronization
import Testing

@Suite("onOwnThread: a test's long synchronous stretches hold no thread of the cooperative pool")
struct OwnThreadTests {
    /// What the releasing thread saw, read by the test once the bodies are done.
    final class Flag: Sendable {
        private let value = Mutex(false)
        func set(_ new: Bool) { value.withLock { $0 = new } }
        var isSet: Bool { value.withLock { $0 } }
    }

    /// One more body than the pool has threads, each on its own queue and blocking its thread
    /// until every body has begun; a thread outside the pool then lets them go. On the pool,
    /// the last body could not begin while the others held every thread.
    ///
    /// Nothing here waits for the pool: other tests may hold its threads for minutes (CI once
    /// held them past an earlier version's 20 s, whose releasing task ran on the pool). The
    /// bounds on the waits only end the test if the bodies never all begin.
    @Test("more blocked bodies than the pool has threads, all on their own queues at once")
    func bodiesLeaveThePoolFree() async throws {
        let bodies = ProcessInfo.processInfo.activeProcessorCount + 1
        let bound = DispatchTime.now() + .seconds(600)
        let gate = DispatchSemaphore(value: 0)
        let begun = DispatchSemaphore(value: 0)
        let allBegun = Flag()
        let releaser = Thread {
            var count = 0
            while count < bodies, begun.wait(timeout: bound) == .success { count += 1 }
            allBegun.set(count == bodies)
            for _ in 0..<bodies { gate.signal() }
        }
        releaser.start()
        let onOwnQueue = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<bodies {
                group.addTask {
                    try await onOwnThread {
                        let own = isOnOwnThread()
                        begun.signal()
                        // A body on the pool returns at once, so the others can still begin.
                        return own && gate.wait(timeout: bound) == .success
                    }
                }
            }
            var count = 0
            for try await own in group where own { count += 1 }
            return count
        }
        #expect(onOwnQueue == bodies, "bodies that ran on their own queues and were let go")
        #expect(allBegun.isSet, "every body began while the others held their threads")
    }
}
