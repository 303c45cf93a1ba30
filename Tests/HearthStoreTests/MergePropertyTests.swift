import Foundation
import HearthCore
import HearthLedger
import HearthStore
import HearthTestSupport
import Testing

/// What a run of the property test exercised, summed over its cases.
struct MergeCounters: Sendable, CustomStringConvertible {
    var cases = 0
    var ops = 0
    var records = 0
    var replays = 0
    /// Pairs of concurrent ops writing the same field of the same record, by policy name.
    var concurrentWrites: [String: Int] = ["lww": 0, "priority": 0, "authority": 0, "union": 0, "human": 0]
    /// Ops that arrived before their causal past in the replays (ApplyReport.waiting).
    var earlyArrivals = 0
    /// Ops delivered again in the replays (ApplyReport.duplicates).
    var duplicates = 0
    var released = 0
    /// The same, from the authors' own syncs while the history was made.
    var authorEarlyArrivals = 0
    var authorDuplicates = 0
    /// Fields read as in conflict in the final states.
    var conflictedFields = 0

    mutating func add(_ other: MergeCounters) {
        cases += other.cases
        ops += other.ops
        records += other.records
        replays += other.replays
        for (policy, count) in other.concurrentWrites { concurrentWrites[policy, default: 0] += count }
        earlyArrivals += other.earlyArrivals
        duplicates += other.duplicates
        released += other.released
        authorEarlyArrivals += other.authorEarlyArrivals
        authorDuplicates += other.authorDuplicates
        conflictedFields += other.conflictedFields
    }

    var description: String {
        let policies = ["lww", "priority", "authority", "union", "human"]
            .map { "\($0)=\(concurrentWrites[$0] ?? 0)" }.joined(separator: " ")
        return "cases=\(cases) ops=\(ops) records=\(records) replays=\(replays) "
            + "concurrent same-field pairs: \(policies); early arrivals=\(earlyArrivals) "
            + "duplicates=\(duplicates) released=\(released) "
            + "(author syncs: early=\(authorEarlyArrivals) duplicates=\(authorDuplicates)) "
            + "conflicted fields=\(conflictedFields)"
    }
}

/// One case's counters and failures (each failure names its seed).
struct MergeCaseOutcome: Sendable {
    var counters = MergeCounters()
    var failures: [String] = []

    mutating func add(_ other: MergeCaseOutcome) {
        counters.add(other.counters)
        failures += other.failures
    }
}

@Suite("Merge properties")
struct MergePropertyTests {
    /// Seeds 1...1000 by default; `HEARTH_PROPERTY_SEED=n` runs seed n alone (to reproduce a
    /// failure), `HEARTH_PROPERTY_CASES=n` runs seeds 1...n.
    static var seeds: (seeds: [UInt64], fullRun: Bool) {
        let environment = ProcessInfo.processInfo.environment
        if let text = environment["HEARTH_PROPERTY_SEED"], let seed = UInt64(text) { return ([seed], false) }
        let count = environment["HEARTH_PROPERTY_CASES"].flatMap(UInt64.init) ?? 1000
        return (Array(1...max(1, count)), true)
    }

    @Test(
        """
        random ops from several replicas, applied in random orders with duplicates, give identical digests \
        and the reference model's state
        """
    )
    func randomHistoriesConverge() async {
        let (seeds, fullRun) = Self.seeds
        let width = max(2, ProcessInfo.processInfo.activeProcessorCount)
        let started = ContinuousClock.now
        let total = await withTaskGroup(of: MergeCaseOutcome.self) { group in
            var pending = seeds.makeIterator()
            for _ in 0..<width {
                guard let seed = pending.next() else { break }
                group.addTask { await offPool { MergeProperty.run(seed: seed) } }
            }
            var total = MergeCaseOutcome()
            while let outcome = await group.next() {
                total.add(outcome)
                if let seed = pending.next() { group.addTask { await offPool { MergeProperty.run(seed: seed) } } }
            }
            return total
        }
        let elapsed = ContinuousClock.now - started
        print("merge property: \(total.counters) in \(elapsed)")
        for failure in total.failures.prefix(25) {
            Issue.record(Comment(rawValue: failure))
        }
        if total.failures.count > 25 {
            Issue.record("… and \(total.failures.count - 25) more failures")
        }
        let counters = total.counters
        #expect(counters.cases == seeds.count)
        // The generator must actually exercise what the property claims (a zero means it
        // silently stopped covering a policy, out-of-order delivery or redelivery).
        if fullRun {
            for policy in ["lww", "priority", "authority", "union", "human"] {
                #expect((counters.concurrentWrites[policy] ?? 0) > 0, "no concurrent \(policy) writes: \(counters)")
            }
            #expect(counters.earlyArrivals > 0, "no early arrivals: \(counters)")
            #expect(counters.duplicates > 0, "no duplicates: \(counters)")
        }
    }

    // MARK: - Examples

    @Test("concurrent edits to different fields of one record both survive")
    func differentFieldsMerge() throws {
        let lab = try MergeLab()
        let a = try lab.replica(MergeLab.village)
        let b = try lab.replica(MergeLab.township)
        let id = try a.create(.household, ["phone": .text("111")], nowMillis: lab.now)
        try b.pull(from: a, nowMillis: lab.now)
        lab.tick()
        try a.update(id, ["phone": .text("222")], nowMillis: lab.now)
        try b.update(id, ["address": .text("East lane 3")], nowMillis: lab.now)
        try exchange(a, b, lab)
        for replica in [a, b] {
            let state = try #require(try replica.state(of: id))
            #expect(state.resolution(of: "phone").value == .text("222"))
            #expect(state.resolution(of: "address").value == .text("East lane 3"))
            #expect(state.conflicts.isEmpty)
            #expect(state.registers["phone"]?.entries.count == 1)
        }
        #expect(try a.stateDigest() == b.stateDigest())
    }

    @Test("concurrent lww writes: the greatest HLC wins and no conflict")
    func lwwGreatestHLCWins() throws {
        let lab = try MergeLab()
        let a = try lab.replica(MergeLab.village)
        let b = try lab.replica(MergeLab.village)
        let id = try a.create(.household, ["phone": .text("111")], nowMillis: lab.now)
        try b.pull(from: a, nowMillis: lab.now)
        lab.tick()
        // b's clock runs 2 s ahead, so its write is later by HLC though made at the same moment.
        try a.update(id, ["phone": .text("from a")], nowMillis: lab.now)
        try b.update(id, ["phone": .text("from b")], nowMillis: lab.now + 2000)
        try exchange(a, b, lab)
        for replica in [a, b] {
            let state = try #require(try replica.state(of: id))
            let resolution = state.resolution(of: "phone")
            #expect(resolution.value == .text("from b"))
            #expect(!resolution.inConflict)
            #expect(resolution.candidates.count == 2)
            #expect(state.conflicts.isEmpty)
        }
        #expect(try a.stateDigest() == b.stateDigest())
    }

    @Test("concurrent human writes keep both values and mark the record in conflict")
    func humanKeepsBoth() throws {
        let lab = try MergeLab()
        let a = try lab.replica(MergeLab.village)
        let b = try lab.replica(MergeLab.county, role: .hub)
        let id = try a.create(.household, ["income": .integer(30_000)], nowMillis: lab.now)
        try b.pull(from: a, nowMillis: lab.now)
        lab.tick()
        try a.update(id, ["income": .integer(40_000)], nowMillis: lab.now)
        try b.update(id, ["income": .integer(45_000)], nowMillis: lab.now + 5)
        try exchange(a, b, lab)
        for replica in [a, b] {
            let state = try #require(try replica.state(of: id))
            let values = Set(state.registers["income"]?.entries.map(\.value) ?? [])
            #expect(values == [.integer(40_000), .integer(45_000)])
            #expect(state.resolution(of: "income").inConflict)
            #expect(state.conflicts == ["income"])
            #expect(try replica.list(.household, where: "conflicts", equals: "income") == [id])
        }
        #expect(try a.stateDigest() == b.stateDigest())
    }

    @Test("concurrent human writes of the same sealed value are not a conflict")
    func humanSameSealedValue() throws {
        let lab = try MergeLab()
        let a = try lab.replica(MergeLab.village)
        let b = try lab.replica(MergeLab.village)
        let id = try a.create(.household, [:], nowMillis: lab.now)
        try b.pull(from: a, nowMillis: lab.now)
        lab.tick()
        // Two sealings of one card number, written concurrently, mean the same.
        try a.update(id, ["bank_card": .sealed(lab.keys.seal("6222020200112233445"))], nowMillis: lab.now)
        try b.update(id, ["bank_card": .sealed(lab.keys.seal("6222020200112233445"))], nowMillis: lab.now + 1)
        try exchange(a, b, lab)
        let state = try #require(try a.state(of: id))
        #expect(state.registers["bank_card"]?.entries.count == 2)
        #expect(state.conflicts.isEmpty)
        if case .sealed(let sealed) = state.resolution(of: "bank_card").value {
            #expect(try lab.keys.open(sealed) == "6222020200112233445")
        } else {
            Issue.record("bank_card does not read as a sealed value")
        }
        #expect(try a.stateDigest() == b.stateDigest())
    }

    @Test("priority keeps the safer status (exited over approved)")
    func priorityKeepsSafer() throws {
        let lab = try MergeLab()
        let a = try lab.replica(MergeLab.village)
        let b = try lab.replica(MergeLab.township)
        let household = try a.create(.household, [:], nowMillis: lab.now)
        let member = try a.create(.member, ["household": .text(household.value)], nowMillis: lab.now)
        let id = try a.create(
            .enrollment,
            ["member": .text(member.value), "household": .text(household.value), "status": .text("applied")],
            nowMillis: lab.now)
        try b.pull(from: a, nowMillis: lab.now)
        lab.tick()
        // The exit is older by HLC: priority, not recency, decides.
        try a.update(id, ["status": .text("exited")], nowMillis: lab.now)
        try b.update(id, ["status": .text("approved")], nowMillis: lab.now + 60_000)
        try exchange(a, b, lab)
        for replica in [a, b] {
            let state = try #require(try replica.state(of: id))
            #expect(state.resolution(of: "status").value == .text("exited"))
            #expect(state.conflicts.isEmpty)
            #expect(try replica.list(.enrollment, where: "status", equals: "exited") == [id])
        }
        #expect(try a.stateDigest() == b.stateDigest())
    }

    @Test("authority: the county's decision beats the village's; equal ranks with different values conflict")
    func authorityByRank() throws {
        let lab = try MergeLab()
        let village = try lab.replica(MergeLab.village)
        let otherVillage = try lab.replica(MergeLab.village)
        let county = try lab.replica(MergeLab.county, role: .hub)
        let household = try village.create(.household, [:], nowMillis: lab.now)
        let member = try village.create(.member, ["household": .text(household.value)], nowMillis: lab.now)
        let enrollment: [String: FieldValue] = [
            "member": .text(member.value), "household": .text(household.value), "decision": .text("pending"),
        ]
        let first = try village.create(.enrollment, enrollment, nowMillis: lab.now)
        let second = try village.create(.enrollment, enrollment, nowMillis: lab.now)
        try county.pull(from: village, nowMillis: lab.now)
        try otherVillage.pull(from: village, nowMillis: lab.now)
        lab.tick()
        // County against village: the county wins, though the village wrote later.
        try county.update(first, ["decision": .text("rejected")], nowMillis: lab.now)
        try village.update(first, ["decision": .text("approved")], nowMillis: lab.now + 60_000)
        // Village against village: a tie of ranks with different values goes to a person.
        try village.update(second, ["decision": .text("approved")], nowMillis: lab.now)
        try otherVillage.update(second, ["decision": .text("rejected")], nowMillis: lab.now + 1)
        for (target, source) in [(county, village), (village, county), (county, otherVillage), (village, otherVillage)]
        {
            try target.pull(from: source, nowMillis: lab.now)
        }
        try otherVillage.pull(from: county, nowMillis: lab.now)
        for replica in [village, otherVillage, county] {
            let firstState = try #require(try replica.state(of: first))
            #expect(firstState.resolution(of: "decision").value == .text("rejected"))
            #expect(firstState.conflicts.isEmpty)
            let secondState = try #require(try replica.state(of: second))
            #expect(secondState.resolution(of: "decision").inConflict)
            #expect(secondState.conflicts == ["decision"])
        }
        #expect(try village.stateDigest() == county.stateDigest())
        #expect(try otherVillage.stateDigest() == county.stateDigest())
    }

    @Test("union merges concurrent tag sets")
    func unionMergesTags() throws {
        let lab = try MergeLab()
        let a = try lab.replica(MergeLab.village)
        let b = try lab.replica(MergeLab.village)
        let id = try a.create(.household, ["tags": FieldValue.makeSet(["poor"])], nowMillis: lab.now)
        try b.pull(from: a, nowMillis: lab.now)
        lab.tick()
        try a.update(id, ["tags": FieldValue.makeSet(["poor", "elderly"])], nowMillis: lab.now)
        try b.update(id, ["tags": FieldValue.makeSet(["disabled"])], nowMillis: lab.now + 1)
        try exchange(a, b, lab)
        for replica in [a, b] {
            let state = try #require(try replica.state(of: id))
            #expect(state.resolution(of: "tags").value == FieldValue.makeSet(["poor", "elderly", "disabled"]))
            #expect(state.conflicts.isEmpty)
        }
        #expect(try a.stateDigest() == b.stateDigest())
    }

    @Test("a write that saw both concurrent values resolves the conflict")
    func resolvingWrite() throws {
        let lab = try MergeLab()
        let a = try lab.replica(MergeLab.village)
        let b = try lab.replica(MergeLab.village)
        let desk = try lab.replica(MergeLab.county, role: .hub)
        let id = try a.create(.household, ["income": .integer(1)], nowMillis: lab.now)
        try b.pull(from: a, nowMillis: lab.now)
        lab.tick()
        try a.update(id, ["income": .integer(2)], nowMillis: lab.now)
        try b.update(id, ["income": .integer(3)], nowMillis: lab.now)
        try desk.pull(from: a, nowMillis: lab.now)
        try desk.pull(from: b, nowMillis: lab.now)
        #expect(try desk.state(of: id)?.conflicts == ["income"])
        lab.tick()
        let resolution = try desk.update(id, ["income": .integer(2)], nowMillis: lab.now)
        #expect(resolution.context.entries.count == 2)
        // b gets the resolution before a's value that it covers: it waits for that value.
        let early = try b.integrate([resolution], nowMillis: lab.now)
        #expect(early.waiting == 1)
        #expect(try b.state(of: id)?.conflicts.isEmpty == true)  // b holds only its own value yet
        try b.pull(from: a, nowMillis: lab.now)
        #expect(try b.status().waiting == 0)
        try a.pull(from: desk, nowMillis: lab.now)
        for replica in [a, b, desk] {
            let state = try #require(try replica.state(of: id))
            #expect(state.registers["income"]?.entries.map(\.dot) == [resolution.dot])
            #expect(state.resolution(of: "income").value == .integer(2))
            #expect(state.conflicts.isEmpty)
            #expect(try replica.status().waiting == 0)
        }
        #expect(try a.stateDigest() == desk.stateDigest())
        #expect(try b.stateDigest() == desk.stateDigest())
    }

    @Test("an op whose context is ahead waits and applies when its past arrives")
    func earlyArrivalWaits() throws {
        let lab = try MergeLab()
        let a = try lab.replica(MergeLab.village)
        let b = try lab.replica(MergeLab.township)
        let c = try lab.replica(MergeLab.county, role: .hub)
        let id = try a.create(.household, ["phone": .text("1")], nowMillis: lab.now)
        lab.tick()
        try a.update(id, ["address": .text("old")], nowMillis: lab.now)
        try b.pull(from: a, nowMillis: lab.now)
        lab.tick()
        let late = try b.update(id, ["address": .text("new"), "status": .text("active")], nowMillis: lab.now)
        let past = try a.allOps()

        let first = try c.integrate([late], nowMillis: lab.now)
        #expect(first.waiting == 1)
        #expect(first.applied == 0)
        #expect(try c.state(of: id) == nil)
        #expect(try c.status().waiting == 1)
        // Half the past: still waiting (the update needs both ops of a).
        let second = try c.integrate([past[0]], nowMillis: lab.now)
        #expect(second.applied == 1)
        #expect(second.released == 0)
        #expect(try c.status().waiting == 1)
        let third = try c.integrate([past[1]], nowMillis: lab.now)
        #expect(third.released == 1)
        #expect(try c.status().waiting == 0)
        #expect(try c.state(of: id) == b.state(of: id))
        #expect(try c.state(of: id)?.resolution(of: "address").value == .text("new"))
        #expect(try c.stateDigest() == b.stateDigest())
    }

    @Test("applying the same ops twice changes nothing")
    func idempotent() throws {
        let lab = try MergeLab()
        let a = try lab.replica(MergeLab.village)
        let b = try lab.replica(MergeLab.village)
        let id = try a.create(.household, ["phone": .text("1"), "income": .integer(5)], nowMillis: lab.now)
        try b.pull(from: a, nowMillis: lab.now)
        lab.tick()
        try a.update(id, ["income": .integer(6)], nowMillis: lab.now)
        try b.update(id, ["income": .integer(7), "tags": FieldValue.makeSet(["poor"])], nowMillis: lab.now)
        let ops = try a.allOps() + b.allOps()
        let c = try lab.replica(MergeLab.county, role: .hub)
        try c.integrate(ops, nowMillis: lab.now)
        let digest = try c.stateDigest()
        let state = try c.state(of: id)
        let again = try c.integrate(ops + ops.reversed(), nowMillis: lab.now)
        #expect(again.duplicates == ops.count * 2)
        #expect(again.applied == 0 && again.waiting == 0)
        #expect(try c.stateDigest() == digest)
        #expect(try c.state(of: id) == state)
        #expect(try c.status().logSize == ops.count - 1)  // a's create is in both logs
    }

    /// Each pulls everything the other holds.
    private func exchange(_ a: ReplicaCore, _ b: ReplicaCore, _ lab: MergeLab) throws {
        lab.tick()
        try a.pull(from: b, nowMillis: lab.now)
        try b.pull(from: a, nowMillis: lab.now)
    }
}
