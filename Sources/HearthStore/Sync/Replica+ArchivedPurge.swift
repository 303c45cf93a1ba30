import Foundation
import GRDB
import HearthCore

/// Archived households leaving a node's disk (docs/compaction.md, "Archived households on a
/// node").
///
/// Why a node may drop them: an archived household is edited no more (R10 sends an edit to the
/// desk), its members count as gone, and the hub keeps it, its members and their history for
/// audit, reports and the roll. A village's laptop needs none of it for its field work. What
/// leaves is a household archived at least the retention ago, with its members, their
/// enrollments and the household's visits, once compaction took every op of them from the log
/// (nothing waits, nothing of the node's own is unpushed) and none changed since the cutoff.
///
/// Why nothing can be lost: each record that leaves keeps a tombstone in `purged_records`, its
/// clock as it left. An op pulled later for such a record is either one the clock covers (a
/// duplicate: dropped) or news, such as the county bringing the household back (R10 lets an op
/// that sets its status through): the node then marks `snapshot_wanted`, and its sync takes the
/// scope's snapshot, which brings the household back whole (``Replica/installSnapshot(nowMillis:)``).
/// A snapshot's record whose clock the tombstone covers stays gone.
///
/// What is given up: the node's own `report` for a month before a purged household was
/// archived no longer counts it; the hub's report does (it is the bureau's).
extension Replica {
    /// One record that may leave with its household.
    private struct Leaving {
        let id: RecordID
        let clock: VersionVector
    }

    /// Drops the households archived before `cutoffMillis` whose records compaction left
    /// without ops, with their members, enrollments and visits, looking at most at `limit`
    /// households; returns how many records left, and whether more households were left to look at.
    static func purgeArchived(_ db: Database, cutoffMillis: Int64, limit: Int) throws -> (records: Int, more: Bool) {
        let households = try String.fetchAll(
            db,
            sql: """
                SELECT h.id FROM households h WHERE h.status = 'archived' AND h.updated_millis <= ?
                AND NOT EXISTS (SELECT 1 FROM ops o WHERE o.record = h.id)
                AND NOT EXISTS (SELECT 1 FROM op_waits w WHERE w.record = h.id)
                ORDER BY h.id LIMIT ?
                """, arguments: [cutoffMillis, max(1, limit)])
        guard !households.isEmpty else { return (0, false) }
        // A lead names the household or a member: it stays, for the county's cross-check.
        let namedByLeads = Set(
            try String.fetchAll(db, sql: "SELECT DISTINCT household FROM leads WHERE household IS NOT NULL"))
        var purged = 0
        for household in households where !namedByLeads.contains(household) {
            guard let group = try leavingGroup(db, household: household, cutoffMillis: cutoffMillis) else { continue }
            for record in group {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO purged_records (id, household, clock) VALUES (?, ?, ?)",
                    arguments: [
                        record.id.value, household,
                        Data(RecordState(id: record.id, clock: record.clock).compactBytes),
                    ])
                // The table's triggers take the row out of the search index, the rule cases and the counts.
                try db.execute(sql: "DELETE FROM \(record.id.type.table) WHERE id = ?", arguments: [record.id.value])
                try db.execute(sql: "DELETE FROM record_meta WHERE id = ?", arguments: [record.id.value])
                try db.execute(sql: "DELETE FROM snapshot_floors WHERE id = ?", arguments: [record.id.value])
            }
            purged += group.count
        }
        return (purged, households.count >= max(1, limit))
    }

    /// The household's records that leave with it, or nil when any of them must stay: one with
    /// an op in the log or waiting, changed after the cutoff, a live enrollment, or a member a
    /// lead names.
    private static func leavingGroup(_ db: Database, household: String, cutoffMillis: Int64) throws -> [Leaving]? {
        let members = try String.fetchAll(db, sql: "SELECT id FROM members WHERE household = ?", arguments: [household])
        if !members.isEmpty {
            let marks = databaseQuestionMarks(count: members.count)
            if try Bool.fetchOne(
                db, sql: "SELECT 1 FROM leads WHERE member IN (\(marks)) LIMIT 1",
                arguments: StatementArguments(members))
                ?? false
            {
                return nil
            }
        }
        var ids = [household] + members
        // An enrollment of the household's for a member who has moved on stays, and so does the household.
        for row in try Row.fetchAll(
            db, sql: "SELECT id, member FROM enrollments WHERE household = ?", arguments: [household])
        {
            guard let member = row[1] as String?, members.contains(member) else { return nil }
            ids.append(row[0])
        }
        // A member's enrollment of another household's (from before a move) stays, and so does this one.
        for member in members {
            for row in try Row.fetchAll(
                db, sql: "SELECT id, household FROM enrollments WHERE member = ?", arguments: [member])
            {
                guard (row[1] as String?) == household else { return nil }
                ids.append(row[0])
            }
        }
        ids += try String.fetchAll(db, sql: "SELECT id FROM visits WHERE household = ?", arguments: [household])
        var group: [Leaving] = []
        for text in Array(Set(ids)).sorted() {
            guard let id = RecordID(text) else { return nil }
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT m.state, r.updated_millis,
                           EXISTS (SELECT 1 FROM ops o WHERE o.record = m.id) OR EXISTS (SELECT 1 FROM op_waits w WHERE w.record = m.id)
                    FROM record_meta m JOIN \(id.type.table) r ON r.id = m.id WHERE m.id = ?
                    """, arguments: [text])
            guard let row, (row[1] as Int64) <= cutoffMillis, !(row[2] as Bool) else { return nil }
            if id.type == .enrollment,
                let status = try String.fetchOne(
                    db, sql: "SELECT status FROM enrollments WHERE id = ?", arguments: [text]),
                status == "approved" || status == "suspended"
            {
                return nil
            }
            let state = try StoredState.decode(id, SQLValue(row[0] as DatabaseValue))
            group.append(Leaving(id: id, clock: state.clock))
        }
        return group
    }

    /// Whether any record left with an archived household (the pull's check is skipped
    /// otherwise).
    static func hasPurged(_ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM purged_records)") ?? false
    }

    /// The ids of the records that left, read once for a pulled batch: each op is then judged
    /// in memory, and only one for a record that left reads its tombstone.
    static func purgedIDs(_ db: Database) throws -> Set<String> {
        Set(try String.fetchAll(db, sql: "SELECT id FROM purged_records"))
    }

    /// Judges a pulled op against the tombstones (`purged`, ``purgedIDs(_:)``): false when it is
    /// for a record that left and its clock covers the op (a duplicate, not kept); true
    /// otherwise, after marking the scope's snapshot wanted when the op is news of a record
    /// that left, or names one.
    static func admitPulled(_ db: Database, _ op: Op, purged: Set<String>) throws -> Bool {
        guard purged.contains(op.record.value),
            let bytes = try Data.fetchOne(
                db, sql: "SELECT clock FROM purged_records WHERE id = ?", arguments: [op.record.value])
        else {
            // An op naming a record that left (a new enrollment of a member who left) needs it back.
            let names = referenceFields.contains { field in
                if case .text(let named)? = op.fields[field] { return purged.contains(named) }
                return false
            }
            if names { try db.execute(sql: "UPDATE sync_state SET snapshot_wanted = 1 WHERE id = 1") }
            return true
        }
        guard let tombstone = RecordState(id: op.record, compactBytes: Array(bytes)) else {
            throw ReplicaError.database("the tombstone of \(op.record) is unreadable")
        }
        if tombstone.clock.covers(op.dot) { return false }
        try db.execute(sql: "UPDATE sync_state SET snapshot_wanted = 1 WHERE id = 1")
        return true
    }

    /// The snapshot's states without those that left with a household the snapshot shows
    /// unchanged: a household's group comes back whole when any record of it changed (or a
    /// record of it is new to the tombstones' clocks), and its tombstones go.
    static func withoutPurged(_ db: Database, _ states: [(RecordState, [UInt8])]) throws -> [(RecordState, [UInt8])] {
        guard try hasPurged(db) else { return states }
        var tombstones: [String: (household: String, clock: VersionVector)] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, household, clock FROM purged_records") {
            let text: String = row[0]
            guard let id = RecordID(text), let state = RecordState(id: id, compactBytes: Array(row[2] as Data)) else {
                throw ReplicaError.database("the tombstone of \(text) is unreadable")
            }
            tombstones[text] = (row[1], state.clock)
        }
        var returning: Set<String> = []
        for (state, _) in states {
            guard let tombstone = tombstones[state.id.value] else {
                // A record new to the tombstones that names one of them brings its household back.
                for field in Self.referenceFields {
                    if case .text(let named) = state.resolution(of: field).value, let left = tombstones[named] {
                        returning.insert(left.household)
                    }
                }
                continue
            }
            if !tombstone.clock.dominates(state.clock) { returning.insert(tombstone.household) }
        }
        for household in returning {
            try db.execute(sql: "DELETE FROM purged_records WHERE household = ?", arguments: [household])
        }
        return states.filter { state, _ in
            guard let tombstone = tombstones[state.id.value] else { return true }
            return returning.contains(tombstone.household)
        }
    }

    /// The fields by which a record names a household or a member.
    private static let referenceFields = ["household", "member"]

    /// Records a pull brought in whole (a scope entry): their tombstones go.
    static func forgetPurged(_ db: Database, _ ids: [RecordID]) throws {
        for id in ids { try db.execute(sql: "DELETE FROM purged_records WHERE id = ?", arguments: [id.value]) }
    }
}

extension Replica {
    /// Whether a pulled op said a record that left with an archived household changed at the
    /// hub: the next sync takes the scope's snapshot.
    public func snapshotWanted() throws(ReplicaError) -> Bool {
        try read { db in try Bool.fetchOne(db, sql: "SELECT snapshot_wanted FROM sync_state WHERE id = 1") ?? false }
    }

    /// Throws ``ReplicaError/letGo(id:household:)`` for a record this node let go with an
    /// archived household, so `hearth show` says where it is kept instead of "no record".
    public func checkNotLetGo(_ id: RecordID) throws(ReplicaError) {
        let household = try read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM record_meta WHERE id = ?", arguments: [id.value]) == nil
                ? String.fetchOne(db, sql: "SELECT household FROM purged_records WHERE id = ?", arguments: [id.value])
                : nil
        }
        if let household { throw .letGo(id: id.value, household: household) }
    }

    /// The records that left this node with archived households, each with its clock as it
    /// left: the hub's state of each should have that clock while nothing changed it.
    public func purgedClocks() throws(ReplicaError) -> [RecordID: VersionVector] {
        try read { db in
            var out: [RecordID: VersionVector] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, clock FROM purged_records") {
                let text: String = row[0]
                guard let id = RecordID(text), let state = RecordState(id: id, compactBytes: Array(row[1] as Data))
                else { throw ReplicaError.database("the tombstone of \(text) is unreadable") }
                out[id] = state.clock
            }
            return out
        }
    }
}
