import Foundation
import HearthClient
import HearthCore
import HearthLedger
import HearthStore
import Testing

@Suite("Nodes converge with the hub over HTTP on loopback")
struct ConvergenceTests {
    /// Syncs every node at once, round after round, until a round moves nothing either way.
    /// Returns the number of rounds it took.
    @discardableResult
    static func syncUntilQuiet(_ nodes: [Replica], county: TestCounty, url: String, maxRounds: Int = 6) async throws
        -> Int
    {
        for round in 1...maxRounds {
            let moved = try await withThrowingTaskGroup(of: Int.self) { group in
                for node in nodes {
                    group.addTask {
                        let summary = try await county.sync(node, url: url, batchSize: 3)
                        #expect(summary.quarantined.isEmpty, "\(node.info.name): \(summary.quarantined)")
                        return summary.pushedOps + summary.pulledOps
                    }
                }
                return try await group.reduce(0, +)
            }
            if moved == 0 { return round }
        }
        throw TestFailure("still moving ops after \(maxRounds) rounds")
    }

    /// Checks that `node` holds exactly the hub's records in its scope, each in the hub's state.
    static func expectSameAsHub(_ node: Replica, county: TestCounty) async throws {
        let hubStates = try await county.hubStates()
        let inScope = hubStates.filter { _, state in state.village.map { $0.hasPrefix(node.info.scope.value) } ?? false
        }
        let held = try node.states()
        // Records that left with an archived household: the hub's state has not moved since.
        let purged = try node.purgedClocks()
        #expect(
            Set(held.keys).union(purged.keys) == Set(inScope.keys),
            "\(node.info.name) holds another set of records than the hub's for its scope")
        #expect(Set(held.keys).isDisjoint(with: purged.keys), "\(node.info.name) holds a record it let go")
        for (id, clock) in purged {
            #expect(hubStates[id]?.clock == clock, "\(node.info.name): \(id) changed at the hub since it left the node")
        }
        for (id, state) in held {
            #expect(state == hubStates[id], "\(node.info.name): \(id) differs from the hub")
            #expect(
                state.conflicts == hubStates[id]?.conflicts, "\(node.info.name): \(id) conflicts differ from the hub")
        }
        #expect(Set(try node.loggedDots()).count == (try node.opCount()), "\(node.info.name) logged an op twice")
    }

    @Test(
        "a township and two villages editing concurrently, one household from both township and village, converge with the hub",
        arguments: HubStoreKind.allCases)
    func severalNodesConverge(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            let village1 = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let village2 = try await county.node(name: "village-002", scope: TestCounty.village2, hubURL: url)
            let nodes = [township, village1, village2]

            // Offline, before any sync: records made on every node.
            let shared = try township.household(in: TestCounty.village1, address: "新庄村一组 3 号")
            let townIn2 = try township.household(in: TestCounty.village2, address: "河口村二组 8 号")
            let own1 = try village1.household(in: TestCounty.village1, address: "新庄村三组 1 号")
            let head1 = try village1.member(
                of: own1, name: "王秀英", idNumber: idNumber(born: "19500304", sequence: "002"))
            let own2 = try village2.household(in: TestCounty.village2, address: "河口村四组 2 号")
            try village2.member(of: own2, name: "李建国", idNumber: idNumber(born: "19620711", sequence: "013"))
            try await Self.syncUntilQuiet(nodes, county: county, url: url)
            #expect(
                try village1.state(of: shared) != nil,
                "village 001 did not receive the township's household in its village")
            #expect(try township.state(of: own2) != nil)

            // Concurrent edits, none of them seen by the others before the next sync.
            try township.edit(shared, author: "town-worker") {
                $0.income = "500"
                $0.address = "新庄村一组 3 号（新）"
                $0.tags = ["低保边缘"]
            }
            try village1.edit(shared, author: "village-worker") {
                $0.income = "620"
                $0.phone = "13800000001"
                $0.tags = ["独居老人"]
            }
            try township.edit(townIn2) { $0.note = "township note" }
            try village2.edit(townIn2) { $0.note = "village note" }
            try township.edit(own2) { $0.population = 3 }
            try village2.edit(own2) { $0.population = 4 }
            let enrollment = try village1.enroll(
                EnrollInput(member: head1.value, program: "dibao_rural", amount: "560", start: "2026-01"), author: "w1",
                nowMillis: TestCounty.now)[0]
            try await Self.syncUntilQuiet(nodes, county: county, url: url)
            try township.changeEnrollment(
                enrollment.value, .approve, note: nil, author: "town-worker", nowMillis: TestCounty.now)
            try village1.changeEnrollment(
                enrollment.value, .reject, note: "income too high", author: "w1", nowMillis: TestCounty.now)
            try village1.edit(own1) { $0.phone = "13900000002" }
            let rounds = try await Self.syncUntilQuiet(nodes, county: county, url: url)
            #expect(rounds >= 2, "the last round must move nothing")

            for node in nodes { try await Self.expectSameAsHub(node, county: county) }
            // The township holds everything the hub holds (the hub serves only this township here),
            // byte for byte.
            #expect(try township.stateDigest() == (try await county.hubDigest()))
            #expect(Set(try township.recordIDs()) == Set(try await county.hubStates().keys))

            // The hub holds every node's ops, each once, and made none of its own.
            let ownOps = try nodes.reduce(0) { $0 + Int(try $1.status().ownOps) }
            let hubDots = try await county.hubDots()
            #expect(hubDots.count == ownOps)
            #expect(Set(hubDots).count == ownOps)
            for node in nodes {
                let status = try node.status()
                #expect(status.unsynced == 0, "\(node.info.name) still has unacknowledged ops")
                #expect(status.waiting == 0)
            }
            #expect(try await county.hubWaiting() == 0)

            // The conflicts show up identically everywhere that holds the record.
            let sharedOnHub = try #require(try await county.hubState(of: shared))
            #expect(sharedOnHub.conflicts == ["income"])
            #expect(sharedOnHub.resolution(of: "tags").value == .makeSet(["低保边缘", "独居老人"]))
            #expect(sharedOnHub.resolution(of: "phone").value == .text("13800000001"))
            #expect(sharedOnHub.resolution(of: "address").value == .text("新庄村一组 3 号（新）"))
            #expect(try village1.state(of: shared)?.conflicts == ["income"])
            #expect(try township.state(of: shared)?.conflicts == ["income"])
            #expect(try await county.hubState(of: own2)?.conflicts == ["population"])
            #expect(try village2.state(of: own2)?.conflicts == ["population"])
            #expect(try township.state(of: own2)?.conflicts == ["population"])
            let note = try #require(try await county.hubState(of: townIn2)).resolution(of: "note").value
            #expect(try village2.state(of: townIn2)?.resolution(of: "note").value == note)
            // Approval (township) and rejection (village) at once: the village's rejection is only a
            // recommendation (R7), the township's approval decides.
            let decided = try #require(try await county.hubState(of: enrollment))
            #expect(decided.resolution(of: "status").value == .text("approved"))
            #expect(decided.resolution(of: "decision").value == .text("approved"))
            #expect(decided.resolution(of: "recommendation").value == .text("reject"))
            #expect(try village1.view(enrollment, reveal: false).value("status") == "approved")
            // The sealed ID number opens with the county key on every replica that holds it.
            #expect(
                try township.view(head1, reveal: true).value("id_number") == idNumber(born: "19500304", sequence: "002")
            )
            #expect(try await county.hubClear(head1, "id_number") == idNumber(born: "19500304", sequence: "002"))
        }
    }

    @Test(
        "a village node receives only its own village's records; the township receives both villages",
        arguments: HubStoreKind.allCases)
    func villageReceivesOnlyItsVillage(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            let village1 = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let village2 = try await county.node(name: "village-002", scope: TestCounty.village2, hubURL: url)
            var inVillage1: [RecordID] = []
            var inVillage2: [RecordID] = []
            inVillage1.append(try township.household(in: TestCounty.village1, address: "一组"))
            inVillage2.append(try township.household(in: TestCounty.village2, address: "二组"))
            let home2 = try village2.household(in: TestCounty.village2, address: "三组")
            inVillage2.append(home2)
            inVillage2.append(try village2.member(of: home2, name: "张三"))
            inVillage2.append(
                try village2.addVisit(
                    household: home2.value, note: "入户核查", date: "2026-11-20", author: "w2", nowMillis: TestCounty.now))
            let home1 = try village1.household(in: TestCounty.village1, address: "四组")
            inVillage1.append(home1)
            inVillage1.append(try village1.member(of: home1, name: "李四"))
            try await ConvergenceTests.syncUntilQuiet([township, village1, village2], county: county, url: url)

            #expect(Set(try village1.recordIDs()) == Set(inVillage1))
            #expect(Set(try village2.recordIDs()) == Set(inVillage2))
            #expect(Set(try township.recordIDs()) == Set(inVillage1 + inVillage2))
            for id in inVillage2 {
                #expect(try village1.state(of: id) == nil, "village 001 received \(id) of village 002")
            }
            for id in inVillage1 {
                #expect(try village2.state(of: id) == nil, "village 002 received \(id) of village 001")
            }
            // Not even an op of the other village reached the log.
            #expect(try village1.log().allSatisfy { $0.op.scope.value == TestCounty.village1 })
            #expect(try village2.log().allSatisfy { $0.op.scope.value == TestCounty.village2 })
        }
    }
}
