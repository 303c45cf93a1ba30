import Foundation
import GRDB
import HearthCore
import HearthLedger
import HearthLedgerSQLite
import HearthStore
import Testing

@testable import HearthLedgerPostgres

/// The hub's tables and triggers on PostgreSQL (``PostgresHubSchema/replicaMigrations``) against
/// a real SQLite hub made by `HubLedger.create`: the same columns and indexes, and one script of
/// statements leaving the same bookkeeping in both.
@Suite("The hub's replica tables and triggers on PostgreSQL, as on SQLite")
struct PostgresReplicaSchemaTests {
    /// SQLite's own tables, and the desk's, which v2 keeps by a folded name key (`name_key`,
    /// `account_key`) and a BOOLEAN `succeeded` on purpose (``PostgresHubSchema``).
    static let notCompared: Set<String> = [
        "grdb_migrations", "sqlite_sequence", "desk_accounts", "desk_sessions", "desk_login_attempts",
    ]
    /// Indexes PostgreSQL has beyond SQLite's (v1: the unused tokens, nonces by age).
    static let postgresOnlyIndexes: Set<String> = ["enrollment_tokens_unused", "nonces_by_time"]

    @Test("Every table of a SQLite hub has the same columns, kinds, keys and indexes on PostgreSQL")
    func sameTables() async throws {
        let (sqlite, sqliteTriggers) = try Self.withSQLiteHub { statements in
            (
                try Self.sqliteShapes(statements),
                try Self.strings(statements, "SELECT name FROM sqlite_master WHERE type = 'trigger'")
            )
        }
        let hub = try await FreshPostgresHub()
        let (postgres, postgresTriggers) = try await hub.storage.database.blockingTransaction { statements in
            (
                try Self.postgresShapes(statements, tables: Array(sqlite.keys)),
                try Self.strings(statements, "SELECT tgname::text FROM pg_trigger WHERE NOT tgisinternal")
            )
        }
        await hub.storage.close()
        #expect(sqlite.count == 38, "the SQLite hub's tables compared: \(sqlite.keys.sorted())")
        for table in sqlite.keys.sorted() {
            guard let mine = postgres[table] else {
                Issue.record("PostgreSQL has no table \(table)")
                continue
            }
            #expect(mine.columns == sqlite[table]!.columns, "columns of \(table)")
            #expect(mine.indexes == sqlite[table]!.indexes, "indexes of \(table)")
        }
        #expect(sqliteTriggers.count == 41, "the log's insert counts in the applier (core v28)")
        #expect(Set(postgresTriggers) == Set(sqliteTriggers), "the triggers of both")
    }

    @Test("One script leaves the same rows in both, every trigger firing with the same effect")
    func sameTriggers() async throws {
        let onSQLite = try Self.withSQLiteHub { try PostgresReplicaScript.run($0) }
        let hub = try await FreshPostgresHub()
        let (onPostgres, uncalled) = try await hub.storage.database.blockingTransaction { statements in
            // Counts the calls of each function in this transaction (pg_stat_xact_user_functions).
            try statements.execute("SET LOCAL track_functions = 'all'", [])
            let reads = try PostgresReplicaScript.run(statements)
            let uncalled = try Self.strings(
                statements,
                """
                SELECT p.proname::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname = 'public' AND p.prorettype = 'trigger'::regtype
                AND p.oid NOT IN (SELECT funcid FROM pg_stat_xact_user_functions WHERE calls > 0)
                """)
            return (reads, uncalled)
        }
        await hub.storage.close()
        #expect(uncalled.isEmpty, "trigger functions the script never ran: \(uncalled)")
        #expect(onSQLite.keys.sorted() == onPostgres.keys.sorted())
        for read in onSQLite.keys.sorted() {
            #expect(onPostgres[read] == onSQLite[read], "\(read)")
        }
        // The bookkeeping the triggers keep holds rows at both points, so the comparison above
        // compares something.
        for point in ["after the inserts", "after the changes"] {
            for table in PostgresReplicaScript.bookkeeping {
                #expect(onSQLite["\(point): \(table)"]?.isEmpty == false, "\(point): \(table) is empty")
            }
        }
        let counts = try #require(onSQLite["after the changes: row_counts"])
        #expect(counts.count == 9 && counts.allSatisfy { $0[1] != .integer(0) }, "\(counts)")
    }

    @Test("No SQLite trigger raises; a row a CHECK, NOT NULL or unique index refuses is refused on both")
    func sameRefusals() async throws {
        let (raising, onSQLite) = try Self.withSQLiteHub { statements in
            (
                try statements.value(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%RAISE%'"),
                try Self.refusals(statements)
            )
        }
        let hub = try await FreshPostgresHub()
        let onPostgres = try await hub.storage.database.blockingTransaction { try Self.refusals($0) }
        await hub.storage.close()
        #expect(raising == .integer(0))
        #expect(onSQLite == Self.refusable.map(\.refused))
        #expect(onPostgres == onSQLite)
    }

    // MARK: - Refusals

    /// Statements each database must refuse (or accept), in order: accepted ones stay.
    static let refusable: [(sql: String, refused: Bool)] = [
        (
            "INSERT INTO replica (id, name, scope, role, public_key, key_check, created_millis)"
                + " VALUES ('r1', 'hub', '421281', 'village', 'k', 'c', 1)", true
        ),
        (
            "INSERT INTO replica (id, name, scope, role, public_key, key_check, created_millis)"
                + " VALUES ('r2', 'hub', '421281', 'hub', 'k', 'c', 1)", false
        ),
        (
            "INSERT INTO ops (replica, counter, record, scope, hash, body, state)"
                + " VALUES ('r', 1, 'm', 's', x'00', x'00', 'lost')", true
        ),
        (
            "INSERT INTO quarantine (replica, counter, record, hash, body, reason, state, at_millis)"
                + " VALUES ('r', 1, 'm', 'h', x'00', 'why', 'gone', 1)", true
        ),
        (
            "INSERT INTO decisions (at_millis, worker, kind, record, rule, rule_set, choice, note, op, trigger)"
                + " VALUES (1, 'w', 'whim', 'm', 'R5', 1, 'c', 'n', 'o', NULL)", true
        ),
        (
            "INSERT INTO decisions (at_millis, worker, kind, record, rule, rule_set, choice, note, op, trigger)"
                + " VALUES (1, 'w', 'rule', 'm', 'R5', 1, 'c', 'n', 'o', 't')", false
        ),
        (
            "INSERT INTO decisions (at_millis, worker, kind, record, rule, rule_set, choice, note, op, trigger)"
                + " VALUES (2, 'w', 'rule', 'm', 'R5', 1, 'c', 'n', 'o', 't')", true
        ),
        (
            "INSERT INTO roll_lines (month, enrollment, member, program, kind, for_month, amount_fen)"
                + " VALUES ('2026-01', 'e', 'm', 'p', 'bonus', '2026-01', 1)", true
        ),
        ("INSERT INTO members (id, id_pending, updated_millis) VALUES ('m', NULL, 1)", true),
        ("INSERT INTO audit (at_millis, worker, action, record) VALUES (1, 'w', 'a', 'r')", true),
        ("INSERT INTO audit (at_millis, worker, action, record, field) VALUES (1, 'w', 'a', 'r', 'f')", false),
    ]

    /// Runs each of ``refusable`` under a savepoint (a refused statement ends a PostgreSQL
    /// transaction otherwise) and says which were refused.
    static func refusals(_ statements: any SQLStatements) throws -> [Bool] {
        try refusable.map { step in
            try statements.execute("SAVEPOINT attempt", [])
            do {
                try statements.execute(step.sql, [])
                try statements.execute("RELEASE SAVEPOINT attempt", [])
                return false
            } catch {
                try statements.execute("ROLLBACK TO SAVEPOINT attempt", [])
                return true
            }
        }
    }

    // MARK: - Shapes

    /// A table as both databases describe it: each column as `name kind [NOT NULL] [DEFAULT x]`
    /// in order, and each index as `[UNIQUE ](columns)[ WHERE …]` (an expression as
    /// `(expression)`).
    struct Shape: Equatable, Sendable {
        var columns: [String]
        var indexes: Set<String>
    }

    static func column(_ name: String, _ kind: String, notNull: Bool, default value: String?) -> String {
        "\(name) \(kind)" + (notNull ? " NOT NULL" : "") + (value.map { " DEFAULT \($0)" } ?? "")
    }

    static func index(unique: Bool, partial: Bool, _ columns: [String]) -> String {
        (unique ? "UNIQUE " : "") + "(\(columns.joined(separator: ", ")))" + (partial ? " WHERE …" : "")
    }

    static func sqliteShapes(_ statements: any SQLStatements) throws -> [String: Shape] {
        let kinds = ["INTEGER": "integer", "TEXT": "text", "BLOB": "blob", "REAL": "real"]
        var shapes: [String: Shape] = [:]
        for table in try strings(statements, "SELECT name FROM sqlite_master WHERE type = 'table'")
        where !notCompared.contains(table) {
            let columns = try statements.rows(
                "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid", [.text(table)])
            var shape = Shape(columns: [], indexes: [])
            for row in columns {
                let type = row[1].asText ?? ""
                // A key column is NOT NULL on PostgreSQL whatever SQLite's declaration says.
                shape.columns.append(
                    column(
                        row[0].asText ?? "", kinds[type] ?? type,
                        notNull: row[2] != .integer(0) || row[4] != .integer(0),
                        default: row[3].asText))
            }
            var keyIndexed = false
            for row in try statements.rows(
                "SELECT name, \"unique\", origin, partial FROM pragma_index_list(?)", [.text(table)])
            {
                keyIndexed = keyIndexed || row[2] == .text("pk")
                let names = try statements.rows(
                    "SELECT coalesce(name, '(expression)') FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno",
                    [row[0]])
                shape.indexes.insert(
                    index(
                        unique: row[1] == .integer(1), partial: row[3] == .integer(1), names.map { $0[0].asText ?? "" })
                )
            }
            // An INTEGER PRIMARY KEY is the rowid, indexed by the table itself.
            let keys = columns.filter { $0[4] != .integer(0) }
            if !keyIndexed, keys.count == 1, let key = keys.first?[0].asText {
                shape.indexes.insert(index(unique: true, partial: false, [key]))
            }
            shapes[table] = shape
        }
        return shapes
    }

    static func postgresShapes(_ statements: any SQLStatements, tables: [String]) throws -> [String: Shape] {
        let kinds = ["bigint": "integer", "text": "text", "bytea": "blob", "double precision": "real"]
        var shapes: [String: Shape] = [:]
        for table in tables {
            let columns = try statements.rows(
                """
                SELECT column_name::text, data_type::text, is_nullable::text, column_default::text
                FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ? ORDER BY ordinal_position
                """, [.text(table)])
            guard !columns.isEmpty else { continue }
            var shape = Shape(columns: [], indexes: [])
            for row in columns {
                let type = row[1].asText ?? ""
                // `''::text` is SQLite's `''`; an identity has no default, as an AUTOINCREMENT.
                let value = row[3].asText.map { $0.replacingOccurrences(of: "::text", with: "") }
                shape.columns.append(
                    column(row[0].asText ?? "", kinds[type] ?? type, notNull: row[2] == .text("NO"), default: value))
            }
            let indexes = try statements.rows(
                """
                SELECT i.relname::text, ix.indisunique, ix.indpred IS NOT NULL,
                array_to_string(ARRAY(
                    SELECT CASE WHEN ix.indkey[k] = 0 THEN '(expression)' ELSE (
                        SELECT attname::text FROM pg_attribute WHERE attrelid = ix.indrelid AND attnum = ix.indkey[k])
                    END FROM generate_series(0, ix.indnkeyatts - 1) AS k ORDER BY k), ', ')
                FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
                JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'public' AND t.relname = ?
                """, [.text(table)])
            for row in indexes where !postgresOnlyIndexes.contains(row[0].asText ?? "") {
                shape.indexes.insert(
                    index(
                        unique: row[1] == .integer(1), partial: row[2] == .integer(1),
                        (row[3].asText ?? "").components(separatedBy: ", ")))
            }
            shapes[table] = shape
        }
        return shapes
    }

    // MARK: - Databases

    /// The first column of every row of `sql`, as text.
    static func strings(_ statements: any SQLStatements, _ sql: String) throws -> [String] {
        try statements.rows(sql, []).map { $0[0].asText ?? "" }
    }

    /// Runs `body` in a write transaction on a new county hub's SQLite file, made as `hearth
    /// hub init` makes it (`HubLedger.create`) and reached with GRDB.
    static func withSQLiteHub<T>(_ body: (any SQLStatements) throws -> T) throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-schema-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("hub.sqlite").path
        _ = try HubLedger.create(
            path: path, name: "hub", scope: try ScopePrefix.parse(Fixture.county, field: "scope"),
            nowMillis: Fixture.start)
        let queue = try DatabaseQueue(path: path)
        return try queue.write { db in try body(SQLiteStatements(db)) }
    }
}

extension SQLValue {
    /// The text a cell holds, or nil.
    fileprivate var asText: String? {
        if case .text(let text) = self { return text }
        return nil
    }
}
