import Foundation
import HearthCore
import HearthLedger
import HearthStore
import Testing

/// What every ledger storage must do with the desk's work: quarantine settled in one
/// transaction, the county's edits and their decisions committed together or not at all.
@Suite("Ledger storage conformance: quarantine and the county's edits")
struct LedgerEditConformanceTests {
    /// A village's household held in quarantine, and the node that pushed it.
    static func heldHousehold(_ county: Fixture) async throws -> (node: NodeRecord, op: Op) {
        let storage = try await county.storage
        let village = try county.node(Fixture.villageA)
        let node = try await county.register(village, name: "east")
        try village.household(in: Fixture.villageA, address: "1 Well Lane")
        let op = try #require(try village.ownOps().first)
        let outcome = try await storage.append(
            PushBatch(node: node, ops: [op], nowMillis: Fixture.start, maxWaiting: 10),
            admission: PushAdmission(writer: node.scope) { _ in "test: held" })
        #expect(outcome.quarantined.count == 1)
        return (node, op)
    }

    @Test("A held op is listed, released once with its audit line, and applied", arguments: LedgerBackend.all)
    func release(backend: LedgerBackend) async throws {
        let county = try await Fixture(backend)
        let (_, op) = try await Self.heldHousehold(county)
        let listed = try await county.storage.quarantine(includeSettled: false)
        #expect(listed.map(\.dot) == [op.dot] && listed.map(\.reason) == ["test: held"])
        #expect(listed.first?.state == "held" && listed.first?.author == "w1")
        let outcome = try await county.storage.settle(op.dot, author: "admin", nowMillis: Fixture.start + 1) { held in
            #expect(held.op == op && held.reason == "test: held" && !held.forked && held.record == nil)
            #expect(held.authorScope?.value == Fixture.villageA)
            return SettlementDecision(
                .release,
                audit: AuditEvent(
                    atMillis: Fixture.start + 1, worker: "admin", action: AuditEvent.Action.release,
                    subject: op.record.value, field: op.dot.description, detail: "test"))
        }
        #expect(outcome.applied?.applied == 1 && outcome.compensation == nil)
        #expect(try await county.storage.quarantine(includeSettled: false).isEmpty)
        #expect(try await county.storage.quarantine(includeSettled: true).map(\.state) == ["released"])
        // Settled once: a second settlement is refused, and decides nothing.
        let again = await #expect(throws: ReplicaError.self) {
            try await county.storage.settle(op.dot, author: "admin", nowMillis: Fixture.start + 2) {
                _ throws(ReplicaError) in
                Issue.record("a settled op was offered for a decision")
                throw ReplicaError.refused("unreachable")
            }
        }
        guard case .invalid? = again else {
            Issue.record("expected an invalid id, got \(String(describing: again))")
            return
        }
    }

    @Test(
        "A discard writes the compensation; a refusing decision rolls everything back", arguments: LedgerBackend.all)
    func discard(backend: LedgerBackend) async throws {
        let county = try await Fixture(backend)
        let (_, op) = try await Self.heldHousehold(county)
        let end = try await county.storage.logEnd()
        let audit = AuditEvent(
            atMillis: Fixture.start, worker: "admin", action: AuditEvent.Action.discard, subject: op.record.value,
            field: op.dot.description, detail: "test")
        await #expect(throws: ReplicaError.self) {
            try await county.storage.settle(op.dot, author: "admin", nowMillis: Fixture.start) {
                _ throws(ReplicaError) in
                throw ReplicaError.refused("the desk changed its mind")
            }
        }
        #expect(try await county.storage.quarantine(includeSettled: false).map(\.dot) == [op.dot])
        #expect(try await county.storage.logEnd() == end)
        let outcome = try await county.storage.settle(op.dot, author: "admin", nowMillis: Fixture.start) { _ in
            SettlementDecision(.compensate(restoring: ["address": .null], cause: "test", addressed: true), audit: audit)
        }
        let compensation = try #require(outcome.compensation)
        #expect(compensation.voids == [op.dot] && compensation.record == op.record)
        #expect(compensation.author == "admin")
        #expect(try await county.storage.quarantine(includeSettled: true).map(\.state) == ["discarded"])
        #expect(try await county.storage.logEnd() > end)
    }

    @Test("The county's edits and their decisions commit together, or not at all", arguments: LedgerBackend.all)
    func edits(backend: LedgerBackend) async throws {
        let county = try await Fixture(backend)
        let countyWide = try #require(DivisionCode.countyWide(Fixture.county))
        let from = try Month.parse("2026-01", field: "from")
        let (made, ops) = try await county.storage.edit(author: "admin", nowMillis: Fixture.start) { edit in
            #expect(try edit.standard(program: "dibao_rural", band: "", from: from) == nil)
            let id = try edit.create(
                .standard, village: countyWide,
                fields: [
                    "program": .text("dibao_rural"), "band": .text(""), "from_month": .text("2026-01"),
                    "amount": .integer(60_000),
                ], cause: "test standard")
            #expect(try edit.state(of: id) != nil)
            let op = try edit.update(id, fields: ["amount": .integer(61_000)], cause: "raised")
            try edit.record(
                DecisionDraft(
                    kind: "resolution", record: id.value, field: "amount", rule: "R4b", choice: "value", note: "test",
                    op: op.dot.description))
            return id
        }
        #expect(ops.count == 2 && ops.allSatisfy { $0.record == made })
        let found = try await county.storage.edit(author: "admin", nowMillis: Fixture.start) { edit in
            try edit.standard(program: "dibao_rural", band: "", from: from)
        }
        #expect(found.result == made && found.ops.isEmpty)
        let decisions = try await county.storage.decisions()
        #expect(decisions.count == 1)
        #expect(decisions.first?.worker == "admin" && decisions.first?.atMillis == Fixture.start)
        #expect(decisions.first?.op == ops[1].dot.description && decisions.first?.field == "amount")
        // A body that throws leaves nothing: no op, no decision.
        let end = try await county.storage.logEnd()
        await #expect(throws: (any Error).self) {
            _ = try await county.storage.edit(author: "admin", nowMillis: Fixture.start) { edit in
                _ = try edit.create(.setting, village: countyWide, fields: ["name": .text("x")], cause: nil)
                try edit.record(
                    DecisionDraft(
                        kind: "acknowledgement", record: "x", field: nil, rule: "R1", choice: "reviewed", note: "",
                        op: ""))
                throw ReplicaError.refused("changed my mind")
            }
        }
        #expect(try await county.storage.logEnd() == end)
        #expect(try await county.storage.decisions().count == 1)
        let absent = try await county.storage.edit(author: "admin", nowMillis: Fixture.start) { edit in
            try edit.setting(named: "x") == nil
        }
        #expect(absent.result)
    }

    @Test(
        "An edit settled in parts reads what it settled and commits it all, or, when it throws after settling, nothing",
        arguments: LedgerBackend.all)
    func settledInParts(backend: LedgerBackend) async throws {
        let county = try await Fixture(backend)
        let countyWide = try #require(DivisionCode.countyWide(Fixture.county))
        let from = try Month.parse("2026-01", field: "from")
        @Sendable func standard(_ program: String) -> [String: FieldValue] {
            ["program": .text(program), "band": .text(""), "from_month": .text("2026-01"), "amount": .integer(60_000)]
        }
        let end = try await county.storage.logEnd()
        // Thrown after two parts were settled: nothing of any part is left.
        await #expect(throws: (any Error).self) {
            _ = try await county.storage.edit(author: "admin", nowMillis: Fixture.start) { edit in
                _ = try edit.create(.standard, village: countyWide, fields: standard("dibao_rural"), cause: nil)
                try edit.settle()
                _ = try edit.create(.standard, village: countyWide, fields: standard("dibao_urban"), cause: nil)
                try edit.settle()
                throw ReplicaError.refused("changed my mind")
            }
        }
        #expect(try await county.storage.logEnd() == end)
        let none = try await county.storage.edit(author: "admin", nowMillis: Fixture.start) { edit in
            try edit.standard(program: "dibao_rural", band: "", from: from)
        }
        #expect(none.result == nil)

        let (made, ops) = try await county.storage.edit(author: "admin", nowMillis: Fixture.start) { edit in
            let first = try edit.create(.standard, village: countyWide, fields: standard("dibao_rural"), cause: nil)
            // Not settled yet: the table does not list it; its state is the change set's.
            #expect(try edit.standard(program: "dibao_rural", band: "", from: from) == nil)
            try edit.settle()
            #expect(try edit.standard(program: "dibao_rural", band: "", from: from) == first)
            #expect(try edit.state(of: first)?.resolution(of: "amount").value.integerValue == 60_000)
            // A settled record is edited in the next part, on its settled state.
            try edit.update(first, fields: ["amount": .integer(62_000)], cause: "raised")
            let second = try edit.create(.standard, village: countyWide, fields: standard("dibao_urban"), cause: nil)
            return [first, second]
        }
        // The ops returned are those since the last settle.
        #expect(ops.map(\.record) == [made[0], made[1]])
        let (amounts, _) = try await county.storage.edit(author: "admin", nowMillis: Fixture.start) { edit in
            try made.map { try edit.state(of: $0)?.resolution(of: "amount").value.integerValue }
        }
        #expect(amounts == [62_000, 60_000])
        #expect(try await county.storage.logEnd() > end)
    }

    @Test("A month's roll locks once, and never before a month locked later", arguments: LedgerBackend.all)
    func rollLocks(backend: LedgerBackend) async throws {
        let county = try await Fixture(backend)
        func roll(_ month: String) throws -> Payroll {
            try Payroll(month: try Month.parse(month, field: "month"), rows: [], leftOut: [:])
        }
        try await county.storage.lock(try roll("2026-03"), worker: "admin", nowMillis: Fixture.start)
        for month in ["2026-03", "2026-02"] {
            let refused = await #expect(throws: ReplicaError.self) {
                try await county.storage.lock(try roll(month), worker: "admin", nowMillis: Fixture.start)
            }
            guard case .invalid(let input)? = refused else {
                Issue.record("expected the month refused, got \(String(describing: refused))")
                continue
            }
            #expect(input.field == "month")
        }
        try await county.storage.lock(try roll("2026-04"), worker: "admin", nowMillis: Fixture.start)
        #expect(try await county.storage.lockedMonths() == [try roll("2026-03").month, try roll("2026-04").month])
    }
}
