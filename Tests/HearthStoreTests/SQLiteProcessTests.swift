import Foundation
import GRDB
import HearthCore
import Testing

@testable import HearthStore

/// SQLite's process-wide settings are made before its first connection, so each check runs in
/// a process of its own (an exit test): in this one, other tests have opened databases already.
@Suite("SQLite's settings for the process")
struct SQLiteProcessTests {
    @Test("a replica's first connection turns SQLite's allocation count off: nothing is counted through a write")
    func countOffFromTheFirstReplica() async {
        await #expect(processExitsWith: .success) {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("hearth-sqlite-process-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            // When the body returns or throws; `exit` runs no `defer`, so a failure removes it first.
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let village = "421281101001"
            let replica = try Replica.create(
                path: directory + "/v.db", name: "v", scope: try ScopePrefix.parse(village, field: "scope"),
                nowMillis: 1_795_600_000_000, keys: .generate())
            for number in 0..<20 {
                var input = HouseholdInput()
                input.village = village
                input.address = "\(number + 1)号"
                input.type = "rural"
                _ = try replica.addHousehold(input, author: "w1", nowMillis: 1_795_600_000_000)
            }
            guard SQLiteProcess.settingsTaken, SQLiteProcess.countedBytes == 0 else {
                try? FileManager.default.removeItem(atPath: directory)
                exit(1)
            }
        }
    }

    @Test("a connection opened before the settings starts SQLite with its count on; the settings are refused")
    func countOnWhenSQLiteStartedFirst() async {
        // The control: the count the first test reads as 0 is a live one when SQLite starts
        // with its defaults, so that test can fail.
        await #expect(processExitsWith: .success) {
            let queue = try DatabaseQueue()
            try queue.write { db in try db.execute(sql: "CREATE TABLE t(x); INSERT INTO t VALUES (1)") }
            SQLiteProcess.prepare()
            guard !SQLiteProcess.settingsTaken, SQLiteProcess.countedBytes > 0 else { exit(1) }
        }
    }
}
