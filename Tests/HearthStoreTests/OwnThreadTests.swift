import Foundation
import HearthTestSupport
import Synchronization
import Testing

@Suite("onOwnThread: a test's long synchronous stretches hold no thread of the cooperative pool")
struct OwnThreadTests {
    /// Counts the bodies that have begun, and wakes the one waiting for all of them.
    final class Roll: Sendable {
        let expected: Int
        private let state = Mutex<(count: Int, waiter: CheckedContinuation<Void, Never>?)>((0, nil))

        init(expected: Int) { self.expected = expected }

        func began() {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.count += 1
                guard state.count == expected else { return nil }
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }

        func allBegun() async {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state -> Bool in
                    if state.count >= expected { return true }
                    state.waiter = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        }
    }

    /// One more body than the pool has threads, each blocking its thread until a task on the
    /// pool lets it go, once every body has begun. On the pool, the bodies would hold every
    /// thread: the last one could not begin, the releasing task could not run, and every body
    /// would give up after its wait.
    @Test("more blocked bodies than the pool has threads, released by a task on the pool")
    func bodiesLeaveThePoolFree() async throws {
        let bodies = ProcessInfo.processInfo.activeProcessorCount + 1
        let gate = DispatchSemaphore(value: 0)
        let roll = Roll(expected: bodies)
        let released = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<bodies {
                group.addTask {
                    try await onOwnThread {
                        roll.began()
                        return gate.wait(timeout: .now() + 20) == .success
                    }
                }
            }
            group.addTask {
                await roll.allBegun()
                for _ in 0..<bodies { gate.signal() }
                return true
            }
            var released = 0
            for try await done in group where done { released += 1 }
            return released
        }
        #expect(released == bodies + 1, "bodies that were let go, and the task that let them go")
    }
}
