import HearthCore

/// Positions in the op log taken for rows that are not ops (a record's history queued for the
/// villages it enters, ``Applier``'s scope entries), from the counter the ops' own positions
/// come from, so a pull by cursor orders both as they were written.
///
/// Why a statement per dialect: SQLite keeps an `AUTOINCREMENT` table's counter in
/// `sqlite_sequence`; PostgreSQL keeps it in the identity column's sequence. Both are safe to
/// advance by several at once only because one writer at a time holds the log (SQLite's write
/// lock; on PostgreSQL the `log_head` row every writing transaction locks first), so the
/// positions reserved are consecutive and no other transaction takes one in between.
package enum LogPositions {
    /// Reserves `count` consecutive positions and returns the first.
    package static func reserve(_ count: Int64, _ sql: any SQLStatements) throws -> Int64 {
        let statement: String
        switch sql.dialect {
        case .sqlite:
            statement = "UPDATE sqlite_sequence SET seq = seq + ? WHERE name = 'ops' RETURNING seq - ? + 1"
        case .postgres:
            statement = """
                SELECT setval(pg_get_serial_sequence('ops', 'seq'),
                              nextval(pg_get_serial_sequence('ops', 'seq')) + ? - 1) - ? + 1
                """
        }
        guard let first = try sql.integer(statement, [.integer(count), .integer(count)]) else {
            throw ReplicaError.database("the op log's sequence is missing")
        }
        return first
    }
}
