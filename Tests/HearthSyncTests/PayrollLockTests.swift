import Foundation
import HearthCore
import HearthLedger
import HearthStore
import Testing

@Suite("Paid months are history (R12)")
struct PayrollLockTests {
    @Test(
        "a change touching a locked month becomes back pay or recovery in the next roll, and the locked roll never changes",
        arguments: HubStoreKind.allCases)
    func adjustments(_ store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        let hub = county.hub
        func approved(_ name: String, _ id: String) async throws -> (RecordID, RecordID) {
            let home = try await hub.writing(author: "a", nowMillis: TestCounty.now) {
                try $0.household(in: TestCounty.village1, address: name)
            }.result
            let member = try await hub.writing(author: "a", nowMillis: TestCounty.now) {
                try $0.member(of: home, name: name, idNumber: id)
            }.result
            let enrollment = try await hub.writing(author: "a", nowMillis: TestCounty.now) {
                try $0.enroll(
                    EnrollInput(member: member.value, program: "dibao_rural", amount: "560", start: "2026-01"),
                    author: "a",
                    nowMillis: TestCounty.now)
            }.result[0]
            _ = try await hub.writing(author: "a", nowMillis: TestCounty.now) {
                try $0.changeEnrollment(
                    enrollment.value, .approve, note: nil, author: "a", nowMillis: TestCounty.now)
            }.result
            return (member, enrollment)
        }
        let (_, raised) = try await approved("甲", idNumber(born: "19600101", sequence: "011"))
        let (dead, deadEnrollment) = try await approved("乙", idNumber(born: "19400101", sequence: "021"))
        let september = try Month.parse("2026-09", field: "m")
        let october = try Month.parse("2026-10", field: "m")
        let paid = try await hub.reading { try $0.payroll(for: september, nowMillis: TestCounty.now) }
        #expect(paid.total == Money(fen: 2 * 56_000))
        try await hub.lock(paid, worker: "admin", nowMillis: TestCounty.now)
        await #expect(throws: ReplicaError.self) {
            try await hub.lock(
                try await hub.reading { try $0.payroll(for: september, nowMillis: TestCounty.now) }, worker: "a",
                nowMillis: TestCounty.now)
        }

        // After the lock: a raise from September, and a death found to have happened in August.
        try await hub.writing(author: "a", nowMillis: TestCounty.now) {
            try $0.changeAmount(
                raised.value, amount: "600", from: "2026-09", reason: "提标", author: "a", nowMillis: TestCounty.now)
        }.result
        _ = try await hub.writing(author: "a", nowMillis: TestCounty.now) {
            try $0.recordDeath(member: dead.value, date: "2026-08-20", author: "a", nowMillis: TestCounty.now)
        }.result

        let again = try await hub.reading { try $0.payroll(for: september, nowMillis: TestCounty.now) }
        #expect(again.locked)
        #expect(again.total == paid.total, "a locked month is never rewritten")

        let next = try await hub.reading { try $0.payroll(for: october, nowMillis: TestCounty.now) }
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
        let november = try await hub.reading {
            try $0.payroll(for: try Month.parse("2026-11", field: "m"), nowMillis: TestCounty.now)
        }
        #expect(november.rows.allSatisfy { $0.kind == .regular })
        await #expect(throws: ReplicaError.self) {
            try await hub.lock(
                try await hub.reading {
                    try $0.payroll(for: try Month.parse("2026-08", field: "m"), nowMillis: TestCounty.now)
                },
                worker: "a",
                nowMillis: TestCounty.now)
        }
    }
}
