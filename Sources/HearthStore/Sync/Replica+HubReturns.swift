import GRDB
import HearthCore
import HearthText

/// What a node keeps so that a hub restored from a backup gets back the ops it made itself
/// and lost: the stamp of every op the hub wrote (from the pull answer that brought it), and
/// the hub's retired writers with how far this node has handed their ops back
/// (Protocol/sync.md, A restored hub).
extension Replica {
    /// Keeps the stamps the hub gave `ops` and the retired writers it named, in the pull's
    /// transaction. A stamp for an op not in the batch is ignored. A writer named again with
    /// another counter (the hub restored from an older copy still) is handed back from there.
    package static func keepStamps(
        _ db: Database, ops: [Op], stamps: [Dot: String], retired: [RetiredWriter]
    ) throws {
        if !stamps.isEmpty {
            let insert = try db.cachedStatement(
                sql: "INSERT OR IGNORE INTO op_stamps (replica, counter, stamp) VALUES (?, ?, ?)")
            for op in ops {
                guard let stamp = stamps[op.dot] else { continue }
                try insert.execute(arguments: [op.dot.replica.value, Int64(op.dot.counter), stamp])
            }
        }
        for writer in retired {
            try db.execute(
                sql: """
                    INSERT INTO hub_returns (writer, after, returned) VALUES (?1, ?2, ?2)
                    ON CONFLICT (writer) DO UPDATE SET after = excluded.after, returned = excluded.after
                    WHERE excluded.after != hub_returns.after
                    """,
                arguments: [writer.writer.value, Int64(writer.after)])
        }
    }

    /// Up to `limit` ops the hub asked back and this node has not handed back yet, each with
    /// its stamp: ops of a retired writer above what the restored hub held, oldest first per
    /// writer. An op pulled without a stamp (from a hub older than stamps) cannot be handed
    /// back and is left out.
    public func opsToHandBack(limit: Int) throws(ReplicaError) -> (ops: [Op], stamps: [Dot: String]) {
        try read { db in
            var ops: [Op] = []
            var stamps: [Dot: String] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT o.body, s.stamp FROM hub_returns r
                    JOIN ops o ON o.replica = r.writer AND o.counter > r.returned
                    JOIN op_stamps s ON s.replica = o.replica AND s.counter = o.counter
                    ORDER BY r.writer, o.counter LIMIT ?
                    """,
                arguments: [limit])
            {
                guard let op = (row[0] as DatabaseValue).loggedOp else {
                    throw ReplicaError.database(Catalogue.text("sync.op_unreadable"))
                }
                ops.append(op)
                stamps[op.dot] = row[1]
            }
            return (ops, stamps)
        }
    }

    /// Records that the hub has answered for `ops` handed back (taken, held already or
    /// refused): they are not sent again.
    public func recordHandedBack(_ ops: [Op]) throws(ReplicaError) {
        guard !ops.isEmpty else { return }
        let highest = Dictionary(ops.map { ($0.dot.replica, $0.dot.counter) }, uniquingKeysWith: max)
        try writeBookkeeping { db in
            for (writer, counter) in highest {
                try db.execute(
                    sql: "UPDATE hub_returns SET returned = max(returned, ?) WHERE writer = ?",
                    arguments: [Int64(counter), writer.value])
            }
        }
    }

    /// The signed head of this replica's chain at what the hub acknowledged: what a push that
    /// only hands back ops carries (it has no op of its own to end on).
    public func acknowledgedHead() throws(ReplicaError) -> (counter: UInt64, hash: String) {
        try read { db in
            let acked = try Int64.fetchOne(db, sql: "SELECT acked_counter FROM replica") ?? 0
            guard acked > 0 else { return (0, "") }
            let hash =
                try String.fetchOne(
                    db, sql: "SELECT \(OpLogSQL.hashText) FROM ops WHERE replica = ? AND counter = ?",
                    arguments: [info.id.value, acked])
                ?? String.fetchOne(db, sql: "SELECT hash FROM own_evicted WHERE counter = ?", arguments: [acked])
                ?? ""
            return (UInt64(acked), hash)
        }
    }
}
