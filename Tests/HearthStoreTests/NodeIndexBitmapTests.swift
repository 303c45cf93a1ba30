import Foundation
import GRDB
import HearthCore
import HearthStore
import Testing
import HearthTestSupport

/// Node v3: a node keeps its copy of the duplicate index as one bitmap of the 16,384 prefixes
/// in `sync_state`, where it kept a row per prefix.
@Suite("A node's duplicate index is one bitmap")
struct NodeIndexBitmapTests {
    static let now: Int64 = 1_795_600_000_000
    static let village = "421281101001"

    /// This test's directories, removed when it ends.
    let temporary = TemporaryDirectories()

    func makeNode() throws -> Replica {
        let directory = try temporary.make("hearth-bitmap")
        return try Replica.create(
            path: directory + "/node.db", name: "v", scope: try ScopePrefix.parse(Self.village, field: "scope"),
            nowMillis: Self.now)
    }

    /// ID numbers of the county, with the prefix each falls in under `node`'s key.
    func idNumbers(_ node: Replica, count: Int) -> [(number: String, prefix: Int)] {
        (0..<count).map { index in
            let number = "421281" + String(format: "19%02d0101", index % 90) + String(format: "%04d", index)
            return (number, DuplicateIndex.prefix(ofHash: node.keys.digest(number))!)
        }
    }

    @Test("a node's database holds the version and a bitmap of 2 KiB, whether the index came whole or as deltas")
    func storedAsBitmap() throws {
        let node = try makeNode()
        #expect(try node.duplicateIndexPrefixes().isEmpty, "nothing held before the first sync")
        let people = idNumbers(node, count: 200)
        #expect(try people.allSatisfy { !(try node.possiblyRegisteredElsewhere(idNumber: $0.number)) })

        // A whole county's index: nearly every prefix set, as 90,000 people set them.
        var random = SplitMix64(seed: 13)
        let whole = (0..<DuplicateIndex.prefixCount).filter { _ in Int.random(in: 0..<100, using: &random) < 99 }
        try node.storeDuplicateIndex(version: "d40", prefixes: whole)
        #expect(try node.duplicateIndexVersion() == "d40")
        #expect(try node.duplicateIndexPrefixes() == whole)
        let bytes = try node.read { db in try Data.fetchOne(db, sql: "SELECT index_bitmap FROM sync_state") }
        #expect(bytes?.count == DuplicateIndexBitmap.byteCount)
        for person in people {
            #expect(try node.possiblyRegisteredElsewhere(idNumber: person.number) == whole.contains(person.prefix))
        }

        // Deltas flip only the bits they name; a prefix both removed and added ends present.
        let removed = Array(whole.prefix(5))
        let absent = Set(0..<DuplicateIndex.prefixCount).subtracting(whole).sorted()
        let added = Array(absent.prefix(3)) + [removed[0]]
        try node.applyDuplicateIndexDelta(version: "d41", added: added, removed: removed)
        let expected = Set(whole).subtracting(removed).union(added).sorted()
        #expect(try node.duplicateIndexPrefixes() == expected)
        #expect(try node.duplicateIndexVersion() == "d41")

        // A whole index replaces the held one, down to nothing.
        try node.storeDuplicateIndex(version: "d42", prefixes: [])
        #expect(try node.duplicateIndexPrefixes().isEmpty)
        #expect(try people.allSatisfy { !(try node.possiblyRegisteredElsewhere(idNumber: $0.number)) })
    }

    @Test("a delta to a node that never held an index builds its bitmap from nothing")
    func deltaFromNothing() throws {
        let node = try makeNode()
        try node.applyDuplicateIndexDelta(version: "d3", added: [0, 7, 16_383], removed: [9])
        #expect(try node.duplicateIndexPrefixes() == [0, 7, 16_383])
        #expect(try node.duplicateIndexVersion() == "d3")
    }

    @Test("a node's rows of the index become its bitmap when it opens, version and prefixes kept")
    func migratesRows() throws {
        // The replica is let go (its connections closed) before the file is changed under it.
        let (path, people) = try { () throws -> (String, [(number: String, prefix: Int)]) in
            let node = try makeNode()
            return (node.path, idNumbers(node, count: 40))
        }()
        let held = Array(Set(people.prefix(25).map(\.prefix))).sorted()

        // As node v2 left it: a row per prefix, no bitmap.
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier LIKE 'node v3%'")
            try db.execute(sql: "ALTER TABLE sync_state DROP COLUMN index_bitmap")
            try db.execute(sql: "CREATE TABLE duplicate_index (prefix INTEGER PRIMARY KEY NOT NULL)")
            for prefix in held {
                try db.execute(sql: "INSERT INTO duplicate_index (prefix) VALUES (?)", arguments: [prefix])
            }
            try db.execute(sql: "UPDATE sync_state SET index_version = 'd17'")
        }
        try queue.close()

        let reopened = try Replica.open(path: path)
        #expect(try reopened.duplicateIndexVersion() == "d17")
        #expect(try reopened.duplicateIndexPrefixes() == held)
        for person in people {
            #expect(try reopened.possiblyRegisteredElsewhere(idNumber: person.number) == held.contains(person.prefix))
        }
        let tables = try reopened.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        #expect(!tables.contains("duplicate_index"))
    }
}
