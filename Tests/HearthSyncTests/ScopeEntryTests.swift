import Foundation
import HearthClient
import HearthCore
import HearthHub
import HearthLedger
import HearthProtocol
import HearthStore
import Testing

@Suite("A record entering a village's scope arrives whole: as its state, or as its history to an older node")
struct ScopeEntryTests {
    @Test(
        "a household moved by the township to another village arrives there as its state (its history to a version-2 node); every replica agrees",
        arguments: HubStoreKind.allCases)
    func householdMove(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let first = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let second = try await county.node(name: "village-002", scope: TestCounty.village2, hubURL: url)
            let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            let home = try first.household(in: TestCounty.village1, address: "一组")
            let member = try first.member(of: home, name: "王五")
            _ = try first.enroll(
                EnrollInput(member: member.value, program: "dibao_rural", amount: "560", start: "2026-01"),
                author: "w1",
                nowMillis: TestCounty.now)
            try first.edit(home) { $0.phone = "13800000001" }
            for node in [first, second, township] { try await county.sync(node, url: url) }
            #expect(try second.recordIDs().isEmpty)

            let moved = try township.moveHousehold(
                home.value, toVillage: TestCounty.village2, author: "zhen", nowMillis: TestCounty.now)
            #expect(moved.count == 3)
            // A village cannot move a household out of its own scope.
            #expect(throws: ReplicaError.self) {
                try first.moveHousehold(
                    home.value, toVillage: TestCounty.village2, author: "w1", nowMillis: TestCounty.now)
            }
            for _ in 0..<2 { for node in [township, first, second] { try await county.sync(node, url: url) } }

            let hubStates = try await county.hubStates()
            let received = try second.states()
            #expect(Set(received.keys) == Set(moved))
            for id in moved {
                #expect(received[id] == hubStates[id], "\(id) on the village it entered")
                #expect(try first.state(of: id) == nil, "\(id) handed over by the village it left (no orphan)")
                #expect(try first.log(record: id).isEmpty)
                #expect(try township.state(of: id) == hubStates[id], "\(id) on the township")
                #expect(try second.view(id, reveal: false).value("village") == TestCounty.village2)
            }
            #expect(
                try second.view(home, reveal: false).value("phone") == "13800000001",
                "the state arrived, not just the move")
            #expect(try second.status().waiting == 0)
            #expect(try first.status().waiting == 0)
            // Protocol version 3: the records came as states, so the village's log holds none of
            // their history (the edit of the phone, the creation); an op of them arriving again
            // is a duplicate under the floor the state left.
            for id in moved {
                #expect(try second.log(record: id).count < (try await county.hubOps(record: id)).count, "\(id)")
            }
            let phoneEdit = try #require(
                try await county.hubOps(record: home).first { $0.fields["phone"] != nil && !$0.createsRecord })
            #expect(!(try second.log(record: home).contains { $0.op.dot == phoneEdit.dot }))
            let again = try second.integrate(try await county.hubOps(record: home), nowMillis: TestCounty.now)
            #expect(again.applied == 0 && again.waiting == 0, "\(again)")
            #expect(try second.state(of: home) == hubStates[home])

            // The same pull in version 3 and in version 2, from the start: states, or histories.
            let record = try #require(try await county.hub.node(second.info.id))
            func pull(_ version: Int64) async throws -> PullResponse {
                let request = try PullRequest(
                    json: .object([
                        "v": .integer(version), "replica": .string(second.info.id.value), "cursor": .integer(0),
                        "max_ops": .integer(5_000),
                    ]))
                return try await county.service().answer(pull: request, for: record)
            }
            let current = try await pull(3)
            #expect(Set(current.entered.map(\.id)) == Set(moved))
            for entered in current.entered {
                #expect(RecordState(id: entered.id, compactBytes: entered.state) == hubStates[entered.id])
            }
            #expect(!current.ops.contains { $0.dot == phoneEdit.dot })
            // Nor the ops that moved them in: the states hold them.
            #expect(!current.ops.contains { op in moved.contains(op.record) }, "\(current.ops.map(\.dot))")
            let older = try await pull(2)
            #expect(older.entered.isEmpty)
            #expect(older.ops.contains { $0.dot == phoneEdit.dot }, "version 2: the history")
            #expect(older.json(version: 2, digests: nil)["entered"] == nil)
            let sent = current.json(version: 3, digests: county.hub.keys.opener())
            #expect(try PullResponse(json: sent, digests: county.hub.keys.opener()).entered == current.entered)

            // Moved back, it arrives whole again in the first village.
            _ = try township.moveHousehold(
                home.value, toVillage: TestCounty.village1, author: "zhen", nowMillis: TestCounty.now)
            for _ in 0..<2 { for node in [township, first, second] { try await county.sync(node, url: url) } }
            let back = try await county.hubStates()
            for id in moved {
                #expect(try first.state(of: id) == back[id], "\(id) back in the first village")
                #expect(try second.state(of: id) == nil, "\(id) handed over by the second village")
            }
            #expect(try first.view(home, reveal: false).value("phone") == "13800000001")
        }
    }

    @Test("a household moved into a village whose node syncs by file arrives in the hub's bundle as its state")
    func householdMoveByFile() async throws {
        let county = try TestCounty()
        let hub = county.service()
        try await withRunningHub(hub) { url in
            let first = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            let filed = try await county.node(name: "village-002", scope: TestCounty.village2, hubURL: nil)
            let home = try first.household(in: TestCounty.village1, address: "一组")
            let member = try first.member(of: home, name: "王五")
            for month in 1...6 { try first.edit(home) { $0.phone = "1380000000\(month)" } }
            for node in [first, township] { try await county.sync(node, url: url) }
            try await county.exchangeBundles(filed, named: "village-002", with: hub, step: "before")
            #expect(try filed.recordIDs().isEmpty)

            let moved = try township.moveHousehold(
                home.value, toVillage: TestCounty.village2, author: "zhen", nowMillis: TestCounty.now)
            try await county.sync(township, url: url)
            let exported = try await hub.exportBundle(forNode: "village-002")
            #expect(exported.ops < (try await county.hubOps(record: home)).count, "states, not the history")
            try await county.exchangeBundles(filed, named: "village-002", with: hub, step: "after")
            let hubStates = try await county.hubStates()
            for id in moved { #expect(try filed.state(of: id) == hubStates[id], "\(id) by file") }
            #expect(try filed.view(home, reveal: false).value("phone") == "13800000006")
            #expect(try filed.view(member, reveal: false).value("name") == "王五")
            #expect(!(try filed.log(record: home).contains { $0.op.fields["phone"] == .text("13800000003") }))
            #expect(try filed.status().waiting == 0)
        }
    }
}
