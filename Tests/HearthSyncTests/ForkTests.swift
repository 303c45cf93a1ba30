import Foundation
import HearthClient
import HearthCore
import HearthStore
import Testing

@Suite("A copied database is a fork: refused, nothing lost, re-identified")
struct ForkTests {
    @Test("two copies of one replica: the second to sync is refused as a fork, both ops are kept, and after reidentify it syncs with nothing lost")
    func copiedDatabase() async throws {
        let county = try TestCounty()
        try await withRunningHub(county.service()) { url in
            let original = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let home = try original.household(in: TestCounty.village1, address: "一组")
            try await county.sync(original, url: url)

            // A second laptop gets a copy of the database and its key file.
            let copyPath = county.directory + "/copy.db"
            try original.backup(to: copyPath)
            try FileManager.default.copyItem(atPath: original.path + ".key", toPath: copyPath + ".key")
            let copy = try Replica.open(path: copyPath)
            #expect(copy.info.id == original.info.id)

            try original.edit(home) { $0.phone = "13800000001" }
            try copy.edit(home) { $0.phone = "13800000002" }
            let added = try copy.household(in: TestCounty.village1, address: "二组")
            try await county.sync(original, url: url)
            let before = try county.hub.stateDigest()

            let refused = await county.refusal(of: copy, url: url)
            #expect(refused?.status == 409)
            #expect(refused?.code == "fork")
            #expect(try county.hub.stateDigest() == before, "nothing of the forked batch was applied")
            let held = try county.hub.quarantine()
            #expect(held.count == 1)
            #expect(held.first?.reason.hasPrefix("fork") == true, "both ops are kept")
            #expect(try county.hub.node(original.info.id)?.forkedMillis != nil)
            // The original is refused too until it re-identifies: the hub cannot tell the copies apart.
            #expect(await county.refusal(of: original, url: url)?.code == "forked")

            // The copy takes a new identity with a new token; its unacknowledged changes are made again.
            let token = try county.enrollmentToken(name: "village-001-b", scope: TestCounty.village1)
            let outcome = try Replica.reidentify(path: copyPath, nowMillis: TestCounty.now)
            #expect(outcome.reissued == 2)
            let renamed = try #require(outcome.renamed[added])
            let reborn = try Replica.open(path: copyPath)
            #expect(reborn.info.id == outcome.newID)
            try reborn.setHub(
                replica: token.hub, key: token.hubKey, url: url, pendingRegistration: token.secret + "\n" + token.name)
            try await county.sync(reborn, url: url)
            #expect(try reborn.status().unsynced == 0)
            let hubView = try county.hub.view(renamed, reveal: false)
            #expect(hubView.value("address") == "二组", "the copy's new household reached the hub under its new id")
            #expect(try county.hub.state(of: added) == nil, "the forked id never entered the hub's state")
            let phones = Set(try county.hub.view(home, reveal: false).fields.first { $0.name == "phone" }!.candidates.map(\.display))
            #expect(phones == ["13800000001", "13800000002"], "both laptops' phone numbers are kept")
            #expect(FileManager.default.fileExists(atPath: copyPath + ".key.forked-\(outcome.oldID.value)"))
        }
    }
}
