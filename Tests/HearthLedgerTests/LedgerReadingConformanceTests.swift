import Foundation
import HearthCore
import HearthLedger
import HearthStore
import Testing

/// What every ledger storage must answer when the bank roll and the roster import look the
/// county's records up (``CountyReading``), and what the simulation reads of the hub's log
/// and rolls.
@Suite("Ledger storage conformance: the county's lookups")
struct LedgerReadingConformanceTests {
    static let idNumber = "421281198001010012"
    static let card = "6222000011112222"

    /// An id no record of the county has.
    static func unknown(_ type: RecordType) -> RecordID {
        RecordID(type: type, creator: Dot(replica: ReplicaID("0123456789ab"), counter: 1))
    }

    /// What one edit writes: a household with a payee and a card, a living member with an
    /// approved enrollment, a deceased one, a standard, and import keys of two lists.
    struct Written: Sendable {
        let household: RecordID
        let living: RecordID
        let deceased: RecordID
        let enrollment: RecordID
        /// What the edit's own lookups saw of the household it had just created.
        let householdSeenInEdit: Bool
        let keySeenInEdit: Bool
    }

    static func write(_ county: Fixture) async throws -> Written {
        let village = try DivisionCode.parse(Fixture.villageA, field: "village")
        let countyWide = try #require(DivisionCode.countyWide(Fixture.county))
        let keys = county.keys
        return try await county.storage.edit(author: "admin", nowMillis: Fixture.start) { edit in
            _ = try edit.create(
                .standard, village: countyWide,
                fields: [
                    "program": .text("dibao_rural"), "band": .text(""), "from_month": .text("2026-01"),
                    "amount": .integer(60_000),
                ], cause: "test standard")
            let household = try edit.create(
                .household, village: village,
                fields: [
                    "status": .text("active"), "type": .text("rural"), "address": .text("1 Well Lane"),
                    "account_name": .text("王秀英"), "bank_card": .sealed(keys.seal(Self.card)),
                ], cause: "test")
            let living = try edit.create(
                .member, village: village,
                fields: [
                    "household": .text(household.value), "name": .text("王秀英"), "relation": .text("head"),
                    "vital_status": .text("alive"), "birth_date": .text("1980-01-01"), "disability_grade": .integer(2),
                    "id_number": .sealed(keys.seal(Self.idNumber)), "account_name": .text("王秀英"),
                ], cause: "test")
            let deceased = try edit.create(
                .member, village: village,
                fields: [
                    "household": .text(household.value), "name": .text("李强"), "relation": .text("spouse"),
                    "vital_status": .text("deceased"), "death_date": .text("2026-02-10"),
                ], cause: "test")
            try edit.update(
                household, fields: ["head": .text(living.value), "payee": .text(living.value)], cause: "test")
            let enrollment = try edit.create(
                .enrollment, village: village,
                fields: [
                    "member": .text(living.value), "household": .text(household.value),
                    "program": .text("dibao_rural"), "status": .text("approved"), "decision": .text("approved"),
                    "approver": .text("admin"), "amount": .text("2026-01:56000"), "start_month": .text("2026-01"),
                ], cause: "test")
            try edit.remember("roster|H|1", record: household, source: "roster.csv", line: 2)
            try edit.remember("roster|M|1", record: living, source: "roster.csv", line: 2)
            try edit.remember("crosscheck|death|1", record: deceased, source: "deaths.csv", line: 2)
            return Written(
                household: household, living: living, deceased: deceased, enrollment: enrollment,
                householdSeenInEdit: try edit.household(household) != nil,
                keySeenInEdit: try edit.imported("roster|H|1"))
        }.result
    }

    @Test("The lookups of one read return what an edit wrote", arguments: LedgerBackend.all)
    func lookups(backend: LedgerBackend) async throws {
        let county = try await Fixture(backend)
        let written = try await Self.write(county)
        // Inside the edit, the records it created are seen through `state(of:)` only; the
        // import keys it remembered are seen at once.
        #expect(!written.householdSeenInEdit)
        #expect(written.keySeenInEdit)

        let keys = county.keys
        let (household, living, deceased, absent) = try await county.storage.reading { lookup in
            (
                try lookup.household(written.household), try lookup.member(written.living),
                try lookup.member(written.deceased), try lookup.member(Self.unknown(.member)),
            )
        }
        let home = try #require(household)
        #expect(home.status == "active" && home.type == "rural" && home.accountName == "王秀英")
        #expect(home.head == written.living.value && home.payee == written.living.value)
        #expect(try home.bankCard.map(keys.open) == Self.card)
        let person = try #require(living)
        #expect(person.name == "王秀英" && person.household == written.household.value)
        #expect(person.vitalStatus == "alive" && person.deathDate == nil && person.disabilityGrade == 2)
        let born = try CivilDate.parse("1980-01-01", field: "birth")
        #expect(person.birthDate == born)
        #expect(try person.idNumber.map(keys.open) == Self.idNumber && person.bankCard == nil)
        let dead = try #require(deceased)
        let died = try CivilDate.parse("2026-02-10", field: "death")
        #expect(dead.vitalStatus == "deceased" && dead.deathDate == died)
        #expect(dead.idNumber == nil && dead.birthDate == nil && dead.disabilityGrade == nil)
        #expect(absent == nil)
        #expect(try await county.storage.reading { lookup in try lookup.household(Self.unknown(.household)) } == nil)

        let digest = keys.digest(Self.idNumber)
        let found = try await county.storage.reading { lookup in
            (
                holders: try lookup.members(withIDHash: digest),
                approved: try lookup.approvedEnrollments(of: written.living),
                live: try lookup.liveEnrollment(of: written.living, in: .dibaoRural),
                otherProgram: try lookup.liveEnrollment(of: written.living, in: .dibaoUrban),
                importedKey: try lookup.imported("roster|M|1"), unknownKey: try lookup.imported("roster|M|2"),
                record: try lookup.importedRecord("roster|H|1"),
                roster: try lookup.importedRecords(keyPrefix: "roster|"),
                configuration: try lookup.countyConfiguration()
            )
        }
        #expect(found.holders.map(\.id) == [written.living])
        #expect(
            found.holders.first?.vitalStatus == "alive" && found.holders.first?.household == written.household.value)
        #expect(found.approved == [written.enrollment])
        #expect(found.live == written.enrollment && found.otherProgram == nil)
        #expect(found.importedKey && !found.unknownKey)
        #expect(found.record == written.household)
        #expect(found.roster == [written.household, written.living])
        let march = try Month.parse("2026-03", field: "month")
        #expect(found.configuration.standards.inForce(.dibaoRural, band: "", in: march) == Money(fen: 60_000))
    }

    @Test(
        "Households and members read set-wise are the ones read one by one; unknown ids left out, repeated ones once",
        arguments: LedgerBackend.all)
    func setWise(backend: LedgerBackend) async throws {
        let county = try await Fixture(backend)
        let written = try await Self.write(county)
        let found = try await county.storage.reading { lookup in
            (
                households: try lookup.households([
                    written.household, Self.unknown(.household), written.household,
                ]),
                household: try lookup.household(written.household),
                members: try lookup.members([
                    written.deceased, Self.unknown(.member), written.living, written.deceased,
                ]),
                living: try lookup.member(written.living), deceased: try lookup.member(written.deceased),
                noHouseholds: try lookup.households([]), noMembers: try lookup.members([])
            )
        }
        #expect(found.households == [try #require(found.household)])
        let living = try #require(found.living)
        let deceased = try #require(found.deceased)
        #expect(found.members.count == 2)
        #expect(Set(found.members) == [living, deceased])
        #expect(found.noHouseholds.isEmpty && found.noMembers.isEmpty)
    }

    @Test("A read gives back what its body throws", arguments: LedgerBackend.all)
    func readingThrows(backend: LedgerBackend) async throws {
        let county = try await Fixture(backend)
        let refused = await #expect(throws: ReplicaError.self) {
            try await county.storage.reading { _ -> Int in throw ReplicaError.refused("the report changed its mind") }
        }
        guard case .refused(let message)? = refused else {
            Issue.record("expected the body's refusal, got \(String(describing: refused))")
            return
        }
        #expect(message == "the report changed its mind")
    }

    @Test("The held hashes are the log's and the quarantine's, by dot", arguments: LedgerBackend.all)
    func heldHashes(backend: LedgerBackend) async throws {
        let county = try await Fixture(backend)
        let (node, ops) = try await county.eastWithTwoHouseholds()
        let refused = ops[1].dot
        _ = try await county.storage.append(
            PushBatch(node: node, ops: ops, nowMillis: Fixture.start, maxWaiting: 100),
            admission: PushAdmission(writer: node.scope) { op in op.dot == refused ? "test: refused" : nil })
        let held = try await county.storage.heldHashes()
        #expect(held[ops[0].dot] == ops[0].hash)
        #expect(held[ops[1].dot] == ops[1].hash)
        #expect(held.keys.filter { $0.replica == node.replica }.count == 2)
    }
}
