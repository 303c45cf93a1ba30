import Foundation
import HearthClient
import HearthCore
import HearthLedger
import HearthStore
import Testing

@Suite("A file-only node keeps its enrollment secret only until the hub has confirmed it")
struct RegistrationSecretTests {
    /// The database file and its write-ahead log, as bytes: what a stolen laptop gives away.
    func bytesOnDisk(_ replica: Replica) -> Data {
        var bytes = Data()
        for suffix in ["", "-wal"] {
            bytes.append(FileManager.default.contents(atPath: replica.path + suffix) ?? Data())
        }
        return bytes
    }

    @Test(
        "once the hub's bundle confirms the registration, the secret is in neither the database file nor its WAL",
        arguments: HubStoreKind.allCases)
    func secretGoneAfterConfirmation(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        let service = county.service()
        let token = try await county.enrollmentToken(name: "village-001", scope: TestCounty.village1)
        let village = try await county.node(token: token, hubURL: nil)
        _ = try village.household(in: TestCounty.village1, address: "三组")
        let secret = Data(token.secret.utf8)
        // While it waits for the hub, the node must keep it (its bundles carry the registration).
        #expect(bytesOnDisk(village).range(of: secret) != nil, "the test sees the secret where it is stored")

        let toHub = county.directory + "/up.hbundle"
        _ = try NodeBundles.export(village, to: toHub)
        #expect(try await service.importBundle(try BundleFile.read(toHub)).registered)
        // Not confirmed yet: the hub's answer has not reached the node.
        #expect(try village.syncState().pendingRegistration != nil)

        let toNode = county.directory + "/down.hbundle"
        try await BundleFile.write(try service.exportBundle(forNode: "village-001").bytes, to: toNode)
        _ = try NodeBundles.import(village, from: toNode, nowMillis: TestCounty.now)
        #expect(try village.syncState().pendingRegistration == nil)
        #expect(bytesOnDisk(village).range(of: secret) == nil, "the secret stayed in the database's bytes")

        // And once the database is closed and opened again (SQLite checkpoints on close).
        let reopened = try Replica.open(path: village.path)
        _ = try reopened.household(in: TestCounty.village1, address: "四组")
        #expect(bytesOnDisk(reopened).range(of: secret) == nil)
    }
}
