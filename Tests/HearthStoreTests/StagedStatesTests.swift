import HearthCore
import Testing

@testable import HearthStore

/// A snapshot's staged states decoded on every core read as each decoded alone, in order.
@Suite("A snapshot's states decoded on every core")
struct StagedStatesTests {
    /// `count` households, each made by one op with a few fields, and its stored bytes.
    static func staged(_ count: Int, seed: UInt64) throws -> [(RecordID, [UInt8])] {
        var random = SplitMix64(seed: seed)
        let replica = ReplicaID.random(using: &random)
        let scope = try DivisionCode.parse("421281101001", field: "scope")
        let origin = try ScopePrefix.parse("421281101001", field: "origin")
        return (0..<count).map { index in
            let dot = Dot(replica: replica, counter: UInt64(index + 1))
            let id = RecordID(type: .household, creator: dot)
            var state = RecordState(id: id)
            state.apply(
                Op(
                    dot: dot, hlc: HLC(millis: 1_795_600_000_000 + Int64(index), logical: 0), author: "w",
                    origin: origin, record: id, scope: scope,
                    fields: [
                        "village": .text(scope.value), "address": .text("\(random.next() % 90) 组 \(index) 号"),
                        "status": .text("active"),
                    ], context: .empty, previous: ""))
            return (id, state.compactBytes)
        }
    }

    @Test("thousands of states, split over threads, come back as the thread-less decode gives them, in the order given")
    func sameAsAlone() throws {
        for count in [0, 1, StagedStates.minimumPart - 1, StagedStates.minimumPart * 2 + 17, 9_001] {
            let staged = try Self.staged(count, seed: UInt64(count))
            let decoded = try StagedStates.decode(staged)
            #expect(decoded.count == count)
            #expect(decoded.map(\.0.id) == staged.map(\.0), "\(count) states keep their order")
            #expect(decoded.map(\.1) == staged.map(\.1))
            for (index, (state, _)) in decoded.enumerated() where index % 97 == 0 {
                #expect(state == (try StoredState.decode(staged[index].0, .blob(staged[index].1))))
            }
        }
    }

    @Test("one damaged state, in whichever part, fails the whole decode and names its record")
    func damagedFails() throws {
        let staged = try Self.staged(StagedStates.minimumPart * 3, seed: 7)
        for index in [0, staged.count / 2, staged.count - 1] {
            var damaged = staged
            damaged[index].1 = Array(damaged[index].1.prefix(3))
            #expect {
                _ = try StagedStates.decode(damaged)
            } throws: { error in
                "\(error)".contains(staged[index].0.value)
            }
        }
    }
}
