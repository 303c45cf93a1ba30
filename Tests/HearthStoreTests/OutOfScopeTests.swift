import Foundation
import GRDB
import HearthCore
import Testing

@testable import HearthStore

/// The records a node hands over after each pulled batch (``Replica/evictOutOfScope(_:)``):
/// found through the `(village, id)` index, and exactly the records the whole-table test found.
@Suite("Records outside a node's scope, found by index")
struct OutOfScopeTests {
    static let township = "421281101"

    /// The pass as it read each table before: every row, one test.
    static func wholeTableSQL(_ table: String) -> String {
        """
        SELECT id FROM \(table) r WHERE (village IS NULL OR (substr(village, 1, ?) != ?
        AND village != ?))
        AND NOT EXISTS (
            SELECT 1 FROM op_waits w JOIN ops o ON o.replica = w.replica AND o.counter = w.counter
            WHERE w.record = r.id AND substr(o.scope, 1, ?) = ?)
        """
    }

    @Test("on a node's own database, every record table's pass searches the (village, id) index and scans no table")
    func plans() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-scope-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let scope = try ScopePrefix.parse(Self.township, field: "scope")
        _ = try Replica.create(
            path: directory + "/t.db", name: "t", scope: scope, nowMillis: 1_795_600_000_000, keys: .generate())
        let queue = try DatabaseQueue(path: directory + "/t.db")
        defer { try? queue.close() }
        for type in RecordType.allCases {
            let details = try queue.read { db in
                try Row.fetchAll(
                    db, sql: "EXPLAIN QUERY PLAN " + Replica.outOfScopeSQL(type),
                    arguments: Replica.outOfScopeArguments(scope)
                ).map { $0["detail"] as String }
            }
            let scans = details.filter { $0.hasPrefix("SCAN ") }
            #expect(scans.isEmpty, "\(type.table): \(details)")
            #expect(details.contains { $0.contains("\(type.table)_by_village_id") }, "\(type.table): \(details)")
        }
    }

    @Test("seeded villages of every kind: the indexed pass finds exactly the records the whole-table pass found")
    func sameRecords() throws {
        let queue = try DatabaseQueue()
        let scope = try ScopePrefix.parse(Self.township, field: "scope")
        let countyWide = try #require(DivisionCode.countyWide(Self.township)).value
        try queue.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE households (id TEXT PRIMARY KEY NOT NULL, village TEXT);
                    CREATE INDEX households_by_village_id ON households (village, id);
                    CREATE TABLE ops (replica TEXT NOT NULL, counter INTEGER NOT NULL, scope TEXT NOT NULL,
                        PRIMARY KEY (replica, counter));
                    CREATE TABLE op_waits (replica TEXT NOT NULL, counter INTEGER NOT NULL, record TEXT NOT NULL);
                    """)
        }
        // Villages at every edge of the scope's range: in it, just below and above it, the
        // county-wide code, none, texts that begin with the scope past any village, the empty
        // text, and random digits and characters.
        let edges: [String?] = [
            nil, "", Self.township, Self.township + "001", "421281101999", "421281100999", "421281102000",
            "421281000000", countyWide, "42128110", "4212811010", Self.township + "~", Self.township + "\u{10FFFF}",
            Self.township + "\u{10FFFF}9", "421281101\u{7F}", "９２１", "z", "\u{10FFFF}",
        ]
        var random = SplitMix64(seed: 20_261_205)
        let alphabet = Array("0123456789~\u{7F}é中\u{10FFFF}")
        var villages = edges
        for _ in 0..<400 {
            if random.next() % 2 == 0 {
                // Digit codes near the scope: the same county, random townships and villages.
                villages.append("421281\(100 + random.next() % 4)\(String(format: "%03d", random.next() % 1000))")
            } else {
                let length = Int(random.next() % 14)
                villages.append(String((0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }))
            }
        }
        try queue.write { db in
            for (index, village) in villages.enumerated() {
                try db.execute(
                    sql: "INSERT INTO households (id, village) VALUES (?, ?)", arguments: ["H-\(index)", village])
                // Every fifth record waits for an op: logged in the scope for some (on its way
                // in, kept), outside it for others.
                if index % 5 == 0 {
                    let opScope = index % 10 == 0 ? Self.township + "001" : "421281102001"
                    try db.execute(
                        sql: "INSERT INTO ops (replica, counter, scope) VALUES ('r', ?, ?)",
                        arguments: [index, opScope])
                    try db.execute(
                        sql: "INSERT INTO op_waits (replica, counter, record) VALUES ('r', ?, ?)",
                        arguments: [index, "H-\(index)"])
                }
            }
        }
        let (indexed, whole) = try queue.read { db in
            (
                Set(
                    try String.fetchAll(
                        db, sql: Replica.outOfScopeSQL(.household), arguments: Replica.outOfScopeArguments(scope))),
                Set(
                    try String.fetchAll(
                        db, sql: Self.wholeTableSQL("households"),
                        arguments: [Self.township.count, Self.township, countyWide, Self.township.count, Self.township]
                    ))
            )
        }
        #expect(indexed == whole)
        // The pass found something to hand over, and kept something: the comparison means something.
        #expect(whole.count > 50 && whole.count < villages.count - 50, "\(whole.count) of \(villages.count)")
        #expect(!whole.contains("H-\(villages.firstIndex(of: Self.township + "001")!)"))
        #expect(whole.contains("H-\(villages.firstIndex(of: "421281102000")!)"))
        #expect(whole.contains("H-\(villages.firstIndex(of: Self.township + "\u{10FFFF}9")!)") == false)
    }
}
