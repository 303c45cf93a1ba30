import Synchronization

/// The gauges `/metrics` reports from the database (open conflicts, held quarantine, nodes,
/// and each node's lag and clock skew), read so that a scrape never stalls on them.
///
/// Why: they are count queries over every record table, slow on a county's database and, run
/// on a request's thread, one more way for a scrape to stall while pushes are applied (and
/// `/metrics` needs no credentials, so anyone may ask for it often). Readings go through the
/// ledger's async storage (a read snapshot beside the writer); a reading younger than
/// ``maxAge`` is reused; a scrape waits for a new reading at most ``patience``, then answers
/// with the one before it while the new one finishes for the next scrape. Only the first
/// scrape after start waits for its reading whatever it takes.
final class GaugeCache: Sendable {
    struct Gauges: Sendable, Equatable {
        let conflicts: Int
        let nodes: Int
        let quarantined: Int
        /// Every node that is not revoked, by name.
        var perNode: [NodeGauges] = []
    }

    /// One node's sync lag and clock, labelled by the node's name (never its key or anything
    /// it holds).
    struct NodeGauges: Sendable, Equatable {
        let name: String
        /// Entries of the hub's log past what the node confirmed pulling.
        let lagOps: Int64
        /// The node's clock minus the hub's, as last measured; nil before it was.
        let skewMillis: Int64?
        let lastSyncMillis: Int64?
    }

    private struct State {
        var reading: Gauges?
        var readAt: ContinuousClock.Instant?
        var refreshing = false
    }

    /// How old a reading may be and still be given out without asking the database again.
    let maxAge: Duration
    /// How long a scrape waits for a new reading before it answers with the previous one.
    let patience: Duration
    private let read: @Sendable () async throws -> Gauges
    private let state = Mutex(State())

    init(
        maxAge: Duration = .seconds(1), patience: Duration = .milliseconds(50),
        read: @escaping @Sendable () async throws -> Gauges
    ) {
        self.maxAge = maxAge
        self.patience = patience
        self.read = read
    }

    /// A reading at most ``maxAge`` old, or a new one if it comes within ``patience``, or else
    /// the previous one.
    func current() async throws -> Gauges {
        let now = ContinuousClock.now
        let (previous, refresh) = state.withLock { state -> (Gauges?, Bool) in
            guard let reading = state.reading, let readAt = state.readAt else { return (nil, false) }
            guard now - readAt > maxAge, !state.refreshing else { return (reading, false) }
            state.refreshing = true
            return (reading, true)
        }
        guard let previous else { return try await refreshed() }
        guard refresh else { return previous }
        let patience = self.patience
        let fresh: Gauges? = await withCheckedContinuation { continuation in
            let answer = FirstAnswer(continuation)
            Task { answer.give(try? await self.refreshed()) }
            Task {
                // A deadline for waiting, not a synchronisation: the reading goes on regardless.
                try? await Task.sleep(for: patience)
                answer.give(nil)
            }
        }
        return fresh ?? previous
    }

    private func refreshed() async throws -> Gauges {
        do {
            let gauges = try await read()
            state.withLock { state in
                state.reading = gauges
                state.readAt = ContinuousClock.now
                state.refreshing = false
            }
            return gauges
        } catch {
            state.withLock { $0.refreshing = false }
            throw error
        }
    }
}

/// Resumes a continuation with the first answer given; later ones are dropped.
private final class FirstAnswer<Value: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<Value, Never>?>

    init(_ continuation: CheckedContinuation<Value, Never>) {
        self.continuation = Mutex(continuation)
    }

    func give(_ value: Value) {
        continuation.withLock { slot in
            let waiting = slot
            slot = nil
            return waiting
        }?.resume(returning: value)
    }
}
