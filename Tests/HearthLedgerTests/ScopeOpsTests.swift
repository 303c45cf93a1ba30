import Foundation
import GRDB
import HearthCore
import HearthStore
import Testing

@testable import HearthLedger
@testable import HearthLedgerPostgres

/// A pull page's ops (``LedgerLog/scopeOps(_:_:filter:key:)``), read as three statements each in
/// log order and merged, are exactly what the one statement joining the three conditions with
/// `OR` returned (its plan sorted the scope's whole backlog for every page, so it is no longer
/// used), on seeded random logs paged through with random sizes, in a SQLite file and in a
/// PostgreSQL hub's own `ops` table.
@Suite("A pull page's ops: three reads merged, as the one OR read gave")
struct ScopeOpsTests {
    static let node = "node-a"

    /// The statement the page used before: correct, but costing the backlog a page.
    static func reference(_ sql: any SQLStatements, _ read: ScopedRead, filter: String, key: String?) throws
        -> [[SQLValue]]
    {
        let countyWide = DivisionCode.countyWide(read.scope.value)?.value ?? ""
        var arguments: [SQLValue] = []
        if let key { arguments.append(.text(key)) }
        arguments += [
            .text(countyWide), .text(read.node.value), .integer(read.cursor), .text(read.node.value),
            .integer(Int64(read.limit + 1)),
        ]
        return try sql.rows(
            """
            SELECT seq, body, record, target, hash FROM ops
            WHERE (\(filter) OR scope = ? OR target = ?) AND seq > ? AND replica != ?
            ORDER BY seq LIMIT ?
            """, arguments)
    }

    /// Logs ops of two townships' villages, the county's configuration, some addressed to the
    /// node (in its scope or not) and some its own, then pages through four scopes with random
    /// page sizes. Returns the pages read and a line for each that differs from the reference.
    static func check(_ sql: any SQLStatements, seed: UInt64) throws -> (pages: Int, differences: [String]) {
        var random = SplitMix64(seed: seed)
        let villages = ["421281101001", "421281101002", "421281102001", "421281000000"]
        let replicas = [node, "node-b", "node-c", "hub"]
        for index in 0..<Int(400 + random.next() % 400) {
            let village = villages[Int(random.next() % UInt64(villages.count))]
            let target: SQLValue =
                switch random.next() % 6 {
                case 0: .text(node)
                case 1: .text("node-b")
                default: .null
                }
            _ = try sql.execute(
                """
                INSERT INTO ops (replica, counter, record, scope, hash, body, state, township, target)
                VALUES (?, ?, ?, ?, ?, ?, 'applied', ?, ?)
                """,
                [
                    .text(replicas[Int(random.next() % UInt64(replicas.count))]), .integer(Int64(index)),
                    .text("R-\(index % 50)"), .text(village), .blob([UInt8(index % 256)]),
                    .blob(Array("op \(index)".utf8)), .text(String(village.prefix(9))), target,
                ])
        }
        let end = try sql.integer("SELECT max(seq) FROM ops", []) ?? 0
        var pages = 0
        var differences: [String] = []
        for scope in ["421281101001", "421281101", "421281102", "421281"] {
            let prefix = try ScopePrefix.parse(scope, field: "scope")
            let (filter, key) = LedgerLog.scopeFilter(prefix)
            var cursor: Int64 = 0
            while cursor < end {
                let limit = 1 + Int(random.next() % 40)
                let read = ScopedRead(node: ReplicaID(node), scope: prefix, cursor: cursor, limit: limit)
                let merged = try LedgerLog.scopeOps(sql, read, filter: filter, key: key)
                let expected = try reference(sql, read, filter: filter, key: key)
                if merged != expected {
                    differences.append(
                        "scope \(scope), cursor \(cursor), limit \(limit): "
                            + "\(merged.map { $0[0].integer ?? -1 }) against \(expected.map { $0[0].integer ?? -1 })")
                }
                pages += 1
                guard expected.count > limit, let last = expected[limit - 1][0].integer else { break }
                cursor = last
            }
        }
        return (pages, differences)
    }

    static let seeds: [UInt64] = [1, 2, 3, 4, 5, 6, 7, 8]

    @Test("in a SQLite file: seeded logs paged with random sizes", arguments: seeds)
    func sqlite(seed: UInt64) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-scope-ops-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let queue = try DatabaseQueue(path: directory.appendingPathComponent("log.db").path)
        let (pages, differences) = try queue.write { db in
            // The hub's log as SQLite holds it (LedgerSchema): the columns and indexes a page reads.
            try db.execute(
                sql: """
                    CREATE TABLE ops (seq INTEGER PRIMARY KEY AUTOINCREMENT, replica TEXT NOT NULL,
                        counter INTEGER NOT NULL, record TEXT NOT NULL, scope TEXT NOT NULL, hash BLOB NOT NULL,
                        body BLOB NOT NULL, state TEXT NOT NULL, township TEXT, target TEXT,
                        UNIQUE (replica, counter));
                    CREATE INDEX ops_by_scope ON ops (scope, seq);
                    CREATE INDEX ops_by_township ON ops (township, seq);
                    CREATE INDEX ops_by_target ON ops (target, seq) WHERE target IS NOT NULL;
                    """)
            return try Self.check(SQLiteStatements(db), seed: seed)
        }
        #expect(pages > 20, "the pages crossed each log several times")
        #expect(differences.isEmpty, "\(differences.prefix(5))")
    }

    @Test("in a PostgreSQL hub's log: seeded logs paged with random sizes", arguments: seeds.prefix(3))
    func postgres(seed: UInt64) async throws {
        let hub = try await FreshPostgresHub()
        let checked: Result<(pages: Int, differences: [String]), ReplicaError>
        do {
            checked = .success(
                try await hub.storage.database.blockingTransaction { sql in try Self.check(sql, seed: seed) })
        } catch {
            checked = .failure(error)
        }
        await hub.storage.close()
        let (pages, differences) = try checked.get()
        #expect(pages > 20, "the pages crossed each log several times")
        #expect(differences.isEmpty, "\(differences.prefix(5))")
    }
}
