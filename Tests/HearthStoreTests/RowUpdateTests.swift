import Foundation
import GRDB
import HearthCore
import HearthLedger
import HearthLedgerSQLite
import Testing

@testable import HearthStore

/// How the applier writes a record's row (``StateRow/upsert(_:keysUnchanged:)``): an update
/// that keeps the row's indexed columns leaves them out of its `SET`, so their indexes are not
/// rewritten; one that changes them assigns them. Either way the row is what the record's
/// state says.
@Suite("Record rows: updates that keep their keys")
struct RowUpdateTests {
    static let now: Int64 = 1_795_600_000_000
    static let village = "421281101001"
    static let otherVillage = "421281101002"

    func replica(_ directory: String) throws -> Replica {
        try Replica.create(
            path: directory + "/t.db", name: "t", scope: try ScopePrefix.parse("421281101", field: "scope"),
            nowMillis: Self.now, keys: .generate())
    }

    func directory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-rows-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The record tables' indexed columns, besides `id`, as the migrated schema has them: each
    /// index's key columns (not a partial index's condition).
    func indexedColumns(_ db: Database, _ table: String) throws -> Set<String> {
        var columns: Set<String> = []
        for index in try Row.fetchAll(db, sql: "PRAGMA index_list(\(table))") {
            let name: String = index["name"]
            for column in try Row.fetchAll(db, sql: "PRAGMA index_info(\(name))") {
                if let column = column["name"] as String?, column != "id" { columns.insert(column) }
            }
        }
        return columns
    }

    @Test("the key columns are exactly the columns the record tables' indexes are keyed on, on a node and on a hub")
    func keyColumnsAreTheIndexes() throws {
        let directory = try directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let node = try replica(directory)
        let hub = try HubLedger.create(
            path: directory + "/hub.db", keyPath: directory + "/hub.key", name: "hub",
            scope: try ScopePrefix.parse("421281", field: "scope"), nowMillis: Self.now)
        for replica in [node as ReplicaCore, try hub.replica] {
            try replica.read { db in
                for type in RecordType.allCases {
                    let indexed = try indexedColumns(db, type.table)
                    #expect(
                        indexed == Set(StateRow.keyColumns(of: type)),
                        "\(type.table): an index added or dropped without StateRow.keyColumns")
                }
            }
        }
    }

    /// The table rows written by the last statements traced for `path`, by table.
    func upserts(_ statements: [String], into table: String) -> [String] {
        statements.filter { $0.hasPrefix("INSERT INTO \(table) (") }
    }

    @Test("a phone changed leaves a household's village and head out of the update; a move assigns them")
    func keysLeftOut() throws {
        let directory = try directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/t.db"
        StatementTrace.shared.start(path)
        defer { StatementTrace.shared.stop(path) }
        let replica = try replica(directory)
        var household = HouseholdInput()
        household.village = Self.village
        household.address = "一组 1 号"
        household.phone = "13800000001"
        household.type = "rural"
        let home = try replica.addHousehold(household, author: "w1", nowMillis: Self.now)
        var head = MemberInput()
        head.household = home.value
        head.name = "王秀云"
        head.relation = "head"
        let person = try replica.addMember(head, author: "w1", nowMillis: Self.now)
        _ = StatementTrace.shared.take(path)

        var phone = HouseholdInput()
        phone.phone = "13900000002"
        try replica.editHousehold(home.value, phone, author: "w1", nowMillis: Self.now + 1)
        let edited = upserts(StatementTrace.shared.take(path), into: "households")
        #expect(edited.count == 1)
        #expect(edited.allSatisfy { $0.contains("phone = excluded.phone") && !$0.contains("village = excluded") })
        #expect(edited.allSatisfy { !$0.contains("head = excluded") })

        _ = try replica.moveHousehold(home.value, toVillage: Self.otherVillage, author: "w1", nowMillis: Self.now + 2)
        let moved = StatementTrace.shared.take(path)
        #expect(upserts(moved, into: "households").allSatisfy { $0.contains("village = excluded.village") })
        #expect(upserts(moved, into: "members").allSatisfy { $0.contains("village = excluded.village") })
        #expect(!upserts(moved, into: "households").isEmpty)

        try replica.read { db in
            // Each index finds the row under its values now, and no longer under the old ones.
            func byVillage(_ table: String, _ index: String, _ village: String) throws -> [String] {
                try String.fetchAll(
                    db, sql: "SELECT id FROM \(table) INDEXED BY \(index) WHERE village = ?", arguments: [village])
            }
            #expect(try byVillage("households", "households_by_village", Self.otherVillage) == [home.value])
            #expect(try byVillage("households", "households_by_village_id", Self.otherVillage) == [home.value])
            #expect(try byVillage("households", "households_by_village", Self.village).isEmpty)
            #expect(try byVillage("members", "members_by_village_id", Self.otherVillage) == [person.value])
            #expect(try byVillage("members", "members_by_village_id", Self.village).isEmpty)
            let phone = try String.fetchOne(
                db, sql: "SELECT phone FROM households WHERE id = ?", arguments: [home.value])
            #expect(phone == "13900000002")
            #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok")
        }
    }

    @Test(
        "after seeded adds, edits and moves, every row is the row its state makes, and every index agrees with its rows"
    )
    func rowsAreTheirStates() throws {
        let directory = try directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let replica = try replica(directory)
        var random = SplitMix64(seed: 11)
        var homes: [RecordID] = []
        var people: [RecordID] = []
        for step in 0..<120 {
            let now = Self.now + Int64(step)
            switch homes.isEmpty ? 0 : random.next() % 5 {
            case 0:
                var input = HouseholdInput()
                input.village = random.next() % 2 == 0 ? Self.village : Self.otherVillage
                input.address = "一组 \(step) 号"
                input.phone = "1380000\(1000 + step)"
                input.type = "rural"
                homes.append(try replica.addHousehold(input, author: "w1", nowMillis: now))
            case 1:
                var input = MemberInput()
                input.household = homes[Int(random.next() % UInt64(homes.count))].value
                input.name = "李\(step)"
                input.relation = random.next() % 3 == 0 ? "head" : "child"
                people.append(try replica.addMember(input, author: "w1", nowMillis: now))
            case 2:
                var input = HouseholdInput()
                input.phone = "1390000\(1000 + step)"
                try replica.editHousehold(
                    homes[Int(random.next() % UInt64(homes.count))].value, input, author: "w1", nowMillis: now)
            case 3:
                let home = homes[Int(random.next() % UInt64(homes.count))]
                let village = random.next() % 2 == 0 ? Self.village : Self.otherVillage
                _ = try? replica.moveHousehold(home.value, toVillage: village, author: "w1", nowMillis: now)
            default:
                guard !people.isEmpty else { continue }
                var input = MemberInput()
                input.name = "张\(step)"
                try replica.editMember(
                    people[Int(random.next() % UInt64(people.count))].value, input, author: "w1", nowMillis: now)
            }
        }
        try replica.read { db in
            for type in [RecordType.household, .member] {
                let columns = StateRow.columns(of: type)
                let rows = try Row.fetchAll(
                    db, sql: "SELECT \(columns.joined(separator: ", ")) FROM \(type.table) ORDER BY id")
                #expect(rows.count == (type == .household ? homes.count : people.count))
                for row in rows {
                    let id = try #require(RecordID(row["id"] as String))
                    let state = try #require(try StoredState.load(SQLiteStatements(db), id))
                    let stored = columns.indices.map { SQLValue(row[$0] as DatabaseValue) }
                    #expect(stored == StateRow.values(of: state), "\(id)")
                }
            }
            // SQLite checks every index entry against its row.
            #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok")
        }
    }
}
