import Foundation
import HearthClient
import HearthCore
import HearthLedger
import HearthStore
import Testing

@Suite("A record entering a village's scope arrives whole")
struct ScopeEntryTests {
    @Test(
        "a household moved by the township to another village arrives there with its whole history; every replica agrees",
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
                "history arrived, not just the move")
            #expect(try second.status().waiting == 0)
            #expect(try first.status().waiting == 0)

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
}
