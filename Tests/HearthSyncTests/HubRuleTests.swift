import Foundation
import HearthClient
import HearthCore
import HearthLedger
import HearthStore
import Testing

@Suite("Cross-record rules at the hub")
struct HubRuleTests {
    @Test(
        "R1: a death recorded in the village ends an enrollment the township created concurrently, once, everywhere",
        arguments: HubStoreKind.allCases)
    func deathEndsConcurrentEnrollment(_ store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            let home = try village.household(in: TestCounty.village1, address: "一组")
            let member = try village.member(of: home, name: "王五")
            try await county.sync(village, url: url)
            try await county.sync(township, url: url)

            // Offline, concurrently: the township enrolls and approves; the village records the death.
            let enrollment = try township.enroll(
                EnrollInput(member: member.value, program: "temporary", amount: "500", start: "2026-10"),
                author: "zhen",
                nowMillis: TestCounty.now)[0]
            try township.changeEnrollment(
                enrollment.value, .approve, note: nil, author: "zhen", nowMillis: TestCounty.now)
            let ended = try village.recordDeath(
                member: member.value, date: "2026-11-02", author: "w1", nowMillis: TestCounty.now)
            #expect(ended.isEmpty, "the village did not know the new enrollment")

            try await county.syncRounds([village, township], url: url)
            let hubView = try await county.hub.reading { try $0.view(enrollment, reveal: false) }
            for view in [
                hubView, try village.view(enrollment, reveal: false), try township.view(enrollment, reveal: false),
            ] {
                #expect(view.value("status") == "exited")
                #expect(view.value("end_month") == "2026-11")
                #expect(view.value("exit_reason") == "death")
            }
            #expect(try village.state(of: enrollment) == (try await county.hubState(of: enrollment)))
            #expect(try township.state(of: enrollment) == (try await county.hubState(of: enrollment)))
            let rules = try await county.hub.decisions().filter { $0.rule == "R1" }
            #expect(rules.count == 1)
            #expect(rules.first?.record == enrollment.value)
            let history = try await county.hub.reading { try $0.log(record: enrollment) }.map(\.op)
            #expect(history.filter { $0.cause?.hasPrefix("rule R1") == true }.count == 1, "emitted once")

            // Delivering the trigger again (a re-sync, a bundle) fires nothing more (the file's core
            // takes ops straight in; on a server every path is a push, which TwoHubsTests repeats).
            if store == .sqlite {
                try county.hub.replica.integrate(try village.allOps(), nowMillis: TestCounty.now)
                #expect(try await county.hub.decisions().filter { $0.rule == "R1" }.count == 1)
            }
        }
    }

    @Test(
        "R10 and R7: an edit concurrent with an archive, and an approval forged below the program's rank, go to the desk",
        arguments: HubStoreKind.allCases)
    func archivedAndAuthority(_ store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            let home = try village.household(in: TestCounty.village1, address: "一组")
            let member = try village.member(of: home, name: "王五")
            let enrollment = try village.enroll(
                EnrollInput(member: member.value, program: "dibao_rural", amount: "560", start: "2026-01"),
                author: "w1",
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
            #expect(try await county.hub.reading { try $0.view(home, reveal: false) }.value("phone") == "")
            #expect(
                try await county.hub.reading { try $0.view(enrollment, reveal: false) }.value("decision") == "pending")
            #expect(try await county.hub.quarantine().count == 2)
            #expect(try village.syncState().notes?.contains("R10") == true, "the field worker sees why")

            // The county discards both: the village comes back in line with the hub.
            for entry in try await county.hub.quarantine() {
                try await county.hub.discardQuarantined(entry.dot, author: "admin", nowMillis: TestCounty.now)
            }
            try await county.sync(village, url: url)
            try await county.sync(township, url: url)
            for id in [home, enrollment] {
                #expect(try village.state(of: id) == (try await county.hubState(of: id)))
                #expect(try township.state(of: id) == (try await county.hubState(of: id)))
            }
            #expect(try village.view(home, reveal: false).value("status") == "archived")
        }
    }
}

@Suite("Rules about time and concurrency at the hub")
struct HubTimeRuleTests {
    @Test(
        "R15: a node whose clock runs 2 hours ahead is accepted and flagged, and cannot drag the hub's clock past 5 minutes"
    )
    func clockSkew() async throws {
        let county = try TestCounty()
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let ahead: Int64 = TestCounty.now + 2 * 3_600_000
            _ = try village.household(in: TestCounty.village1, address: "一组", author: "w1", nowMillis: ahead)
            let summary = try await county.sync(village, url: url, clock: { ahead })
            #expect(summary.quarantined.isEmpty, "a skewed node is accepted")
            let node = try #require(try await county.hub.node(village.info.id))
            let skew = try #require(node.skewMillis)
            #expect(abs(skew - 2 * 3_600_000) < 60_000, "measured skew \(skew)")
            // The hub's own next timestamp stays within 5 minutes of its wall clock.
            let op = try county.hub.replica.write(author: "admin", nowMillis: TestCounty.now) { changes in
                try changes.update(try #require(try village.recordIDs().first), fields: ["note": .text("核查")])
            }.ops[0]
            #expect(op.hlc.millis <= TestCounty.now + 5 * 60_000)
            #expect(op.hlc.millis >= TestCounty.now)
        }
    }

    @Test(
        "R2a: an exit concurrent with an approval is held for the desk; resolving the status releases it everywhere",
        arguments: HubStoreKind.allCases)
    func exitAgainstApproval(_ store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            let other = try await county.node(name: "town-101-b", scope: TestCounty.township, hubURL: url)
            let home = try township.household(in: TestCounty.village1, address: "一组")
            let member = try township.member(of: home, name: "王五")
            let enrollment = try township.enroll(
                EnrollInput(member: member.value, program: "dibao_rural", amount: "560", start: "2026-01"),
                author: "t1",
                nowMillis: TestCounty.now)[0]
            try await county.sync(township, url: url)
            try await county.sync(other, url: url)
            // One office approves while the other, concurrently, ends the application (not a death).
            try township.changeEnrollment(
                enrollment.value, .approve, note: nil, author: "t1", nowMillis: TestCounty.now)
            try other.exitEnrollment(
                enrollment.value, reason: "收入超标", end: "2026-03", author: "t2", nowMillis: TestCounty.now)
            try await county.syncRounds([township, other], url: url)
            let cases = try await county.hub.reading { try $0.ruleCases(nowMillis: TestCounty.now) }.filter {
                $0.rule == "R2a"
            }
            #expect(cases.map(\.id) == ["R2a:\(enrollment)"])
            #expect(
                try await county.hub.reading { try $0.holds(of: enrollment, nowMillis: TestCounty.now) }.contains {
                    $0.hasPrefix("R2a")
                }
            )
            #expect(
                try township.holds(of: enrollment, nowMillis: TestCounty.now).contains { $0.hasPrefix("R2a") },
                "the field office sees the hold too")
            // The county settles the status; the case closes on every replica.
            let conflict = try await county.hub.conflicts(soft: true).first { $0.id == "\(enrollment)/status" }
            let exited = try #require(conflict?.candidates.firstIndex { $0.value == .text("exited") })
            try await county.hub.resolve(
                "\(enrollment)/status", choice: .pick(exited + 1), note: "收入超标属实", author: "admin",
                nowMillis: TestCounty.now)
            try await county.sync(township, url: url)
            try await county.sync(other, url: url)
            let (hubCases, hubView) = try await county.hub.reading {
                (try $0.ruleCases(nowMillis: TestCounty.now), try $0.view(enrollment, reveal: false))
            }
            #expect(hubCases.filter { $0.rule == "R2a" }.isEmpty)
            #expect(hubView.value("status") == "exited")
            for replica in [township, other] {
                #expect(try replica.ruleCases(nowMillis: TestCounty.now).filter { $0.rule == "R2a" }.isEmpty)
                #expect(try replica.view(enrollment, reveal: false).value("status") == "exited")
            }
        }
    }
}

@Suite("R2 at the hub")
struct HubSupersededTests {
    @Test(
        "R2: an amount change concurrent with an exit is kept out of payment by the exit and listed as superseded, once",
        arguments: HubStoreKind.allCases)
    func amountChangeSupersededByExit(_ store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            let other = try await county.node(name: "town-101-b", scope: TestCounty.township, hubURL: url)
            let home = try township.household(in: TestCounty.village1, address: "一组")
            let member = try township.member(of: home, name: "王五")
            let enrollment = try township.enroll(
                EnrollInput(member: member.value, program: "dibao_rural", amount: "560", start: "2026-01"),
                author: "t1",
                nowMillis: TestCounty.now)[0]
            try township.changeEnrollment(
                enrollment.value, .approve, note: nil, author: "t1", nowMillis: TestCounty.now)
            try await county.sync(township, url: url)
            try await county.sync(other, url: url)
            try township.exitEnrollment(
                enrollment.value, reason: "收入超标", end: "2026-06", author: "t1", nowMillis: TestCounty.now)
            try other.changeAmount(
                enrollment.value, amount: "600", from: "2026-07", reason: "提标", author: "t2", nowMillis: TestCounty.now)
            try await county.syncRounds([township, other], url: url)
            #expect(try await county.hub.reading { try $0.view(enrollment, reveal: false) }.value("status") == "exited")
            let superseded = try await county.hub.decisions().filter { $0.rule == "R2" }
            #expect(superseded.count == 1)
            #expect(superseded.first?.note.hasPrefix("amount change") == true)
            if store == .sqlite {
                try county.hub.replica.integrate(try other.allOps(), nowMillis: TestCounty.now)
                #expect(try await county.hub.decisions().filter { $0.rule == "R2" }.count == 1)
            }
        }
    }
}

@Suite("R1 after a disputed date of death")
struct DisputedDeathTests {
    @Test(
        "two dates of death in different months: once the desk settles the date, the end month follows automatically",
        arguments: HubStoreKind.allCases)
    func endMonthFollowsSettledDate(_ store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            let home = try village.household(in: TestCounty.village1, address: "一组")
            let member = try village.member(of: home, name: "王五")
            let enrollment = try village.enroll(
                EnrollInput(member: member.value, program: "dibao_rural", amount: "560", start: "2026-01"),
                author: "w1",
                nowMillis: TestCounty.now)[0]
            try await county.sync(village, url: url)
            try await county.sync(township, url: url)
            _ = try village.recordDeath(
                member: member.value, date: "2026-09-20", author: "w1", nowMillis: TestCounty.now)
            _ = try township.recordDeath(
                member: member.value, date: "2026-10-05", author: "t1", nowMillis: TestCounty.now)
            try await county.syncRounds([village, township], url: url)
            #expect(try await county.hub.reading { try $0.view(member, reveal: false) }.conflicts == ["death_date"])
            #expect(try await county.hub.reading { try $0.view(enrollment, reveal: false) }.conflicts == ["end_month"])
            try await county.hub.resolve(
                "\(member)/death_date", choice: .value("2026-09-20"), note: "以火化证明为准", author: "admin",
                nowMillis: TestCounty.now)
            try await county.sync(village, url: url)
            try await county.sync(township, url: url)
            let hubView = try await county.hub.reading { try $0.view(enrollment, reveal: false) }
            for view in [
                hubView, try village.view(enrollment, reveal: false), try township.view(enrollment, reveal: false),
            ] {
                #expect(view.conflicts.isEmpty)
                #expect(view.value("end_month") == "2026-09")
            }
            #expect(try await county.hub.decisions().filter { $0.rule == "R1" && $0.field == "end_month" }.count == 1)
        }
    }
}
