import Foundation
import HearthTestSupport
import Synchronization
import Testing

@testable import HearthStore

/// `BackgroundRelease`: a value handed over is freed after the call has returned, elsewhere,
/// never inside the call (where the roll and the reports used to free a county's book).
@Suite("Freeing a large value off the reader's path")
struct BackgroundReleaseTests {
    /// A flag the threads of a test share.
    final class Flag: Sendable {
        private let state = Mutex(false)
        var value: Bool { state.withLock { $0 } }
        func set(_ value: Bool) { state.withLock { $0 = value } }
    }

    /// An object whose deinit waits for the test to say the handing-over call has returned,
    /// and notes whether it heard that before giving up. Freed inside the call, it would wait
    /// out its whole timeout and note false.
    final class Watched: Sendable {
        let returned: DispatchSemaphore
        let freed: DispatchSemaphore
        let heard: Flag

        init(returned: DispatchSemaphore, freed: DispatchSemaphore, heard: Flag) {
            self.returned = returned
            self.freed = freed
            self.heard = heard
        }

        deinit {
            heard.set(returned.wait(timeout: .now() + 10) == .success)
            freed.signal()
        }
    }

    /// Hands a `Watched` over with `handOver` (which gets the only reference), then says the
    /// call has returned and waits for the free; true when the free came after the call had
    /// returned.
    static func freedAfterReturning(_ handOver: @escaping @Sendable (consuming Watched) -> Void) async -> Bool {
        // What a one-shot command does; the other tests then free off their path too, which
        // changes no result.
        BackgroundRelease.enableForOneShotCommand()
        return await offPool {
            let returned = DispatchSemaphore(value: 0)
            let freed = DispatchSemaphore(value: 0)
            let heard = Flag()
            handOver(Watched(returned: returned, freed: freed, heard: heard))
            returned.signal()
            guard freed.wait(timeout: .now() + 30) == .success else { return false }
            return heard.value
        }
    }

    @Test("a value handed over is freed after the call returns, not in it")
    func consumedValue() async {
        #expect(await Self.freedAfterReturning { watched in BackgroundRelease.drop(consume watched) })
    }

    @Test("a variable's value is taken out, the variable left empty, and the value freed after the call")
    func takenFromAVariable() async {
        let emptied = Flag()
        #expect(
            await Self.freedAfterReturning { watched in
                var held: [Watched] = [consume watched]
                BackgroundRelease.drop(&held, leaving: [])
                emptied.set(held.isEmpty)
            })
        #expect(emptied.value)
    }
}
