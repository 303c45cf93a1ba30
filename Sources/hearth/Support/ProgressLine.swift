import Foundation
import Synchronization

/// One line on the terminal that says how far a long run has got, rewritten in place.
///
/// Why on standard error and only on a terminal: standard output is what scripts read (a path
/// or an id first, or one JSON document), and a log file or a pipe would fill with carriage
/// returns. When standard error is not a terminal nothing is written at all. A class behind a
/// lock, because sync reports its progress from the client's tasks.
final class ProgressLine: Sendable {
    private struct State {
        var shown = false
        var lastMillis: Int64 = 0
    }

    private let enabled: Bool
    private let state = Mutex(State())

    /// On when standard error is a terminal and `quiet` is false (a `--json` run asks quiet).
    init(quiet: Bool = false) {
        enabled = !quiet && isatty(STDERR_FILENO) == 1
    }

    /// Shows `text` in place of the line before it; at most ten times a second unless `force`.
    func update(_ text: String, force: Bool = false) {
        guard enabled else { return }
        let now = nowMillis()
        let write = state.withLock { state in
            guard force || now - state.lastMillis >= 100 else { return false }
            state.lastMillis = now
            state.shown = true
            return true
        }
        // Carriage return, the text, then erase what a longer line before it left.
        if write { FileHandle.standardError.write(Data(("\r" + ScreenText.escaped(text) + "\u{1B}[K").utf8)) }
    }

    /// Clears the line, so what the command prints next starts on a clean one.
    func finish() {
        guard enabled,
            state.withLock({ state in
                defer { state.shown = false }; return state.shown
            })
        else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
