import Foundation
import HearthCore
import Testing

@testable import HearthStore

@Suite("The in-memory state cache under concurrent writes")
struct StateCacheRaceTests {
    @Test("two writers integrating ops on one record at the same time lose none of them (the hub's concurrent pushes)")
    func concurrentIntegratesKeepEveryOp() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("hearth-cache-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let now = ReplicaStoreTests.now
        let scope = try ScopePrefix.parse("421281101001", field: "scope")
        func replica(_ name: String) throws -> Replica {
            try Replica.create(path: directory + "/\(name).db", name: name, scope: scope, nowMillis: now)
        }
        let a = try replica("a")
        let b = try replica("b")
        var input = HouseholdInput()
        input.village = "421281101001"
        input.address = "一组"
        input.type = "rural"
        let home = try a.addHousehold(input, author: "w1", nowMillis: now)
        let creation = try a.allOps()
        try b.integrate(creation, nowMillis: now)
        // Each writer edits its own field of the shared record, one op per edit.
        let edits = 150
        for index in 1...edits {
            var phone = HouseholdInput()
            phone.phone = "1380000\(String(format: "%04d", index))"
            try a.editHousehold(home.value, phone, author: "w1", nowMillis: now)
            var note = HouseholdInput()
            note.note = "note \(index)"
            try b.editHousehold(home.value, note, author: "w2", nowMillis: now)
        }
        let fromA = try a.allOps().filter { !creation.contains($0) }
        let fromB = try b.allOps().filter { $0.dot.replica == b.info.id }
        #expect(fromA.count == edits && fromB.count == edits)

        let receiver = try replica("receiver")
        try receiver.integrate(creation, nowMillis: now)
        // One transaction per op, both streams at once, as two nodes pushing to a hub.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for stream in [fromA, fromB] {
                group.addTask { for op in stream { try receiver.integrate([op], nowMillis: now) } }
            }
            try await group.waitForAll()
        }
        let reference = try replica("reference")
        try reference.integrate(creation + fromA + fromB, nowMillis: now)
        let stored = try Replica.open(path: receiver.path).state(of: home)
        #expect(stored == (try reference.state(of: home)), "the stored state lost ops written concurrently")
        #expect(stored?.resolution(of: "phone").value == .text("1380000\(String(format: "%04d", edits))"))
        #expect(stored?.resolution(of: "note").value == .text("note \(edits)"))
    }
}
