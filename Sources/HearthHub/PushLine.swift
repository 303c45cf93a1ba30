/// Pushes take turns: at most ``places`` push batches are read, checked and applied at once,
/// and the others wait their turn holding only their compressed body.
///
/// Why: every push ends in the ledger's one writer, so letting twenty villages' batches be
/// inflated, parsed and rebuilt at once won nothing but memory (each batch several times its
/// compressed size while parsed). With one place, though, the hub read and checked each batch
/// while the writer sat idle, and the writer waited while it did: the night's push was the
/// sum of both. With two, the next batch is inflated, parsed and its chain checked on the
/// other core while one is applied (Protocol/sync.md, Push), so the hub holds two batches in
/// memory whatever the number of nodes pushing, and a waiting push costs the few kilobytes the
/// middleware already read to check its signature. Turns are first come, first served; a push
/// whose request is cancelled while waiting leaves the line.
package actor PushLine {
    /// How many pushes the hub takes in at once (``HubService`` uses ``standardPlaces``).
    package nonisolated let places: Int
    private var inside = 0
    private var waiting: [(id: UInt64, turn: CheckedContinuation<Void, any Error>)] = []
    private var issued: UInt64 = 0

    /// One batch applied while the next is read: the writer is the line's bottleneck, so a
    /// third place would add memory and no speed.
    package static let standardPlaces = 2

    package init(places: Int = PushLine.standardPlaces) {
        self.places = max(1, places)
    }

    /// Runs `work` in its turn: once fewer than ``places`` pushes that came before it are inside.
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
        if inside < places, waiting.isEmpty {
            inside += 1
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

    /// Hands the place to the first push waiting, or frees it.
    private func leave() {
        if waiting.isEmpty {
            inside -= 1
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
