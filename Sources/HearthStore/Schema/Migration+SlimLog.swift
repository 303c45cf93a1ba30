import Foundation
import GRDB
import HearthCore

extension Migrations {
    /// v20: the op log keeps only what a query asks of it. The hash is stored as its 32 bytes
    /// instead of 64 hex digits, and the columns no query read (`hlc_millis`, `hlc_logical`,
    /// `author`, `record_type`: each is in the op's body) are gone. On a county's hub this takes
    /// about 70 bytes from every op, and with v19 halves the file against v18.
    ///
    /// Readers that want the hash as text ask SQL for `lower(hex(hash))` (see ``OpLogSQL``);
    /// other tables that hold hashes (`quarantine`, `own_evicted`) keep their text.
    ///
    /// The table is rebuilt in log order, so positions, the sequence (which scope entries have
    /// advanced past the last op), the row count and every index come out as they were. A hash
    /// that is not 64 hex digits fails the migration: the database is damaged, and opening it
    /// must say so.
    static func slimOpLog(_ db: Database) throws {
        let sequence = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'ops'")
        try db.execute(
            sql: """
                CREATE TABLE ops_slim (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    replica TEXT NOT NULL,
                    counter INTEGER NOT NULL,
                    record TEXT NOT NULL,
                    scope TEXT NOT NULL,
                    hash BLOB NOT NULL,
                    body BLOB NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('applied', 'waiting')),
                    township TEXT,
                    target TEXT,
                    UNIQUE (replica, counter)
                )
                """)
        let insert = try db.makeStatement(
            sql: """
                INSERT INTO ops_slim (seq, replica, counter, record, scope, hash, body, state, township, target)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        let rows = try Row.fetchCursor(
            db,
            sql:
                "SELECT seq, replica, counter, record, scope, hash, body, state, township, target FROM ops ORDER BY seq"
        )
        while let row = try rows.next() {
            let seq: Int64 = row[0]
            guard let text = row[5] as String?, let hash = OpLogSQL.hashBytes(text) else {
                throw ReplicaError.database("the hash of the logged op at position \(seq) is not 64 hex digits")
            }
            try insert.execute(arguments: [
                seq, row[1] as DatabaseValue, row[2] as DatabaseValue, row[3] as DatabaseValue,
                row[4] as DatabaseValue, Data(hash), row[6] as DatabaseValue, row[7] as DatabaseValue,
                row[8] as DatabaseValue, row[9] as DatabaseValue,
            ])
        }
        try db.execute(
            sql: """
                DROP TABLE ops;
                ALTER TABLE ops_slim RENAME TO ops;
                DELETE FROM sqlite_sequence WHERE name IN ('ops', 'ops_slim');
                CREATE INDEX ops_by_scope ON ops (scope, seq);
                CREATE INDEX ops_by_township ON ops (township, seq);
                CREATE INDEX ops_by_target ON ops (target, seq) WHERE target IS NOT NULL;
                CREATE INDEX ops_by_record_seq ON ops (record, seq);
                CREATE TRIGGER ops_count_after_insert AFTER INSERT ON ops BEGIN
                    UPDATE row_counts SET n = n + 1 WHERE name = 'ops';
                END;
                CREATE TRIGGER ops_count_after_delete AFTER DELETE ON ops BEGIN
                    UPDATE row_counts SET n = n - 1 WHERE name = 'ops';
                END;
                """)
        // The sequence as it was: scope entries take log positions past the last op.
        let last = try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM ops") ?? 0
        try db.execute(
            sql: "INSERT INTO sqlite_sequence (name, seq) VALUES ('ops', ?)", arguments: [max(sequence ?? 0, last)])
    }
}

/// How SQL reads and writes the op log's hash column, kept in one place: stored as 32 bytes
/// since v20, handed to Swift as the 64 lower-case hex digits the rest of Hearth uses.
package enum OpLogSQL {
    /// Adds the ops a batch logged to the log's count (core v28: no trigger counts inserts).
    static let addToCount = "UPDATE row_counts SET n = n + ? WHERE name = 'ops'"

    /// Logs an op: its dot, record, scope, hash, body, state (`applied` or `waiting`),
    /// township and target, in that order.
    static let insert = """
        INSERT INTO ops (replica, counter, record, scope, hash, body, state, township, target)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// ``insert``, doing nothing when the log holds the dot already (it changes no row then).
    static let insertUnlessHeld = insert + " ON CONFLICT (replica, counter) DO NOTHING"

    /// Whether the database keeps an archive of ops compaction moved out of its log (a hub's:
    /// every PostgreSQL store, and a SQLite hub since hub v11), which a record's history reads
    /// with the log.
    package static func hasArchive(_ sql: any SQLStatements) throws -> Bool {
        switch sql.dialect {
        case .postgres: true
        case .sqlite: try sql.exists("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ops_archive'")
        }
    }

    /// The hash column as hex text, for a SELECT list (SQLite).
    package static let hashText = "lower(hex(hash))"

    /// The 32 bytes to store for a hash in hex; nil when it is not 64 hex digits.
    package static func hashBytes(_ hex: String) -> [UInt8]? {
        guard hex.utf8.count == 64, let bytes = Hex.decode(hex) else { return nil }
        return bytes
    }

    /// A stored hash's hex text, as ops and Protocol/ write it.
    package static func hashText(of bytes: [UInt8]) -> String { Hex.encode(bytes) }
}
