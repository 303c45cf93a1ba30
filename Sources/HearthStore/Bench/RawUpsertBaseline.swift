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
                    let code = sqlite3_step(statement)
                    sqlite3_reset(statement)
                    guard code == SQLITE_DONE else {
                        throw DatabaseError(
                            resultCode: ResultCode(rawValue: code),
                            message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: sql)
                    }
                }
            }
            index = end
        }
        return Date().timeIntervalSince(start)
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
