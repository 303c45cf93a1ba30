import Foundation
import HearthCore
import Testing

@testable import HearthStore

@Suite("The state cache inside one write transaction")
struct StateCacheTransactionTests {
    /// The hub integrates a push, then, in the same transaction, judges held ops again with a
    /// second applier (`LedgerLog.judgeAgainAfterRestore`). The second applier read the state
    /// the last commit had cached, not the one the first had just written, and wrote it back
    /// without the first's ops (`hearth sim --seeds 1 --start-seed 170 --replicas 5 --steps 200`).
    @Test("a second applier in one transaction reads what the first wrote, and the cache after the commit holds both")
    func secondApplierReadsTheFirstsWrites() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("hearth-cache-tx-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let now = ReplicaStoreTests.now
        let scope = try ScopePrefix.parse("421281101001", field: "scope")
        func replica(_ name: String) throws -> Replica {
            try Replica.create(path: directory + "/\(name).db", name: name, scope: scope, nowMillis: now)
        }
        let village = try replica("village")
        let township = try replica("township")
        var input = HouseholdInput()
        input.village = "421281101001"
        input.address = "一组"
        input.type = "rural"
        let home = try village.addHousehold(input, author: "w1", nowMillis: now)
        let creation = try village.allOps()
        try township.integrate(creation, nowMillis: now)
        // Concurrent edits of different fields by two replicas, and a later one.
        var phone = HouseholdInput()
        phone.phone = "13800001234"
        try village.editHousehold(home.value, phone, author: "w1", nowMillis: now)
        var note = HouseholdInput()
        note.note = "来访"
        try township.editHousehold(home.value, note, author: "w2", nowMillis: now)
        var address = HouseholdInput()
        address.address = "二组"
        try village.editHousehold(home.value, address, author: "w1", nowMillis: now)
        let villageOps = try village.allOps().filter { !creation.contains($0) }
        let townshipOps = try township.allOps().filter { $0.dot.replica == township.info.id }
        #expect(villageOps.count == 2 && townshipOps.count == 1)

        let hub = try replica("hub")
        // Committed: the household's state is now in the hub's cache.
        try hub.integrate(creation, nowMillis: now)
        #expect(hub.cache.state(of: home) != nil)
        // Two appliers in one transaction, each integrating one op.
        try hub.writeBookkeeping { db in
            for op in [villageOps[0], townshipOps[0]] {
                _ = try hub.integrate(
                    in: db, [op], nowMillis: now, admit: { _, _, _ in true }, bookkeeping: { _, _ in false })
            }
        }
        // A later transaction, served from the cache as that commit left it.
        try hub.integrate([villageOps[1]], nowMillis: now)

        let reference = try replica("reference")
        try reference.integrate(creation + villageOps + townshipOps, nowMillis: now)
        let stored = try Replica.open(path: hub.path).state(of: home)
        #expect(stored == (try reference.state(of: home)), "the hub's stored state lost an op")
        #expect(stored?.resolution(of: "phone").value == .text("13800001234"))
        #expect(stored?.resolution(of: "note").value == .text("来访"))
        #expect(stored?.resolution(of: "address").value == .text("二组"))
    }
}
