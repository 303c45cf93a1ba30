import Foundation
import HearthCore
import HearthLedger
import HearthStore
import Testing

@Suite("Program standards: dated county configuration, replicated as ops")
struct StandardTests {
    /// An approved rural dibao enrollment of a new person at the hub.
    private func approved(_ hub: HubLedger, _ name: String, _ id: String, amount: String) throws -> RecordID {
        let home = try hub.replica.household(in: TestCounty.village1, address: name)
        let member = try hub.replica.member(of: home, name: name, idNumber: id)
        let enrollment = try hub.replica.enroll(
            EnrollInput(member: member.value, program: "dibao_rural", amount: amount, start: "2026-01"), author: "a",
            nowMillis: TestCounty.now)[0]
        try hub.replica.changeEnrollment(enrollment.value, .approve, note: nil, author: "a", nowMillis: TestCounty.now)
        return enrollment
    }

    private func month(_ text: String) throws -> Month { try Month.parse(text, field: "month") }

    private func amounts(_ roll: Payroll) -> [RecordID: Int64] {
        Dictionary(roll.rows.filter { $0.kind == .regular }.map { ($0.enrollment, $0.amount.fen) }, uniquingKeysWith: +)
    }

    @Test("a standard raise changes next month's roll and no earlier one; amounts set apart from the standard stay")
    func raiseChangesOnlyLaterMonths() async throws {
        let county = try TestCounty()
        let hub = county.hub
        _ = try await hub.setStandard(
            program: "dibao_rural", band: nil, from: "2026-01", amount: "560", note: "2026 standard", author: "admin",
            nowMillis: TestCounty.now)
        let standard = try approved(hub, "甲", idNumber(born: "19600101", sequence: "011"), amount: "560")
        let special = try approved(hub, "乙", idNumber(born: "19610101", sequence: "021"), amount: "420")
        let november = try hub.replica.payroll(for: try month("2026-11"), nowMillis: TestCounty.now)
        #expect(amounts(november) == [standard: 56_000, special: 42_000])

        // The yearly raise from December, by its Chinese name as a clerk would type it.
        _ = try await hub.setStandard(
            program: "农村低保", band: nil, from: "2026-12", amount: "600", note: nil, author: "admin",
            nowMillis: TestCounty.now)
        #expect(
            amounts(try hub.replica.payroll(for: try month("2026-11"), nowMillis: TestCounty.now)) == amounts(november))
        #expect(
            amounts(try hub.replica.payroll(for: try month("2026-12"), nowMillis: TestCounty.now)) == [
                standard: 60_000, special: 42_000,
            ])
        #expect(try hub.replica.payingSchedule(of: standard)?.description == "2026-01:56000;2026-12:60000")
        // The enrollment record itself was not edited: no op, no conflict.
        #expect(try hub.replica.state(of: standard)?.resolution(of: "amount").value == .text("2026-01:56000"))
        #expect(try hub.replica.state(of: standard)?.conflicts.isEmpty == true)

        // An amount set on the enrollment itself wins from its month, whatever the standard.
        try hub.replica.changeAmount(
            standard.value, amount: "580", from: "2027-02", reason: "核减", author: "a", nowMillis: TestCounty.now)
        #expect(
            amounts(try hub.replica.payroll(for: try month("2027-01"), nowMillis: TestCounty.now))[standard] == 60_000)
        #expect(
            amounts(try hub.replica.payroll(for: try month("2027-02"), nowMillis: TestCounty.now))[standard] == 58_000)

        // Setting the same program and month again changes that standard; a raise chains on.
        _ = try await hub.setStandard(
            program: "dibao_rural", band: nil, from: "2026-12", amount: "610", note: nil, author: "admin",
            nowMillis: TestCounty.now)
        #expect(try hub.replica.standards().count == 2)
        #expect(
            amounts(try hub.replica.payroll(for: try month("2026-12"), nowMillis: TestCounty.now))[standard] == 61_000)
    }

    @Test("a raise into a locked month is paid as back pay in the next roll, never by rewriting the locked one")
    func raiseIntoLockedMonth() async throws {
        let county = try TestCounty()
        let hub = county.hub
        _ = try await hub.setStandard(
            program: "dibao_rural", band: nil, from: "2026-01", amount: "560", note: nil, author: "admin",
            nowMillis: TestCounty.now)
        let enrollment = try approved(hub, "甲", idNumber(born: "19600101", sequence: "011"), amount: "560")
        let october = try hub.replica.payroll(for: try month("2026-10"), nowMillis: TestCounty.now)
        try await hub.lock(october, worker: "admin", nowMillis: TestCounty.now)
        _ = try await hub.setStandard(
            program: "dibao_rural", band: nil, from: "2026-10", amount: "600", note: "补发", author: "admin",
            nowMillis: TestCounty.now)
        #expect(
            try hub.replica.payroll(for: try month("2026-10"), nowMillis: TestCounty.now).total == Money(fen: 56_000))
        let next = try hub.replica.payroll(for: try month("2026-11"), nowMillis: TestCounty.now)
        #expect(next.rows.filter { $0.kind == .regular }.map(\.amount) == [Money(fen: 60_000)])
        let backPay = next.rows.filter { $0.kind == .backPay }
        #expect(backPay.map(\.enrollment) == [enrollment])
        #expect(backPay.map(\.amount) == [Money(fen: 4_000)])
    }

    @Test("standards reach every node of the county, stay there, and only the hub sets them")
    func standardsReplicate() async throws {
        let county = try TestCounty()
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            let home = try village.household(in: TestCounty.village1, address: "新庄村三组12号")
            let member = try village.member(
                of: home, name: "王秀英", idNumber: idNumber(born: "19600101", sequence: "011"))
            try village.edit(home) { $0.phone = "13800001111" }
            _ = try await county.hub.setStandard(
                program: "disability_living", band: "1-2", from: "2026-01", amount: "80", note: nil, author: "admin",
                nowMillis: TestCounty.now)
            _ = try await county.hub.setStandard(
                program: "disability_living", band: "1-2", from: "2027-01", amount: "90", note: nil, author: "admin",
                nowMillis: TestCounty.now)
            try await county.syncRounds([village, township], url: url, rounds: 2)
            let expected = try county.hub.replica.standards().map { "\($0.id) \($0.standard)" }
            #expect(expected.count == 2)
            for node in [village, township] {
                #expect(try node.standards().map { "\($0.id) \($0.standard)" } == expected)
            }
            // A node cannot set a standard: `setStandard` exists only on the hub's ledger, so calling it on
            // a village's replica does not compile. The county's records stay the county's to write.
            await #expect(throws: ReplicaError.self) {
                _ = try await county.hub.setStandard(
                    program: "dibao_rural", band: "1-2", from: "2027-01", amount: "600", note: nil, author: "admin",
                    nowMillis: TestCounty.now)
            }
            // The village's own records are untouched by the county-wide code.
            #expect(try village.state(of: member)?.village == TestCounty.village1)
            #expect(try village.state(of: home)?.resolution(of: "phone").value == .text("13800001111"))
        }
    }

    @Test(
        "a node that forges a change to a county setting, or a new one, is quarantined (R14); the county's rule stands")
    func settingsAreTheHubs() async throws {
        let county = try TestCounty()
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let setting = try await county.hub.setSetting(
                name: "death_month", value: "stopped", note: nil, author: "admin", nowMillis: TestCounty.now)
            try await county.syncRounds([village], url: url, rounds: 2)
            #expect(try village.countyRules().deathMonth == .stopped)
            let forger = try Forger(village, url: url, hubKey: county.hub.info.publicKey)
            let edit = try forger.op(
                record: setting, scope: TestCounty.village1, fields: ["value": .text("paid")],
                context: try county.hub.replica.state(of: setting)!.clock)
            let created = try forger.op(
                creates: .setting, scope: TestCounty.county + "000000",
                fields: ["name": .text("top_up_raise"), "value": .text("stays")])
            let response = try await forger.pushAnswered([edit, created])
            #expect(response.applied == 0)
            #expect(response.quarantined.map(\.dot) == [edit.dot, created.dot])
            #expect(
                response.quarantined.allSatisfy { $0.reason.contains("R14") }, "\(response.quarantined.map(\.reason))")
            #expect(try county.hub.replica.countyRules() == CountyRules(deathMonth: .stopped, topUpRaise: .follows))
        }
    }

    @Test("an enrollment without an amount takes the standard in force for its program and band, or says to give one")
    func enrollAtTheStandard() async throws {
        let county = try TestCounty()
        let hub = county.hub
        for (program, band, from, yuan) in [
            ("dibao_rural", "", "2026-01", "560"), ("dibao_rural", "", "2027-01", "600"),
            ("disability_living", "1-2", "2026-01", "80"), ("disability_living", "3-4", "2026-01", "40"),
            ("orphan", "scattered", "2026-01", "1300"), ("orphan", "institutional", "2026-01", "2080"),
        ] {
            _ = try await hub.setStandard(
                program: program, band: band, from: from, amount: yuan, note: nil, author: "admin",
                nowMillis: TestCounty.now)
        }
        let home = try hub.replica.household(in: TestCounty.village1, address: "一组")
        let adult = try hub.replica.member(of: home, name: "甲", idNumber: idNumber(born: "19600101", sequence: "011"))
        let child = try hub.replica.member(
            of: home, name: "乙", idNumber: idNumber(born: "20150101", sequence: "021"), relation: "child")
        var grade = MemberInput()
        grade.disabilityGrade = 3
        try hub.replica.editMember(adult.value, grade, author: "a", nowMillis: TestCounty.now)
        /// The schedule recorded (`std`: it follows the standard) and what it pays.
        func enroll(_ member: RecordID, _ program: String, _ start: String) throws -> String? {
            let id = try hub.replica.enroll(
                EnrollInput(member: member.value, program: program, amount: nil, start: start), author: "a",
                nowMillis: TestCounty.now)[0]
            let recorded = try hub.replica.state(of: id)?.resolution(of: "amount").value.textValue ?? ""
            return recorded + " pays " + (try hub.replica.payingSchedule(of: id)?.description ?? "")
        }
        #expect(try enroll(adult, "dibao_rural", "2026-06") == "2026-06:std pays 2026-06:56000;2027-01:60000")
        #expect(try enroll(child, "dibao_rural", "2027-02") == "2027-02:std pays 2027-02:60000")
        #expect(
            try enroll(adult, "disability_living", "2026-06") == "2026-06:std pays 2026-06:4000",
            "grade 3 is in the 3-4 band")
        // Placement is not in the records, and two bands differ: the worker must say.
        #expect(throws: ReplicaError.self) { _ = try enroll(child, "orphan", "2026-06") }
        // No standard for the program at all.
        #expect(throws: ReplicaError.self) { _ = try enroll(child, "temporary", "2026-06") }
    }
}
