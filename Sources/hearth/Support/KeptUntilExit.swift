import Synchronization

/// Values a command would free one by one just before its process ends, kept instead until it
/// does: the system then takes the memory back whole.
///
/// A county's roll and its bank roll are about a million small objects (rows, texts, opened
/// numbers): freeing them, after the files were written and the summary printed, took a tenth
/// of `hearth hub payroll`'s time on a county of 380,000 people. Only for values a one-shot
/// command holds to its end; nothing kept is read again, and a command that goes on running
/// (`hub serve`, the desk) must not keep anything here.
///
/// What the library lets go before the command ends (the roll's book, the accounts read
/// ahead) it frees on ``BackgroundRelease``'s queue instead, which the same commands turn on:
/// kept here, those would stay beside the roll for its whole life and raise the peak.
enum KeptUntilExit {
    private static let kept = Mutex<[any Sendable]>([])

    static func keep(_ value: some Sendable) {
        kept.withLock { $0.append(value) }
    }
}
