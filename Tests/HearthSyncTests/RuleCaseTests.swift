import Foundation
import HearthClient
import HearthCore
import HearthLedger
import HearthStore
import Testing

@Suite("Rule cases built by separate replicas syncing through the hub")
struct RuleCaseTests {
    @Test(
        "R6: dibao granted on one replica and tekun on another for the same person: both held at the desk, everywhere",
        arguments: HubStoreKind.allCases)
    func exclusivePrograms(_ store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            let home = try village.household(in: TestCounty.village1, address: "一组")
            let member = try village.member(of: home, name: "王五")
            try await county.sync(village, url: url)
            try await county.sync(township, url: url)
            let dibao = try village.enroll(
                EnrollInput(member: member.value, program: "dibao_rural", amount: "560", start: "2026-01"),
                author: "w1",
                nowMillis: TestCounty.now)[0]
            let tekun = try township.enroll(
                EnrollInput(member: member.value, program: "tekun_dispersed", amount: "838", start: "2026-01"),
                author: "t1",
                nowMillis: TestCounty.now)[0]
            try await county.syncRounds([village, township], url: url)
            let held = try await county.everywhere([village, township]) { replica in
                (
                    try replica.ruleCases(nowMillis: TestCounty.now).filter { $0.rule == "R6" },
                    try replica.holds(of: dibao, nowMillis: TestCounty.now)
                )
            }
            for (cases, holds) in held {
                #expect(cases.map(\.id) == ["R6:\(member)"])
                #expect(Set(cases.first?.holds ?? []) == [dibao, tekun])
                #expect(!holds.isEmpty)
            }
            // The county ends the tekun application; the case closes everywhere after the next sync.
            try await county.hub.writing(author: "a", nowMillis: TestCounty.now) {
                try $0.exitEnrollment(
                    tekun.value, reason: "与低保重复", end: "2026-01", author: "admin", nowMillis: TestCounty.now)
            }.result
            try await county.sync(village, url: url)
            try await county.sync(township, url: url)
            let released = try await county.everywhere([village, township]) { replica in
                (
                    try replica.ruleCases(nowMillis: TestCounty.now).filter { $0.rule == "R6" },
                    try replica.holds(of: dibao, nowMillis: TestCounty.now)
                )
            }
            for (cases, holds) in released {
                #expect(cases.isEmpty)
                #expect(holds.isEmpty)
            }
        }
    }

    @Test(
        "a household whose only member died is flagged, and its enrollments are held", arguments: HubStoreKind.allCases)
    func householdWithoutLivingMember(_ store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let home = try village.household(in: TestCounty.village1, address: "一组")
            let member = try village.member(of: home, name: "独居老人")
            try await county.sync(village, url: url)
            _ = try village.recordDeath(
                member: member.value, date: "2026-11-01", author: "w1", nowMillis: TestCounty.now)
            try await county.sync(village, url: url)
            let cases = try await county.hub.reading { try $0.ruleCases(nowMillis: TestCounty.now) }
            #expect(cases.contains { $0.id == "H:\(home)/living" && $0.kind == "no-living-member" })
            try await county.hub.writing(author: "a", nowMillis: TestCounty.now) {
                try $0.archiveHousehold(
                    home.value, reason: "户内无在世人员", author: "admin", nowMillis: TestCounty.now)
            }.result
            #expect(
                !(try await county.hub.reading { try $0.ruleCases(nowMillis: TestCounty.now) }).contains {
                    $0.id.hasPrefix("H:\(home)")
                }
            )
        }
    }

    @Test(
        "R8: a member moved into two different households concurrently is a conflict for the desk",
        arguments: HubStoreKind.allCases)
    func concurrentMemberMoves(_ store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            let first = try village.household(in: TestCounty.village1, address: "一组")
            let member = try village.member(of: first, name: "王五")
            let second = try village.household(in: TestCounty.village1, address: "二组")
            let third = try village.household(in: TestCounty.village1, address: "三组")
            try await county.sync(village, url: url)
            try await county.sync(township, url: url)
            try village.moveMember(member.value, toHousehold: second.value, author: "w1", nowMillis: TestCounty.now)
            try township.moveMember(member.value, toHousehold: third.value, author: "t1", nowMillis: TestCounty.now)
            try await county.syncRounds([village, township], url: url)
            let conflict = try await county.hub.conflict("\(member)/household")
            #expect(conflict.open)
            #expect(conflict.rule.id == "R8")
            #expect(Set(conflict.candidates.map(\.display)) == [second.value, third.value])
            try await county.hub.resolve(
                "\(member)/household", choice: .value(third.value), note: "现居三组", author: "admin",
                nowMillis: TestCounty.now)
            try await county.sync(village, url: url)
            try await county.sync(township, url: url)
            for view in try await county.everywhere([village, township], { try $0.view(member, reveal: false) }) {
                #expect(view.value("household") == third.value)
                #expect(view.conflicts.isEmpty)
            }
        }
    }

    @Test("R11: an op whose past never arrives is flagged for the county after a week")
    func waitingTooLong() async throws {
        let county = try TestCounty()
        let directory = county.directory
        let author = try Replica.create(
            path: directory + "/author.db", name: "author",
            scope: try ScopePrefix.parse(TestCounty.village1, field: "s"), nowMillis: TestCounty.now,
            keys: county.hub.keys.withNewSigningKey())
        let home = try author.household(in: TestCounty.village1, address: "一组")
        try author.edit(home) { $0.phone = "13800000001" }
        let ops = try author.allOps()
        try county.hub.replica.integrate([ops[1]], nowMillis: TestCounty.now)  // its creation never arrives
        #expect(
            try await county.hub.reading { try $0.ruleCases(nowMillis: TestCounty.now + 86_400_000) }.filter {
                $0.rule == "R11"
            }.isEmpty
        )
        let late = try await county.hub.reading { try $0.ruleCases(nowMillis: TestCounty.now + 8 * 86_400_000) }.filter
        {
            $0.rule == "R11"
        }
        #expect(late.count == 1)
        #expect(late.first?.detail.contains(ops[0].dot.description) == true)
    }
}

@Suite("R8: a member added to a household that was split concurrently")
struct ConcurrentSplitTests {
    @Test(
        "a member added on one replica while the household is split on another goes to the desk (R8)",
        arguments: HubStoreKind.allCases)
    func addedWhileSplit(_ store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            let home = try village.household(in: TestCounty.village1, address: "一组")
            let head = try village.member(of: home, name: "王五")
            let son = try village.member(of: home, name: "王小五", relation: "child")
            try await county.sync(village, url: url)
            try await county.sync(township, url: url)
            _ = try township.splitHousehold(
                home.value, members: [son.value], head: nil, author: "t1", nowMillis: TestCounty.now)
            _ = try village.member(of: home, name: "王小六", relation: "child")
            try await county.syncRounds([village, township], url: url)
            let cases = try await county.hub.conflicts(rule: "R8")
            #expect(cases.map(\.id) == ["\(home)/population"], "\(cases.map(\.id))")
            _ = head
        }
    }
}
