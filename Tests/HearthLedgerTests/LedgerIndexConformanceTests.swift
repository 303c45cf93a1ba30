import Foundation
import HearthCore
import HearthLedger
import HearthStore
import Testing

/// The duplicate index every backend keeps as members change, answered whole or as the
/// prefixes changed since a node's version.
@Suite("The duplicate index a ledger storage keeps")
struct LedgerIndexConformanceTests {
    static func idNumber(_ sequence: Int) -> String {
        let first17 = "42128119800101" + String(format: "%03d", sequence)
        return first17 + String(IDNumber.checkDigit(of: first17)!)
    }

    @Test(
        "The index whole, unchanged at its version, a delta that brings an old copy to the whole, whole for a version it does not know",
        arguments: LedgerBackend.all)
    func index(backend: LedgerBackend) async throws {
        let county = try await Fixture(backend)
        let village = try county.node(Fixture.villageA)
        let node = try await county.register(village, name: "east")
        let home = try village.household(in: Fixture.villageA, address: "1 Well Lane")
        var members: [RecordID] = []
        for sequence in 0..<30 {
            var input = MemberInput()
            input.household = home.value
            input.name = "P\(sequence)"
            input.relation = sequence == 0 ? "head" : "other"
            input.idNumber = Self.idNumber(sequence)
            members.append(try village.addMember(input, author: "w1", nowMillis: Fixture.start))
        }
        func push() async throws {
            _ = try await county.storage.append(
                PushBatch(node: node, ops: try village.ownOps(), nowMillis: Fixture.start, maxWaiting: 100),
                admission: .rules(for: node))
            try village.recordAck(try village.syncState().ownCounter, notes: nil, nowMillis: Fixture.start)
        }
        try await push()
        func prefixes(_ sequences: some Sequence<Int>) -> Set<Int> {
            Set(sequences.compactMap { DuplicateIndex.prefix(ofHash: county.keys.digest(Self.idNumber($0))) })
        }

        guard case .full(let first, let whole) = try await county.storage.duplicateIndex(since: "", deltas: true)
        else {
            Issue.record("a node holding no version gets the whole index")
            return
        }
        #expect(Set(whole) == prefixes(0..<30) && whole == whole.sorted())
        #expect(try await county.storage.duplicateIndex(since: first, deltas: true) == .unchanged(version: first))

        // One more person; one dies.
        var input = MemberInput()
        input.household = home.value
        input.name = "P30"
        input.relation = "other"
        input.idNumber = Self.idNumber(30)
        _ = try village.addMember(input, author: "w1", nowMillis: Fixture.start)
        _ = try village.recordDeath(
            member: members[0].value, date: "2026-05-14", author: "w1", nowMillis: Fixture.start)
        try await push()
        let living = prefixes(1...30)

        guard
            case .delta(let second, let added, let removed) = try await county.storage.duplicateIndex(
                since: first, deltas: true)
        else {
            Issue.record("a node holding an older version gets a delta")
            return
        }
        #expect(second != first)
        #expect(Set(whole).union(added).subtracting(removed) == living)
        #expect(Set(added).isDisjoint(with: removed))
        #expect(added.count + removed.count <= 2, "only the two prefixes that changed travel")
        guard case .full(let now, let current) = try await county.storage.duplicateIndex(since: "", deltas: true) else {
            Issue.record("the whole index again")
            return
        }
        #expect(now == second && Set(current) == living)
        // Without deltas, for a version it never gave, or one from its future: the whole index.
        for (version, deltas) in [(first, false), ("0123456789abcdef", true), ("d999999", true)] {
            #expect(
                try await county.storage.duplicateIndex(since: version, deltas: deltas)
                    == .full(version: second, prefixes: current))
        }
    }
}
