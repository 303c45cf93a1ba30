import Foundation
import GRDB
import HearthCore
import HearthText

/// A node's view of its hub: who it is, how far the node has pulled, what is not yet pushed.
public struct NodeSyncState: Sendable {
    public let hubReplica: ReplicaID?
    public let hubKey: String?
    public let hubURL: String?
    /// The hub log sequence up to which this node holds the hub's ops for its scope.
    public let pullCursor: Int64
    /// The registration to send in the first bundle, for a node that never reached the hub.
    public let pendingRegistration: String?
    /// The highest own counter the hub acknowledged.
    public let ackedCounter: UInt64
    public let ownCounter: UInt64
    public let lastSyncMillis: Int64?
    /// What the hub last said about refused ops, as JSON text, for `hearth status`.
    public let notes: String?
}

extension Replica {
    public func syncState() throws(ReplicaError) -> NodeSyncState {
        try read { db in
            let sync = try Row.fetchOne(db, sql: "SELECT * FROM sync_state WHERE id = 1")!
            let replica = try Row.fetchOne(db, sql: "SELECT counter, acked_counter FROM replica")!
            return NodeSyncState(
                hubReplica: (sync["hub_replica"] as String?).flatMap(ReplicaID.init(validating:)),
                hubKey: sync["hub_key"],
                hubURL: sync["hub_url"], pullCursor: sync["pull_cursor"], pendingRegistration: sync["registration"],
                ackedCounter: UInt64(replica["acked_counter"] as Int64),
                ownCounter: UInt64(replica["counter"] as Int64),
                lastSyncMillis: sync["last_sync_millis"], notes: sync["notes"])
        }
    }

    /// Remembers the hub this node belongs to (at `node init` with a token).
    public func setHub(replica: ReplicaID, key: String, url: String?, pendingRegistration: String?) throws(ReplicaError)
    {
        try writeBookkeeping { db in
            try db.execute(
                sql: "UPDATE sync_state SET hub_replica = ?, hub_key = ?, hub_url = ?, registration = ? WHERE id = 1",
                arguments: [replica.value, key, url, pendingRegistration])
        }
    }

    public func setHubURL(_ url: String) throws(ReplicaError) {
        try writeBookkeeping { db in
            try db.execute(sql: "UPDATE sync_state SET hub_url = ? WHERE id = 1", arguments: [url])
        }
    }

    /// The registration was delivered; stop sending it, and leave no trace of its secret.
    ///
    /// The pending registration holds the enrollment token's secret in clear (a node that syncs by
    /// file must carry it to the hub in its first bundle). Once the hub has confirmed the node it
    /// is dropped for good: SQLite normally leaves deleted bytes in the page's free space and old
    /// page images in the write-ahead log, so the update runs with `secure_delete` (freed space is
    /// zeroed) and the log is then checkpointed and truncated. The connection's setting is put
    /// back as it was: SQLite's default is a build option (Debian's SQLite zeroes by default),
    /// and the writer must not differ from the readers after this.
    public func clearPendingRegistration() throws(ReplicaError) {
        do {
            try pool.writeWithoutTransaction { db in
                // Read as 0, 1 or 2; set back by name (SQLite reads `= 2` as on, not as FAST).
                let setting = ["OFF", "ON", "FAST"][
                    min(2, max(0, try Int.fetchOne(db, sql: "PRAGMA secure_delete") ?? 0))]
                try db.execute(sql: "PRAGMA secure_delete = ON")
                defer { try? db.execute(sql: "PRAGMA secure_delete = \(setting)") }
                try db.inTransaction {
                    try db.execute(sql: "UPDATE sync_state SET registration = NULL WHERE id = 1")
                    return .commit
                }
                _ = try db.checkpoint(.truncate)
            }
        } catch { throw .database(String(describing: error)) }
    }

    /// This replica's own ops that the hub has not acknowledged, oldest first.
    public func unpushedOps(limit: Int) throws(ReplicaError) -> [Op] {
        try read { db in
            let acked = try Int64.fetchOne(db, sql: "SELECT acked_counter FROM replica") ?? 0
            return try Row.fetchAll(
                db, sql: "SELECT body, hash FROM ops WHERE replica = ? AND counter > ? ORDER BY counter LIMIT ?",
                arguments: [info.id.value, acked, limit]
            ).map { row in
                let hash = (row[1] as DatabaseValue).storage.asBytes
                guard let op = try? Op(logged: (row[0] as DatabaseValue).storage.asBytes, hash: hash) else {
                    throw ReplicaError.database(Catalogue.text("sync.op_unreadable"))
                }
                return op
            }
        }
    }

    /// Signs this replica's chain head: one signature covers every op up to it.
    public func signChainHead(counter: UInt64, hash: String) throws -> String {
        let message = Array("hearth-chain-v1\n\(info.id.value)\n\(counter)\n\(hash)".utf8)
        return try keys.signingKey.signature(for: Data(message)).base64EncodedString()
    }

    /// Checks that what the hub holds under this replica's ids, up to `counter`, is this
    /// database's own history: the hub names the hash of the op at `counter`, and since every
    /// op carries the hash of the one before, one comparison covers the whole chain below it.
    /// A database copied to a second machine (or restored from a backup) shares its ids with
    /// the original; without this check one copy would take the other's ops as its own
    /// acknowledged ones, and its own would never be sent.
    public func checkHubHolds(counter: UInt64, hash: String) throws(ReplicaError) {
        let state = try syncState()
        guard counter <= state.ownCounter else {
            throw .copied(
                Catalogue.text("sync.copied_behind", ["hub": "\(counter)", "local": "\(state.ownCounter)"]))
        }
        guard counter > 0 else { return }
        let mine = try read { db in
            try String.fetchOne(
                db, sql: "SELECT \(OpLogSQL.hashText) FROM ops WHERE replica = ? AND counter = ?",
                arguments: [info.id.value, Int64(counter)])
                ?? String.fetchOne(
                    db, sql: "SELECT hash FROM own_evicted WHERE counter = ?", arguments: [Int64(counter)])
        }
        guard mine == hash else {
            throw .copied(Catalogue.text("sync.copied_other_op", ["dot": "\(info.id):\(counter)"]))
        }
    }

    /// Takes what the hub says it holds of this node's own ops when that is less than it
    /// acknowledged: a hub restored from a backup. After checking that what it holds is this
    /// database's own history (``checkHubHolds(counter:hash:)``), the acknowledgement comes
    /// down to it, so the ops above are sent again at the next push. Returns whether it came
    /// down.
    ///
    /// Only a node that still holds every one of those ops can send them: one it gave away
    /// with a record that left its scope cannot be, and the hub would refuse every later push
    /// for the gap. That is refused here with what to do (re-identify), and nothing changes.
    @discardableResult
    public func acceptHubHolds(counter: UInt64, hash: String) throws(ReplicaError) -> Bool {
        try checkHubHolds(counter: counter, hash: hash)
        return try writeBookkeeping { db in
            let acked = UInt64(try Int64.fetchOne(db, sql: "SELECT acked_counter FROM replica") ?? 0)
            guard counter < acked else { return false }
            let held =
                try Int64.fetchOne(
                    db, sql: "SELECT count(*) FROM ops WHERE replica = ? AND counter > ? AND counter <= ?",
                    arguments: [info.id.value, Int64(counter), Int64(acked)]) ?? 0
            guard held == Int64(acked - counter) else {
                throw ReplicaError.refused(
                    Catalogue.text("sync.hub_lost_given_away", ["hub": "\(counter)", "acked": "\(acked)"]))
            }
            try db.execute(sql: "UPDATE replica SET acked_counter = ?", arguments: [Int64(counter)])
            // What the hub lost was not acknowledged after all: compaction waits for it again.
            try db.execute(sql: "UPDATE ack_notes SET acked = min(acked, ?)", arguments: [Int64(counter)])
            return true
        }
    }

    /// Records the hub's acknowledgement after checking it covers this database's own ops
    /// (``checkHubHolds(counter:hash:)``).
    public func recordAck(_ acked: UInt64, hash: String, notes: String?, nowMillis: Int64) throws(ReplicaError) {
        try checkHubHolds(counter: acked, hash: hash)
        try recordAck(acked, notes: notes, nowMillis: nowMillis)
    }

    /// Records the hub's acknowledgement of this node's own ops, and what it said about them.
    public func recordAck(_ acked: UInt64, notes: String?, nowMillis: Int64) throws(ReplicaError) {
        try writeBookkeeping { db in
            try db.execute(
                sql: "UPDATE replica SET acked_counter = max(acked_counter, min(counter, ?))", arguments: [Int64(acked)]
            )
            try db.execute(
                sql: "UPDATE sync_state SET last_sync_millis = ?, notes = coalesce(?, notes) WHERE id = 1",
                arguments: [nowMillis, notes])
        }
    }

    /// Applies a batch pulled from the hub and advances the cursor in the same transaction:
    /// an interrupted pull leaves the cursor where the last committed batch put it.
    /// The stamps the hub gave its own ops and its retired writers are kept in the same
    /// transaction (``keepStamps(_:ops:stamps:retired:)``).
    @discardableResult
    public func applyPulled(
        _ ops: [Op], entered: [SnapshotRecord] = [], cursor: Int64, nowMillis: Int64, stamps: [Dot: String] = [:],
        retired: [RetiredWriter] = []
    ) throws(ReplicaError) -> ApplyReport {
        var installing: [(RecordState, [UInt8])] = []
        for record in entered {
            guard let state = RecordState(id: record.id, compactBytes: record.state) else {
                throw ReplicaError.database("the state of \(record.id) that entered this scope is unreadable")
            }
            installing.append((state, record.state))
        }
        // Read once per batch: a node that let nothing go looks up no op.
        var purged: Set<String>?
        var dropped: Set<Dot> = []
        return try integrate(
            ops, installing: installing, nowMillis: nowMillis,
            admit: { db, _, op in
                if purged == nil { purged = try Self.purgedIDs(db) }
                guard let purged, !purged.isEmpty, !(try Self.admitPulled(db, op, purged: purged)) else { return true }
                dropped.insert(op.dot)
                return false
            }
        ) { db, _ in
            if !entered.isEmpty, try Self.hasPurged(db) { try Self.forgetPurged(db, entered.map(\.id)) }
            let kept = dropped.isEmpty ? ops : ops.filter { !dropped.contains($0.dot) }
            try Self.keepStamps(db, ops: kept, stamps: stamps, retired: retired)
            try db.execute(
                sql: "UPDATE sync_state SET pull_cursor = max(pull_cursor, ?), last_sync_millis = ? WHERE id = 1",
                arguments: [cursor, nowMillis])
            // Records handed over leave the cache with the commit, not after it.
            return try evictOutOfScope(db)
        }
    }

    /// The ids of `type`'s records outside `scope` (``outOfScopeArguments(_:)``), but for those on
    /// their way in: a record's history arrives in parts before the op that moves it here
    /// (waiting meanwhile), and until then its state names the village it left.
    ///
    /// It runs after every pulled batch, so it reads the records outside the scope through the
    /// `(village, id)` index: those with no village, and the ranges below the scope and above
    /// every village in it. Reading the whole table cost a township's every record per batch
    /// (3 ms for 19,000 members; about 4% of `bench sync`'s pull at twice its county). The
    /// ranges only narrow what is read: the test that decides is the same as before.
    static func outOfScopeSQL(_ type: RecordType) -> String {
        """
        SELECT id FROM \(type.table) r
        WHERE (village IS NULL OR village < ? OR village >= ?)
        AND (village IS NULL OR (substr(village, 1, ?) != ? AND village != ?))
        AND NOT EXISTS (
            SELECT 1 FROM op_waits w JOIN ops o ON o.replica = w.replica AND o.counter = w.counter
            WHERE w.record = r.id AND substr(o.scope, 1, ?) = ?)
        """
    }

    /// The values of ``outOfScopeSQL(_:)`` for `scope`. A text at or above the scope and below
    /// the scope followed by the highest character begins with the scope (where it first
    /// differed from the scope it would be above both), so the range the index leaves out holds
    /// only records inside the scope; the rest are judged by the same test as before.
    static func outOfScopeArguments(_ scope: ScopePrefix) -> StatementArguments {
        let prefix = scope.value
        return [
            prefix, prefix + "\u{10FFFF}", prefix.count, prefix, DivisionCode.countyWide(prefix)?.value ?? "",
            prefix.count, prefix,
        ]
    }

    /// Hands over records that moved out of this node's scope (a household moved to another
    /// township or village): their rows, merge state and ops leave this replica, so no node is
    /// left holding an orphan; the hub and the receiving scope keep them. Should the record
    /// come back, the hub sends its whole history again, and it applies afresh.
    ///
    /// A record in no village goes too: the county discarded its creation, and the
    /// compensation left every field null (Protocol/sync.md, Compensation). It lies in no
    /// scope, so a node that pulled the compensation holds it no more than a node that
    /// started from a snapshot after it does; the hub keeps it.
    package func evictOutOfScope(_ db: Database) throws -> Bool {
        var gone: [String] = []
        for type in RecordType.allCases {
            gone += try String.fetchAll(
                db, sql: Self.outOfScopeSQL(type), arguments: Self.outOfScopeArguments(info.scope))
        }
        // A record that left arrives as the op that moved it out alone: the hub sends nothing
        // more of it here, so that op may wait for ops this node will never get. Held waiting
        // for a record this node holds, logged outside its scope, it says the record is gone.
        gone += try String.fetchAll(
            db,
            sql: """
                SELECT DISTINCT w.record FROM op_waits w JOIN ops o ON o.replica = w.replica AND o.counter = w.counter
                WHERE substr(o.scope, 1, ?) != ? AND o.scope != ? AND EXISTS (SELECT 1 FROM record_meta m WHERE m.id = w.record)
                """,
            arguments: [
                info.scope.value.count, info.scope.value, DivisionCode.countyWide(info.scope.value)?.value ?? "",
            ])
        gone = Array(Set(gone)).sorted()
        let acked = try Int64.fetchOne(db, sql: "SELECT acked_counter FROM replica") ?? 0
        // A compensation addressed to this node for an edit it made to a record that has since
        // left its scope arrives logged under the record's new village: this node no longer
        // holds the record and never will, so the op would wait forever (found by the
        // simulation). It is let go; the hub and the record's village keep it.
        let stranded = try Row.fetchAll(
            db,
            sql: """
                SELECT w.replica, w.counter FROM op_waits w JOIN ops o ON o.replica = w.replica AND o.counter = w.counter
                WHERE substr(o.scope, 1, ?) != ? AND o.scope != ? AND NOT EXISTS (SELECT 1 FROM record_meta m WHERE m.id = w.record)
                """,
            arguments: [
                info.scope.value.count, info.scope.value, DivisionCode.countyWide(info.scope.value)?.value ?? "",
            ])
        for row in stranded {
            try db.execute(sql: "DELETE FROM op_waits WHERE replica = ? AND counter = ?", arguments: [row[0], row[1]])
            try db.execute(sql: "DELETE FROM ops WHERE replica = ? AND counter = ?", arguments: [row[0], row[1]])
        }
        for id in gone {
            // A record with changes made here that the hub has not acknowledged stays until they are pushed.
            let unpushed =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM ops WHERE record = ? AND replica = ? AND counter > ?",
                    arguments: [id, info.id.value, acked]) ?? 0
            guard unpushed == 0 else { continue }
            let type = RecordID(id)?.type.table ?? "households"
            try db.execute(sql: "DELETE FROM \(type) WHERE id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM record_meta WHERE id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM snapshot_floors WHERE id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM op_waits WHERE record = ?", arguments: [id])
            // All its ops leave too (this node's own are acknowledged): should the record come back,
            // its history arrives again and applies afresh instead of being skipped as duplicates.
            // The hashes of its own stay, to check the hub's acknowledgements by.
            try db.execute(
                sql:
                    "INSERT OR IGNORE INTO own_evicted (counter, hash) SELECT counter, \(OpLogSQL.hashText) FROM ops "
                    + "WHERE record = ? AND replica = ?",
                arguments: [id, info.id.value])
            try db.execute(sql: "DELETE FROM ops WHERE record = ?", arguments: [id])
        }
        return !gone.isEmpty
    }
}
