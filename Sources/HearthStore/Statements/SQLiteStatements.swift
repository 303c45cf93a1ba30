import Foundation
import GRDB
import GRDBSQLite
import HearthCore

/// ``SQLStatements`` on SQLite through GRDB: the transaction GRDB's writer (or reader) runs,
/// each statement prepared once per connection (GRDB's statement cache), as the engine's own
/// statements are today.
package final class SQLiteStatements: SQLStatements {
    package let db: Database

    package init(_ db: Database) { self.db = db }

    package var dialect: SQLDialect { .sqlite }

    @discardableResult
    package func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int {
        try prepared(sql, arguments).execute()
        return db.changesCount
    }

    /// The connection's cached statement for `sql`, with `arguments` bound by SQLite's own
    /// calls. GRDB's `StatementArguments` from an array built a key path for every statement
    /// run (its `map(\.databaseValue)`, generic across modules): installing a township's
    /// snapshot spent 30% of its time there.
    private func prepared(_ sql: String, _ arguments: [SQLValue]) throws -> Statement {
        let statement = try db.cachedStatement(sql: sql)
        let raw = statement.sqliteStatement
        // A step that failed before leaves its error for the next reset: taken here, so
        // GRDB's own reset below (which may not fail) finds none.
        sqlite3_reset(raw)
        // Empty and "bound": GRDB resets the statement and clears every binding, then runs it
        // as it stands.
        statement.setUncheckedArguments(StatementArguments())
        let expected = Int(sqlite3_bind_parameter_count(raw))
        guard expected == arguments.count else {
            throw ReplicaError.database(
                "a statement expects \(expected) values and was given \(arguments.count): \(sql.prefix(80))")
        }
        for (offset, value) in arguments.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .null: code = sqlite3_bind_null(raw, index)
            case .integer(let integer): code = sqlite3_bind_int64(raw, index, integer)
            case .real(let real): code = sqlite3_bind_double(raw, index, real)
            case .text(let text):
                var text = text
                code = text.withUTF8 { bytes in
                    // A null pointer would bind NULL: an empty text is bound from a literal.
                    guard let start = bytes.baseAddress, !bytes.isEmpty else {
                        return sqlite3_bind_text(raw, index, "", 0, transient)
                    }
                    let characters = UnsafeRawPointer(start).assumingMemoryBound(to: CChar.self)
                    return sqlite3_bind_text(raw, index, characters, Int32(bytes.count), transient)
                }
            case .blob(let bytes):
                code = bytes.withUnsafeBytes { buffer in
                    guard let start = buffer.baseAddress, !buffer.isEmpty else {
                        return sqlite3_bind_zeroblob(raw, index, 0)
                    }
                    return sqlite3_bind_blob(raw, index, start, Int32(buffer.count), transient)
                }
            }
            guard code == SQLITE_OK else {
                throw ReplicaError.database("SQLite could not bind value \(index) (code \(code)): \(sql.prefix(80))")
            }
        }
        return statement
    }

    package func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [[SQLValue]] {
        var rows: [[SQLValue]] = []
        try forEachRow(sql, arguments) { rows.append($0) }
        return rows
    }

    /// One array of values, refilled for each row: a roll's pass over a county's enrollments
    /// allocates no array per row. Each value is read from SQLite's own columns of the step
    /// GRDB's cursor has just taken, not through GRDB's `Row` and `DatabaseValue`: the reads of
    /// a county's report and roll spent a fifth of their time converting there.
    package func forEachRow(_ sql: String, _ arguments: [SQLValue], _ body: ([SQLValue]) throws -> Void) throws {
        let statement = try prepared(sql, arguments)
        let cursor = try Row.fetchCursor(statement)
        let raw = statement.sqliteStatement
        let count = Int32(statement.columnCount)
        var values: [SQLValue] = []
        values.reserveCapacity(Int(count))
        while try cursor.next() != nil {
            values.removeAll(keepingCapacity: true)
            for index in 0..<count { values.append(SQLValue(column: index, of: raw)) }
            try body(values)
        }
    }

    /// `PRAGMA data_version`: moves exactly when another connection to the file has committed
    /// since this connection last looked; this connection's own commits leave it as it is (the
    /// cache takes those states itself, ``afterCommit(_:)``).
    package func changeVersion() throws -> Int64? {
        try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0
    }

    /// GRDB's commit hook: runs on the writer before it takes the next transaction, so a write
    /// starting just after this one never reads what the hook has not yet recorded.
    package func afterCommit(_ body: @escaping @Sendable () -> Void) {
        db.afterNextTransaction(onCommit: { _ in body() })
    }

    /// Runs `body` in a transaction on a new in-memory SQLite database (what the dialect tests
    /// compare PostgreSQL with).
    package static func inMemory<T>(_ body: (SQLiteStatements) throws -> T) throws -> T {
        SQLiteProcess.prepare()
        let queue = try DatabaseQueue()
        return try queue.write { db in try body(SQLiteStatements(db)) }
    }
}

/// SQLite's `SQLITE_TRANSIENT`: it copies the bytes before the call returns (a C macro Swift
/// does not import).
private let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

/// For the places that still read a value through GRDB (a staged snapshot's states, a migration):
/// ``SQLiteStatements`` binds and reads with SQLite's own calls instead.
extension SQLValue: DatabaseValueConvertible {
    package static func fromDatabaseValue(_ dbValue: DatabaseValue) -> SQLValue? { SQLValue(dbValue) }

    /// The value in column `index` of the row `statement` has stepped to.
    init(column index: Int32, of statement: SQLiteStatement) {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_NULL: self = .null
        case SQLITE_INTEGER: self = .integer(sqlite3_column_int64(statement, index))
        case SQLITE_FLOAT: self = .real(sqlite3_column_double(statement, index))
        case SQLITE_TEXT:
            // The pointer first, then its length (SQLite's order: no conversion in between).
            guard let text = sqlite3_column_text(statement, index) else {
                self = .text("")
                return
            }
            let count = Int(sqlite3_column_bytes(statement, index))
            self = .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        default:
            let blob = sqlite3_column_blob(statement, index)
            let count = Int(sqlite3_column_bytes(statement, index))
            guard let blob, count > 0 else {
                self = .blob([])
                return
            }
            self = .blob(Array(UnsafeRawBufferPointer(start: blob, count: count)))
        }
    }

    package init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case .int64(let integer): self = .integer(integer)
        case .double(let real): self = .real(real)
        case .string(let text): self = .text(text)
        case .blob(let data): self = .blob(Array(data))
        }
    }

    package var databaseValue: DatabaseValue {
        switch self {
        case .null: return .null
        case .integer(let integer): return integer.databaseValue
        case .real(let real): return real.databaseValue
        case .text(let text): return text.databaseValue
        case .blob(let bytes): return Data(bytes).databaseValue
        }
    }
}
