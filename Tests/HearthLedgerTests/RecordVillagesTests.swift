import HearthCore
import HearthStore
import Testing

@testable import HearthLedger

/// The villages a pull's page asks for (``RecordVillages``): read a few hundred to a statement
/// beforehand, they answer as one read each did.
@Suite("A page's record villages")
struct RecordVillagesTests {
    /// Statements that count what they run, over SQLite's.
    final class Counted: SQLStatements {
        let base: SQLiteStatements
        var count = 0
        init(_ base: SQLiteStatements) { self.base = base }
        var dialect: SQLDialect { base.dialect }
        func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int {
            count += 1
            return try base.execute(sql, arguments)
        }
        func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [[SQLValue]] {
            count += 1
            return try base.rows(sql, arguments)
        }
        func forEachRow(_ sql: String, _ arguments: [SQLValue], _ body: ([SQLValue]) throws -> Void) throws {
            count += 1
            try base.forEachRow(sql, arguments, body)
        }
        func changeVersion() throws -> Int64? { nil }
        func afterCommit(_ body: @escaping @Sendable () -> Void) {}
    }

    @Test("Prefetched in chunks, every record's village (or none) is the one its own read gives", arguments: [7, 42])
    func prefetchAnswersAsReads(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let replica = ReplicaID("00000000000a")
        try SQLiteStatements.inMemory { base in
            for table in ["households", "members", "enrollments"] {
                try base.execute("CREATE TABLE \(table) (id TEXT PRIMARY KEY, village TEXT)", [])
            }
            var records: [String] = []
            for counter in 1...1_800 {
                let type = [RecordType.household, .member, .enrollment][Int.random(in: 0..<3, using: &random)]
                let id = RecordID(type: type, creator: Dot(replica: replica, counter: UInt64(counter))).value
                records.append(id)
                // Some records the hub does not hold, some with a village that is not a code.
                switch Int.random(in: 0..<10, using: &random) {
                case 0: continue
                case 1: try base.execute("INSERT INTO \(type.table) VALUES (?, ?)", [.text(id), .text("nowhere")])
                default:
                    let village =
                        "4212811\(Int.random(in: 10...13, using: &random))\(Int.random(in: 100...120, using: &random))"
                    try base.execute("INSERT INTO \(type.table) VALUES (?, ?)", [.text(id), .text(village)])
                }
            }
            let asked = records.shuffled(using: &random) + ["not an id", records[0]]
            var oneByOne = RecordVillages(base)
            let expected = try asked.map { try oneByOne.village(of: $0) }
            let counted = Counted(base)
            var prefetched = RecordVillages(counted)
            try prefetched.prefetch(asked)
            let statements = counted.count
            #expect(try asked.map { try prefetched.village(of: $0) } == expected)
            #expect(counted.count == statements, "every village was known after the prefetch")
            // Each type's ids, 500 to a statement.
            let perType = Dictionary(grouping: Set(records), by: { RecordID($0)!.type }).values
            #expect(statements == perType.map { ($0.count + 499) / 500 }.reduce(0, +))
            #expect(statements > 3, "some type's ids took more than one statement")
            #expect(expected.contains(nil) && expected.contains { $0 != nil })
        }
    }
}
