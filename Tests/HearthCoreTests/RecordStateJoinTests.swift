import HearthCore
import Testing

/// Replicas editing one record and syncing parts of what they hold, as the field does: every
/// op's context is its author's clock for the record, and a sync hands over a causally closed
/// part of what the sender holds. Ops are kept in the order they were made, a causal order.
struct JoinWorld {
    var random: SplitMix64
    let replicas: [ReplicaID]
    let origins: [ScopePrefix]
    let scope: DivisionCode
    let id: RecordID
    var counters: [UInt64]
    var states: [RecordState]
    /// The ops each replica holds, by their place in ``ops``.
    var holds: [Set<Int>]
    var ops: [Op] = []
    var millis: Int64 = 1_700_000_000_000
    let names = ["name", "note", "tags", "phone", "address"]

    init(seed: UInt64, replicas count: Int = 4) throws {
        var random = SplitMix64(seed: seed)
        replicas = (0..<count).map { _ in ReplicaID.random(using: &random) }
        self.random = random
        origins = [
            try ScopePrefix.parse("421281101001", field: "o"), try ScopePrefix.parse("421281101", field: "o"),
            try ScopePrefix.parse("421281", field: "o"),
        ]
        scope = try DivisionCode.parse("421281101001", field: "s")
        counters = Array(repeating: 0, count: count)
        counters[0] = 1
        let id = RecordID(type: .household, creator: Dot(replica: replicas[0], counter: 1))
        self.id = id
        states = Array(repeating: RecordState(id: id), count: count)
        holds = Array(repeating: [], count: count)
        write(by: 0, fields: ["address": .text("东街 1号"), "name": .text("甲")])
    }

    mutating func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }

    mutating func value(_ name: String) -> FieldValue {
        if name == "tags" { return FieldValue.makeSet((0..<Int(random.next() % 3)).map { _ in pick(["x", "乙"]) }) }
        return random.next() % 6 == 0 ? .null : .text(pick(["甲", "乙", "丙", "1", "2"]))
    }

    /// A replica edits the record with its own clock as the context.
    mutating func write(by who: Int, fields: [String: FieldValue]) {
        millis += Int64(random.next() % 5_000)
        let op = Op(
            dot: Dot(replica: replicas[who], counter: counters[who]), hlc: HLC(millis: millis, logical: 0),
            author: "w", origin: pick(origins), record: id, scope: scope, fields: fields,
            context: states[who].clock, previous: "")
        states[who].apply(op)
        holds[who].insert(ops.count)
        ops.append(op)
    }

    /// One random step: an edit by a replica that holds the record, or a sync of a causally
    /// closed part (the oldest ops first) of what one replica holds to another.
    mutating func step() {
        let who = Int(random.next() % UInt64(replicas.count))
        if random.next() % 3 != 0 {
            guard !holds[who].isEmpty else { return }
            counters[who] += 1 + random.next() % 3
            var fields: [String: FieldValue] = [:]
            for _ in 0..<(1 + random.next() % 2) {
                let name = pick(names)
                fields[name] = value(name)
            }
            write(by: who, fields: fields)
            return
        }
        let to = Int(random.next() % UInt64(replicas.count))
        let held = holds[who].sorted()
        let part = held.prefix(Int(random.next() % UInt64(held.count + 1)))
        for index in part where !holds[to].contains(index) {
            precondition(states[to].missingDependencies(of: ops[index]).isEmpty, "the world sent an op before its past")
            states[to].apply(ops[index])
            holds[to].insert(index)
        }
    }

    /// The state of a replica that received exactly these ops, in the order they were made.
    func replay(_ indices: Set<Int>) -> RecordState {
        var state = RecordState(id: id)
        for index in indices.sorted() { state.apply(ops[index]) }
        return state
    }
}

@Suite("Joining two record states (snapshots, docs/snapshots.md)")
struct RecordStateJoinTests {
    @Test(
        "two replicas' states joined are the state of replaying both their ops, to the byte",
        arguments: [1, 2, 3, 5, 8, 13, 21, 34] as [UInt64])
    func joinIsReplayOfTheUnion(seed: UInt64) throws {
        var world = try JoinWorld(seed: seed)
        var checked = 0
        var differing = 0
        for step in 0..<120 {
            world.step()
            guard step % 10 == 9 else { continue }
            for a in world.replicas.indices {
                for b in world.replicas.indices {
                    let joined = try #require(world.states[a].joined(with: world.states[b]))
                    let replayed = world.replay(world.holds[a].union(world.holds[b]))
                    #expect(joined == replayed, "seed \(seed) step \(step): replicas \(a) and \(b)")
                    #expect(joined.compactBytes == replayed.compactBytes)
                    #expect(joined.conflicts == replayed.conflicts)
                    checked += 1
                    if world.states[a] != world.states[b] { differing += 1 }
                }
            }
        }
        #expect(checked == 12 * 16)
        // The property is about states that differ: the world must make them.
        #expect(differing > checked / 4, "only \(differing) of \(checked) pairs differed")
    }

    @Test("the join is commutative, associative and idempotent, and the empty state is its unit")
    func joinLaws() throws {
        for seed in 100..<130 as Range<UInt64> {
            var world = try JoinWorld(seed: seed, replicas: 3)
            for _ in 0..<40 { world.step() }
            let (x, y, z) = (world.states[0], world.states[1], world.states[2])
            #expect(x.joined(with: y) == y.joined(with: x), "seed \(seed)")
            let left = try #require(x.joined(with: y)).joined(with: z)
            let right = x.joined(with: try #require(y.joined(with: z)))
            #expect(left == right, "seed \(seed)")
            #expect(x.joined(with: x) == x, "seed \(seed)")
            #expect(x.joined(with: RecordState(id: x.id)) == x, "seed \(seed)")
        }
    }

    @Test("a value one side overwrote is gone; a value the other never saw stays; concurrent values both stay")
    func overwrittenAndConcurrent() throws {
        let a = ReplicaID("0000000000aa")
        let b = ReplicaID("0000000000bb")
        let id = RecordID(type: .household, creator: Dot(replica: a, counter: 1))
        let origin = try ScopePrefix.parse("421281101001", field: "o")
        let scope = try DivisionCode.parse("421281101001", field: "s")
        func op(_ replica: ReplicaID, _ counter: UInt64, _ note: String, _ context: VersionVector) -> Op {
            Op(
                dot: Dot(replica: replica, counter: counter), hlc: HLC(millis: Int64(counter), logical: 0), author: "w",
                origin: origin, record: id, scope: scope, fields: ["note": .text(note)], context: context,
                previous: "")
        }
        let create = op(a, 1, "first", .empty)
        var shared = RecordState(id: id)
        shared.apply(create)
        // b overwrites "first"; a, not having seen it, writes concurrently.
        var left = shared
        left.apply(op(b, 1, "by b", shared.clock))
        var right = shared
        right.apply(op(a, 2, "by a", shared.clock))
        let joined = try #require(left.joined(with: right))
        let notes = joined.registers["note"]?.entries.map(\.value) ?? []
        #expect(Set(notes) == [.text("by b"), .text("by a")])
        #expect(joined.clock == VersionVector([a: 2, b: 1]))
        // Joined with the state before both, nothing comes back.
        #expect(joined.joined(with: shared) == joined)
    }

    @Test("states of two different records are not joined")
    func differentRecords() {
        let a = ReplicaID("0000000000aa")
        let one = RecordState(id: RecordID(type: .member, creator: Dot(replica: a, counter: 1)))
        let two = RecordState(id: RecordID(type: .member, creator: Dot(replica: a, counter: 2)))
        #expect(one.joined(with: two) == nil)
    }
}
