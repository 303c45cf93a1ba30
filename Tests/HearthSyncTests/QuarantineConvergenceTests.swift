import Foundation
import HearthClient
import HearthCore
import HearthLedger
import HearthStore
import Testing

@Suite("An op the hub quarantines does not leave its author diverged")
struct QuarantineConvergenceTests {
    /// Quarantine (docs/architecture.md), by design: "the hub keeps it in the author's chain, acknowledges it
    /// (it is never re-sent), and answers with a compensating op whose context covers it and
    /// restores the hub's values … Every replica converges and the field worker sees why."
    @Test(
        "a death the hub refuses (dated in the hub's future) is answered with a compensating op: the author converges with the hub",
        arguments: HubStoreKind.allCases)
    func quarantinedOpIsCompensated(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            let home = try village.household(in: TestCounty.village1, address: "一组")
            let member = try village.member(of: home, name: "王五")
            try await county.sync(village, url: url)
            try await county.sync(township, url: url)

            // The village laptop's clock runs 8 hours ahead (within the hub's 24 h window, R15):
            // on it, it is already the 26th; at the hub it is still the 25th.
            let ahead: Int64 = TestCounty.now + 8 * 3_600_000
            _ = try village.recordDeath(member: member.value, date: "2026-11-26", author: "w1", nowMillis: ahead)
            let summary = try await county.sync(village, url: url, clock: { ahead })
            #expect(summary.quarantined.count == 1)
            #expect(summary.quarantined.first?.reason == "death_date: is in the future")
            #expect(try village.syncState().notes?.contains("death_date") == true, "the field worker sees why")
            #expect(try village.status().unsynced == 0, "a quarantined op is acknowledged and never re-sent")
            #expect(try (try await county.hubText(member, "vital_status")) == "alive")

            // The author's next change to the member depends on the refused op: it waits at the hub.
            try village.editMember(
                member.value,
                {
                    var input = MemberInput(); input.health = "良好"; return input
                }(),
                author: "w1", nowMillis: ahead + 1)
            try await county.sync(village, url: url, clock: { ahead })
            let held = try await county.hub.quarantine()
            #expect(held.count == 1)
            #expect(held.first?.dependents.count == 1, "the later edit waits: depends on the refused op")
            #expect(try (try await county.hubText(member, "health")) == "")

            // The county confirms the refusal: the hub's compensating op voids it and restores its values.
            let refused = try #require(held.first?.dot)
            let compensation = try await #require(
                try county.hub.discardQuarantined(refused, author: "admin", nowMillis: TestCounty.now))
            #expect(compensation.voids == [try #require(held.first?.dot)])
            #expect(
                try (try await county.hubText(member, "health")) == "良好", "the waiting edit applied")
            #expect(try await county.hub.quarantine().isEmpty)

            // Every replica that holds the member converges: after syncing, the author holds the hub's state.
            for _ in 0..<3 {
                try await county.sync(village, url: url, clock: { ahead })
                try await county.sync(township, url: url)
            }
            #expect(
                try village.state(of: member) == (try await county.hubState(of: member)),
                "the author keeps the refused death: it diverges from the hub and the township for good")
            #expect(
                try village.view(member, reveal: false).value("vital_status")
                    == (try await county.hubText(member, "vital_status")))
            #expect(try township.state(of: member) == (try await county.hubState(of: member)))
            #expect(try village.view(member, reveal: false).value("vital_status") == "alive")
            #expect(try village.view(member, reveal: false).value("health") == "良好")
        }
    }

    @Test(
        "a released quarantined op applies at the hub, its dependents follow, and it reaches the other nodes",
        arguments: HubStoreKind.allCases)
    func releasedOpReplicates(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            let home = try village.household(in: TestCounty.village1, address: "一组")
            let member = try village.member(of: home, name: "王五")
            try await county.sync(village, url: url)
            let ahead: Int64 = TestCounty.now + 8 * 3_600_000
            _ = try village.recordDeath(member: member.value, date: "2026-11-26", author: "w1", nowMillis: ahead)
            try village.editMember(
                member.value,
                {
                    var input = MemberInput(); input.note = "殡葬证明已收"; return input
                }(), author: "w1",
                nowMillis: ahead + 1)
            try await county.sync(village, url: url, clock: { ahead })
            let held = try #require(try await county.hub.quarantine().first)
            #expect(held.dependents.count == 1)
            let report = try await county.hub.releaseQuarantined(held.dot, author: "admin", nowMillis: TestCounty.now)
            #expect(report.applied == 2 && report.released == 1)
            #expect(try (try await county.hubText(member, "vital_status")) == "deceased")
            #expect(try await county.hub.quarantine().isEmpty)
            await #expect(throws: ReplicaError.self) {
                try await county.hub.releaseQuarantined(held.dot, author: "admin", nowMillis: TestCounty.now)
            }
            try await county.sync(township, url: url)
            try await county.sync(village, url: url, clock: { ahead })
            #expect(try township.state(of: member) == (try await county.hubState(of: member)))
            #expect(try village.state(of: member) == (try await county.hubState(of: member)))
        }
    }
}
