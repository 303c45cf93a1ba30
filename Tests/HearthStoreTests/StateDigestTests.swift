import Crypto
import Foundation
import GRDB
import HearthCore
import Testing

@testable import HearthStore

/// The state digest reads its tables a page at a time; it must hash exactly what one pass over
/// each table in id order hashes, however many pages a table fills.
@Suite("The state digest, read by pages")
struct StateDigestTests {
    @Test("tables of several pages digest as one pass over them would, and a changed row changes the digest")
    func pages() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-digest-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let replica = try Replica.create(
            path: directory + "/v.db", name: "v", scope: try ScopePrefix.parse("421281101001", field: "scope"),
            nowMillis: 1_780_000_000_000)
        // 4,500 households: two full pages and part of a third; ids out of insertion order.
        try replica.pool.write { db in
            for index in (0..<4_500).shuffled() {
                try db.execute(
                    sql: "INSERT INTO households (id, village, address, updated_millis) VALUES (?, ?, ?, 1)",
                    arguments: ["H-000000000000-\(index)", "421281101001", "\(index)组"])
            }
        }
        func onePass() throws -> String {
            try replica.read { db in
                var hasher = SHA256()
                for table in ReplicaCore.digestTables {
                    hasher.update(data: Array("table \(table)\n".utf8))
                    for row in try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY id") {
                        for (column, value) in row {
                            hasher.update(data: Array("\(column)=\(value.storageDescription)\u{1F}".utf8))
                        }
                        hasher.update(data: [0x0A])
                    }
                }
                return Hex.encode(hasher.finalize())
            }
        }
        let paged = try replica.stateDigest()
        #expect(paged == (try onePass()))
        try replica.pool.write { db in
            try db.execute(sql: "UPDATE households SET address = 'x' WHERE id = 'H-000000000000-4321'")
        }
        #expect(try replica.stateDigest() != paged)
        #expect(try replica.stateDigest() == (try onePass()))
    }
}
