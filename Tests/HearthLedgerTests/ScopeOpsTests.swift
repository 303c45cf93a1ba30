import Foundation
import GRDB
import HearthCore
import HearthStore
import Testing

@testable import HearthLedger

/// A pull page's ops (``LedgerLog/scopeOps(_:_:filter:key:)``), read as three statements each in
/// log order and merged, are exactly what the one statement joining the three conditions with
/// `OR` returned (its plan sorted the scope's whole backlog for every page, so it is no longer
/// used), on seeded random logs paged through with random sizes.
@Suite("A pull page's ops: three reads merged, as the one OR read gave")
struct ScopeOpsTests {
    /// The statement the page used before: correct, but costing the backlog a page.
    static func reference(_ db: Database, _ read: ScopedRead, filter: String, key: String?) throws -> [Int64] {
        let countyWide = DivisionCode.countyWide(read.scope.value)?.value ?? ""
        var arguments: [DatabaseValueConvertible?] = []
        if let key { arguments.append(key) }
        arguments += [countyWide, read.node.value, read.cursor, read.node.value, read.limit + 1]
        return try Int64.fetchAll(
            db,
            sql: """
                SELECT seq FROM ops
                WHERE (\(filter) OR scope = ? OR target = ?) AND seq > ? AND replica != ?
                ORDER BY seq LIMIT ?
                """, arguments: StatementArguments(arguments))
    }

    @Test(
        "seeded logs of scopes, the county's configuration, ops addressed to the node and its own, paged with random sizes",
        arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func matchesTheOneRead(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let queue = try DatabaseQueue()
        let node = "node-a"
        try queue.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE ops (seq INTEGER PRIMARY KEY AUTOINCREMENT, replica TEXT NOT NULL,
                        record TEXT NOT NULL, scope TEXT NOT NULL, hash BLOB NOT NULL, body BLOB NOT NULL,
                        township TEXT, target TEXT);
                    CREATE INDEX ops_by_scope ON ops (scope, seq);
                    CREATE INDEX ops_by_township ON ops (township, seq);
                    CREATE INDEX ops_by_target ON ops (target, seq) WHERE target IS NOT NULL;
                    """)
            let villages = ["421281101001", "421281101002", "421281102001", "421281000000"]
            let replicas = [node, "node-b", "node-c", "hub"]
            for index in 0..<Int(400 + random.next() % 400) {
                let village = villages[Int(random.next() % UInt64(villages.count))]
                // Some ops are addressed to a node: most to this one, in its scope or outside it.
                let target: String? =
                    switch random.next() % 6 {
                    case 0: node
                    case 1: "node-b"
                    default: nil
                    }
                try db.execute(
                    sql:
                        "INSERT INTO ops (replica, record, scope, hash, body, township, target) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [
                        replicas[Int(random.next() % UInt64(replicas.count))], "R-\(index % 50)", village,
                        Data([UInt8(index % 256)]), Data("op \(index)".utf8), String(village.prefix(9)), target,
                    ])
            }
        }
        let end = try queue.read { db in try Int64.fetchOne(db, sql: "SELECT max(seq) FROM ops") ?? 0 }
        var pages = 0
        for scope in ["421281101001", "421281101", "421281102", "421281"] {
            let prefix = try ScopePrefix.parse(scope, field: "scope")
            let (filter, key) = LedgerLog.scopeFilter(prefix)
            var cursor: Int64 = 0
            while cursor < end {
                let limit = 1 + Int(random.next() % 40)
                let read = ScopedRead(node: ReplicaID(node), scope: prefix, cursor: cursor, limit: limit)
                let (merged, expected) = try queue.read { db in
                    (
                        try LedgerLog.scopeOps(SQLiteStatements(db), read, filter: filter, key: key),
                        try Self.reference(db, read, filter: filter, key: key)
                    )
                }
                let seqs = merged.map { $0[0].integer ?? -1 }
                #expect(seqs == expected, "scope \(scope), cursor \(cursor), limit \(limit)")
                // Each row whole: its body, record, target and hash as logged.
                for row in merged {
                    let seq = row[0].integer ?? -1
                    #expect(row[1].bytes == Array("op \(seq - 1)".utf8), "body of \(seq)")
                }
                pages += 1
                guard let last = expected.prefix(limit).last, expected.count > limit else { break }
                cursor = last
            }
        }
        #expect(pages > 4 * 5, "the pages crossed each log several times")
    }
}
