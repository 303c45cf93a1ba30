import Foundation
import GRDB
import HearthCore
import Testing

@testable import HearthStore
import HearthTestSupport

/// The rule cases a replica keeps follow every change they rest on, including the values a
/// change replaced: the household a member left, the ID number it no longer holds.
@Suite("Rule cases kept as the records change")
struct KeptRuleCasesTests {
    static let now: Int64 = 1_795_600_000_000
    static let village = "421281101001"

    /// This test's directory, removed when it ends.
    let temporary = TemporaryDirectories()
    let directory: String
    let keys = KeyMaterial.generate()

    init() throws {
        directory = try temporary.make("hearth-kept")
    }

    func replica(_ name: String) throws -> Replica {
        try Replica.create(
            path: directory + "/\(name).db", name: name, scope: try ScopePrefix.parse(Self.village, field: "scope"),
            nowMillis: Self.now, keys: keys)
    }

    func household(_ replica: Replica) throws -> RecordID {
        var input = HouseholdInput()
        input.village = Self.village
        input.address = "新庄村一组"
        input.type = "rural"
        return try replica.addHousehold(input, author: "w1", nowMillis: Self.now)
    }

    func member(_ replica: Replica, in household: RecordID, name: String, relation: String, idNumber: String?)
        throws -> RecordID
    {
        var input = MemberInput()
        input.household = household.value
        input.name = name
        input.relation = relation
        input.idNumber = idNumber
        return try replica.addMember(input, author: "w1", nowMillis: Self.now)
    }

    /// The kept cases, checked against the cases judged afresh from the whole state.
    func cases(_ replica: ReplicaCore) throws -> [RuleCase] {
        let kept = try replica.ruleCases(nowMillis: Self.now)
        #expect(kept == (try replica.recomputedRuleCases(nowMillis: Self.now)))
        return kept
    }

    @Test("a member who moves out leaves the household it left without a living member: that household is a case")
    func leftHousehold() throws {
        let village = try replica("v")
        let home = try household(village)
        let head = try member(village, in: home, name: "王秀英", relation: "head", idNumber: "421281198001010011")
        let elder = try member(village, in: home, name: "王老汉", relation: "parent", idNumber: nil)
        _ = try village.recordDeath(member: elder.value, date: "2026-05-14", author: "w1", nowMillis: Self.now)
        let other = try household(village)
        _ = try member(village, in: other, name: "李四", relation: "head", idNumber: "421281198001010038")
        #expect(try cases(village).isEmpty)
        try village.moveMember(head.value, toHousehold: other.value, author: "w1", nowMillis: Self.now)
        #expect(try cases(village).map(\.id) == ["H:\(home)/living"])
    }

    @Test("an ID number registered twice is a case; correcting one, or archiving its household, closes it")
    func duplicateClosed() throws {
        let first = try replica("a")
        let second = try replica("b")
        let one = try household(first)
        let two = try household(second)
        let person = "421281198001010011"
        let original = try member(first, in: one, name: "王秀英", relation: "head", idNumber: person)
        let copy = try member(second, in: two, name: "王秀英", relation: "head", idNumber: person)
        try first.integrate(try second.allOps(), nowMillis: Self.now)
        let duplicate = "R5:\(min(original, copy))"
        #expect(try cases(first).map(\.id) == [duplicate])
        // The ID number corrected: the case of the number it no longer holds closes.
        var corrected = MemberInput()
        corrected.idNumber = "421281198001010038"
        try first.editMember(copy.value, corrected, author: "w1", nowMillis: Self.now)
        #expect(try cases(first).isEmpty)
        // Another person registered on both, then one household archived: a member of an
        // archived household is not a second live record.
        let other = "421281198001010054"
        let mine = try member(first, in: one, name: "王小宝", relation: "child", idNumber: other)
        let theirs = try member(second, in: two, name: "王小宝", relation: "child", idNumber: other)
        try first.integrate(try second.allOps(), nowMillis: Self.now)
        #expect(try cases(first).map(\.id) == ["R5:\(min(mine, theirs))"])
        try first.archiveHousehold(two.value, reason: "merged", author: "w1", nowMillis: Self.now)
        #expect(try cases(first).isEmpty)
    }

    @Test("the kept counts of records, records in conflict and ops are the tables' own counts")
    func counts() throws {
        let first = try replica("a")
        let second = try replica("b")
        let home = try household(first)
        _ = try member(first, in: home, name: "王秀英", relation: "head", idNumber: "421281198001010011")
        try second.integrate(try first.allOps(), nowMillis: Self.now)
        // Income is decided by a person (policy `human`): two concurrent values are a conflict.
        var income = HouseholdInput()
        income.income = "300"
        try first.editHousehold(home.value, income, author: "w1", nowMillis: Self.now)
        income.income = "320"
        try second.editHousehold(home.value, income, author: "w2", nowMillis: Self.now)
        try first.integrate(try second.allOps(), nowMillis: Self.now)
        for replica in [first, second] {
            let status = try replica.status()
            let counted = try replica.read { db in
                (
                    try RecordType.allCases.map { try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0.table)") ?? -1 },
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM ops") ?? -1
                )
            }
            #expect(RecordType.allCases.map { status.counts[$0] ?? 0 } == counted.0)
            #expect(status.logSize == counted.1)
        }
        #expect(try first.status().conflicted == 1)
        #expect(try first.status().counts[.member] == 1)
    }
}
