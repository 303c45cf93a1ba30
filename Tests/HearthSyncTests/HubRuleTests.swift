import Foundation
import HearthClient
import HearthCore
import HearthStore
import Testing

@Suite("Cross-record rules at the hub")
struct HubRuleTests {
    @Test("R1: a death recorded in the village ends an enrollment the township created concurrently, once, everywhere")
    func deathEndsConcurrentEnrollment() async throws {
        let county = try TestCounty()
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            let home = try village.household(in: TestCounty.village1, address: "一组")
            let member = try village.member(of: home, name: "王五")
            try await county.sync(village, url: url)
            try await county.sync(township, url: url)

            // Offline, concurrently: the township enrolls and approves; the village records the death.
            let enrollment = try township.enroll(
                EnrollInput(member: member.value, program: "temporary", amount: "500", start: "2026-10"), author: "zhen",
                nowMillis: TestCounty.now)[0]
            try township.changeEnrollment(enrollment.value, .approve, note: nil, author: "zhen", nowMillis: TestCounty.now)
            let ended = try village.recordDeath(member: member.value, date: "2026-11-02", author: "w1", nowMillis: TestCounty.now)
            #expect(ended.isEmpty, "the village did not know the new enrollment")

            for _ in 0..<2 {
                try await county.sync(village, url: url)
                try await county.sync(township, url: url)
            }
            for replica in [county.hub, village, township] {
                let view = try replica.view(enrollment, reveal: false)
                #expect(view.value("status") == "exited")
                #expect(view.value("end_month") == "2026-11")
                #expect(view.value("exit_reason") == "death")
            }
            #expect(try village.state(of: enrollment) == county.hub.state(of: enrollment))
            #expect(try township.state(of: enrollment) == county.hub.state(of: enrollment))
            let rules = try county.hub.decisions().filter { $0.rule == "R1" }
            #expect(rules.count == 1)
            #expect(rules.first?.record == enrollment.value)
            let history = try county.hub.log(record: enrollment).map(\.op)
            #expect(history.filter { $0.cause?.hasPrefix("rule R1") == true }.count == 1, "emitted once")

            // Delivering the trigger again (a re-sync, a bundle) fires nothing more.
            try county.hub.integrate(try village.allOps(), nowMillis: TestCounty.now)
            #expect(try county.hub.decisions().filter { $0.rule == "R1" }.count == 1)
        }
    }

    @Test("R10 and R7: an edit concurrent with an archive, and an approval forged below the program's rank, go to the desk")
    func archivedAndAuthority() async throws {
        let county = try TestCounty()
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            let home = try village.household(in: TestCounty.village1, address: "一组")
            let member = try village.member(of: home, name: "王五")
            let enrollment = try village.enroll(
                EnrollInput(member: member.value, program: "dibao_rural", amount: "560", start: "2026-01"), author: "w1",
                nowMillis: TestCounty.now)[0]
            try await county.sync(village, url: url)
            try await county.sync(township, url: url)

            // The township archives the household while the village, offline, edits it.
            try township.archiveHousehold(home.value, reason: "迁出本县", author: "zhen", nowMillis: TestCounty.now)
            try await county.sync(township, url: url)
            try village.edit(home) { $0.phone = "13800000009" }
            // A village forges a decision on its own (its CLI records a recommendation instead).
            _ = try village.write(author: "w1", nowMillis: TestCounty.now) { changes in
                try changes.update(enrollment, fields: ["decision": .text("approved"), "status": .text("approved")])
            }
            let summary = try await county.sync(village, url: url)
            let reasons = summary.quarantined.map(\.reason)
            #expect(reasons.contains { $0.hasPrefix("R10") }, "\(reasons)")
            #expect(reasons.contains { $0.hasPrefix("R7") }, "\(reasons)")
            #expect(try county.hub.view(home, reveal: false).value("phone") == "")
            #expect(try county.hub.view(enrollment, reveal: false).value("decision") == "pending")
            #expect(try county.hub.quarantine().count == 2)
            #expect(try village.syncState().notes?.contains("R10") == true, "the field worker sees why")

            // The county discards both: the village comes back in line with the hub.
            for entry in try county.hub.quarantine() {
                try county.hub.discardQuarantined(entry.dot, author: "admin", nowMillis: TestCounty.now)
            }
            try await county.sync(village, url: url)
            try await county.sync(township, url: url)
            for id in [home, enrollment] {
                #expect(try village.state(of: id) == county.hub.state(of: id))
                #expect(try township.state(of: id) == county.hub.state(of: id))
            }
            #expect(try village.view(home, reveal: false).value("status") == "archived")
        }
    }
}
