import Foundation
import HearthCore
import HearthLedger
import HearthLedgerSQLite
import HearthStore
import Testing

/// The applier on a hub whose log was compacted (docs/compaction.md): an op the archive holds,
/// integrated again by any path (not only a push, whose batch is checked against log and
/// archive before it is applied), is a duplicate under the same hash and a fork under another,
/// never a break in its author's history.
@Suite("An archived op arriving again at the hub")
struct ArchivedOpTests {
    @Test("the same op is a duplicate, another op under its dot a fork, though the log no longer holds it")
    func duplicateAndFork() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("hearth-archived-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let now: Int64 = 1_795_600_000_000
        let day: Int64 = 86_400_000
        let scope = try ScopePrefix.parse("421281101001", field: "scope")
        let hub = try HubLedger.create(
            path: directory + "/hub.db", name: "赤壁市", scope: try ScopePrefix.parse("421281", field: "scope"),
            nowMillis: now)
        let village = try Replica.create(path: directory + "/village.db", name: "v", scope: scope, nowMillis: now)
        // A copy of the village under the same id, which writes other content under the same dots.
        let copy = try Replica.create(
            path: directory + "/copy.db", name: "v", scope: scope, nowMillis: now, id: village.info.id)
        var input = HouseholdInput()
        input.village = "421281101001"
        input.type = "rural"
        input.address = "一组"
        let home = try village.addHousehold(input, author: "w1", nowMillis: now)
        var phone = HouseholdInput()
        phone.phone = "13800001234"
        try village.editHousehold(home.value, phone, author: "w1", nowMillis: now)
        input.address = "二组"
        _ = try copy.addHousehold(input, author: "w1", nowMillis: now)
        let original = try #require(try village.allOps().first)
        let edit = try #require(try village.allOps().last)
        let forged = try #require(try copy.allOps().first)
        #expect(original.dot == forged.dot && original.hash != forged.hash)

        try hub.replica.integrate([original, edit], nowMillis: now)
        let state = try hub.replica.state(of: home)
        _ = try await hub.compact(CompactionPlan(retentionMonths: 1, nowMillis: now - 40 * day))
        let report = try await hub.compact(CompactionPlan(retentionMonths: 1, nowMillis: now + day))
        #expect(report.archived == 2 && report.logged == 0)

        let again = try hub.replica.integrate([original, edit], nowMillis: now)
        #expect(again.duplicates == 2 && again.applied == 0)
        #expect(try hub.replica.state(of: home) == state, "the record's state is as it was")
        #expect(throws: ReplicaError.self) { try hub.replica.integrate([forged], nowMillis: now) }
        do {
            try hub.replica.integrate([forged], nowMillis: now)
        } catch {
            guard case .fork(let dot) = error else {
                Issue.record("not a fork: \(error)")
                return
            }
            #expect(dot == original.dot)
        }
        #expect(
            try await hub.reading { try $0.log() }.map(\.op.hash) == [original.hash, edit.hash],
            "nothing was logged again")
    }
}
