import Foundation
import HearthCore
import HearthLedger
import HearthStore
import Testing

@Suite("The names of places: county configuration the hub sets and every node receives")
struct DivisionTests {
    @Test("names set on the hub reach a village and a township node over real sync; a rename reaches them too")
    func namesReplicate() async throws {
        let county = try TestCounty()
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let township = try await county.node(name: "township-101", scope: TestCounty.township, hubURL: url)
            let set = try await county.hub.setDivision(
                code: TestCounty.township, name: "沙河镇", note: nil, author: "admin", nowMillis: TestCounty.now)
            #expect(set.change == .added)
            _ = try await county.hub.setDivision(
                code: TestCounty.village1, name: "新庄村", note: "民政发/2026", author: "admin",
                nowMillis: TestCounty.now)
            try await county.syncRounds([village, township], url: url)
            for node in [village, township] {
                let names = try node.divisionNames()
                #expect(names.name(of: TestCounty.township) == "沙河镇")
                #expect(names.label(TestCounty.village1) == "421281101001 新庄村")
                #expect(names.label(TestCounty.village2) == TestCounty.village2, "no name: the code alone")
                #expect(try node.divisions().map(\.id) == (try county.hub.replica.divisions().map(\.id)))
            }
            let renamed = try await county.hub.setDivision(
                code: "４２１２８１１０１", name: " 沙河镇人民政府 ", note: nil, author: "admin", nowMillis: TestCounty.now)
            #expect(renamed.change == .renamed && renamed.id == set.id, "the same record, renamed; full-width digits")
            let again = try await county.hub.setDivision(
                code: TestCounty.township, name: "沙河镇人民政府", note: nil, author: "admin", nowMillis: TestCounty.now)
            #expect(again.change == .unchanged)
            try await county.syncRounds([village], url: url, rounds: 1)
            #expect(try village.divisionNames().name(of: TestCounty.township) == "沙河镇人民政府")
        }
    }

    @Test("a code outside the county, of the wrong length, or with a 000 township or village part is refused")
    func badCodes() async throws {
        let county = try TestCounty()
        for code in ["421282101", "4212811010", "421281000", "421281101000", "42128110100x", "", "421281"] {
            await #expect(throws: ReplicaError.self, "\(code)") {
                _ = try await county.hub.setDivision(
                    code: code, name: "某地", note: nil, author: "admin", nowMillis: TestCounty.now)
            }
        }
        for name in ["", "   ", "新\u{202E}庄", String(repeating: "村", count: 65)] {
            await #expect(throws: ReplicaError.self, "\(name)") {
                _ = try await county.hub.setDivision(
                    code: TestCounty.village1, name: name, note: nil, author: "admin", nowMillis: TestCounty.now)
            }
        }
        #expect(try county.hub.replica.divisions().isEmpty)
    }

    @Test(
        "a node that forges a name, or renames one the county set, is quarantined (R14) whatever its scope claims"
    )
    func nodesCannotName() async throws {
        let county = try TestCounty()
        try await withRunningHub(county.service()) { url in
            let township = try await county.node(name: "township-101", scope: TestCounty.township, hubURL: url)
            let named = try await county.hub.setDivision(
                code: TestCounty.village1, name: "新庄村", note: nil, author: "admin", nowMillis: TestCounty.now)
            try await county.syncRounds([township], url: url)
            let forger = try Forger(township, url: url, hubKey: county.hub.info.publicKey)
            let countyWide = TestCounty.county + "000000"
            let rename = try forger.op(
                record: named.id, scope: countyWide, fields: ["name": .text("冒名村")],
                context: try county.hub.replica.state(of: named.id)!.clock)
            let renameInVillage = try forger.op(
                record: named.id, scope: TestCounty.village1, fields: ["name": .text("冒名村")],
                context: try county.hub.replica.state(of: named.id)!.clock)
            let created = try forger.op(
                creates: .division, scope: countyWide,
                fields: ["village": .text(countyWide), "code": .text(TestCounty.village2), "name": .text("冒名村")])
            let response = try await forger.pushAnswered([rename, renameInVillage, created])
            #expect(response.applied == 0)
            #expect(response.quarantined.map(\.dot) == [rename.dot, renameInVillage.dot, created.dot])
            #expect(
                response.quarantined.allSatisfy { $0.reason.contains("R14") }, "\(response.quarantined.map(\.reason))")
            #expect(try county.hub.replica.divisionNames().name(of: TestCounty.village1) == "新庄村")
            #expect(try county.hub.replica.divisionNames().name(of: TestCounty.village2) == nil)
        }
    }

    @Test("no node is enrolled for the township part 000, whose scope would hold the county's own configuration")
    func noCountyWideTownship() async throws {
        let county = try TestCounty()
        for scope in ["421281000", "421281000001"] {
            await #expect(throws: ReplicaError.self, "\(scope)") {
                _ = try await county.hub.createEnrollment(
                    name: "n-\(scope)", scope: try ScopePrefix.parse(scope, field: "scope"), nowMillis: TestCounty.now)
            }
        }
    }

    @Test("the roll's files and the report name townships and villages beside their codes")
    func namesInRollAndReport() async throws {
        let county = try TestCounty()
        let hub = county.hub
        _ = try await hub.setDivision(
            code: TestCounty.township, name: "沙河镇", note: nil, author: "admin", nowMillis: TestCounty.now)
        _ = try await hub.setDivision(
            code: TestCounty.village1, name: "新庄村", note: nil, author: "admin", nowMillis: TestCounty.now)
        let home = try hub.replica.household(in: TestCounty.village1, address: "一组")
        let member = try hub.replica.member(of: home, name: "甲", idNumber: idNumber(born: "19600101", sequence: "011"))
        try hub.replica.edit(home) { $0.bankCard = "6222020200112233445" }
        let enrollment = try hub.replica.enroll(
            EnrollInput(member: member.value, program: "dibao_rural", amount: "560", start: "2026-01"), author: "a",
            nowMillis: TestCounty.now)[0]
        try hub.replica.changeEnrollment(enrollment.value, .approve, note: nil, author: "a", nowMillis: TestCounty.now)
        let month = try Month.parse("2026-11", field: "month")
        let report = try hub.replica.report(from: month, to: month, by: .village, nowMillis: TestCounty.now)
        let rows = ReportTable.rows(report, names: try hub.replica.divisionNames())
        #expect(rows.first?.first == "421281101001 新庄村", "\(rows)")
        let roll = try await hub.bankRoll(try hub.replica.payroll(for: month, nowMillis: TestCounty.now))
        let out = county.directory + "/roll.csv"
        let paths = try await hub.writeRoll(roll, to: out, worker: "admin", nowMillis: TestCounty.now)
        let summary = try String(contentsOfFile: paths.summary, encoding: .utf8)
        #expect(summary.contains("\r\n乡镇(街道)小计,421281101,沙河镇,"), "\(summary)")
        #expect(summary.contains("\r\n村(社区)小计,421281101001,新庄村,"), "\(summary)")
        #expect(summary.contains("\r\n县(市、区)合计,421281,\(hub.info.name),"), "\(summary)")
        let bank = try String(contentsOfFile: paths.disbursement, encoding: .utf8)
        #expect(bank.contains("\r\n1,421281101,沙河镇,421281101001,新庄村,\(home.value),"), "\(bank)")
    }
}
