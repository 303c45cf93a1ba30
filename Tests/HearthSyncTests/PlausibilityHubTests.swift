import Foundation
import GRDB
import HearthClient
import HearthCore
import HearthProtocol
import HearthLedger
import HearthStore
import Testing

/// R6 at the hub, over real HTTP: a node's op that grants an implausible enrollment is
/// quarantined, judged by the hub's own state, unless its cause carries an override reason,
/// which the hub's audit then keeps.
@Suite("Plausibility at the hub (R6): a node's implausible enrollment is quarantined")
struct PlausibilityHubTests {
    /// The hub holds the rural dibao standard 560 from 2026-01; village 1 has a rural
    /// household with a member born in 1949 and an application for rural dibao at 560. The
    /// forger is a second registered node of village 1: it may write there, so only R6 stops it.
    struct Scene {
        let county: TestCounty
        let village: Replica
        let home: RecordID
        let member: RecordID
        let enrollment: RecordID
        let forger: Forger

        init(_ county: TestCounty, url: String) async throws {
            self.county = county
            _ = try await county.hub.setStandard(
                program: "dibao_rural", band: nil, from: "2026-01", amount: "560", note: nil, author: "admin",
                nowMillis: TestCounty.now)
            village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            try await county.sync(village, url: url)
            home = try village.household(in: TestCounty.village1, address: "一组")
            member = try village.member(of: home, name: "王五", idNumber: "11010519491231002X")
            enrollment = try village.enroll(
                EnrollInput(member: member.value, program: "dibao_rural", amount: "560", start: "2026-01"),
                author: "w1", nowMillis: TestCounty.now)[0]
            try await county.sync(village, url: url)
            let laptop = try await county.node(name: "village-001-b", scope: TestCounty.village1, hubURL: url)
            forger = try Forger(laptop, url: url, hubKey: county.hub.info.publicKey)
        }

        /// A forged application for `program` at `amount` fen a month from 2026-01.
        func application(program: String = "dibao_rural", amount: String, cause: String? = nil) throws -> Op {
            try forger.op(
                creates: .enrollment, scope: TestCounty.village1,
                fields: [
                    "village": .text(TestCounty.village1), "member": .text(member.value),
                    "household": .text(home.value), "program": .text(program), "status": .text("applied"),
                    "decision": .text("pending"), "amount": .text(amount), "start_month": .text("2026-01"),
                ], cause: cause)
        }

        /// A forged edit of the village's application.
        func edit(_ fields: [String: FieldValue], cause: String? = nil) throws -> Op {
            try forger.op(
                record: enrollment, scope: TestCounty.village1, fields: fields,
                context: try county.hub.replica.state(of: enrollment)!.clock, cause: cause)
        }

        /// A field of the village's application as the hub holds it.
        func held(_ field: String) throws -> String? {
            try county.hub.replica.state(of: enrollment)?.resolution(of: field).value.textValue
        }

        func overrides() async throws -> [Decision] {
            try await county.hub.decisions().filter { $0.rule == "R6" && $0.choice == "override" }
        }
    }

    @Test("a forged 56,000 yuan a month of rural dibao is quarantined (R6); with an override it applies, audited")
    func forgedCeiling() async throws {
        let county = try TestCounty()
        try await withRunningHub(county.service()) { url in
            let scene = try await Scene(county, url: url)
            let slip = try scene.application(amount: "2026-01:5600000")
            let refused = try await scene.forger.pushAnswered([slip])
            #expect(refused.applied == 0)
            #expect(refused.quarantined.map(\.dot) == [slip.dot])
            let reason = refused.quarantined.first?.reason ?? ""
            #expect(reason.hasPrefix("R6:"), "\(reason)")
            #expect(reason.contains("56000.00 yuan a month from 2026-01 is above the dibao_rural ceiling of 560.00"))
            #expect(try county.hub.replica.state(of: slip.record) == nil)
            #expect(try await scene.overrides().isEmpty)

            let meant = try scene.application(
                amount: "2026-01:120000", cause: Plausibility.cause(nil, override: "因病致贫，县局特批"))
            let accepted = try await scene.forger.pushAnswered([meant])
            #expect(accepted.quarantined.isEmpty)
            #expect(accepted.applied == 1)
            #expect(try county.hub.replica.state(of: meant.record) != nil)
            let audit = try await scene.overrides()
            #expect(audit.map(\.record) == [meant.record.value])
            #expect(audit.first?.worker == "w9")
            #expect(audit.first?.note == "plausibility override: 因病致贫，县局特批")
            #expect(audit.first?.op == meant.dot.description)
        }
    }

    @Test("by the hub's own records: urban dibao for its rural household, a slip in an amount change, are quarantined")
    func forgedEdits() async throws {
        let county = try TestCounty()
        try await withRunningHub(county.service()) { url in
            let scene = try await Scene(county, url: url)
            let urban = try scene.application(program: "dibao_urban", amount: "2026-01:56000")
            let program = try scene.edit(["program": .text("dibao_urban")])
            let raise = try scene.edit(["amount": .text("2026-01:56000;2026-07:5600000")])
            let answer = try await scene.forger.pushAnswered([urban, program, raise])
            #expect(answer.applied == 0)
            let reasons = answer.quarantined.map(\.reason)
            try #require(reasons.count == 3, "every op is quarantined: \(answer.applied) applied")
            #expect(reasons.allSatisfy { $0.hasPrefix("R6:") }, "\(reasons)")
            #expect(reasons[0].contains("for urban households; this household is rural"))
            #expect(reasons[1].contains("for urban households; this household is rural"))
            #expect(reasons[2].contains("from 2026-07 is above the dibao_rural ceiling"))
            #expect(try scene.held("program") == "dibao_rural")
            #expect(try scene.held("amount") == "2026-01:56000")
        }
    }

    @Test("an amount change within the ceiling, and entries kept from before, pass")
    func forgedPlausible() async throws {
        let county = try TestCounty()
        try await withRunningHub(county.service()) { url in
            let scene = try await Scene(county, url: url)
            let lower = try scene.edit(["amount": .text("2026-01:56000;2026-07:23400")])
            let answer = try await scene.forger.pushAnswered([lower])
            #expect(answer.quarantined.isEmpty)
            #expect(answer.applied == 1)
            #expect(try await scene.overrides().isEmpty)
        }
    }

    @Test("a field worker's override travels with the op: the hub applies it, its audit names worker and reason")
    func nodeOverride() async throws {
        let county = try TestCounty()
        try await withRunningHub(county.service()) { url in
            let scene = try await Scene(county, url: url)
            try scene.village.changeAmount(
                scene.enrollment.value, amount: "1500", from: "2026-07", reason: "核定", override: "重病，乡镇会审同意",
                author: "w1", nowMillis: TestCounty.now)
            try await county.sync(scene.village, url: url)
            #expect(try await county.hub.quarantine().isEmpty)
            #expect(try scene.held("amount") == "2026-01:56000;2026-07:150000")
            let audit = try await scene.overrides()
            #expect(audit.map(\.worker) == ["w1"])
            #expect(audit.first?.note == "plausibility override: 重病，乡镇会审同意")
            let history = try county.hub.replica.log(record: scene.enrollment).compactMap(\.op.cause)
            #expect(history.contains("amount change: 核定; plausibility override: 重病，乡镇会审同意"))
        }
    }
}
