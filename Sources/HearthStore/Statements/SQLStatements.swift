import HearthCore

/// A value bound to a statement or read from a row, in the types both of Hearth's databases
/// store: SQLite's five, which PostgreSQL's `BIGINT`, `DOUBLE PRECISION`, `TEXT` and `BYTEA`
/// (and `BOOLEAN`, read as 0 or 1) carry.
package enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    /// The integer, or nil for any other value.
    package var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// The text, or nil for any other value.
    package var text: String? {
        if case .text(let value) = self { return value }
        return nil
    }

    /// How the state digest writes the value: its storage class and its value.
    package var storageDescription: String {
        switch self {
        case .null: return "N"
        case .integer(let number): return "I\(number)"
        case .real(let number): return "D\(number)"
        case .text(let text): return "S\(text)"
        case .blob(let bytes): return "B\(Hex.encode(bytes))"
        }
    }

    /// The bytes of a blob (or of a text), or nil for any other value.
    package var bytes: [UInt8]? {
        switch self {
        case .blob(let bytes): return bytes
        case .text(let text): return Array(text.utf8)
        default: return nil
        }
    }
}

/// Which SQL a database speaks, for the few statements the two write differently.
package enum SQLDialect: Sendable, Hashable {
    case sqlite
    case postgres
}

/// The statements of one transaction, on either of Hearth's databases: the seam the replica
/// engine's reads and writes move behind, so one engine (the applier, the rule cases, the
/// rolls' reads) runs on the embedded SQLite file and on a hub's PostgreSQL server.
///
/// Why statements and not a method per query: the engine's logic stays in one place and its
/// SQL is the large part the two dialects share (upserts with `ON CONFLICT`, `RETURNING`,
/// common table expressions); where they differ the engine asks ``dialect``. Parameters are
/// written `?`; a backend that numbers them (`$1`) renumbers. Every call is synchronous: the
/// engine runs on a thread its backend gives it (GRDB's writer; for PostgreSQL a thread of
/// its own, never Swift's cooperative pool), inside a transaction its caller opened.
package protocol SQLStatements: AnyObject {
    var dialect: SQLDialect { get }

    /// Runs a statement; returns how many rows it changed (inserted, updated or deleted).
    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int

    /// Runs a statement whose answer the engine does not need (a row written as it is): a
    /// backend may send it and go on without waiting for the server, so long as statements
    /// still run in the order they were given and a failure fails the transaction, at the
    /// latest when its caller would commit. SQLite runs it at once, as ``execute(_:_:)``.
    func write(_ sql: String, _ arguments: [SQLValue]) throws

    /// Runs a query and reads every row it returns, each as its columns in order.
    func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [[SQLValue]]

    /// Runs a query and hands `body` its rows one at a time, as ``rows(_:_:)`` returns them:
    /// a backend that can streams them, so a whole table is never held at once.
    func forEachRow(_ sql: String, _ arguments: [SQLValue], _ body: ([SQLValue]) throws -> Void) throws

    /// A number that moves whenever another connection (another process) has committed since
    /// this one last looked, read at the start of a write transaction; the state cache
    /// (``StateCache``) trusts its states only while it stays put. Nil when the backend keeps
    /// no such number: the engine then keeps no states between transactions.
    func changeVersion() throws -> Int64?

    /// Runs `body` once this transaction has committed, before the connection takes another
    /// (never when it rolls back): how the state cache learns what was committed.
    func afterCommit(_ body: @escaping @Sendable () -> Void)
}

extension SQLStatements {
    package func write(_ sql: String, _ arguments: [SQLValue]) throws {
        try execute(sql, arguments)
    }

    /// The first column of the first row, or nil when there is no row.
    package func value(_ sql: String, _ arguments: [SQLValue] = []) throws -> SQLValue? {
        try rows(sql, arguments).first?.first
    }

    /// The first column of every row, as text (rows whose value is not text are left out).
    package func texts(_ sql: String, _ arguments: [SQLValue] = []) throws -> [String] {
        try rows(sql, arguments).compactMap { $0.first?.text }
    }

    /// The first column of the first row as an integer; nil when there is no row or it is not one.
    package func integer(_ sql: String, _ arguments: [SQLValue] = []) throws -> Int64? {
        try value(sql, arguments)?.integer
    }

    /// Whether `sql` (a query) returns a row.
    package func exists(_ sql: String, _ arguments: [SQLValue] = []) throws -> Bool {
        try !rows("SELECT 1 WHERE EXISTS (\(sql))", arguments).isEmpty
    }

    /// The columns of `table`, in order (generated ones included).
    package func columns(of table: String) throws -> [String] {
        switch dialect {
        case .sqlite:
            return try rows("SELECT name FROM pragma_table_xinfo(?) ORDER BY cid", [.text(table)]).compactMap {
                $0.first?.text
            }
        case .postgres:
            return try texts(
                """
                SELECT column_name FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position
                """, [.text(table)])
        }
    }

    /// SQL's two-argument maximum: SQLite's `max(a, b)`, PostgreSQL's `greatest(a, b)`.
    package var greatest: String { dialect == .postgres ? "greatest" : "max" }
}

extension SQLValue {
    /// Text, or NULL for nil.
    package init(_ text: String?) { self = text.map(SQLValue.text) ?? .null }
    /// An integer, or NULL for nil.
    package init(_ integer: Int64?) { self = integer.map(SQLValue.integer) ?? .null }
    package init(_ integer: Int) { self = .integer(Int64(integer)) }
}

/// Rewrites `?` parameters as PostgreSQL's `$1`, `$2`, … in order, leaving alone a `?` inside a
/// quoted string or identifier.
///
/// It reads bytes, not characters: every statement a PostgreSQL hub runs passes through here,
/// and splitting its text into characters cost a twentieth of the engine's thread. The bytes
/// it looks for are ASCII, which never occur inside a multi-byte UTF-8 sequence.
package enum SQLParameters {
    package static func numbered(_ sql: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(sql.utf8.count + 16)
        var number = 0
        var quote: UInt8?
        for byte in sql.utf8 {
            if let open = quote {
                if byte == open { quote = nil }
                out.append(byte)
            } else if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
                quote = byte
                out.append(byte)
            } else if byte == UInt8(ascii: "?") {
                number += 1
                out.append(UInt8(ascii: "$"))
                out.append(contentsOf: String(number).utf8)
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
