import HearthHub
import Testing

/// The hub's pushes take turns (``PushLine``): at most its places' batches in memory at once,
/// first come first served, and a push cancelled while waiting leaves the line without running.
@Suite("Pushes take turns")
struct PushLineTests {
    /// What the work inside the line saw: how many ran at once, and in which order.
    actor Record {
        var inside = 0
        var most = 0
        var order: [Int] = []
        func enter(_ number: Int) {
            inside += 1
            most = max(most, inside)
            order.append(number)
        }
        func leave() { inside -= 1 }
    }

    /// Waits, yielding, until the line holds exactly `count` waiting pushes: each arrival and
    /// each departure is an actor call, so this is ordering, not timing.
    static func waitUntil(_ line: PushLine, holds count: Int) async {
        while await line.waitingCount != count { await Task.yield() }
    }

    /// A push that enters, notes itself and leaves at once.
    static func waiter(_ number: Int, in line: PushLine, record: Record) -> Task<Void, any Error> {
        Task {
            try await line.run {
                await record.enter(number)
                await Task.yield()
                await record.leave()
            }
        }
    }

    @Test("one place: one push at a time, in the order they came; a cancelled waiter never runs and the line goes on")
    func turns() async throws {
        let line = PushLine(places: 1)
        let record = Record()
        let (gate, open) = AsyncStream<Void>.makeStream()
        let first = Task {
            try await line.run {
                await record.enter(0)
                for await _ in gate { break }
                await record.leave()
            }
        }
        while await record.order.isEmpty { await Task.yield() }
        var waiters: [Task<Void, any Error>] = []
        for number in 1...4 {
            waiters.append(Self.waiter(number, in: line, record: record))
            await Self.waitUntil(line, holds: number)
        }
        // The third waiter gives up: it leaves the line and its work never runs.
        waiters[2].cancel()
        await Self.waitUntil(line, holds: 3)
        await #expect(throws: CancellationError.self) { try await waiters[2].value }
        #expect(await record.order == [0])

        open.yield()
        try await first.value
        for (index, waiter) in waiters.enumerated() where index != 2 { try await waiter.value }
        #expect(await record.order == [0, 1, 2, 4])
        #expect(await record.most == 1)
        #expect(await line.waitingCount == 0)
        // The line is free again: the next push runs at once.
        try await line.run { await record.enter(5) }
        #expect(await record.order.last == 5)
    }

    @Test("two places (the hub's): one push read while another is applied, never a third; the rest in order")
    func twoPlaces() async throws {
        let line = PushLine()
        #expect(line.places == 2)
        let record = Record()
        // The first two hold their places until their gates open.
        var gates: [AsyncStream<Void>.Continuation] = []
        var holders: [Task<Void, any Error>] = []
        for number in 0..<2 {
            let (gate, open) = AsyncStream<Void>.makeStream()
            gates.append(open)
            holders.append(
                Task {
                    try await line.run {
                        await record.enter(number)
                        for await _ in gate { break }
                        await record.leave()
                    }
                })
            while await record.order.count != number + 1 { await Task.yield() }
        }
        var waiters: [Task<Void, any Error>] = []
        for number in 2...4 {
            waiters.append(Self.waiter(number, in: line, record: record))
            await Self.waitUntil(line, holds: number - 1)
        }
        #expect(await record.order == [0, 1])
        #expect(await record.inside == 2)
        // The second leaves first: its place goes to the waiters in the order they came, one
        // after the other, while the first still holds its own.
        gates[1].yield()
        try await holders[1].value
        for waiter in waiters { try await waiter.value }
        #expect(await record.order == [0, 1, 2, 3, 4])
        #expect(await record.inside == 1)
        gates[0].yield()
        try await holders[0].value
        #expect(await record.most == 2)
        #expect(await line.waitingCount == 0)
    }

    @Test("a push that fails hands its turn on")
    func failureFreesTheLine() async throws {
        struct Refused: Error {}
        let line = PushLine(places: 1)
        await #expect(throws: Refused.self) { try await line.run { throw Refused() } }
        #expect(try await line.run { 7 } == 7)
    }
}
