import Foundation
import HearthCore
import HearthLedger
import HearthStore
import Testing

@Suite("Paid months are history (R12)")
struct PayrollLockTests {
    @Test(
        "a change touching a locked month becomes back pay or recovery in the next roll, and the locked roll never changes"
    )
    func adjustments() async throws {
        let county = try TestCounty()
        let hub = county.hub
        func approved(_ name: String, _ id: String) throws -> (RecordID, RecordID) {
            let home = try hub.replica.household(in: TestCounty.village1, address: name)
            let member = try hub.replica.member(of: home, name: name, idNumber: id)
            let enrollment = try hub.replica.enroll(
                EnrollInput(member: member.value, program: "dibao_rural", amount: "560", start: "2026-01"), author: "a",
                nowMillis: TestCounty.now)[0]
            try hub.replica.changeEnrollment(
                enrollment.value, .approve, note: nil, author: "a", nowMillis: TestCounty.now)
            return (member, enrollment)
        }
        let (_, raised) = try approved("甲", idNumber(born: "19600101", sequence: "011"))
        let (dead, deadEnrollment) = try approved("乙", idNumber(born: "19400101", sequence: "021"))
        let september = try Month.parse("2026-09", field: "m")
        let october = try Month.parse("2026-10", field: "m")
        let paid = try hub.replica.payroll(for: september, nowMillis: TestCounty.now)
        #expect(paid.total == Money(fen: 2 * 56_000))
        try await hub.lock(paid, worker: "admin", nowMillis: TestCounty.now)
        await #expect(throws: ReplicaError.self) {
            try await hub.lock(
                try hub.replica.payroll(for: september, nowMillis: TestCounty.now), worker: "a",
                nowMillis: TestCounty.now)
        }

        // After the lock: a raise from September, and a death found to have happened in August.
        try hub.replica.changeAmount(
            raised.value, amount: "600", from: "2026-09", reason: "提标", author: "a", nowMillis: TestCounty.now)
        _ = try hub.replica.recordDeath(member: dead.value, date: "2026-08-20", author: "a", nowMillis: TestCounty.now)

        let again = try hub.replica.payroll(for: september, nowMillis: TestCounty.now)
        #expect(again.locked)
        #expect(again.total == paid.total, "a locked month is never rewritten")

        let next = try hub.replica.payroll(for: october, nowMillis: TestCounty.now)
        let regular = next.rows.filter { $0.kind == .regular }
        #expect(regular.map(\.enrollment) == [raised])
        #expect(regular.first?.amount == Money(fen: 60_000))
        let backPay = next.rows.filter { $0.kind == .backPay }
        #expect(backPay.map(\.enrollment) == [raised])
        #expect(backPay.first?.amount == Money(fen: 4_000))
        #expect(backPay.first?.forMonth == september)
        let recovery = next.rows.filter { $0.kind == .recovery }
        #expect(recovery.map(\.enrollment) == [deadEnrollment])
        #expect(recovery.first?.amount == Money(fen: -56_000))
        #expect(next.total == Money(fen: 60_000 + 4_000 - 56_000))

        // Once October is locked with its adjustments, November owes nothing more for September.
        try await hub.lock(next, worker: "admin", nowMillis: TestCounty.now)
        let november = try hub.replica.payroll(for: try Month.parse("2026-11", field: "m"), nowMillis: TestCounty.now)
        #expect(november.rows.allSatisfy { $0.kind == .regular })
        await #expect(throws: ReplicaError.self) {
            try await hub.lock(
                try hub.replica.payroll(for: try Month.parse("2026-08", field: "m"), nowMillis: TestCounty.now),
                worker: "a",
                nowMillis: TestCounty.now)
        }
    }
}
