import Foundation
import GRDB
import HearthCore

/// What one compaction of a node's log did (``Replica/compactLog(retentionMillis:nowMillis:limit:)``).
public struct NodeCompaction: Sendable, Equatable {
    /// Ops that left the log in this run.
    public var removed = 0
    /// Records whose floor took the ops that left (``Applier/usesFloors``).
    public var records = 0
    /// The greatest log position old enough to leave the log (0: nothing is yet).
    public var agedThrough: Int64 = 0
    /// Ops old enough that stay: this node's own not yet acknowledged by the hub, ops waiting
    /// for their causal past, and ops a staying op of the same record depends on.
    public var kept = 0
    /// Records that left the node with households archived at least the retention ago
    /// (``Replica/purgeArchived(_:cutoffMillis:limit:)``).
    public var purged = 0
    /// Whether the run stopped at its limit with more to remove.
    public var more = false
    /// Ops left in the log after the run.
    public var logged = 0

    public init() {}
}

/// Compaction of a node's log (docs/compaction.md, "On a node").
///
/// Why a node may delete what the hub archives: every op a node holds the hub holds too (a
/// node's own ops once acknowledged, every other op because it came from the hub), and the
/// hub keeps the county's whole history in its archive. What a node needs of an old op is
/// already in its records' states; the log is kept for what is not yet settled. An op leaves
/// a node's log when:
///
/// - a note of the log's end at least the retention old counted it (the same rule as the
///   hub's: notes are made at each run, with this replica's time);
/// - it is applied (never one waiting for its causal past);
/// - a restored hub did not ask for it back (`hub_returns`): it stays until handed back;
/// - it is not this node's own op above what the hub had acknowledged the retention ago (a
///   note of the acknowledgement at least that old, `ack_notes`): a hub restored from a
///   backup younger than the retention holds it, or the node hands it to it again;
/// - no op of the same record that stays depends on it, so the ops that leave a record are
///   closed under its causal past.
///
/// What leaves is joined into the record's floor (`snapshot_floors`), as a snapshot's state
/// is: an op the floor covers that arrives again is a duplicate, and re-identifying the node
/// rebuilds each record from its floor and the ops left. The hashes of this node's own ops
/// that leave stay in `own_evicted`, to check the hub's acknowledgements by.
///
/// What is given up: a hub restored from a backup older than the retention may not be handed
/// back ops the node no longer holds (``Replica/acceptHubHolds(counter:hash:)`` then refuses
/// and says to re-identify), and `show --history` on the node shows what its log still holds;
/// the hub's shows the whole history.
extension Replica {
    /// Notes the log's end, then removes from the log what the notes say is older than the
    /// retention (the county setting `retention_months` unless given), at most `limit` ops.
    /// Then, unless `lettingGoArchived` is false, households archived the retention ago leave
    /// the disk (``purgeArchived(_:cutoffMillis:limit:)``).
    public func compactLog(
        retentionMillis: Int64? = nil, nowMillis: Int64, limit: Int = 20_000, lettingGoArchived: Bool = true
    ) throws(ReplicaError) -> NodeCompaction {
        let own = info.id.value
        return try writeBookkeeping { db in
            let sql = SQLiteStatements(db)
            let retention = try retentionMillis ?? Int64(Self.retentionMonths(sql)) * Self.monthMillis
            var report = NodeCompaction()
            let end = try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM ops") ?? 0
            try db.execute(
                sql: "INSERT INTO log_notes (millis, log_end) VALUES (?, ?) ON CONFLICT (millis) DO NOTHING",
                arguments: [nowMillis, end])
            report.agedThrough =
                try Int64.fetchOne(
                    db, sql: "SELECT coalesce(max(log_end), 0) FROM log_notes WHERE millis <= ?",
                    arguments: [nowMillis - max(0, retention)]) ?? 0
            // This node's own ops leave once the hub acknowledged them the retention ago: a hub
            // restored from a backup younger than that holds them, or is handed them again.
            let acked = try Int64.fetchOne(db, sql: "SELECT acked_counter FROM replica") ?? 0
            try db.execute(
                sql: "INSERT INTO ack_notes (millis, acked) VALUES (?, ?) ON CONFLICT (millis) DO NOTHING",
                arguments: [nowMillis, acked])
            let ackedAged = min(
                acked,
                try Int64.fetchOne(
                    db, sql: "SELECT coalesce(max(acked), 0) FROM ack_notes WHERE millis <= ?",
                    arguments: [nowMillis - max(0, retention)]) ?? 0)
            if report.agedThrough > 0 {
                let removed = try Self.removeAged(
                    db, through: report.agedThrough, own: own, acked: ackedAged, limit: max(1, limit))
                report.removed = removed.ops
                report.records = removed.records
                report.more = removed.more
            }
            // Households archived the retention ago whose ops all left the log leave the disk.
            let purge =
                lettingGoArchived
                ? try Self.purgeArchived(db, cutoffMillis: nowMillis - max(0, retention), limit: max(1, limit))
                : (records: 0, more: false)
            report.purged = purge.records
            report.more = report.more || purge.more
            if report.purged > 0 {
                try ReplicaCore.refreshKeptReads(db)
                // Records left behind the cache's back: it starts afresh, now and after the commit.
                cache.clear()
                db.afterNextTransaction { [cache] _ in cache.clear() }
            }
            report.kept =
                try Int.fetchOne(db, sql: "SELECT count(*) FROM ops WHERE seq <= ?", arguments: [report.agedThrough])
                ?? 0
            // Kept by the log's triggers (v18): a count, not a pass over the log.
            report.logged =
                try Int.fetchOne(db, sql: "SELECT n FROM row_counts WHERE name = 'ops'")
                ?? Int.fetchOne(db, sql: "SELECT count(*) FROM ops") ?? 0
            return report
        }
    }

    /// A month of a retention, as the hub counts it (`CompactionPlan`): 30 days.
    package static let monthMillis: Int64 = 30 * 86_400_000

    /// The county's retention in months (the setting `retention_months`, which every node
    /// holds; the oldest record of it wins, as for every setting).
    package static func retentionMonths(_ sql: any SQLStatements) throws -> Int {
        let setting = CountySetting.retentionMonths
        let value = try ReplicaCore.settings(sql).first { $0.setting == setting }?.value ?? setting.defaultValue
        return Int(value) ?? Int(setting.defaultValue) ?? 24
    }

    /// One logged op that may leave.
    private struct Candidate {
        let seq: Int64
        let op: Op
        let hash: String
    }

    /// Removes the aged ops that may leave, joining them into their records' floors.
    private static func removeAged(_ db: Database, through: Int64, own: String, acked: Int64, limit: Int) throws
        -> (ops: Int, records: Int, more: Bool)
    {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT seq, body, \(OpLogSQL.hashText) FROM ops
                WHERE seq <= ? AND state = 'applied' AND NOT (replica = ? AND counter > ?)
                AND NOT EXISTS (SELECT 1 FROM hub_returns r WHERE r.writer = ops.replica AND ops.counter > r.returned)
                ORDER BY seq LIMIT ?
                """, arguments: [through, own, acked, limit])
        var byRecord: [RecordID: [Candidate]] = [:]
        for row in rows {
            guard let op = (row[1] as DatabaseValue).loggedOp else {
                throw ReplicaError.database("the logged op at position \(row[0] as Int64) is unreadable")
            }
            byRecord[op.record, default: []].append(Candidate(seq: row[0], op: op, hash: row[2]))
        }
        var removed = 0
        var records = 0
        for (record, candidates) in byRecord.sorted(by: { $0.key.value < $1.key.value }) {
            let leaving = try closed(candidates, record: record, db)
            guard !leaving.isEmpty else { continue }
            // The ops that leave are applied onto the floor, in log order: never a floor of
            // their own joined in. A floor is a version vector; one made of these ops alone
            // would claim every earlier op of their authors, and a join would then read the
            // earlier ops' values (a household's village) as overwritten (found by
            // `hearth sim --seeds 1 --start-seed 56`).
            var floor = RecordState(id: record)
            if let stored = try Data.fetchOne(
                db, sql: "SELECT state FROM snapshot_floors WHERE id = ?", arguments: [record.value])
            {
                floor = try StoredState.decode(record, .blob(Array(stored)))
            }
            for candidate in leaving { floor.apply(candidate.op) }
            try db.execute(
                sql: """
                    INSERT INTO snapshot_floors (id, state) VALUES (?, ?)
                    ON CONFLICT (id) DO UPDATE SET state = excluded.state
                    """, arguments: [record.value, Data(floor.compactBytes)])
            for candidate in leaving {
                if candidate.op.dot.replica.value == own {
                    try db.execute(
                        sql: "INSERT OR IGNORE INTO own_evicted (counter, hash) VALUES (?, ?)",
                        arguments: [Int64(candidate.op.dot.counter), candidate.hash])
                }
                try db.execute(sql: "DELETE FROM ops WHERE seq = ?", arguments: [candidate.seq])
                // A stamp is kept to hand the op back to a restored hub; an op not held is not.
                try db.execute(
                    sql: "DELETE FROM op_stamps WHERE replica = ? AND counter = ?",
                    arguments: [candidate.op.dot.replica.value, Int64(candidate.op.dot.counter)])
            }
            removed += leaving.count
            records += 1
        }
        return (removed, records, rows.count == limit)
    }

    /// The candidates of one record that may leave (``LogCompaction/leaving(_:staying:)``): the
    /// record's other ops in the log stay, and so does every candidate that depends on one that
    /// stays.
    private static func closed(_ candidates: [Candidate], record: RecordID, _ db: Database) throws
        -> [Candidate]
    {
        let staying = try Row.fetchAll(
            db,
            sql: "SELECT replica, counter FROM ops WHERE record = ? AND seq NOT IN (SELECT value FROM json_each(?))",
            arguments: [record.value, "[" + candidates.map { String($0.seq) }.joined(separator: ",") + "]"]
        ).map { Dot(replica: ReplicaID($0[0] as String), counter: UInt64($0[1] as Int64)) }
        return LogCompaction.leaving(candidates.map(\.op), staying: staying).map { candidates[$0] }
    }
}
