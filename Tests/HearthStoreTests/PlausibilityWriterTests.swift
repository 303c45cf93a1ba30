import Foundation
import GRDB
import HearthCore
import HearthLedger
import HearthLedgerSQLite
import Testing

@testable import HearthStore
import HearthTestSupport

/// R6 at the writer: `enroll` and `changeAmount` on a real SQLite replica refuse an
/// implausible value unless an override reason is given, which the op and the audit keep.
@Suite("Plausibility at the writer (R6)")
struct PlausibilityWriterTests {
    static let now: Int64 = 1_795_600_000_000

    /// This test's directories, removed when it ends.
    let temporary = TemporaryDirectories()

    /// A county hub holding the rural dibao standard 560 from 2026-01, and a rural household
    /// whose head was born in 1980.
    func county() async throws -> (hub: HubLedger, member: RecordID, household: RecordID) {
        let path = try temporary.make("hearth-r6")
        let hub = try HubLedger.create(
            path: path + "/hub.db", name: "hub", scope: try ScopePrefix.parse("421281", field: "scope"),
            nowMillis: Self.now)
        _ = try await hub.setStandard(
            program: "dibao_rural", band: nil, from: "2026-01", amount: "560", note: nil, author: "admin",
            nowMillis: Self.now)
        var home = HouseholdInput()
        home.village = "421281101001"
        home.address = "新庄村一组"
        home.type = "rural"
        let household = try hub.replica.addHousehold(home, author: "w1", nowMillis: Self.now)
        var person = MemberInput()
        person.household = household.value
        person.name = "王秀英"
        let first17 = "42128119800101001"
        person.idNumber = first17 + String(IDNumber.checkDigit(of: first17)!)
        person.relation = "head"
        let member = try hub.replica.addMember(person, author: "w1", nowMillis: Self.now)
        return (hub, member, household)
    }

    /// The field an input error names, or nil when `body` did not fail with one.
    func refusedField(_ body: () throws -> Void) -> (field: String, reason: String)? {
        do {
            try body()
            return nil
        } catch ReplicaError.invalid(let error) {
            return (error.field, error.reason)
        } catch {
            return nil
        }
    }

    func overrides(_ hub: HubLedger) async throws -> [Decision] {
        try await hub.decisions().filter { $0.rule == "R6" && $0.choice == "override" }
    }

    @Test("56,000 yuan a month of rural dibao is refused, naming the amount and the ceiling; nothing is written")
    func ceilingRefused() async throws {
        let (hub, member, _) = try await county()
        let before = try hub.replica.allOps().count
        let refusal = refusedField {
            _ = try hub.replica.enroll(
                EnrollInput(member: member.value, program: "dibao_rural", amount: "56000", start: "2026-01"),
                author: "w1", nowMillis: Self.now)
        }
        #expect(refusal?.field == "amount")
        #expect(refusal?.reason.contains("56000.00 yuan a month from 2026-01 is above the dibao_rural ceiling") == true)
        #expect(refusal?.reason.contains("--override") == true)
        #expect(try hub.replica.allOps().count == before)
        #expect(try hub.replica.list(.enrollment).isEmpty)
    }

    @Test("urban dibao for a rural household is refused, and so is a child benefit for an adult")
    func prerequisitesRefused() async throws {
        let (hub, member, _) = try await county()
        for program in ["dibao_urban", "orphan", "elderly", "disability_care"] {
            let refusal = refusedField {
                _ = try hub.replica.enroll(
                    EnrollInput(member: member.value, program: program, amount: "100", start: "2026-01"),
                    author: "w1", nowMillis: Self.now)
            }
            #expect(refusal?.field == "program", "\(program): \(String(describing: refusal))")
        }
        #expect(try hub.replica.list(.enrollment).isEmpty)
    }

    @Test("with an override reason the value is recorded: the op's cause and the hub's audit keep the reason")
    func overrideKept() async throws {
        let (hub, member, _) = try await county()
        let enrollment = try hub.replica.enroll(
            EnrollInput(
                member: member.value, program: "dibao_rural", amount: "1200", start: "2026-01", override: "因病支出型特批"),
            author: "w1", nowMillis: Self.now)[0]
        let created = try hub.replica.log(record: enrollment).map(\.op)
        #expect(created.first?.cause == "plausibility override: 因病支出型特批")
        var audit = try await overrides(hub)
        #expect(audit.count == 1)
        #expect(audit.first?.record == enrollment.value)
        #expect(audit.first?.worker == "w1")
        #expect(audit.first?.note.contains("因病支出型特批") == true)

        // An amount change above the ceiling: refused without a reason, kept with one.
        let refusal = refusedField {
            try hub.replica.changeAmount(
                enrollment.value, amount: "5600", from: "2026-07", reason: "核定", author: "w2", nowMillis: Self.now)
        }
        #expect(refusal?.field == "amount")
        try hub.replica.changeAmount(
            enrollment.value, amount: "5600", from: "2026-07", reason: "核定", override: "重大疾病一次性救助",
            author: "w2", nowMillis: Self.now)
        let change = try hub.replica.log(record: enrollment).map(\.op).last
        #expect(change?.cause == "amount change: 核定; plausibility override: 重大疾病一次性救助")
        audit = try await overrides(hub)
        #expect(audit.map(\.worker) == ["w1", "w2"])
        #expect(audit.last?.field == "amount")
    }

    @Test("an override given where nothing is out of range is not recorded")
    func needlessOverride() async throws {
        let (hub, member, _) = try await county()
        let enrollment = try hub.replica.enroll(
            EnrollInput(member: member.value, program: "dibao_rural", amount: "560", start: "2026-01", override: "不需要"),
            author: "w1", nowMillis: Self.now)[0]
        #expect(try hub.replica.log(record: enrollment).first?.op.cause == nil)
        try hub.replica.changeAmount(
            enrollment.value, amount: "500", from: "2026-07", reason: "收入核减", override: "不需要", author: "w1",
            nowMillis: Self.now)
        #expect(try hub.replica.log(record: enrollment).last?.op.cause == "amount change: 收入核减")
        #expect(try await overrides(hub).isEmpty)
    }

    @Test("the ceiling is the county's setting: raised to 150%, 840 a month passes and 841 does not")
    func ceilingSetting() async throws {
        let (hub, member, _) = try await county()
        _ = try await hub.setSetting(
            name: "ceiling_dibao_rural", value: "150", note: nil, author: "admin", nowMillis: Self.now)
        let enrollment = try hub.replica.enroll(
            EnrollInput(member: member.value, program: "dibao_rural", amount: "840", start: "2026-01"),
            author: "w1", nowMillis: Self.now)[0]
        let refusal = refusedField {
            try hub.replica.changeAmount(
                enrollment.value, amount: "840.01", from: "2026-03", reason: "核定", author: "w1", nowMillis: Self.now)
        }
        #expect(refusal?.field == "amount")
        #expect(refusal?.reason.contains("150% of the dibao_rural standard 560.00") == true)
    }
}
