import HearthStore
import Logging
import PostgresNIO

/// The hub's write lock on PostgreSQL, and the log positions it hands out in commit order.
///
/// Why a locked row and not a sequence: a sequence gives out numbers when transactions ask,
/// not when they commit. Were a push to take position 7 and commit after another push took 8
/// and committed, a node pulling between the two commits would read 8, move its cursor past
/// 7, and never see it (the hole issue 16 names). Here a writing transaction locks the one row
/// of `log_head` first and advances it before it commits; the next writer waits for that
/// commit before it can read the head, so positions become visible in order and a cursor
/// never passes one still to come.
///
/// The same lock orders every write that judges ops on the county's state (a push, the
/// county's edits, a settlement), as SQLite's single writer does: a verdict read in one
/// transaction cannot be undone by another committed meanwhile.
struct PostgresLogHead: Sendable {
    /// The last position given out when the lock was taken.
    let last: Int64

    /// Takes the write lock in the transaction of `connection` (waiting for a writer that
    /// holds it) and reads the head. The lock is held until that transaction ends.
    static func lock(on connection: PostgresConnection, logger: Logger) async throws -> PostgresLogHead {
        guard
            let last = try await connection.row(
                "SELECT position FROM log_head WHERE one FOR UPDATE", as: Int64.self, logger: logger)
        else { throw ReplicaError.database("the log's head row is missing") }
        return PostgresLogHead(last: last)
    }

    /// Records that positions up to `position` are given out; called once, before commit, by
    /// the transaction that holds the lock.
    static func advance(to position: Int64, on connection: PostgresConnection, logger: Logger) async throws {
        let moved = try await connection.run(
            "UPDATE log_head SET position = \(position) WHERE one AND position <= \(position) RETURNING 1",
            logger: logger)
        guard moved == 1 else { throw ReplicaError.database("the log's head would move back") }
    }
}

extension PostgresLedgerStorage {
    /// Runs `body` in one transaction holding the hub's write lock (``PostgresLogHead``): it is
    /// given the connection and the last position given out, and returns its result and the
    /// last position it used (the same when it logged nothing). The head advances to it before
    /// the commit; whatever `body` throws rolls everything back, the head included.
    package func writing<T: Sendable>(
        _ body: (PostgresConnection, _ last: Int64) async throws -> (result: T, last: Int64)
    ) async throws(ReplicaError) -> T {
        let logger = logger
        return try await database.transaction { connection in
            let head = try await PostgresLogHead.lock(on: connection, logger: logger)
            let (result, last) = try await body(connection, head.last)
            if last != head.last { try await PostgresLogHead.advance(to: last, on: connection, logger: logger) }
            return result
        }
    }
}

extension PostgresLedgerStorage {
    /// Runs the replica engine's `body` in one transaction holding the hub's write lock, its
    /// statements blocking on a thread of NIO's pool (``PostgresDatabase/blockingTransaction(_:)``).
    ///
    /// The ops' positions come from the identity column of `ops` (and ``LogPositions`` for
    /// scope entries): taken while the lock is held, they are given out in commit order, so a
    /// cursor never passes a position still to come. Before the commit the head records the
    /// last position given out, for readers that ask how far the log goes.
    package func writingStatements<T: Sendable>(_ body: @escaping @Sendable (any SQLStatements) throws -> T)
        async throws(ReplicaError) -> T
    {
        try await database.blockingTransaction { sql in
            guard try sql.integer("SELECT position FROM log_head WHERE one FOR UPDATE") != nil else {
                throw ReplicaError.database("the log's head row is missing")
            }
            let result = try body(sql)
            try sql.execute(
                """
                UPDATE log_head SET position = greatest(position,
                    coalesce(pg_sequence_last_value(pg_get_serial_sequence('ops', 'seq')::regclass), 0))
                WHERE one
                """, [])
            return result
        }
    }
}
