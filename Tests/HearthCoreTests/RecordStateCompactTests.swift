import HearthCore
import Testing

/// Random record states, built the way they are in use: by applying ops, some concurrent.
struct RandomStates {
    var random: SplitMix64
    let replicas: [ReplicaID]
    let origins: [ScopePrefix]
    let scope: DivisionCode

    init(seed: UInt64) throws {
        random = SplitMix64(seed: seed)
        var idRandom = SplitMix64(seed: seed ^ 0x5EED)
        replicas = (0..<5).map { _ in ReplicaID.random(using: &idRandom) }
        origins = [
            try ScopePrefix.parse("421281101001", field: "o"), try ScopePrefix.parse("421281101", field: "o"),
            try ScopePrefix.parse("421281", field: "o"),
        ]
        scope = try DivisionCode.parse("421281101001", field: "s")
    }

    mutating func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }

    mutating func value() -> FieldValue {
        switch random.next() % 7 {
        case 0: return .null
        case 1: return .text(pick(["", "东街 3号", "a\"b\\c", "新庄村\n三组", "exited", "😀 x"]))
        case 2: return .integer(Int64(bitPattern: random.next()) >> Int64(random.next() % 64))
        case 3: return FieldValue.makeSet((0..<Int(random.next() % 4)).map { _ in pick(["x", "乙", "a,b", ""]) })
        case 4:
            let digest = (0..<32).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            return .sealed(SealedValue(box: "AAEC+/==\(random.next() % 1000)", digest: Hex.encode(digest)))
        case 5: return .sealed(SealedValue(box: "b", digest: pick(["", "ABCDEF", "not hex"])))
        default: return .text(String(repeating: "长", count: Int(random.next() % 300)))
        }
    }

    /// A state after a creating op and up to `edits` more, each seeing a random part of the past.
    mutating func state(edits: Int) -> RecordState {
        var counters = Array(repeating: UInt64(0), count: replicas.count)
        let creator = Int(random.next() % UInt64(replicas.count))
        counters[creator] = 1 + random.next() % 1_000_000
        let dot = Dot(replica: replicas[creator], counter: counters[creator])
        let id = RecordID(type: pick(RecordType.allCases), creator: dot)
        let names = RecordSchema.fields(of: id.type).map(\.name) + ["not_a_field", "名"]
        var state = RecordState(id: id)
        var fields: [String: FieldValue] = [:]
        for _ in 0..<(1 + random.next() % 6) { fields[pick(names)] = value() }
        state.apply(op(dot: dot, id: id, fields: fields, context: .empty))
        var contexts = [state.clock]
        for _ in 0..<edits {
            let who = Int(random.next() % UInt64(replicas.count))
            counters[who] += 1 + random.next() % 3
            var edit: [String: FieldValue] = [:]
            for _ in 0..<(1 + random.next() % 3) { edit[pick(names)] = value() }
            // A stale context (an earlier one) makes the edit concurrent with what came since.
            let context = pick(contexts)
            let made = op(
                dot: Dot(replica: replicas[who], counter: counters[who]), id: id, fields: edit, context: context)
            guard state.missingDependencies(of: made).isEmpty else { continue }
            state.apply(made)
            contexts.append(state.clock)
        }
        return state
    }

    mutating func op(dot: Dot, id: RecordID, fields: [String: FieldValue], context: VersionVector) -> Op {
        Op(
            dot: dot, hlc: HLC(millis: Int64(random.next() % 2_000_000_000_000), logical: UInt32(random.next() % 3)),
            author: "w", origin: pick(origins), record: id, scope: scope, fields: fields, context: context,
            previous: "")
    }
}

@Suite("Compact record state encoding")
struct RecordStateCompactTests {
    @Test("random states read back from their compact bytes unchanged, and their bytes are fewer than the JSON text's")
    func roundTrip() throws {
        var states = try RandomStates(seed: 13)
        var compact = 0
        var json = 0
        for round in 0..<400 {
            let state = states.state(edits: round % 12)
            let bytes = state.compactBytes
            let back = try #require(RecordState(id: state.id, compactBytes: bytes), "round \(round)")
            #expect(back == state, "round \(round)")
            #expect(back.compactBytes == bytes)
            // A replica's own stored bytes read the same without the check.
            #expect(RecordState(id: state.id, storedBytes: bytes) == state, "round \(round)")
            compact += bytes.count
            json += state.registersText.utf8.count + state.clockText.utf8.count
        }
        #expect(compact < json, "compact \(compact) bytes against \(json) of JSON")
    }

    @Test("the same ops in another order give the same bytes")
    func canonical() throws {
        let a = ReplicaID("0123456789ab")
        let b = ReplicaID("ba9876543210")
        let c = ReplicaID("00000000000c")
        let id = RecordID(type: .member, creator: Dot(replica: a, counter: 1))
        let village = try ScopePrefix.parse("421281101001", field: "o")
        let county = try ScopePrefix.parse("421281", field: "o")
        let scope = try DivisionCode.parse("421281101001", field: "s")
        let create = Op(
            dot: Dot(replica: a, counter: 1), hlc: HLC(millis: 5, logical: 0), author: "w", origin: village, record: id,
            scope: scope, fields: ["name": .text("甲"), "note": .text("n")], context: .empty, previous: "")
        let concurrent = [(b, county, "乙"), (c, village, "丙"), (a, village, "丁")].enumerated().map { index, edit in
            Op(
                dot: Dot(replica: edit.0, counter: 2 + UInt64(index)), hlc: HLC(millis: 9, logical: UInt32(index)),
                author: "w", origin: edit.1, record: id, scope: scope,
                fields: ["name": .text(edit.2), "tags": .set(["t\(index)"])], context: VersionVector([a: 1]),
                previous: "")
        }
        var seen: Set<[UInt8]> = []
        for order in [[0, 1, 2], [2, 1, 0], [1, 0, 2], [2, 0, 1]] {
            var state = RecordState(id: id)
            state.apply(create)
            for index in order { state.apply(concurrent[index]) }
            seen.insert(state.compactBytes)
        }
        #expect(seen.count == 1)
    }

    @Test("bytes this code did not write are refused: cut short, extended, altered, or random")
    func refusesForeignBytes() throws {
        var states = try RandomStates(seed: 29)
        var random = SplitMix64(seed: 31)
        for round in 0..<60 {
            let state = states.state(edits: round % 6)
            let bytes = state.compactBytes
            for length in 0..<bytes.count {
                #expect(RecordState(id: state.id, compactBytes: Array(bytes[0..<length])) == nil, "cut at \(length)")
                // Stored bytes cut short (a damaged database) do not read either.
                #expect(RecordState(id: state.id, storedBytes: Array(bytes[0..<length])) == nil, "cut at \(length)")
            }
            #expect(RecordState(id: state.id, compactBytes: bytes + [0]) == nil)
            for _ in 0..<40 {
                var altered = bytes
                let position = Int(random.next() % UInt64(bytes.count))
                altered[position] ^= UInt8(truncatingIfNeeded: 1 + random.next() % 255)
                // Some alterations are still a state (another value of the same length): then
                // it must be the one whose bytes these are, never a different reading.
                if let read = RecordState(id: state.id, compactBytes: altered) {
                    #expect(read.compactBytes == altered)
                    #expect(read != state)
                }
            }
        }
        for length in 0..<200 {
            let noise = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if let read = RecordState(
                id: RecordID(type: .visit, creator: Dot(replica: ReplicaID("0123456789ab"), counter: 1)),
                compactBytes: noise)
            {
                #expect(read.compactBytes == noise)
            }
        }
        #expect(
            RecordState(
                id: RecordID(type: .visit, creator: Dot(replica: ReplicaID("0123456789ab"), counter: 1)),
                compactBytes: Array("{}".utf8)) == nil)
    }

    @Test("every field of the schema has a stored number, each number names one field")
    func fieldNumbers() {
        let numbered = Set(RecordState.fieldNumbers)
        #expect(numbered.count == RecordState.fieldNumbers.count)
        for type in RecordType.allCases {
            for spec in RecordSchema.fields(of: type) {
                #expect(numbered.contains(spec.name), "\(type) \(spec.name) would be stored by name")
            }
        }
    }
}
