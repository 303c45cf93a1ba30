import Foundation
import HearthCore
import HearthLedger
import Testing

@testable import HearthStore
@testable import HearthTools

/// The hub's one writer applies every push; a lookup it runs once per op or per record is a
/// statement (prepared, bound, stepped) for each of a night's ops. These check that the
/// lookups a push needs for many records run many records to a statement.
@Suite("A push's lookups: many records to a statement")
struct PushStatementTests {
    /// The statements a push of a township's day ran on the hub: new households with three
    /// members each, a dibao enrollment for a third of them, a death, and `edits` phone
    /// changes on households the hub already held.
    static func pushedDay(edits: Int) async throws -> (ops: Int, records: Int, statements: [String]) {
        var result: (ops: Int, records: Int, statements: [String]) = (0, 0, [])
        try await QueryPlanTests.withGeneratedHub(scale: 0.02, seed: 3) { path, hub, nodes in
            let node = try #require(nodes.first)
            let held = try node.list(.household, where: "status", equals: "active")
            #expect(held.count >= edits)
            let village = try #require(held.first)
            let code = try DivisionCode.parse(
                try node.view(village, reveal: false).value("village") ?? "", field: "village")
            let dead = try #require(node.list(.member, where: "vital_status", equals: "alive").first)
            var random = SplitMix64(seed: 5)
            _ = try node.write(author: "w1", nowMillis: QueryPlanTests.now) { changes in
                for number in 0..<30 {
                    let home = try changes.create(
                        .household, village: code,
                        fields: ["address": .text("\(number + 1)号"), "type": .text("rural"), "status": .text("active")])
                    for position in 0..<3 {
                        let year = 1940 + Int(random.next() % 80)
                        let body = "421281\(year)0101\(String(format: "%03d", Int(random.next() % 1000)))"
                        let idNumber = try IDNumber(
                            parsing: body + String(IDNumber.checkDigit(of: body)!), today: changes.today())
                        let member = try changes.create(
                            .member, village: code,
                            fields: [
                                "household": .text(home.value), "name": .text("成员\(number)-\(position)"),
                                "id_number": .sealed(node.keys.seal(idNumber.value)),
                                "sex": .text(idNumber.sex.rawValue),
                                "birth_date": .text(idNumber.birthDate.description),
                                "relation": .text(position == 0 ? "head" : "child"), "vital_status": .text("alive"),
                            ])
                        if position == 0 { try changes.update(home, fields: ["head": .text(member.value)]) }
                        // Dibao for the head of every third household.
                        if position == 0, number % 3 == 0 {
                            try changes.create(
                                .enrollment, village: code,
                                fields: [
                                    "member": .text(member.value), "household": .text(home.value),
                                    "program": .text("dibao_rural"), "status": .text("applied"),
                                    "decision": .text("pending"), "amount": .text("2026-01:56000"),
                                    "start_month": .text("2026-01"),
                                ])
                        }
                    }
                }
                for (index, home) in held.prefix(edits).enumerated() {
                    try changes.update(home, fields: ["phone": .text("1390000\(String(format: "%04d", index))")])
                }
            }
            _ = try node.recordDeath(
                member: dead.value, date: "2026-10-02", author: "w1", nowMillis: QueryPlanTests.now)
            let record = try #require(try await hub.nodes().first { $0.replica == node.info.id })
            let acked = try node.syncState().ackedCounter
            let pending = try node.allOps().filter { $0.dot.replica == node.info.id && $0.dot.counter > acked }
            let traced = try await QueryPlanTests.traced(path) {
                let outcome = try await hub.acceptPush(from: record, ops: pending, nowMillis: QueryPlanTests.now) {
                    _ in nil
                }
                #expect(outcome.quarantined.isEmpty)
            }
            // What the push did is what a push does: every household edited holds its phone.
            for (index, home) in held.prefix(edits).enumerated() {
                #expect(
                    try hub.replica.view(home, reveal: false).value("phone")
                        == "1390000\(String(format: "%04d", index))")
            }
            result = (pending.count, Set(pending.map(\.record)).count, traced.statements)
        }
        return result
    }

    static func count(_ statements: [String], _ prefix: String) -> Int {
        statements.filter { $0.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix(prefix) }.count
    }

    @Test("the records a push edits are read 64 to a statement, not one statement apiece")
    func statesReadInGroups() async throws {
        let pushed = try await Self.pushedDay(edits: 70)
        #expect(pushed.ops > 200)
        let single = Self.count(pushed.statements, "SELECT state FROM record_meta WHERE id = ")
        let grouped = Self.count(pushed.statements, "SELECT id, state FROM record_meta WHERE id IN (")
        // The applier reads none alone (the hub looks up every record a push names, a new one
        // too: compaction may have archived its creating op). The rules read enrollments'
        // states through their own lookup: one per new enrollment, far fewer than the records.
        #expect(single < pushed.records / 4, "\(single) single reads of a state for \(pushed.records) records")
        #expect(grouped == (pushed.records + 63) / 64, "\(grouped) grouped reads for \(pushed.records) records")
    }

    @Test("rule cases are looked for once per push, and a death's enrollments 64 members to a statement")
    func rulesLookedUpInGroups() async throws {
        let pushed = try await Self.pushedDay(edits: 20)
        #expect(Self.count(pushed.statements, "SELECT 1 WHERE EXISTS (SELECT 1 FROM rule_cases WHERE subject") == 0)
        #expect(
            Self.count(
                pushed.statements, "SELECT DISTINCT c.subject FROM rule_case_dirty d JOIN rule_cases c ON c.subject")
                == 1)
        let deceased = pushed.statements.filter {
            $0.contains("SELECT DISTINCT m.id FROM members m JOIN enrollments e ON e.member = m.id")
        }
        // About 91 members touched (90 new and the one who died): two statements.
        #expect(deceased.count == 2, "\(deceased.count) statements asked which members died with enrollments")
        // And the members the batch's enrollments name now, 64 enrollments to a statement.
        #expect(Self.count(pushed.statements, "SELECT member FROM enrollments WHERE id = ") == 0)
        let named = Self.count(pushed.statements, "SELECT member FROM enrollments WHERE id IN (")
        #expect(named >= 1 && named <= 2, "\(named) statements read the members of the batch's enrollments")
    }

    @Test("the subjects a push marks are checked for cases 64 of a kind to a statement, not one statement apiece")
    func candidatesAskedInGroups() async throws {
        let pushed = try await Self.pushedDay(edits: 20)
        // About 90 new members marked by their ID numbers, 30 households and 10 enrollments.
        for single in [
            "SELECT count(*) FROM members WHERE id_number_hash = ", "SELECT count(*) FROM enrollments WHERE member = ",
            "SELECT 1 WHERE EXISTS (SELECT 1 FROM households h WHERE h.id = ",
            "SELECT 1 WHERE EXISTS (SELECT 1 FROM record_meta WHERE id = ",
        ] {
            #expect(Self.count(pushed.statements, single) == 0, "\(single)…")
        }
        let hashes = Self.count(pushed.statements, "SELECT id_number_hash FROM members WHERE id_number_hash IN (")
        let households = Self.count(pushed.statements, "SELECT h.id FROM households h WHERE h.id IN (")
        #expect(hashes >= 1 && hashes <= 3, "\(hashes) statements checked the marked ID numbers")
        #expect(households >= 1 && households <= 2, "\(households) statements checked the marked households")
    }
}
