/// Pushes take turns: one push batch is read, checked and applied at a time, and the others
/// wait their turn holding only their compressed body.
///
/// Why: every push ends in the ledger's one writer anyway, so letting twenty villages' batches
/// be inflated, parsed and rebuilt at once won nothing but memory (each batch several times
/// its compressed size while parsed). In line, the hub holds one batch in memory whatever the
/// number of nodes pushing (Protocol/sync.md, Push), and a waiting push costs the few kilobytes
/// the middleware already read to check its signature. Turns are first come, first served; a
/// push whose request is cancelled while waiting leaves the line.
package actor PushLine {
    private var busy = false
    private var waiting: [(id: UInt64, turn: CheckedContinuation<Void, any Error>)] = []
    private var issued: UInt64 = 0

    package init() {}

    /// Runs `work` in its turn, after every push that came before it finished.
    package nonisolated func run<T: Sendable>(_ work: @Sendable () async throws -> T) async throws -> T {
        try await enter()
        do {
            let value = try await work()
            await leave()
            return value
        } catch {
            await leave()
            throw error
        }
    }

    private func enter() async throws {
        guard busy else {
            busy = true
            return
        }
        issued += 1
        let id = issued
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { turn in waiting.append((id, turn)) }
        } onCancel: {
            Task { await self.cancel(id) }
        }
    }

    /// Hands the turn to the first push waiting, or frees the line.
    private func leave() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().turn.resume()
        }
    }

    private func cancel(_ id: UInt64) {
        guard let index = waiting.firstIndex(where: { $0.id == id }) else { return }
        waiting.remove(at: index).turn.resume(throwing: CancellationError())
    }

    /// How many pushes wait for their turn (for tests and metrics).
    package var waitingCount: Int { waiting.count }
}
