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

    /// Runs a query and reads every row it returns, each as its columns in order.
    func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [[SQLValue]]
}

extension SQLStatements {
    /// The first column of the first row, or nil when there is no row.
    package func value(_ sql: String, _ arguments: [SQLValue] = []) throws -> SQLValue? {
        try rows(sql, arguments).first?.first
    }
}

/// Rewrites `?` parameters as PostgreSQL's `$1`, `$2`, … in order, leaving alone a `?` inside a
/// quoted string or identifier.
package enum SQLParameters {
    package static func numbered(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.utf8.count + 16)
        var number = 0
        var quote: Character?
        for character in sql {
            if let open = quote {
                if character == open { quote = nil }
                out.append(character)
            } else if character == "'" || character == "\"" {
                quote = character
                out.append(character)
            } else if character == "?" {
                number += 1
                out += "$\(number)"
            } else {
                out.append(character)
            }
        }
        return out
    }
}
