import Foundation
import GRDB
import GRDBSQLite
import HearthCore

/// The merge bench's baseline (`hearth bench merge`): the fastest honest SQLite write of the rows
/// the ops make, with no merge and no log.
///
/// One prepared upsert (`INSERT … ON CONFLICT (id) DO UPDATE SET column = coalesce(excluded.column,
/// column)`), prepared once, writes each op's fields into a plain `households` table, one
/// transaction per batch of the bench's size. Its arguments are bound straight into the prepared
/// statement (`sqlite3_bind_*`, no argument array built per row), a field's text bound from the
/// string's own bytes. A create inserts the row; a change of one to three fields updates them and
/// keeps the others (`coalesce` of the unbound, NULL, arguments).
///
/// Why it lives here: it measures plain SQLite under the replica's own configuration
/// (``ReplicaCore/configuration()``, the same pragmas, the same WAL mode), so the ratio of the
/// replica's apply rate to it is the cost of the replica alone; it needs SQLite, which only the
/// SQLite implementations reach, and the bench (HearthTools) does not.
package enum RawUpsertBaseline {
    /// The table the rows go to: a household's columns, in the order a changeset of them lists
    /// them (`id`, the primary key, first).
    package static let table = "households"

    /// The columns the bench's ops write, after `id`, with their SQLite types.
    package static let columns: [(name: String, type: String)] = [
        ("village", "TEXT"), ("address", "TEXT"), ("type", "TEXT"), ("phone", "TEXT"), ("status", "TEXT"),
        ("income", "INTEGER"), ("population", "INTEGER"), ("note", "TEXT"),
    ]

    /// Creates a database at `path` holding the empty table, in the replica's configuration
    /// (WAL); the merge bench's peer applies its changesets to a copy of it.
    package static func createEmpty(path: String) throws {
        let pool = try DatabasePool(path: path, configuration: ReplicaCore.configuration())
        try pool.write { db in
            try db.execute(
                sql: "CREATE TABLE \(table) (id TEXT PRIMARY KEY NOT NULL, "
                    + columns.map { "\($0.name) \($0.type)" }.joined(separator: ", ") + ")")
        }
    }

    /// Creates a database at `path` and writes the ops' fields into its table, `batchSize` ops
    /// per transaction; returns the seconds the writes took.
    package static func seconds(_ ops: [Op], path: String, batchSize: Int) throws -> Double {
        try createEmpty(path: path)
        let pool = try DatabasePool(path: path, configuration: ReplicaCore.configuration())
        let names = columns.map(\.name)
        let sql =
            "INSERT INTO \(table) (id, \(names.joined(separator: ", "))) VALUES (?"
            + String(repeating: ", ?", count: names.count) + ") ON CONFLICT (id) DO UPDATE SET "
            + names.map { "\($0) = coalesce(excluded.\($0), \($0))" }.joined(separator: ", ")
        let start = Date()
        var index = 0
        while index < ops.count {
            let end = min(index + batchSize, ops.count)
            try pool.write { db in
                let statement = try db.cachedStatement(sql: sql).sqliteStatement
                for op in ops[index..<end] {
                    sqlite3_clear_bindings(statement)
                    bind(op.record.value, at: 1, in: statement)
                    for (name, value) in op.fields {
                        guard let column = names.firstIndex(of: name) else { continue }
                        bind(value, at: Int32(column + 2), in: statement)
                    }
                    try step(statement, sql, in: db)
                }
            }
            index = end
        }
        return Date().timeIntervalSince(start)
    }

    /// The op log alone: writes each op's log row, as the applier writes it, straight into the
    /// `ops` table of `replica` (a fresh one, of the same kind as the bench's), one prepared
    /// insert, one transaction per batch, the log's count added once per batch; returns the
    /// seconds the writes took.
    ///
    /// Why: no merge can write faster than its log. The rows' bytes (each op's logged body
    /// and hash) are made before the clock starts, so the figure is SQLite's cost of the log
    /// with its indexes, the floor under the replica's rate, measured in the same run.
    package static func logSeconds(_ ops: [Op], into replica: ReplicaCore, batchSize: Int) throws -> Double {
        let rows = try ops.map { op in
            guard let hash = OpLogSQL.hashBytes(op.hash) else {
                throw ReplicaError.database("the hash of \(op.dot) is not 64 hex digits")
            }
            return (op: op, hash: hash, body: op.loggedBytes)
        }
        let sql = """
            INSERT INTO ops (replica, counter, record, scope, hash, body, state, township, target)
            VALUES (?, ?, ?, ?, ?, ?, 'applied', ?, NULL)
            ON CONFLICT (replica, counter) DO NOTHING
            """
        let start = Date()
        var index = 0
        while index < rows.count {
            let end = min(index + batchSize, rows.count)
            try replica.pool.write { db in
                let statement = try db.cachedStatement(sql: sql).sqliteStatement
                for row in rows[index..<end] {
                    bind(row.op.dot.replica.value, at: 1, in: statement)
                    sqlite3_bind_int64(statement, 2, Int64(row.op.dot.counter))
                    bind(row.op.record.value, at: 3, in: statement)
                    bind(row.op.scope.value, at: 4, in: statement)
                    bind(row.hash, at: 5, in: statement)
                    bind(row.body, at: 6, in: statement)
                    bind(row.op.scope.township, at: 7, in: statement)
                    try step(statement, sql, in: db)
                }
                try db.execute(sql: OpLogSQL.addToCount, arguments: [end - index])
            }
            index = end
        }
        let seconds = Date().timeIntervalSince(start)
        // A floor that logged less than every op would flatter the replica.
        let logged = try replica.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM ops") ?? 0 }
        guard logged == ops.count else {
            throw ReplicaError.database("the op log baseline logged \(logged) of \(ops.count) ops")
        }
        return seconds
    }

    /// Runs a bound statement once and readies it for the next row.
    private static func step(_ statement: SQLiteStatement, _ sql: String, in db: Database) throws {
        let code = sqlite3_step(statement)
        sqlite3_reset(statement)
        guard code == SQLITE_DONE else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code),
                message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: sql)
        }
    }

    private static func bind(_ bytes: [UInt8], at index: Int32, in statement: SQLiteStatement) {
        bytes.withUnsafeBytes { buffer in
            _ = sqlite3_bind_blob(statement, index, buffer.baseAddress, Int32(buffer.count), transient)
        }
    }

    /// Binds a field's value as the replica stores it (``StateRow/sqlValue(_:)``).
    private static func bind(_ value: FieldValue, at index: Int32, in statement: SQLiteStatement) {
        switch value {
        case .null: sqlite3_bind_null(statement, index)
        case .text(let text): bind(text, at: index, in: statement)
        case .integer(let number): sqlite3_bind_int64(statement, index, number)
        case .set(let members):
            if members.isEmpty {
                sqlite3_bind_null(statement, index)
            } else {
                bind(members.joined(separator: ","), at: index, in: statement)
            }
        case .sealed(let sealed): bind(sealed.box, at: index, in: statement)
        }
    }

    private static func bind(_ text: String, at index: Int32, in statement: SQLiteStatement) {
        var text = text
        text.withUTF8 { bytes in
            _ = bytes.withMemoryRebound(to: CChar.self) { characters in
                // An empty buffer may have no address, and a nil text binds NULL: "" has one.
                guard let address = characters.baseAddress else {
                    return sqlite3_bind_text(statement, index, "", 0, transient)
                }
                return sqlite3_bind_text(statement, index, address, Int32(characters.count), transient)
            }
        }
    }

    /// `SQLITE_TRANSIENT`: SQLite copies the bytes before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
