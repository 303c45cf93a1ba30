import Dispatch
import Synchronization

/// Lets a large value go on a queue of its own, so that freeing it is not on the path of the
/// read that built it, in a command that ends after its read.
///
/// Why: a county's roll book and the bank roll's account directory are hundreds of thousands of
/// small objects. Each was freed where its last reference ended: the book at the end of the
/// roll, before the bank roll could start; the directory before the roll's files were written.
/// On the large district that was 4 to 10% of `hearth hub payroll`'s and `hub report`'s time,
/// waited for by the command while the other core was idle.
///
/// Off unless a one-shot command turns it on (``enableForOneShotCommand()``): in a process that
/// goes on reading (the hub's service and its desk, `bench county`), the queue's frees run
/// beside the next read and contend with it for the allocator's locks: in `bench county`, a
/// year's report repeated in one process took 1.2 times as long (two rounds alternated). Off,
/// a value handed over is freed at once, where it was before. (What a command still holds
/// when it ends, the roll and the bank roll, the CLI keeps to the process's exit instead:
/// `KeptUntilExit`.)
///
/// The value must not be used again (it is consumed), and its last reference must be the one
/// handed over: a value still held elsewhere is freed by whichever holder lets go last. Only the
/// freeing moves; nothing reads the value on the queue. Freeing a non-`Sendable` value there
/// is safe because no one else holds it any more: its references' counts are atomic, and the
/// last release orders every earlier use before the free.
package enum BackgroundRelease {
    private static let queue = DispatchQueue(label: "hearth.background-release", qos: .utility)
    private static let enabled = Atomic<Bool>(false)

    /// Frees what is handed over on the queue from now on, for the rest of the process: for a
    /// command that reads once and ends.
    package static func enableForOneShotCommand() {
        enabled.store(true, ordering: .relaxed)
    }

    /// Frees `value` on the release queue, later; at once when the queue is not enabled.
    package static func drop<Value>(_ value: consuming Value) {
        guard enabled.load(ordering: .relaxed) else { return }
        let held = Held(value)
        queue.async { held.empty() }
    }

    /// Frees what `value` holds on the release queue, leaving `empty` in its place (for a value
    /// that cannot be consumed where it is, such as a variable a nested function uses).
    package static func drop<Value>(_ value: inout Value, leaving empty: Value) {
        var taken = empty
        swap(&taken, &value)
        drop(consume taken)
    }

    /// The value on its way to the queue; emptied there.
    private final class Held<Value>: @unchecked Sendable {
        private var value: Value?

        init(_ value: consuming Value) { self.value = value }

        func empty() { value = nil }
    }
}
