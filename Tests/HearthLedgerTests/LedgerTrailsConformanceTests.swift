import Foundation
import HearthCore
import HearthLedger
import Testing

@testable import HearthStore

/// What every ledger storage must answer from its trails and its locked rolls: the audit's
/// pages (events and decisions together, newest first, filtered alike), and what was paid
/// after a death.
@Suite("Ledger storage conformance: the audit and what was paid after a death")
struct LedgerTrailsConformanceTests {
    @Test(
        "The audit pages events and decisions together, newest first, each filter on both trails",
        arguments: LedgerBackend.all)
    func auditPages(backend: LedgerBackend) async throws {
        let county = try await Fixture(backend)
        let storage = try await county.storage
        // Three transactions at three times: an event, then a decision and an event at one time.
        _ = try await storage.edit(author: "li", nowMillis: 1_000) { edit in
            try edit.audit(
                AuditEvent(
                    atMillis: 1_000, worker: "li", action: "export", subject: "roll.csv", field: "bank_card",
                    detail: "12 lines"))
        }
        _ = try await storage.edit(author: "wang", nowMillis: 2_000) { edit in
            try edit.record(
                DecisionDraft(
                    kind: "resolution", record: "H-1", field: "address", rule: "R4b", choice: "value", note: "checked",
                    op: "abc:7"))
            try edit.audit(
                AuditEvent(
                    atMillis: 2_000, worker: "wang", action: "reveal", subject: "H-1", field: "bank_card",
                    detail: ""))
        }
        _ = try await storage.edit(author: "li", nowMillis: 3_000) { edit in
            try edit.record(
                DecisionDraft(
                    kind: "acknowledgement", record: "M-2", field: nil, rule: "R1", choice: "reviewed", note: "", op: ""
                ))
        }
        let all = try await storage.audit(AuditQuery(), limit: 10, offset: 0)
        #expect(all.total == 4)
        #expect(all.lines.map(\.atMillis) == [3_000, 2_000, 2_000, 1_000])
        // At one time a decision comes before an event.
        #expect(all.lines.map(\.decision) == [true, true, false, false])
        #expect(
            all.lines[0].field == ""
                && all.lines[0].detail == "rule R1 (set \(ConflictRules.ruleSetVersion)), reviewed: ")
        #expect(
            all.lines[1].detail == "rule R4b (set \(ConflictRules.ruleSetVersion)), value: checked [op abc:7]"
                && all.lines[1].action == "resolution" && all.lines[1].field == "address")
        #expect(
            all.lines[3]
                == AuditLine(
                    atMillis: 1_000, worker: "li", action: "export", record: "roll.csv", field: "bank_card",
                    detail: "12 lines", decision: false))

        let page = try await storage.audit(AuditQuery(), limit: 2, offset: 1)
        #expect(page.total == 4 && page.lines == Array(all.lines[1...2]))
        let byWorker = try await storage.audit(AuditQuery(worker: "li"), limit: 10, offset: 0)
        #expect(byWorker.total == 2 && byWorker.lines.map(\.atMillis) == [3_000, 1_000])
        let byAction = try await storage.audit(AuditQuery(action: "resolution"), limit: 10, offset: 0)
        #expect(byAction.total == 1 && byAction.lines.map(\.record) == ["H-1"])
        let byRecord = try await storage.audit(AuditQuery(record: "H-1"), limit: 10, offset: 0)
        #expect(byRecord.total == 2 && byRecord.lines.map(\.decision) == [true, false])
        let byTime = try await storage.audit(AuditQuery(fromMillis: 2_000, beforeMillis: 3_000), limit: 10, offset: 0)
        #expect(byTime.total == 2 && byTime.lines.allSatisfy { $0.atMillis == 2_000 })
        let none = try await storage.audit(AuditQuery(worker: "zhao"), limit: 10, offset: 0)
        #expect(none.total == 0 && none.lines.isEmpty)
        #expect(try await storage.decisions().map(\.record) == ["H-1", "M-2"])
    }

    @Test(
        "Months paid after a death are owed back, net of recoveries, from the locked rolls only",
        arguments: LedgerBackend.all)
    func paidAfterDeath(backend: LedgerBackend) async throws {
        let county = try await Fixture(backend)
        let storage = try await county.storage
        let village = try DivisionCode.parse(Fixture.villageA, field: "village")
        let (members, _) = try await storage.edit(author: "admin", nowMillis: Fixture.start) { edit in
            let dead = try edit.create(
                .member, village: village,
                fields: [
                    "name": .text("Zhang"), "vital_status": .text("deceased"), "death_date": .text("2026-03-15"),
                ], cause: nil)
            let living = try edit.create(.member, village: village, fields: ["name": .text("Li")], cause: nil)
            return [dead, living]
        }
        let (dead, living) = (members[0], members[1])
        func line(_ member: RecordID, _ month: String, _ fen: Int64, _ kind: PayrollRow.Kind) throws -> PayrollRow {
            PayrollRow(
                enrollment: try #require(RecordID(member == dead ? "E-000000000000-1" : "E-000000000000-2")),
                household: "", member: member, name: "", idNumber: "",
                program: .dibaoRural, amount: Money(fen: fen), bankCard: "", village: Fixture.villageA, kind: kind,
                forMonth: try Month.parse(month, field: "month"))
        }
        #expect(try await storage.paidAfterDeath().isEmpty)
        // March (the month of the death) is paid under the standard rule; April and May are
        // not, and April was recovered already.
        try await storage.lock(
            try Payroll(
                month: try Month.parse("2026-05", field: "month"),
                rows: [
                    try line(dead, "2026-03", 600, .backPay), try line(dead, "2026-04", 600, .backPay),
                    try line(dead, "2026-04", -600, .recovery), try line(dead, "2026-05", 650, .regular),
                    try line(living, "2026-05", 650, .regular),
                ], leftOut: [:]),
            worker: "admin", nowMillis: Fixture.start)
        let owed = try await storage.paidAfterDeath()
        #expect(owed.count == 1)
        #expect(owed.first?.member == dead && owed.first?.name == "Zhang" && owed.first?.village == Fixture.villageA)
        #expect(owed.first?.months == [try Month.parse("2026-05", field: "month")])
        #expect(owed.first?.amount == Money(fen: 650) && owed.first?.lead == nil)
        #expect(owed.first?.deathDate == (try CivilDate.parse("2026-03-15", field: "death")))

        // The locked roll read back: with its payees for the bank, or only its places and sums
        // for a report (no name read, no number).
        let snapshots = try #require(try await county.storage as? any ReplicaSnapshots)
        let info = storage.info
        let keys = county.keys
        let month = try Month.parse("2026-05", field: "month")
        let (paid, summed) = try await snapshots.snapshot { sql in
            let reading = ReplicaTransaction(sql: sql, info: info, keys: keys, role: HubApplyRole())
            return (try reading.lockedRoll(month), try reading.lockedRoll(month, payees: false))
        }
        let bank = try #require(paid)
        let report = try #require(summed)
        #expect(bank.locked && report.locked && bank.rows.count == 5 && report.rows.count == 5)
        #expect(bank.rows.filter { $0.member == dead }.allSatisfy { $0.name == "Zhang" })
        #expect(report.rows.allSatisfy { $0.name.isEmpty && $0.idNumber.isEmpty && $0.bankCard.isEmpty })
        #expect(report.rows.map(\.enrollment) == bank.rows.map(\.enrollment))
        #expect(report.rows.map(\.amount) == bank.rows.map(\.amount))
        #expect(report.rows.map(\.kind) == bank.rows.map(\.kind))
        #expect(report.rows.map(\.forMonth) == bank.rows.map(\.forMonth))
        #expect(report.rows.allSatisfy { $0.village == Fixture.villageA })
        #expect(report.total == bank.total && report.recoveryTotal == Money(fen: -600))
    }
}
