import HearthCore
import HearthStore

/// What `hearth hub restore` did.
public struct HubRestore: Sendable, Equatable {
    /// The replica id the restored hub writes its ops under from now on.
    public let writer: ReplicaID
    /// The id it wrote under before, and the last counter of it the backup holds: ops of that
    /// writer above it were made after the backup, and only nodes hold them.
    public let retiredWriter: ReplicaID
    public let retiredCounter: UInt64
    /// The backup's last log position, and where the restored hub's log goes on.
    public let logEnd: Int64
    public let nextPosition: Int64
    /// Where the database that was replaced was kept.
    public let previous: String?
    /// Months whose rolls the replaced database had locked as paid and the backup has not:
    /// locks are the hub's own tables, not ops, so no node brings them back. They must be
    /// locked again from what was paid (Protocol/sync.md, A restored hub).
    public let locksLost: [Month]

    public init(
        writer: ReplicaID, retiredWriter: ReplicaID, retiredCounter: UInt64, logEnd: Int64, nextPosition: Int64,
        previous: String?, locksLost: [Month]
    ) {
        self.writer = writer
        self.retiredWriter = retiredWriter
        self.retiredCounter = retiredCounter
        self.logEnd = logEnd
        self.nextPosition = nextPosition
        self.previous = previous
        self.locksLost = locksLost
    }
}

/// A hub put back from a backup made safe to go on, on either database, in the transaction of
/// its caller (``goOn(_:writer:backup:worker:nowMillis:locksLost:)``).
///
/// Why one body: whether the copy came from SQLite's online backup or from `pg_dump`, the
/// restored hub is behind its nodes, and the same two steps keep it from forking: it writes
/// under a fresh id, never reusing a dot of the one it wrote under after the backup, and its
/// log positions jump by ``LedgerLog/restoreGap``, so no node's cursor has already passed the
/// positions it gives out next.
package enum LedgerRestore {
    /// Retires the hub's writer and skips the log's positions, with the restore's row in
    /// `hub_restores` and its audit line.
    package static func goOn(
        _ sql: any SQLStatements, writer: ReplicaID, backup: String, worker: String, nowMillis: Int64,
        locksLost: [Month]
    ) throws -> HubRestore {
        guard let row = try sql.rows("SELECT id, writer, counter FROM replica", []).first,
            let retired = (row[1].text ?? row[0].text).flatMap(ReplicaID.init(validating:)),
            let counter = row[2].integer
        else { throw ReplicaError.database("the hub's replica row is missing or damaged") }
        let logEnd: Int64
        let next = { (end: Int64) in end + LedgerLog.restoreGap }
        switch sql.dialect {
        case .sqlite:
            logEnd = try sql.integer("SELECT seq FROM sqlite_sequence WHERE name = 'ops'") ?? 0
            // sqlite_sequence has no key on its name: update the row, or add it when there is none.
            if try sql.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'ops'", [.integer(next(logEnd))]) == 0 {
                try sql.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('ops', ?)", [.integer(next(logEnd))])
            }
        case .postgres:
            // The last position given out: the log head's, or the identity sequence's when it is
            // ahead (positions reserved for scope entries).
            logEnd =
                try sql.integer(
                    """
                    SELECT greatest(position,
                        coalesce(pg_sequence_last_value(pg_get_serial_sequence('ops', 'seq')::regclass), 0))
                    FROM log_head WHERE one
                    """) ?? 0
            try sql.execute(
                "SELECT setval(pg_get_serial_sequence('ops', 'seq'), ?)", [.integer(next(logEnd))])
            try sql.execute("UPDATE log_head SET position = ? WHERE one", [.integer(next(logEnd))])
            // A server's hub is opened from its identity row, which names the writer too.
            try sql.execute("UPDATE hub_identity SET writer = ?", [.text(writer.value)])
        }
        try sql.execute(
            "UPDATE replica SET writer = ?, counter = 0, chain_head = ''", [.text(writer.value)])
        try sql.execute(
            """
            INSERT INTO hub_restores (restored_millis, retired_writer, retired_counter, log_end, writer, backup)
            VALUES (?, ?, ?, ?, ?, ?)
            """,
            [
                .integer(nowMillis), .text(retired.value), .integer(counter), .integer(logEnd), .text(writer.value),
                .text(backup),
            ])
        try ReplicaCore.insertAudit(
            AuditEvent(
                atMillis: nowMillis, worker: worker, action: AuditEvent.Action.restore, subject: backup,
                field: "database",
                detail: "writes as \(writer.value) (was \(retired.value) at \(counter)), log from \(logEnd)"
                    + (locksLost.isEmpty
                        ? ""
                        : "; rolls locked before and not in the copy: "
                            + locksLost.map(\.description).joined(separator: ", "))),
            into: sql)
        return HubRestore(
            writer: writer, retiredWriter: retired, retiredCounter: UInt64(counter), logEnd: logEnd,
            nextPosition: next(logEnd) + 1, previous: nil, locksLost: locksLost)
    }
}
