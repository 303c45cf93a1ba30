import Foundation
import GRDB
import HearthCore

/// A snapshot being received: the hub it comes from, the log position it starts from (the
/// first page's), where the next page starts (nil once the last page is kept), and how many
/// records are kept so far.
public struct SnapshotProgress: Sendable, Equatable {
    public let hub: ReplicaID
    public let position: Int64
    public let next: String?
    public let records: Int
}

/// The node's side of a snapshot (docs/snapshots.md): its pages are kept apart from the
/// replica as they arrive, each page in its own transaction, so an interrupted snapshot
/// resumes from the last page kept; the whole is installed in one transaction, so the replica
/// is either as it was or holds the whole snapshot and pulls on from its position.
extension Replica {
    /// The snapshot being received; nil when none is.
    public func snapshotProgress() throws(ReplicaError) -> SnapshotProgress? {
        try read { db in try Self.progress(db) }
    }

    private static func progress(_ db: Database) throws -> SnapshotProgress? {
        guard let row = try Row.fetchOne(db, sql: "SELECT hub, position, next, records FROM snapshot_progress")
        else { return nil }
        guard let hub = ReplicaID(validating: row["hub"]) else {
            throw ReplicaError.database("the snapshot being received names no hub")
        }
        return SnapshotProgress(hub: hub, position: row["position"], next: row["next"], records: row["records"])
    }

    /// Keeps one page of a snapshot. The page answered a request for the records after
    /// `after` (nil: the first page); it must follow the last page kept, or start afresh,
    /// which drops whatever an earlier snapshot left. `next` is where the following page
    /// starts, nil when this was the last. `waiting` (first page only) are the scope's ops
    /// that wait at the hub for ops it does not hold.
    ///
    /// `departed` (first page only) are records that left the scope at the hub: those this
    /// replica holds are staged with the rest, so the install takes their states, which say
    /// where they went, and hands them over; the others are not kept.
    public func stageSnapshotPage(
        hub: ReplicaID, position: Int64, after: String?, records: [SnapshotRecord], waiting: [Op],
        departed: [SnapshotRecord] = [], next: String?, nowMillis: Int64
    ) throws(ReplicaError) {
        try writeBookkeeping { db in
            let progress = try Self.progress(db)
            if let after {
                guard let progress, progress.hub == hub, progress.next == after else {
                    throw ReplicaError.refused(
                        "this snapshot page follows \(after), which is not where the snapshot being received stands")
                }
            } else {
                try Self.clearStaging(db)
                try db.execute(
                    sql: """
                        INSERT INTO snapshot_progress (id, hub, position, next, records, started_millis)
                        VALUES (1, ?, ?, NULL, 0, ?)
                        """, arguments: [hub.value, position, nowMillis])
                for op in waiting {
                    try db.execute(
                        sql: "INSERT INTO snapshot_waiting (body) VALUES (?)", arguments: [Data(op.loggedBytes)])
                }
                for record in departed
                where try Bool.fetchOne(db, sql: "SELECT 1 FROM record_meta WHERE id = ?", arguments: [record.id.value])
                    ?? false
                {
                    try db.execute(
                        sql: "INSERT OR REPLACE INTO snapshot_staging (id, state) VALUES (?, ?)",
                        arguments: [record.id.value, Data(record.state)])
                }
            }
            for record in records {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO snapshot_staging (id, state) VALUES (?, ?)",
                    arguments: [record.id.value, Data(record.state)])
            }
            try db.execute(
                sql: "UPDATE snapshot_progress SET next = ?, records = records + ? WHERE id = 1",
                arguments: [next, records.count])
        }
    }

    /// Installs the snapshot received whole: each record's state joined with what the replica
    /// holds of it (``Applier/install(_:)``), its rows, conflicts, search index and rule cases
    /// derived, the waiting ops integrated, and the pull cursor moved to the snapshot's
    /// position, in one transaction. Refused while pages are still to come.
    @discardableResult
    public func installSnapshot(nowMillis: Int64) throws(ReplicaError) -> ApplyReport {
        let report = try install(nowMillis: nowMillis)
        // The install wrote the whole scope through the write-ahead log: fold it into the
        // database and give its space back, so the node's files are the size of its records.
        // (A reader still busy keeps it for SQLite's next checkpoint.)
        try? pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        return report
    }

    private func install(nowMillis: Int64) throws(ReplicaError) -> ApplyReport {
        do {
            return try pool.write { db in
                guard let progress = try Self.progress(db) else {
                    throw ReplicaError.refused("no snapshot is being received")
                }
                guard progress.next == nil else {
                    throw ReplicaError.refused(
                        "the snapshot is not received whole yet: it goes on after \(progress.next ?? "")")
                }
                var staged: [(RecordID, [UInt8])] = []
                staged.reserveCapacity(progress.records)
                let rows = try Row.fetchCursor(db, sql: "SELECT id, state FROM snapshot_staging ORDER BY id")
                while let row = try rows.next() {
                    let text: String = row[0]
                    guard let id = RecordID(text) else {
                        throw ReplicaError.database("the snapshot being installed holds an unreadable record id")
                    }
                    staged.append((id, SQLValue(row[1] as DatabaseValue).bytes ?? []))
                }
                var states = try StagedStates.decode(staged)
                // Records that left with an archived household the snapshot shows unchanged stay gone.
                states = try Self.withoutPurged(db, states)
                var waiting: [Op] = []
                for bytes in try Data.fetchAll(db, sql: "SELECT body FROM snapshot_waiting ORDER BY n") {
                    guard let op = try? Op(logged: Array(bytes)) else {
                        throw ReplicaError.database("the snapshot being installed holds an unreadable op")
                    }
                    waiting.append(op)
                }
                return try engine.install(in: SQLiteStatements(db), states, waiting: waiting, nowMillis: nowMillis) {
                    _ in
                    try db.execute(
                        sql: """
                            UPDATE sync_state SET pull_cursor = max(pull_cursor, ?), last_sync_millis = ?,
                            snapshot_wanted = 0 WHERE id = 1
                            """, arguments: [progress.position, nowMillis])
                    try Self.clearStaging(db)
                    // Records whose state now says they lie outside the scope (a departed one
                    // this replica held) are handed over, as after a pull.
                    _ = try evictOutOfScope(db)
                }
            }
        } catch let error as ReplicaError { throw error } catch { throw .database(String(describing: error)) }
    }

    /// Drops a snapshot being received, and every page kept of it.
    public func discardSnapshot() throws(ReplicaError) {
        try writeBookkeeping { db in try Self.clearStaging(db) }
    }

    private static func clearStaging(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM snapshot_staging; DELETE FROM snapshot_waiting; DELETE FROM snapshot_progress")
    }
}
