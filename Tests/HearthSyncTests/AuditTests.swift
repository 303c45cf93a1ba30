import Foundation
import HearthClient
import HearthCore
import HearthLedger
import HearthStore
import Testing

@Suite("The audit table: who settled a refusal by hand, and who took numbers in clear")
struct AuditTests {
    @Test(
        "a quarantine release and a discard are audited with who, when, the op and why it was held; a refused release is not"
    )
    func quarantineDecisions() async throws {
        let county = try TestCounty()
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let home = try village.household(in: TestCounty.village1, address: "一组")
            let first = try village.member(of: home, name: "王五")
            let second = try village.member(of: home, name: "赵六", relation: "spouse")
            try await county.sync(village, url: url)
            // The laptop's clock runs 8 hours ahead: two deaths dated in the hub's future are held.
            let ahead: Int64 = TestCounty.now + 8 * 3_600_000
            _ = try village.recordDeath(member: first.value, date: "2026-11-26", author: "w1", nowMillis: ahead)
            _ = try village.recordDeath(member: second.value, date: "2026-11-26", author: "w1", nowMillis: ahead)
            try await county.sync(village, url: url, clock: { ahead })
            let held = try await county.hub.quarantine()
            #expect(held.count == 2)
            let released = try #require(held.first { $0.record == first })
            let discarded = try #require(held.first { $0.record == second })
            #expect(try county.hub.replica.auditTrail().isEmpty)

            try await county.hub.releaseQuarantined(released.dot, author: "county-admin", nowMillis: TestCounty.now + 1)
            await #expect(throws: ReplicaError.self) {
                try await county.hub.releaseQuarantined(released.dot, author: "someone", nowMillis: TestCounty.now + 2)
            }
            _ = try await county.hub.discardQuarantined(
                discarded.dot, author: "county-lead", nowMillis: TestCounty.now + 3)

            let trail = try county.hub.replica.auditTrail()
            #expect(
                trail == [
                    AuditEvent(
                        atMillis: TestCounty.now + 1, worker: "county-admin", action: "quarantine release",
                        subject: first.value,
                        field: released.dot.description, detail: "by w1, held for: death_date: is in the future"),
                    AuditEvent(
                        atMillis: TestCounty.now + 3, worker: "county-lead", action: "quarantine discard",
                        subject: second.value,
                        field: discarded.dot.description, detail: "by w1, held for: death_date: is in the future"),
                ])
        }
    }
}
