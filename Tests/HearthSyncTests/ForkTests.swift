import Foundation
import HearthClient
import HearthCore
import HearthLedger
import HearthStore
import Testing

@Suite("A copied database is a fork: refused, nothing lost, re-identified")
struct ForkTests {
    @Test(
        "two copies of one replica: the second to sync is refused as a fork, both ops are kept, and after reidentify it syncs with nothing lost, by replay or from a snapshot",
        arguments: [false, true])
    func copiedDatabase(snapshot: Bool) async throws {
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
            let before = try county.hub.replica.stateDigest()

            let refused = await county.refusal(of: copy, url: url)
            #expect(refused?.status == 409)
            #expect(refused?.code == "fork")
            #expect(try county.hub.replica.stateDigest() == before, "nothing of the forked batch was applied")
            let held = try await county.hub.quarantine()
            #expect(held.count == 1)
            #expect(held.first?.reason.hasPrefix("fork") == true, "both ops are kept")
            #expect(try await county.hub.node(original.info.id)?.forkedMillis != nil)
            // The original is refused too until it re-identifies: the hub cannot tell the copies apart.
            #expect(await county.refusal(of: original, url: url)?.code == "forked")

            // The copy takes a new identity with a new token; its unacknowledged changes are made again.
            let token = try await county.enrollmentToken(name: "village-001-b", scope: TestCounty.village1)
            let outcome = try Replica.reidentify(path: copyPath, nowMillis: TestCounty.now)
            #expect(outcome.reissued == 2)
            let renamed = try #require(outcome.renamed[added])
            let reborn = try Replica.open(path: copyPath)
            #expect(reborn.info.id == outcome.newID)
            try reborn.setHub(
                replica: token.hub, key: token.hubKey, url: url, pendingRegistration: token.secret + "\n" + token.name)
            let synced = try await county.sync(reborn, url: url, snapshot: snapshot)
            #expect((synced.snapshotRecords != nil) == snapshot)
            #expect(try reborn.status().unsynced == 0)
            try await ConvergenceTests.expectSameAsHub(reborn, county: county)
            let hubView = try county.hub.replica.view(renamed, reveal: false)
            #expect(hubView.value("address") == "二组", "the copy's new household reached the hub under its new id")
            #expect(try county.hub.replica.state(of: added) == nil, "the forked id never entered the hub's state")
            let phones = Set(
                try county.hub.replica.view(home, reveal: false).fields.first { $0.name == "phone" }!.candidates.map(
                    \.display))
            #expect(phones == ["13800000001", "13800000002"], "both laptops' phone numbers are kept")
            #expect(FileManager.default.fileExists(atPath: copyPath + ".key.forked-\(outcome.oldID.value)"))
        }
    }

    @Test(
        "a copy that pushes only an op both copies share is not told the original's ops are its own (simulation seed 16)"
    )
    func copyIsNotAckedForTheOriginal() async throws {
        let county = try TestCounty()
        try await withRunningHub(county.service()) { url in
            let original = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            // An op neither copy has pushed yet when the database is copied.
            let home = try original.household(in: TestCounty.village1, address: "一组")
            let copyPath = county.directory + "/copy.db"
            try original.backup(to: copyPath)
            try FileManager.default.copyItem(atPath: original.path + ".key", toPath: copyPath + ".key")
            let copy = try Replica.open(path: copyPath)
            // Each copy goes on under the same ids with different changes; the original syncs first.
            try original.edit(home) { $0.phone = "13800000001" }
            try original.edit(home) { $0.address = "一组3号" }
            try copy.edit(home) { $0.phone = "13800000002" }
            try copy.edit(home) { $0.address = "二组" }
            try await county.sync(original, url: url)
            #expect(try original.syncState().ackedCounter == 3)

            // The copy pushes one op at a time: the first is the shared one, a duplicate, and the hub
            // answers with the highest counter it holds under these ids (the original's 3).
            do {
                try await county.sync(copy, url: url, batchSize: 1)
                Issue.record("the copy's sync should stop")
            } catch let error as ReplicaError {
                guard case .copied = error else { throw error }
                #expect(error.description.contains("reidentify"))
            }
            // It recorded nothing: its own two changes are still waiting to be sent, not lost.
            #expect(try copy.syncState().ackedCounter == 0)
            #expect(try copy.unpushedOps(limit: 10).count == 3)
            let token = try await county.enrollmentToken(name: "village-001-b", scope: TestCounty.village1)
            let outcome = try Replica.reidentify(path: copyPath, nowMillis: TestCounty.now)
            #expect(outcome.reissued == 3)
            let reborn = try Replica.open(path: copyPath)
            try reborn.setHub(
                replica: token.hub, key: token.hubKey, url: url, pendingRegistration: token.secret + "\n" + token.name)
            try await county.sync(reborn, url: url)
            let addresses = Set(
                try county.hub.replica.list(.household).compactMap {
                    try county.hub.replica.view($0, reveal: false).value("address")
                })
            #expect(addresses.contains("二组"), "the copy's change reached the hub under its new id")
            #expect(addresses.contains("一组3号"))
        }
    }
}
