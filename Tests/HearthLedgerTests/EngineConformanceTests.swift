import Foundation
import HearthCore
import HearthLedger
import HearthLedgerSQLite
import HearthStore
import Testing

@testable import HearthLedgerPostgres

/// One apply engine (``ApplyEngine``: the applier, the county's rules, the kept rule cases and
/// search index) on both of the hub's databases: the same batches of real ops, made by two
/// township nodes working on the same households, give the same rows in every table the
/// engine writes, position for position, on a SQLite hub file and on a real PostgreSQL server
/// (the duplicate index's versions aside: see ``both(_:_:_:)``).
@Suite("One apply engine on SQLite and PostgreSQL")
struct EngineConformanceTests {
    static let township = "421281101"
    static let villages = ["421281101001", "421281101002"]

    /// Tables the two hubs keep differently (their own bookkeeping) or SQLite alone keeps.
    static let notCompared: Set<String> = [
        "grdb_migrations", "sqlite_sequence", "nodes", "enrollment_tokens", "nonces", "audit", "hub_restores",
        "desk_accounts", "desk_sessions", "desk_login_attempts",
    ]

    @Test("The same batches give the same tables on both databases", arguments: [UInt64(7), 8, 9])
    func sameTables(seed: UInt64) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "hearth-engine-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let keys = KeyMaterial.generate()
        let batches = try FieldDay.batches(seed: seed, directory: directory, keys: keys)

        let (core, postgres) = try await Self.twins(in: directory, keys: keys)
        // Both run as the same hub (its writer signs the rules' ops), so their rows can match.
        let engine = ApplyEngine(info: core.info, role: HubApplyRole(), cache: nil)

        var released = 0
        for (index, batch) in batches.enumerated() {
            let now = Fixture.start + Int64(index) * 60_000
            let onSQLite = try await core.writeAsync { db in
                try engine.integrate(
                    in: SQLiteStatements(db), batch, nowMillis: now, admit: { _, _ in true },
                    bookkeeping: { _ in false })
            }
            let onPostgres = try await postgres.storage.writingStatements { sql in
                try engine.integrate(
                    in: sql, batch, nowMillis: now, admit: { _, _ in true }, bookkeeping: { _ in false })
            }
            #expect(onSQLite == onPostgres, "batch \(index)")
            released += onSQLite.released
        }

        let tables = try await core.readAsync { db in
            try SQLiteStatements(db).texts("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }.filter { !Self.notCompared.contains($0) }
        var filled: Set<String> = []
        for table in tables {
            let (expected, found) = try await Self.both(table, core, postgres)
            #expect(found.values == expected.values, "table \(table), seed \(seed)")
            if !expected.values.isEmpty { filled.insert(table) }
        }
        // What the batches must have exercised, or the comparison proves little: waiting ops
        // released, the rules' decisions and ops, kept cases, conflicts, moves between villages.
        #expect(released > 0, "no op waited for its past")
        for table in [
            "ops", "households", "members", "enrollments", "decisions", "rule_cases", "search_grams",
            "scope_entries", "record_meta", "replica_clock",
        ] {
            #expect(filled.contains(table), "\(table) stayed empty, seed \(seed)")
        }
        let conflicts = try await core.readAsync { db in
            try SQLiteStatements(db).integer("SELECT count(*) FROM households WHERE conflicts IS NOT NULL") ?? 0
        }
        #expect(conflicts > 0, "no household in conflict, seed \(seed)")
        await postgres.storage.close()
    }

    /// A hub file and a PostgreSQL hub that are the same hub: the file's replica row (its id
    /// and writer) copied into the server's, so the rules' ops each signs match.
    static func twins(in directory: URL, keys: KeyMaterial) async throws -> (ReplicaCore, FreshPostgresHub) {
        let ledger = try HubLedger.create(
            path: directory.appendingPathComponent("hub.sqlite").path, name: "hub",
            scope: try ScopePrefix.parse(Fixture.county, field: "scope"), nowMillis: Fixture.start, keys: keys)
        let core = try #require(ledger.storage as? SQLiteLedgerStorage).replica
        let postgres = try await FreshPostgresHub()
        let replicaRow = try await core.readAsync { db in try Self.rows(of: "replica", SQLiteStatements(db)) }
        try await postgres.storage.database.blockingTransaction { sql in
            try sql.execute("DELETE FROM replica", [])
            try Self.insert(replicaRow, into: "replica", sql)
        }
        return (core, postgres)
    }

    /// A table's rows on the hub file and on the server, in the file's columns; of
    /// `id_prefixes`, each part's flag without its version. The versions may number
    /// differently: the server's flush writes many members to a statement, and its triggers see
    /// them at the statement's end, where SQLite's see each row as it is written, so a part
    /// whose last living member dies beside a new one takes no version there and two here
    /// (`PostgresReplicaTriggers.duplicateIndexFlags`); the flags, which nodes are sent, agree.
    static func both(_ table: String, _ core: ReplicaCore, _ postgres: FreshPostgresHub) async throws -> (
        expected: Rows, found: Rows
    ) {
        let columns = try await core.readAsync { db in
            try SQLiteStatements(db).texts("SELECT name FROM pragma_table_info(?) ORDER BY cid", [.text(table)])
        }.filter { table != "id_prefixes" || $0 != "changed" }
        let expected = try await core.readAsync { db in
            try Self.rows(of: table, columns: columns, SQLiteStatements(db))
        }
        let found = try await postgres.storage.database.blockingTransaction { sql in
            try Self.rows(of: table, columns: columns, sql)
        }
        return (expected, found)
    }

    /// Statements that remember every one they run, over another's (PostgreSQL's: the writes
    /// it does not wait for stay so).
    final class Recorded: SQLStatements {
        let base: any SQLStatements
        /// Each statement's text, how many values it bound, and whether its answer was waited
        /// for (every call but ``write(_:_:)``).
        var run: [(sql: String, values: Int, waited: Bool)] = []
        init(_ base: any SQLStatements) { self.base = base }
        var dialect: SQLDialect { base.dialect }
        func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int {
            run.append((sql, arguments.count, true))
            return try base.execute(sql, arguments)
        }
        func write(_ sql: String, _ arguments: [SQLValue]) throws {
            run.append((sql, arguments.count, false))
            try base.write(sql, arguments)
        }
        func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [[SQLValue]] {
            run.append((sql, arguments.count, true))
            return try base.rows(sql, arguments)
        }
        func forEachRow(_ sql: String, _ arguments: [SQLValue], _ body: ([SQLValue]) throws -> Void) throws {
            run.append((sql, arguments.count, true))
            try base.forEachRow(sql, arguments, body)
        }
        func changeVersion() throws -> Int64? { try base.changeVersion() }
        func afterCommit(_ body: @escaping @Sendable () -> Void) { base.afterCommit(body) }

        /// How many statements wrote into `table`, and how many rows they wrote, `columns`
        /// values a row.
        func writes(into table: String, columns: Int) -> (statements: Int, rows: Int) {
            let into = run.filter { $0.sql.hasPrefix("INSERT INTO \(table) (") }
            return (into.count, into.map(\.values).reduce(0, +) / columns)
        }
    }

    @Test(
        "On PostgreSQL a batch's states and rows are written many records to a statement and its ops logged without waiting, and give what SQLite's statement a record gives"
    )
    func groupedWrites() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "hearth-engine-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let keys = KeyMaterial.generate()
        // A day's batches as one push: every record the day made, written by one flush.
        let batch = try FieldDay.batches(seed: 11, directory: directory, keys: keys).flatMap { $0 }
        let (core, postgres) = try await Self.twins(in: directory, keys: keys)
        let engine = ApplyEngine(info: core.info, role: HubApplyRole(), cache: nil)
        let (onSQLite, recorded) = try await core.writeAsync { db in
            let recorded = Recorded(SQLiteStatements(db))
            let report = try engine.integrate(
                in: recorded, batch, nowMillis: Fixture.start, admit: { _, _ in true }, bookkeeping: { _ in false })
            return (report, recorded.writes(into: "record_meta", columns: 3))
        }
        let (onPostgres, grouped, waitedToLog) = try await postgres.storage.writingStatements { sql in
            let recorded = Recorded(sql)
            let report = try engine.integrate(
                in: recorded, batch, nowMillis: Fixture.start, admit: { _, _ in true }, bookkeeping: { _ in false })
            let waitedToLog = recorded.run.filter { $0.waited && $0.sql.hasPrefix("INSERT INTO ops") }.count
            return (
                report,
                [
                    recorded.writes(into: "record_meta", columns: 3),
                    recorded.writes(into: "households", columns: StateRow.columns(of: .household).count),
                    recorded.writes(into: "members", columns: StateRow.columns(of: .member).count),
                ], waitedToLog
            )
        }
        // The same ops logged, applied, waiting and found again.
        #expect(onSQLite == onPostgres && onSQLite.duplicates > 0 && onSQLite.waiting > 0, "\(onSQLite)")
        // SQLite: a statement a record.
        #expect(
            recorded.statements == recorded.rows && recorded.rows > 50,
            "\(recorded.statements) statements, \(recorded.rows) rows")
        // PostgreSQL: the same states, 64 to a statement; each table's rows likewise; and no op
        // of the batch waited for its insert's answer, the log asked beforehand which it holds.
        #expect(grouped[0].rows == recorded.rows, "\(grouped)")
        for (statements, rows) in grouped {
            #expect(rows > 0 && statements <= (rows + 63) / 64 * 2, "\(grouped)")
        }
        // Only the rules' own ops, made after the batch, were logged as before.
        let rulesOps = try await postgres.storage.database.blockingTransaction { sql in
            try sql.integer("SELECT count(*) FROM ops WHERE replica = ?", [.text(core.info.id.value)])
        }
        #expect(Int64(waitedToLog) == rulesOps && waitedToLog < batch.count / 50, "\(waitedToLog) of \(batch.count)")
        for table in [
            "record_meta", "households", "members", "enrollments", "id_prefixes", "search_grams", "rule_cases",
        ] {
            let (expected, found) = try await Self.both(table, core, postgres)
            #expect(!expected.values.isEmpty && found.values == expected.values, "table \(table)")
        }
        await postgres.storage.close()
    }

    /// A table's rows, every column in SQLite's order, sorted (the two databases order text
    /// differently; the rows are compared as sets with their multiplicity).
    struct Rows: Sendable {
        let columns: [String]
        let values: [[SQLValue]]
    }

    static func rows(of table: String, _ sql: any SQLStatements) throws -> Rows {
        let columns = try sql.texts("SELECT name FROM pragma_table_info(?) ORDER BY cid", [.text(table)])
        return try rows(of: table, columns: columns, sql)
    }

    static func rows(of table: String, columns: [String], _ sql: any SQLStatements) throws -> Rows {
        let values = try sql.rows("SELECT \(columns.joined(separator: ", ")) FROM \(table)", [])
        return Rows(columns: columns, values: values.sorted { "\($0)" < "\($1)" })
    }

    static func insert(_ rows: Rows, into table: String, _ sql: any SQLStatements) throws {
        let marks = Array(repeating: "?", count: rows.columns.count).joined(separator: ", ")
        for row in rows.values {
            try sql.execute("INSERT INTO \(table) (\(rows.columns.joined(separator: ", "))) VALUES (\(marks))", row)
        }
    }
}

/// A seeded day of field work in one township by two nodes that share households: new
/// households and members (some with an ID number another member holds), enrollments, deaths,
/// moves within and between villages, concurrent edits of a household's income, and the
/// nodes exchanging their logs now and then. Its ops come out in the batches a hub receives:
/// a node's own ops alone (which may need ops the other has not pushed yet: they wait) or
/// everything it holds (duplicates included).
enum FieldDay {
    static func batches(seed: UInt64, directory: URL, keys: KeyMaterial) throws -> [[Op]] {
        var random = SplitMix64(seed: seed)
        let scope = try ScopePrefix.parse(EngineConformanceTests.township, field: "scope")
        let nodes = try (0..<2).map { index in
            try Replica.create(
                path: directory.appendingPathComponent("node-\(index).sqlite").path, name: "node \(index)",
                scope: scope, nowMillis: Fixture.start, keys: keys.withNewSigningKey())
        }
        var households: [RecordID] = []
        var members: [RecordID] = []
        var idNumbers: [String] = []
        var batches: [[Op]] = []
        let author = "w1"
        for step in 0..<90 {
            let now = Fixture.start + Int64(step) * 1_000
            let node = nodes[Int.random(in: 0..<2, using: &random)]
            let other = nodes.first { $0 !== node }!
            switch Int.random(in: 0..<12, using: &random) {
            case 0, 1, 2:
                var input = HouseholdInput()
                input.village = EngineConformanceTests.villages.randomElement(using: &random)
                input.address = ["新庄村一组", "2 Well Lane", "东街 3 号"].randomElement(using: &random)
                input.type = "rural"
                input.phone = "1390000\(1000 + step)"
                guard let household = try? node.addHousehold(input, author: author, nowMillis: now) else { continue }
                households.append(household)
                for relation in ["head", "spouse", "child"].prefix(Int.random(in: 1...3, using: &random)) {
                    var person = MemberInput()
                    person.household = household.value
                    person.name = ["王秀英", "李四", "张伟", "刘芳"].randomElement(using: &random)
                    person.relation = relation
                    if !idNumbers.isEmpty, Int.random(in: 0..<5, using: &random) == 0 {
                        person.idNumber = idNumbers.randomElement(using: &random)
                    } else {
                        let number = IDNumbers.make(serial: step * 10 + idNumbers.count)
                        idNumbers.append(number)
                        person.idNumber = number
                    }
                    if let member = try? node.addMember(person, author: author, nowMillis: now) {
                        members.append(member)
                    }
                }
            case 3, 4:
                guard let member = members.randomElement(using: &random) else { continue }
                _ = try? node.enroll(
                    EnrollInput(
                        member: member.value, program: ["dibao_rural", "temporary"].randomElement(using: &random)!,
                        amount: "300", start: "2026-01"),
                    author: author, nowMillis: now)
            case 5:
                // A death recorded on one node while the other, not knowing it yet, enrolls the
                // member: at the hub a deceased member with a live enrollment, which R1 ends.
                try other.integrate(try node.allOps(), nowMillis: now)
                guard let member = members.randomElement(using: &random) else { continue }
                _ = try? node.recordDeath(
                    member: member.value, date: "2026-03-0\(step % 9 + 1)", author: author, nowMillis: now)
                _ = try? other.enroll(
                    EnrollInput(member: member.value, program: "elderly", amount: "200", start: "2026-04"),
                    author: author, nowMillis: now)
            case 6:
                guard let member = members.randomElement(using: &random),
                    let household = households.randomElement(using: &random)
                else { continue }
                try? node.moveMember(member.value, toHousehold: household.value, author: author, nowMillis: now)
            case 7:
                guard let household = households.randomElement(using: &random) else { continue }
                _ = try? node.moveHousehold(
                    household.value, toVillage: EngineConformanceTests.villages.randomElement(using: &random)!,
                    author: author, nowMillis: now)
            case 8:
                // Both nodes set the same household's income without seeing the other: a
                // conflict for a person to settle.
                try other.integrate(try node.allOps(), nowMillis: now)
                try node.integrate(try other.allOps(), nowMillis: now)
                guard let household = households.randomElement(using: &random) else { continue }
                for (index, editor) in nodes.enumerated() {
                    var income = HouseholdInput()
                    income.income = "\(300 + index * 20 + step)"
                    try? editor.editHousehold(household.value, income, author: author, nowMillis: now)
                }
            case 9:
                // The other node edits what this one made and pushes its own ops at once: at the
                // hub they wait for this node's, until this node pushes.
                try other.integrate(try node.allOps(), nowMillis: now)
                if let household = households.randomElement(using: &random) {
                    var phone = HouseholdInput()
                    phone.phone = "1380000\(2000 + step)"
                    try? other.editHousehold(household.value, phone, author: author, nowMillis: now)
                }
                batches.append(try other.unpushedOps(limit: 10_000))
            case 10:
                batches.append(try node.unpushedOps(limit: 10_000))
            default:
                batches.append(try node.allOps())
            }
        }
        try epilogue(nodes, &batches)
        for node in nodes { batches.append(try node.allOps()) }
        return batches.filter { !$0.isEmpty }
    }

    /// What every seed must exercise, whatever the random steps did: an op that waits at the
    /// hub for its past and is released, a death R1 acts on, and a conflict.
    static func epilogue(_ nodes: [Replica], _ batches: inout [[Op]]) throws {
        let (first, second) = (nodes[0], nodes[1])
        let now = Fixture.start + 200_000
        var input = HouseholdInput()
        input.village = EngineConformanceTests.villages[0]
        input.address = "尾声村 9 号"
        input.type = "rural"
        let household = try first.addHousehold(input, author: "w1", nowMillis: now)
        var person = MemberInput()
        person.household = household.value
        person.name = "赵六"
        person.relation = "head"
        person.idNumber = IDNumbers.make(serial: 999)
        let member = try first.addMember(person, author: "w1", nowMillis: now)
        // The second node edits the new household and pushes before the first has: it waits.
        try second.integrate(try first.allOps(), nowMillis: now)
        var phone = HouseholdInput()
        phone.phone = "13900009999"
        try second.editHousehold(household.value, phone, author: "w2", nowMillis: now)
        batches.append(try second.unpushedOps(limit: 10_000))
        // The first records the member's death while the second, not knowing it, enrolls them.
        _ = try first.recordDeath(member: member.value, date: "2026-05-01", author: "w1", nowMillis: now)
        _ = try second.enroll(
            EnrollInput(member: member.value, program: "dibao_rural", amount: "300", start: "2026-01"), author: "w2",
            nowMillis: now)
        batches.append(try first.allOps())
        batches.append(try second.unpushedOps(limit: 10_000))
        // Both set the household's income without seeing the other's.
        for (index, editor) in nodes.enumerated() {
            var income = HouseholdInput()
            income.income = "\(400 + index * 30)"
            try editor.editHousehold(household.value, income, author: "w\(index + 1)", nowMillis: now + 1)
        }
    }
}

/// Valid 18-digit resident ID numbers (their check digit right), distinct by serial.
enum IDNumbers {
    static func make(serial: Int) -> String {
        let body = "42128119800101" + String(format: "%03d", serial % 1000)
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(body, weights).reduce(0) { $0 + Int(String($1.0))! * $1.1 }
        return body + String(Array("10X98765432")[sum % 11])
    }
}
