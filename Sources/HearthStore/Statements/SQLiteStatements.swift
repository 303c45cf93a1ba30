import Foundation
import GRDB
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
        try db.cachedStatement(sql: sql).execute(arguments: StatementArguments(arguments))
        return db.changesCount
    }

    package func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [[SQLValue]] {
        let cursor = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: StatementArguments(arguments))
        var rows: [[SQLValue]] = []
        while let row = try cursor.next() {
            rows.append((0..<row.count).map { SQLValue(row[$0] as DatabaseValue) })
        }
        return rows
    }

    /// One array of values, refilled for each row: a roll's pass over a county's enrollments
    /// allocates no array per row.
    package func forEachRow(_ sql: String, _ arguments: [SQLValue], _ body: ([SQLValue]) throws -> Void) throws {
        let cursor = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: StatementArguments(arguments))
        var values: [SQLValue] = []
        while let row = try cursor.next() {
            values.removeAll(keepingCapacity: true)
            for index in 0..<row.count { values.append(SQLValue(row[index] as DatabaseValue)) }
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
        let queue = try DatabaseQueue()
        return try queue.write { db in try body(SQLiteStatements(db)) }
    }
}

/// Bound as it is: GRDB takes the values straight into its arguments (a key path or a second
/// array per statement cost the merge bench a fifth of its time).
extension SQLValue: DatabaseValueConvertible {
    package static func fromDatabaseValue(_ dbValue: DatabaseValue) -> SQLValue? { SQLValue(dbValue) }

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
