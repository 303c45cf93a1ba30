import HearthCore
import Testing

/// A county drawn at random from a seed: households (some archived), members (some deceased,
/// some sharing ID numbers), enrollments in every program and status (some written
/// concurrently), heads, and death leads.
private struct RandomCounty {
    var book = RecordBook()
    var households: [RecordID] = []
    var members: [RecordID] = []
    var enrollments: [RecordID] = []
    var leads: [RecordID] = []
    var hashes: [String] = ["h1", "h2", "h3", "h4"]

    init(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
        func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }
        for _ in 0..<(3 + Int(random.next() % 5)) {
            let village = pick([Place.village1, Place.village2])
            let home = book.household(in: village, status: chance(85) ? "active" : "archived")
            households.append(home)
            var people: [RecordID] = []
            for _ in 0..<Int(random.next() % 4) {
                let person = book.member(
                    of: home, vital: chance(80) ? "alive" : "deceased", idHash: chance(70) ? pick(hashes) : nil,
                    born: chance(85) ? pick(["1940-02-10", "1946-05-31", "1980-07-01", "2012-03-03"]) : nil,
                    grade: chance(40) ? Int64(1 + random.next() % 4) : nil)
                people.append(person)
                members.append(person)
                for _ in 0..<Int(random.next() % 4) {
                    let status: String? = pick(["applied", "approved", "suspended", "exited", nil])
                    let enrollment = book.enrollment(
                        of: person, pick(Program.allCases), status: status, start: pick(["2026-01", "2026-05"]))
                    enrollments.append(enrollment)
                    if chance(20) {
                        let seen = book[enrollment].clock
                        book.write(
                            enrollment, ["status": .text("exited"), "exit_reason": .text(pick(["death", "moved"]))])
                        book.write(enrollment, ["status": .text("approved")], by: Writer.township, seen: seen)
                    }
                }
                if chance(15) {
                    leads.append(
                        book.create(
                            .lead, in: village,
                            [
                                "member": .text(person.value), "source": .text(pick(["death", "pension"])),
                                "status": .text(pick(["open", "confirmed", "refuted"])),
                            ]))
                }
            }
            if let head = people.first, chance(75) { book.write(home, ["head": .text(head.value)]) }
        }
    }

    func subjects(shuffledWith random: inout SeededRandom) -> RuleEngine.Subjects {
        RuleEngine.Subjects(
            idHashes: hashes.shuffled(using: &random), members: members.shuffled(using: &random),
            enrollments: enrollments.map { book[$0] }.shuffled(using: &random),
            households: households.map { book[$0] }.shuffled(using: &random),
            leads: leads.map { book[$0] }.shuffled(using: &random))
    }

    func lookup(shuffledWith random: inout SeededRandom) -> MemoryLookup {
        var lookup = book.lookup()
        lookup.states.shuffle(using: &random)
        return lookup
    }
}

@Suite("The rule engine's verdicts over random counties")
struct RuleEnginePropertyTests {
    static let seeds: [UInt64] = (1...40).map { $0 &* 0x9E37_79B9 }

    @Test("desk cases do not depend on the order the store lists records or subjects in", arguments: seeds)
    func deskCasesIgnoreOrder(seed: UInt64) throws {
        let county = RandomCounty(seed: seed)
        var random = SeededRandom(seed: seed ^ 0xABCD)
        var reference = county.book.lookup()
        let expected = try RuleEngine.deskCases(
            RuleEngine.Subjects(
                idHashes: county.hashes, members: county.members,
                enrollments: county.enrollments.map { county.book[$0] },
                households: county.households.map { county.book[$0] }, leads: county.leads.map { county.book[$0] }),
            nowMillis: 0, lookup: &reference)
        for _ in 0..<3 {
            var shuffled = county.lookup(shuffledWith: &random)
            let cases = try RuleEngine.deskCases(
                county.subjects(shuffledWith: &random), nowMillis: 0, lookup: &shuffled)
            #expect(cases == expected, "seed \(seed)")
        }
    }

    @Test(
        "what a case holds is a live enrollment (shown, not exited); R2a holds the enrollment it names",
        arguments: seeds)
    func holdsAreLive(seed: UInt64) throws {
        let county = RandomCounty(seed: seed)
        var lookup = county.book.lookup()
        let cases = try RuleEngine.deskCases(
            RuleEngine.Subjects(
                idHashes: county.hashes, members: county.members,
                enrollments: county.enrollments.map { county.book[$0] },
                households: county.households.map { county.book[$0] }, leads: county.leads.map { county.book[$0] }),
            nowMillis: 0, lookup: &lookup)
        for found in cases {
            if found.rule == .r2a {
                #expect(found.holds == found.records)
                continue
            }
            for held in found.holds {
                let status = county.book[held].resolution(of: "status").value
                #expect(status != .null && status != .text("exited"), "\(found.id) holds \(held) (seed \(seed))")
            }
        }
    }

    @Test("the random counties make every kind of case, so the properties above are not vacuous")
    func everyKind() throws {
        var kinds: Set<String> = []
        for seed in Self.seeds {
            let county = RandomCounty(seed: seed)
            var lookup = county.book.lookup()
            let cases = try RuleEngine.deskCases(
                RuleEngine.Subjects(
                    idHashes: county.hashes, members: county.members,
                    enrollments: county.enrollments.map { county.book[$0] },
                    households: county.households.map { county.book[$0] }, leads: county.leads.map { county.book[$0] }),
                nowMillis: 0, lookup: &lookup)
            kinds.formUnion(cases.map(\.kind))
        }
        #expect(
            kinds == [
                "duplicate-person", "exclusive-programs", "prerequisite", "no-living-member", "no-head",
                "exit-against-approval", "death-reported",
            ])
    }

    @Test("death decisions and admission verdicts do not depend on the store's order", arguments: seeds)
    func decisionsIgnoreOrder(seed: UInt64) throws {
        var county = RandomCounty(seed: seed)
        var random = SeededRandom(seed: seed ^ 0x1234)
        let deceased = county.members.map { county.book[$0] }
        var reference = county.book.lookup()
        let expected = try DeathRule.decisionsVerdict(members: deceased, lookup: &reference)
        var shuffled = county.lookup(shuffledWith: &random)
        #expect(
            try DeathRule.decisionsVerdict(members: deceased.shuffled(using: &random), lookup: &shuffled) == expected)
        // Every op a village or the township might push on a random record gets one verdict.
        let writers = [Writer.village, Writer.village2, Writer.township]
        for record in (county.households + county.members + county.enrollments).shuffled(using: &random).prefix(12) {
            let writer = writers[Int(random.next() % 3)]
            let village = county.book[record].resolution(of: "village").value.textValue ?? Place.village1
            let op = county.book.op(
                record.type, record, by: writer, village: village,
                fields: record.type == .enrollment
                    ? ["decision": .text("approved")] : ["note": .text("checked")])
            var ordered = county.book.lookup()
            var other = county.lookup(shuffledWith: &random)
            let scope = Writer.scope(of: writer)
            #expect(
                try RuleEngine.admissionVerdict(of: op, writer: scope, lookup: &ordered)
                    == RuleEngine.admissionVerdict(of: op, writer: scope, lookup: &other))
        }
    }
}
