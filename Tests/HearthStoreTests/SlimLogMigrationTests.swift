import Foundation
import GRDB
import HearthCore
import Testing

@testable import HearthStore

/// v20 rebuilds the op log with its hash in binary and without the columns no query read.
@Suite("Migration v20: the op log's hash in binary, fewer columns")
struct SlimLogMigrationTests {
    /// A database at v19 holding the ops of `CompactStateMigrationTests.history()`, with the
    /// sequence advanced past the last op as a scope entry does.
    func v19Database() throws -> (DatabaseQueue, [Op]) {
        let old = CompactStateMigrationTests()
        let (states, ops) = try old.history()
        let queue = try old.oldDatabase(states, ops: ops)
        try Migrations.migrator.migrate(queue, upTo: CompactStateMigrationTests.v19)
        try queue.write { db in
            try db.execute(sql: "UPDATE sqlite_sequence SET seq = seq + 5 WHERE name = 'ops'")
        }
        return (queue, ops)
    }

    @Test("every op keeps its position, body and hash; the sequence, the count and the indexes are as they were")
    func rebuildsTheLog() throws {
        let (queue, ops) = try v19Database()
        let before = try queue.read { db in
            (
                rows: try Row.fetchAll(db, sql: "SELECT seq, replica, counter, record, scope, body, township FROM ops"),
                sequence: try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'ops'"),
                bytes: try Int.fetchOne(db, sql: "SELECT sum(length(hash)) FROM ops") ?? 0
            )
        }
        try Migrations.migrator.migrate(queue)
        try queue.read { db in
            let after = try Row.fetchAll(
                db, sql: "SELECT seq, replica, counter, record, scope, body, township FROM ops")
            #expect(after == before.rows)
            #expect(
                try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'ops'") == before.sequence)
            #expect(try Int.fetchOne(db, sql: "SELECT n FROM row_counts WHERE name = 'ops'") == ops.count)
            let hashes = try String.fetchAll(db, sql: "SELECT \(OpLogSQL.hashText) FROM ops ORDER BY seq")
            #expect(hashes == ops.map(\.hash))
            #expect(try Int.fetchOne(db, sql: "SELECT sum(length(hash)) FROM ops") == before.bytes / 2)
            let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(ops)").map { $0["name"] as String }
            #expect(
                columns == [
                    "seq", "replica", "counter", "record", "scope", "hash", "body", "state", "township", "target",
                ])
            let schema = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE tbl_name = 'ops'")
            for name in [
                "ops_by_scope", "ops_by_township", "ops_by_target", "ops_by_record_seq", "ops_count_after_delete",
            ] {
                #expect(schema.contains(name), "\(name) is rebuilt")
            }
            // v28 drops the insert's trigger again: the applier counts what it logs.
            #expect(!schema.contains("ops_count_after_insert"))
        }
    }

    @Test("a replica on the rebuilt log takes new ops after the old, counts them, and answers by hash")
    func replicaWorksAfter() throws {
        let (queue, ops) = try v19Database()
        try Migrations.migrator.migrate(queue)
        let sequence = try queue.read { db in
            try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'ops'")
        }
        let last = ops.last!
        let next = Op(
            dot: Dot(replica: last.dot.replica, counter: 500), hlc: HLC(millis: 99_000, logical: 0), author: "w",
            origin: last.origin, record: last.record, scope: last.scope, fields: ["status": .text("active")],
            context: VersionVector([last.dot.replica: last.dot.counter]), previous: "")
        try queue.write { db in
            var applier = try Applier(sql: SQLiteStatements(db), nowMillis: 99_000)
            try applier.integrate(next)
            try applier.flush()
        }
        try queue.read { db in
            let row = try Row.fetchOne(
                db, sql: "SELECT seq, \(OpLogSQL.hashText) FROM ops WHERE replica = ? AND counter = 500",
                arguments: [last.dot.replica.value])
            #expect(row?[0] as Int64? == (sequence ?? 0) + 1, "after the positions scope entries took")
            #expect(row?[1] as String? == next.hash)
            #expect(try Int.fetchOne(db, sql: "SELECT n FROM row_counts WHERE name = 'ops'") == ops.count + 1)
        }
    }

    @Test("a hash that is not 64 hex digits fails the migration and leaves the database at v19")
    func damagedHashFails() throws {
        let (queue, _) = try v19Database()
        try queue.write { db in try db.execute(sql: "UPDATE ops SET hash = 'not a hash' WHERE seq = 3") }
        #expect(throws: (any Error).self) { try Migrations.migrator.migrate(queue) }
        let applied = try queue.read { db in try Migrations.migrator.appliedIdentifiers(db) }
        #expect(applied.contains(CompactStateMigrationTests.v19) && !applied.contains { $0.hasPrefix("v20") })
        let hash = try queue.read { db in try String.fetchOne(db, sql: "SELECT hash FROM ops WHERE seq = 3") }
        #expect(hash == "not a hash", "nothing was rewritten")
    }
}
