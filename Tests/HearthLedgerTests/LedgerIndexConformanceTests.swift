import Foundation
import HearthCore
import HearthLedger
import HearthLedgerSQLite
import HearthStore
import Testing

@testable import HearthLedgerPostgres

/// The duplicate index every backend keeps as members change, answered whole or as the
/// prefixes changed since a node's version.
@Suite("The duplicate index a ledger storage keeps")
struct LedgerIndexConformanceTests {
    static func idNumber(_ sequence: Int) -> String {
        let first17 = "42128119800101" + String(format: "%03d", sequence)
        return first17 + String(IDNumber.checkDigit(of: first17)!)
    }

    /// A village node with one household, registered with the county's hub storage: members
    /// added to it and pushed as a node's sync would.
    struct Village {
        let county: Fixture
        let replica: Replica
        let node: NodeRecord
        let home: RecordID

        init(_ backend: LedgerBackend) async throws {
            county = try await Fixture(backend)
            replica = try county.node(Fixture.villageA)
            node = try await county.register(replica, name: "east")
            home = try replica.household(in: Fixture.villageA, address: "1 Well Lane")
        }

        func add(_ number: String, name: String, relation: String) throws -> RecordID {
            var input = MemberInput()
            input.household = home.value
            input.name = name
            input.relation = relation
            input.idNumber = number
            return try replica.addMember(input, author: "w1", nowMillis: Fixture.start)
        }

        func push() async throws {
            _ = try await county.storage.append(
                PushBatch(node: node, ops: try replica.ownOps(), nowMillis: Fixture.start, maxWaiting: 100),
                admission: .rules(for: node))
            try replica.recordAck(try replica.syncState().ownCounter, notes: nil, nowMillis: Fixture.start)
        }
    }

    @Test(
        "The index whole, unchanged at its version, a delta that brings an old copy to the whole, whole for a version it does not know",
        arguments: LedgerBackend.all)
    func index(backend: LedgerBackend) async throws {
        let east = try await Village(backend)
        let (county, village) = (east.county, east.replica)
        var members: [RecordID] = []
        for sequence in 0..<30 {
            members.append(
                try east.add(Self.idNumber(sequence), name: "P\(sequence)", relation: sequence == 0 ? "head" : "other"))
        }
        try await east.push()
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
        _ = try east.add(Self.idNumber(30), name: "P30", relation: "other")
        _ = try village.recordDeath(
            member: members[0].value, date: "2026-05-14", author: "w1", nowMillis: Fixture.start)
        try await east.push()
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

    @Test(
        "Two members' ID numbers changed in one push, one to the other's old number: the index holds what they hold now, and a node's copy from before comes to it by a delta",
        arguments: LedgerBackend.all)
    func renumberedInOnePush(backend: LedgerBackend) async throws {
        // On PostgreSQL both rows go in one statement, whose triggers see the table as the
        // statement leaves it; SQLite's see the first row changed before the second. The
        // prefix both held on the way (x) takes versions on SQLite only; its flag agrees.
        let east = try await Village(backend)
        let county = east.county
        func prefix(_ number: String) -> Int? { DuplicateIndex.prefix(ofHash: county.keys.digest(number)) }
        let (x, y) = (Self.idNumber(1), Self.idNumber(2))
        let z = try #require(
            (3..<100).map(Self.idNumber).first { Set([prefix(x), prefix(y), prefix($0)]).count == 3 })
        try #require(prefix(x) != prefix(y))
        let a = try east.add(x, name: "甲", relation: "head")
        let b = try east.add(y, name: "乙", relation: "spouse")
        try await east.push()
        let before = try await county.storage.duplicateIndex(since: "", deltas: true)
        for (member, number) in [(a, z), (b, x)] {
            var input = MemberInput()
            input.idNumber = number
            try east.replica.editMember(member.value, input, author: "w1", nowMillis: Fixture.start)
        }
        try await east.push()
        guard case .full(_, let whole) = try await county.storage.duplicateIndex(since: "", deltas: true) else {
            Issue.record("the whole index")
            return
        }
        #expect(Set(whole) == Set([prefix(x), prefix(z)].compactMap { $0 }))
        guard
            case .delta(_, let added, let removed) = try await county.storage.duplicateIndex(
                since: before.version, deltas: true)
        else {
            Issue.record("a node's copy from before the push gets a delta")
            return
        }
        // x's part, living before and after, may come again where it took versions: the copy
        // the node makes is the same.
        #expect(removed == [prefix(y)].compactMap { $0 })
        #expect(
            Set(added).contains(prefix(z) ?? -1) && Set(added).isSubset(of: [prefix(x), prefix(z)].compactMap { $0 }))
        guard case .full(_, let old) = before else {
            Issue.record("the whole index before")
            return
        }
        #expect(Set(old).union(added).subtracting(removed) == Set(whole))
    }

    /// Two ID numbers whose keyed hashes share a 14-bit prefix and differ in its 16-bit part:
    /// each has a part of its own, so the second can bring its part its first member while
    /// the prefix holds the first's all along.
    static func samePrefixOtherPart(_ keys: KeyMaterial) throws -> (String, String) {
        var seen: [Int: (part: Substring, number: String)] = [:]
        for sequence in 100..<1_000 {
            let number = idNumber(sequence)
            let hash = keys.digest(number)
            guard let prefix = DuplicateIndex.prefix(ofHash: hash) else { continue }
            if let earlier = seen[prefix], earlier.part != hash.prefix(4) { return (earlier.number, number) }
            seen[prefix] = (hash.prefix(4), number)
        }
        throw CocoaError(.featureUnsupported)
    }

    @Test(
        "a delta leaves out a prefix that held a live ID number at the node's version and holds one now, though one of its parts gained its first",
        arguments: LedgerBackend.all)
    func deltaLeavesOutUnchanged(backend: LedgerBackend) async throws {
        let east = try await Village(backend)
        let county = east.county
        let (first, second) = try Self.samePrefixOtherPart(county.keys)
        _ = try east.add(first, name: "P1", relation: "head")
        try await east.push()
        let held = try await county.storage.duplicateIndex(since: "", deltas: true)
        _ = try east.add(second, name: "P2", relation: "other")
        try await east.push()
        let answer = try await county.storage.duplicateIndex(since: held.version, deltas: true)
        // The second's part gained its first member: the version moves on.
        #expect(answer.version != held.version)
        #expect(answer == .delta(version: answer.version, added: [], removed: []))
        guard case .full(_, let whole) = try await county.storage.duplicateIndex(since: "", deltas: true) else {
            Issue.record("the whole index")
            return
        }
        #expect(whole == [DuplicateIndex.prefix(ofHash: county.keys.digest(first))!])
    }

    @Test(
        "the whole index, asked again as members come and die, is always the living members' prefixes: a storage that brings the whole it gave last up to date answers as one that reads every part",
        arguments: LedgerBackend.all, [11, 12] as [UInt64])
    func wholeKeptUpToDate(backend: LedgerBackend, seed: UInt64) async throws {
        let east = try await Village(backend)
        let county = east.county
        var random = SplitMix64(seed: seed)
        // Numbers whose hashes share a 14-bit prefix with another's in a part of their own come
        // first: their parts cross zero while the prefix stays.
        let (alike, other) = try Self.samePrefixOtherPart(county.keys)
        var unused = [alike, other] + (0..<60).map { Self.idNumber(100 + $0) }.filter { $0 != alike && $0 != other }
        var living: [(member: RecordID, number: String)] = []
        var headed = false
        for step in 0..<24 {
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                if !living.isEmpty, Int.random(in: 0..<3, using: &random) == 0 {
                    let dying = living.remove(at: Int.random(in: 0..<living.count, using: &random))
                    _ = try east.replica.recordDeath(
                        member: dying.member.value, date: "2026-05-14", author: "w1", nowMillis: Fixture.start)
                } else if !unused.isEmpty {
                    let number = unused.removeFirst()
                    let member = try east.add(number, name: "P\(step)", relation: headed ? "other" : "head")
                    headed = true
                    living.append((member, number))
                }
            }
            try await east.push()
            // Asked after most pushes, not all: the whole kept may be one change or several behind.
            guard Int.random(in: 0..<4, using: &random) > 0 else { continue }
            let expected = Set(living.compactMap { DuplicateIndex.prefix(ofHash: county.keys.digest($0.number)) })
            let kept = try await county.storage.duplicateIndex(since: "", deltas: true)
            let read = try await county.anotherProcess().duplicateIndex(since: "", deltas: true)
            guard case .full(_, let keptPrefixes) = kept, case .full = read else {
                Issue.record("a node holding no version gets the whole index")
                return
            }
            #expect(keptPrefixes == expected.sorted(), "step \(step)")
            #expect(kept == read, "step \(step)")
        }
    }

    /// Runs `body` on the statements of the storage's database, in a transaction of its own.
    static func statements<T: Sendable>(
        _ storage: any LedgerStorage, _ body: @escaping @Sendable (any SQLStatements) throws -> T
    ) async throws -> T {
        switch storage {
        case let sqlite as SQLiteLedgerStorage:
            return try await sqlite.replica.writeAsync { db in try body(SQLiteStatements(db)) }
        case let postgres as PostgresLedgerStorage: return try await postgres.database.blockingTransaction(body)
        default: throw CocoaError(.featureUnsupported)
        }
    }

    /// A part's row of `id_prefixes` (`living`, `changed`), nil when it has none.
    static func row(of part: String, _ storage: any LedgerStorage) async throws -> [Int64]? {
        try await statements(storage) { sql in
            try sql.rows("SELECT living, changed FROM id_prefixes WHERE prefix = ?", [.text(part)]).first.map {
                $0.map { $0.integer ?? -1 }
            }
        }
    }

    /// Two ID numbers whose keyed hashes start with the same four hex digits: one part of the
    /// index holds both.
    static func samePart(_ keys: KeyMaterial) throws -> (String, String, part: String) {
        var seen: [Substring: String] = [:]
        for day in 1...28 {
            for sequence in 0..<1_000 {
                let first17 = "4212811980" + String(format: "01%02d%03d", day, sequence)
                let number = first17 + String(IDNumber.checkDigit(of: first17)!)
                let part = keys.digest(number).prefix(4)
                if let earlier = seen[part] { return (earlier, number, String(part)) }
                seen[part] = number
            }
        }
        throw CocoaError(.featureUnsupported)
    }

    @Test(
        "a living member joining a part of the index that holds one already writes nothing to it: the part's row and the version stay as they were",
        arguments: LedgerBackend.all)
    func joiningLivingPartWritesNothing(backend: LedgerBackend) async throws {
        let east = try await Village(backend)
        let county = east.county
        let (first, second, part) = try Self.samePart(county.keys)
        _ = try east.add(first, name: "P1", relation: "head")
        try await east.push()
        let before = try await Self.row(of: part, county.storage)
        let version = try await county.storage.duplicateIndex(since: "", deltas: true).version
        _ = try east.add(second, name: "P2", relation: "other")
        try await east.push()
        #expect(before?.first ?? 0 > 0, "the part holds its first member")
        // Before hub v16 the row counted the second member (living 2).
        #expect(try await Self.row(of: part, county.storage) == before)
        let answer = try await county.storage.duplicateIndex(since: version, deltas: true)
        #expect(answer == .unchanged(version: version))
    }

    @Test(
        "a part whose living members were counted (before hub v16) reads as living until its last one dies, then leaves the index at a new version; an ID number corrected moves its member to its new part",
        arguments: LedgerBackend.all)
    func countedPartLeavesWithItsLast(backend: LedgerBackend) async throws {
        let east = try await Village(backend)
        let county = east.county
        let (first, second, part) = try Self.samePart(county.keys)
        let prefix = DuplicateIndex.prefix(ofHash: county.keys.digest(first))!
        let one = try east.add(first, name: "P1", relation: "head")
        let two = try east.add(second, name: "P2", relation: "other")
        try await east.push()
        // As v4 left it: the part counting its two members.
        _ = try await Self.statements(county.storage) { sql in
            try sql.execute("UPDATE id_prefixes SET living = 2 WHERE prefix = ?", [.text(part)])
        }
        let held = try await county.storage.duplicateIndex(since: "", deltas: true).version
        _ = try east.replica.recordDeath(member: one.value, date: "2026-05-14", author: "w1", nowMillis: Fixture.start)
        try await east.push()
        #expect(try await Self.row(of: part, county.storage)?.first ?? 0 > 0, "the part holds a living member")
        #expect(try await county.storage.duplicateIndex(since: held, deltas: true) == .unchanged(version: held))

        // The second's ID number corrected to one of another part: the part holds no one living.
        var corrected = MemberInput()
        let other = (0..<1_000).lazy.map(Self.idNumber).first {
            county.keys.digest($0).prefix(4) != part && DuplicateIndex.prefix(ofHash: county.keys.digest($0)) != prefix
        }!
        corrected.idNumber = other
        try east.replica.editMember(two.value, corrected, author: "w1", nowMillis: Fixture.start)
        try await east.push()
        let row = try await Self.row(of: part, county.storage)
        #expect(row?.first == 0)
        let answer = try await county.storage.duplicateIndex(since: held, deltas: true)
        let moved = DuplicateIndex.prefix(ofHash: county.keys.digest(other))!
        #expect(answer == .delta(version: answer.version, added: [moved], removed: [prefix]))
        guard case .full(_, let whole) = try await county.storage.duplicateIndex(since: "", deltas: true) else {
            Issue.record("the whole index")
            return
        }
        #expect(whole == [moved])
    }
}
