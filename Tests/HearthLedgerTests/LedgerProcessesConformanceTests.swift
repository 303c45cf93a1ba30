import Foundation
import Synchronization
import HearthCore
import HearthLedger
import HearthStore
import Testing

/// What the hub's own tables guarantee when several hub processes share one database: each
/// test runs the same calls at once through two openings of the data (two SQLite connections
/// on one file, two pools of PostgreSQL connections on one database) and checks that exactly
/// one of the racing calls wins.
@Suite("Ledger storage conformance: several hub processes on one database")
struct LedgerProcessesConformanceTests {
    @Test("A nonce sent to two processes at once is accepted once", arguments: LedgerBackend.all)
    func nonceRace(backend: LedgerBackend) async throws {
        let county = try await Fixture(backend)
        let node = try await county.register(try county.node(Fixture.villageA), name: "east")
        let processes = [try await county.storage, try await county.anotherProcess()]
        for round in 0..<20 {
            let nonce = String(format: "%016x", round)
            let accepted = try await withThrowingTaskGroup(of: Bool.self) { group in
                for attempt in 0..<8 {
                    let storage = processes[attempt % 2]
                    group.addTask {
                        try await storage.recordNonce(
                            nonce, from: node.replica, skewMillis: 0, nowMillis: 1_000 + Int64(round), forgetBefore: 0)
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(accepted == 1, "round \(round): the nonce was accepted \(accepted) times")
        }
    }

    @Test("One token presented to two processes at once registers one node", arguments: LedgerBackend.all)
    func registrationRace(backend: LedgerBackend) async throws {
        let county = try await Fixture(backend)
        let processes = [try await county.storage, try await county.anotherProcess()]
        for round in 0..<5 {
            let villages = try (0..<6).map { _ in try county.node(Fixture.villageA) }
            let token = StoredEnrollment(
                secretHash: "race-\(round)", name: "node-\(round)", scope: villages[0].info.scope,
                createdMillis: Fixture.start)
            try await processes[round % 2].addEnrollment(token)
            // Six replicas present the token at once, through both processes: one is registered,
            // the others are refused (not failed).
            let registered = try await withThrowingTaskGroup(of: ReplicaID?.self) { group in
                for (index, village) in villages.enumerated() {
                    let storage = processes[index % 2]
                    group.addTask {
                        do {
                            return try await storage.register(
                                NodeRegistration(
                                    secretHash: token.secretHash, replica: village.info.id,
                                    publicKey: village.info.publicKey, nowMillis: Fixture.start)
                            ).replica
                        } catch ReplicaError.refused { return nil }
                    }
                }
                var registered: [ReplicaID] = []
                for try await replica in group { if let replica { registered.append(replica) } }
                return registered
            }
            #expect(registered.count == 1, "round \(round): \(registered.count) nodes registered")
            let nodes = try await processes[1].nodes()
            #expect(nodes.count == round + 1)
            #expect(nodes.first { $0.name == token.name }?.replica == registered.first)
        }
    }

    @Test("Two processes adding a token under one name at once keep one", arguments: LedgerBackend.all)
    func enrollmentRace(backend: LedgerBackend) async throws {
        let county = try await Fixture(backend)
        let processes = [try await county.storage, try await county.anotherProcess()]
        let scope = try ScopePrefix.parse(Fixture.villageA, field: "scope")
        let kept = try await withThrowingTaskGroup(of: Bool.self) { group in
            for attempt in 0..<8 {
                let storage = processes[attempt % 2]
                group.addTask {
                    do {
                        try await storage.addEnrollment(
                            StoredEnrollment(
                                secretHash: "token-\(attempt)", name: "west", scope: scope, createdMillis: Fixture.start
                            ))
                        return true
                    } catch ReplicaError.invalid { return false }
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(kept == 1)
    }

    /// Issue 16's hole: a position taken by a transaction that commits after a later one has
    /// been read. Four village nodes push round after round, each batch to either process (and
    /// every third batch to both at once, racing itself), while a reader per village pulls by
    /// cursor through both processes throughout. Every reader must end with every op of its
    /// village exactly once, and the log must hold each op under its dot once.
    @Test(
        "Pushes through two processes at once, pulls by cursor throughout: every reader gets its village's ops once",
        arguments: LedgerBackend.all)
    func pushesAndPullsRace(backend: LedgerBackend) async throws {
        let county = try await Fixture(backend)
        let processes: [any LedgerStorage] = [try await county.storage, try await county.anotherProcess()]
        let villages = [Fixture.villageA, Fixture.villageB]
        var writers: [(node: NodeRecord, replica: Replica)] = []
        for (index, village) in (villages + villages).enumerated() {
            let replica = try county.node(village)
            writers.append((try await county.register(replica, name: "writer \(index)"), replica))
        }
        var readers: [NodeRecord] = []
        for (index, village) in (villages + villages).enumerated() {
            readers.append(try await county.register(try county.node(village), name: "reader \(index)"))
        }
        let rounds = 24
        // Each writer's batches, made before the race (a replica is not shared between tasks):
        // round r's batch holds the ops the writer made in round r, one household for some
        // writers and seven for others, so transactions of different lengths overlap and a
        // later one may commit first.
        var batches: [[[Op]]] = []
        for (index, writer) in writers.enumerated() {
            var made: [[Op]] = []
            var sent = 0
            for round in 0..<rounds {
                for house in 0..<(1 + (index % 2) * 6) {
                    try writer.replica.household(
                        in: writer.replica.info.scope.value, address: "\(round)-\(house) Race Row")
                }
                let own = try writer.replica.ownOps()
                made.append(Array(own[sent...]))
                sent = own.count
            }
            batches.append(made)
        }
        let plan = batches
        let written = writers.map(\.node)
        let pushing = Countdown(writers.count)
        let seen = try await withThrowingTaskGroup(of: [Dot]?.self) { group in
            for (index, node) in written.enumerated() {
                group.addTask {
                    defer { pushing.done() }
                    for round in 0..<rounds {
                        let batch = PushBatch(
                            node: node, ops: plan[index][round], nowMillis: Fixture.start + Int64(round),
                            maxWaiting: 100)
                        if round % 3 == 2 {
                            async let first = processes[0].append(batch, admission: .rules(for: node))
                            async let second = processes[1].append(batch, admission: .rules(for: node))
                            _ = try await (first, second)
                        } else {
                            _ = try await processes[(index + round) % 2].append(batch, admission: .rules(for: node))
                        }
                    }
                    return nil
                }
            }
            for reader in readers {
                group.addTask {
                    var cursor: Int64 = 0
                    var dots: [Dot] = []
                    var turn = 0
                    while true {
                        // Whether every writer had finished before this page was asked for: a
                        // page read after that, with no more to come, is the last one needed.
                        let finished = pushing.isOver
                        let page = try await processes[turn % 2].read(
                            ScopedRead(node: reader.replica, scope: reader.scope, cursor: cursor, limit: 5))
                        turn += 1
                        dots += page.ops.map(\.dot)
                        cursor = page.cursor
                        if finished && !page.more { return dots }
                        if page.ops.isEmpty { await Task.yield() }
                    }
                }
            }
            var seen: [[Dot]] = []
            for try await dots in group { if let dots { seen.append(dots) } }
            return seen
        }
        let expected = villages.map { village in
            Set(
                zip(writers, plan).filter { $0.0.replica.info.scope.value == village }.flatMap { $0.1.joined() }.map(
                    \.dot))
        }
        #expect(seen.count == readers.count)
        for dots in seen {
            #expect(dots.count == Set(dots).count, "a reader got an op twice")
            #expect(
                expected.contains(Set(dots)),
                "a reader's ops are not its village's: \(dots.count) of \(expected.map(\.count))")
        }
        let held = try await processes[0].heldHashes()
        #expect(held.count == expected.reduce(0) { $0 + $1.count })
        for (index, node) in written.enumerated() {
            #expect(try await processes[1].node(node.replica)?.ackedCounter == UInt64(plan[index].joined().count))
        }
    }
}

/// How many racing tasks are still at work, for the tasks that watch them.
final class Countdown: Sendable {
    private let left: Mutex<Int>

    init(_ count: Int) { left = Mutex(count) }

    func done() { left.withLock { $0 -= 1 } }

    var isOver: Bool { left.withLock { $0 <= 0 } }
}
