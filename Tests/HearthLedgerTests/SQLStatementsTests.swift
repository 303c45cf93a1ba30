import Foundation
import HearthCore
import HearthStore
import Testing

@testable import HearthLedgerPostgres

/// The statement seam the replica engine moves behind (``SQLStatements``): the same statements,
/// with `?` parameters, give the same answers on SQLite (through GRDB) and on a real
/// PostgreSQL server (blocking, on a thread of NIO's pool).
@Suite("The engine's statements on SQLite and PostgreSQL")
struct SQLStatementsTests {
    @Test("? becomes $1, $2, … outside quoted strings and identifiers")
    func numbering() {
        #expect(
            SQLParameters.numbered(#"SELECT * FROM t WHERE a = ? AND b = '?' AND "c?" = ? AND d IN (?, ?)"#)
                == #"SELECT * FROM t WHERE a = $1 AND b = '?' AND "c?" = $2 AND d IN ($3, $4)"#)
        #expect(SQLParameters.numbered("SELECT 'it''s ?', ?") == "SELECT 'it''s ?', $1")
        #expect(SQLParameters.numbered("SELECT 1") == "SELECT 1")
        #expect(
            SQLParameters.numbered("SELECT '新庄村?', \"二组?\" FROM t WHERE 名 = ? -- 村")
                == "SELECT '新庄村?', \"二组?\" FROM t WHERE 名 = $1 -- 村")
        let eleven = "VALUES (" + Array(repeating: "?", count: 11).joined(separator: ", ") + ")"
        #expect(SQLParameters.numbered(eleven) == "VALUES (" + (1...11).map { "$\($0)" }.joined(separator: ", ") + ")")
    }

    /// Runs the same statements and returns every answer, in order.
    static func script(_ statements: any SQLStatements) throws -> [String] {
        let blob = statements.dialect == .postgres ? "BYTEA" : "BLOB"
        try statements.execute(
            "CREATE TABLE t (id TEXT PRIMARY KEY, n BIGINT, r DOUBLE PRECISION, b \(blob), note TEXT)", [])
        var answers: [String] = []
        func change(_ label: String, _ sql: String, _ arguments: [SQLValue]) throws {
            answers.append("\(label) \(try statements.execute(sql, arguments))")
        }
        func read(_ label: String, _ sql: String, _ arguments: [SQLValue] = []) throws {
            answers.append("\(label) \(try statements.rows(sql, arguments))")
        }
        try change(
            "inserted", "INSERT INTO t (id, n, r, b, note) VALUES (?, ?, ?, ?, 'what?')",
            [.text("a"), .integer(Int64.max), .real(0.5), .blob([0, 1, 255])])
        try change(
            "inserted", "INSERT INTO t (id, n, r, b, note) VALUES (?, ?, ?, ?, ?)",
            [.text("b"), .integer(-7), .null, .null, .text("二组 '?'")])
        try change(
            "upserted", "INSERT INTO t (id, n) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET n = t.n + excluded.n",
            [.text("b"), .integer(10)])
        try change("updated", "UPDATE t SET note = ? WHERE n < ?", [.text("small"), .integer(100)])
        try change("unchanged", "UPDATE t SET note = ? WHERE id = ?", [.text("x"), .text("zz")])
        try read("rows", "SELECT id, n, r, b, note FROM t ORDER BY id")
        try read("returned", "DELETE FROM t WHERE id = ? RETURNING n", [.text("b")])
        answers.append("value \(String(describing: try statements.value("SELECT count(*) FROM t")))")
        answers.append(
            "none \(String(describing: try statements.value("SELECT n FROM t WHERE id = ?", [.text("b")])))")
        return answers
    }

    @Test("The same statements give the same answers on both databases")
    func sameAnswers() async throws {
        let onSQLite = try SQLiteStatements.inMemory { try Self.script($0) }
        let hub = try await FreshPostgresHub()
        let storage = hub.storage
        let onPostgres = try await storage.database.blockingTransaction { try Self.script($0) }
        await storage.close()
        #expect(onSQLite == onPostgres)
        #expect(onSQLite.count == 9)
        #expect(onSQLite[2] == "upserted 1" && onSQLite[3] == "updated 1" && onSQLite[4] == "unchanged 0")
    }

    @Test(
        "On SQLite each value is bound as it is: empty text and blob are not NULL, a statement runs again after it failed, a wrong count is refused"
    )
    func sqliteBinding() throws {
        try SQLiteStatements.inMemory { statements in
            try statements.execute("CREATE TABLE v (id INTEGER PRIMARY KEY, t TEXT, b BLOB, r REAL)", [])
            let insert = "INSERT INTO v (id, t, b, r) VALUES (?, ?, ?, ?)"
            try statements.execute(insert, [.integer(1), .text(""), .blob([]), .real(-0.25)])
            try statements.execute(insert, [.integer(2), .text("新庄村 '?' \u{0}x"), .blob([0, 0, 7]), .null])
            try statements.execute(insert, [.integer(3), .null, .null, .integer(4)])
            let rows = try statements.rows("SELECT id, t, typeof(t), b, typeof(b), r FROM v ORDER BY id", [])
            #expect(rows[0] == [.integer(1), .text(""), .text("text"), .blob([]), .text("blob"), .real(-0.25)])
            #expect(
                rows[1] == [
                    .integer(2), .text("新庄村 '?' \u{0}x"), .text("text"), .blob([0, 0, 7]), .text("blob"), .null,
                ])
            #expect(rows[2] == [.integer(3), .null, .text("null"), .null, .text("null"), .real(4)])
            // The same cached statement fails on a taken key, then runs with the next values.
            #expect(throws: (any Error).self) { try statements.execute(insert, [.integer(1), .null, .null, .null]) }
            #expect(try statements.execute(insert, [.integer(4), .text("after"), .null, .null]) == 1)
            #expect(try statements.value("SELECT t FROM v WHERE id = ?", [.integer(4)]) == .text("after"))
            // Values bound before are not left for a run that gives fewer.
            let refused = #expect(throws: ReplicaError.self) { try statements.execute(insert, [.integer(5)]) }
            #expect(refused.map { "\($0)" }?.contains("expects 4 values and was given 1") == true)
            #expect(try statements.value("SELECT count(*) FROM v") == .integer(4))
        }
    }

    /// Writes the engine does not wait for, then reads: more than PostgreSQL's statements hold
    /// unanswered at once, an upsert of a row written just before, a read between.
    static func writes(_ statements: any SQLStatements) throws -> [String] {
        try statements.execute("CREATE TABLE w (id BIGINT PRIMARY KEY, n BIGINT, note TEXT)", [])
        for id in 0..<600 {
            try statements.write(
                "INSERT INTO w (id, n, note) VALUES (?, ?, ?)", [.integer(Int64(id)), .integer(1), .null])
        }
        let midway = try statements.value("SELECT CAST(sum(n) AS BIGINT) FROM w")
        for id in stride(from: 0, to: 600, by: 3) {
            try statements.write(
                "INSERT INTO w (id, n) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET n = w.n + excluded.n",
                [.integer(Int64(id)), .integer(10)])
            try statements.write("UPDATE w SET note = ? WHERE id = ?", [.text("三 \(id)"), .integer(Int64(id))])
        }
        let rows = try statements.rows("SELECT id, n, note FROM w WHERE id < 7 ORDER BY id", [])
        return [
            "midway \(String(describing: midway))", "rows \(rows)",
            "sum \(String(describing: try statements.value("SELECT CAST(sum(n) AS BIGINT) FROM w")))",
        ]
    }

    @Test("Writes not waited for run in order, before every read, on both databases")
    func writesInOrder() async throws {
        let onSQLite = try SQLiteStatements.inMemory { try Self.writes($0) }
        let hub = try await FreshPostgresHub()
        let storage = hub.storage
        let onPostgres = try await storage.database.blockingTransaction { try Self.writes($0) }
        // And what the transaction wrote last was committed with it.
        _ = try await storage.database.blockingTransaction { statements in
            try statements.write("UPDATE w SET n = n + ? WHERE id = ?", [.integer(5), .integer(597)])
        }
        let last = try await storage.database.blockingTransaction { try $0.value("SELECT n FROM w WHERE id = 597") }
        await storage.close()
        #expect(onSQLite == onPostgres)
        #expect(onSQLite.first == "midway Optional(HearthStore.SQLValue.integer(600))")
        #expect(onSQLite.last == "sum Optional(HearthStore.SQLValue.integer(2600))")
        #expect(last == .integer(16))
    }

    /// A read of more rows than one network message holds: 12,000 rows of every type the
    /// engine stores, NULLs among them, read whole and then a slice.
    static func largeAnswer(_ statements: any SQLStatements) throws -> [[SQLValue]] {
        let blob = statements.dialect == .postgres ? "BYTEA" : "BLOB"
        try statements.execute(
            "CREATE TABLE big (id BIGINT PRIMARY KEY, t TEXT, r DOUBLE PRECISION, b \(blob))", [])
        for id in 0..<12_000 {
            try statements.write(
                "INSERT INTO big (id, t, r, b) VALUES (?, ?, ?, ?)",
                [
                    .integer(Int64(id)), id % 7 == 0 ? .null : .text("第\(id)户 '?'"),
                    id % 5 == 0 ? .null : .real(Double(id) / 4), id % 3 == 0 ? .null : .blob([UInt8(id % 256), 0, 9]),
                ])
        }
        var rows = try statements.rows("SELECT id, t, r, b FROM big ORDER BY id DESC", [])
        var slice: [[SQLValue]] = []
        try statements.forEachRow("SELECT id, t FROM big WHERE id >= ? ORDER BY id", [.integer(11_990)]) {
            slice.append($0)
        }
        rows += slice
        return rows
    }

    @Test("A large answer arrives whole and in order on both databases, and a failure after many rows fails the read")
    func largeAnswers() async throws {
        let onSQLite = try SQLiteStatements.inMemory { try Self.largeAnswer($0) }
        let hub = try await FreshPostgresHub()
        let storage = hub.storage
        let onPostgres = try await storage.database.blockingTransaction { try Self.largeAnswer($0) }
        #expect(onSQLite.count == 12_010)
        #expect(onSQLite == onPostgres)
        #expect(onPostgres.first == [.integer(11_999), .text("第11999户 '?'"), .real(2999.75), .blob([223, 0, 9])])
        #expect(onPostgres[11_999] == [.integer(0), .null, .null, .null])
        #expect(onPostgres.last == [.integer(11_999), .text("第11999户 '?'")])
        // The server fails the statement after it has sent thousands of its rows: the read
        // throws, with the server's words, and returns none of them.
        let failed = await #expect(throws: ReplicaError.self) {
            try await storage.database.blockingTransaction { statements in
                let rows = try statements.rows("SELECT id, 1 / (id - 9000) FROM big ORDER BY id", [])
                Issue.record("a read that failed returned \(rows.count) rows")
            }
        }
        #expect(failed.map { "\($0)" }?.contains("22012") == true)
        await storage.close()
    }

    @Test("Every type PostgreSQL answers the engine with is read as the value the engine stores")
    func postgresTypes() async throws {
        let hub = try await FreshPostgresHub()
        let storage = hub.storage
        let rows = try await storage.database.blockingTransaction { statements in
            try statements.rows(
                """
                SELECT CAST(-7 AS SMALLINT), CAST(-70000 AS INTEGER), CAST(? AS BIGINT), CAST(? AS BIGINT),
                    true, false, CAST(0.25 AS REAL), CAST(-1.5 AS DOUBLE PRECISION), CAST('新庄村' AS VARCHAR),
                    CAST('ab' AS CHAR(3)), CAST('x' AS name), CAST(? AS BYTEA), CAST(? AS BYTEA), CAST(NULL AS TEXT),
                    CAST(NULL AS BIGINT), '', CAST(? AS TEXT)
                """,
                [.integer(Int64.min), .integer(Int64.max), .blob([0, 255, 7]), .blob([]), .text("二组 '?'")])
        }
        await storage.close()
        #expect(
            rows == [
                [
                    .integer(-7), .integer(-70000), .integer(Int64.min), .integer(Int64.max), .integer(1), .integer(0),
                    .real(0.25), .real(-1.5), .text("新庄村"), .text("ab "), .text("x"), .blob([0, 255, 7]), .blob([]),
                    .null, .null, .text(""), .text("二组 '?'"),
                ]
            ])
    }

    @Test(
        "A write not waited for that fails fails its PostgreSQL transaction with its own words, at the next read or at the commit, and nothing of it is kept"
    )
    func deferredWriteFails() async throws {
        let hub = try await FreshPostgresHub()
        let storage = hub.storage
        _ = try await storage.database.blockingTransaction { statements in
            try statements.execute("CREATE TABLE d (id BIGINT PRIMARY KEY)", [])
        }
        // Failed at the commit: the body returned, the writes after the failure were refused
        // only because the transaction was aborted, and the first failure is the one told.
        let atCommit = await #expect(throws: ReplicaError.self) {
            try await storage.database.blockingTransaction { statements in
                try statements.write("INSERT INTO d VALUES (?)", [.integer(1)])
                try statements.write("INSERT INTO d VALUES (?)", [.integer(1)])
                try statements.write("INSERT INTO d VALUES (?)", [.integer(2)])
            }
        }
        #expect(atCommit.map { "\($0)" }?.contains("23505") == true)
        // Failed at the next read, which never runs.
        let atRead = await #expect(throws: ReplicaError.self) {
            try await storage.database.blockingTransaction { statements in
                try statements.write("INSERT INTO d VALUES (?)", [.integer(3)])
                try statements.write("INSERT INTO d VALUES (?)", [.text("not a number")])
                _ = try statements.rows("SELECT 1", [])
                Issue.record("the read ran after a write that failed")
            }
        }
        #expect(atRead.map { "\($0)" }?.contains("42804") == true)
        #expect(atRead.map { "\($0)" }?.contains("not a number") == false)
        // A caller that lets the read's error pass still cannot commit: the failure comes back
        // at the commit (the server would have answered it with a rollback and no error).
        let passedOver = await #expect(throws: ReplicaError.self) {
            try await storage.database.blockingTransaction { statements in
                try statements.write("INSERT INTO d VALUES (?)", [.integer(4)])
                try statements.write("INSERT INTO d VALUES (?)", [.integer(4)])
                _ = try? statements.rows("SELECT 1", [])
                _ = try? statements.execute("INSERT INTO d VALUES (?)", [.integer(5)])
            }
        }
        #expect(passedOver.map { "\($0)" }?.contains("23505") == true)
        // So does a statement waited for whose error was let pass: the server aborted the
        // transaction, and its COMMIT, answered with a rollback, is an error.
        let swallowed = await #expect(throws: ReplicaError.self) {
            try await storage.database.blockingTransaction { statements in
                try statements.execute("INSERT INTO d VALUES (?)", [.integer(6)])
                _ = try? statements.execute("INSERT INTO d VALUES (?)", [.integer(6)])
            }
        }
        #expect(swallowed.map { "\($0)" }?.contains("rolled the transaction back at its commit") == true)
        let count = try await storage.database.blockingTransaction { try $0.value("SELECT count(*) FROM d") }
        #expect(count == .integer(0))
        await storage.close()
    }

    @Test("A statement that fails rolls the PostgreSQL transaction back, with the server's words")
    func failureRollsBack() async throws {
        let hub = try await FreshPostgresHub()
        let storage = hub.storage
        _ = try await storage.database.blockingTransaction { statements in
            try statements.execute("CREATE TABLE u (id BIGINT PRIMARY KEY)", [])
        }
        let failed = await #expect(throws: ReplicaError.self) {
            try await storage.database.blockingTransaction { statements in
                try statements.execute("INSERT INTO u VALUES (?)", [.integer(1)])
                try statements.execute("INSERT INTO u VALUES (?)", [.integer(1)])
            }
        }
        #expect(failed.map { "\($0)" }?.contains("23505") == true)
        let count = try await storage.database.blockingTransaction { statements in
            try statements.value("SELECT count(*) FROM u")
        }
        #expect(count == .integer(0))
        await storage.close()
    }
}
