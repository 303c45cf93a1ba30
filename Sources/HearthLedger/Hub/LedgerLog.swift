import HearthCore
import HearthStore

/// The op log's side of the ledger, on either of the hub's databases: a node's batch appended
/// (judged, quarantined or integrated), chain links, holds, confirmations and the log's extent,
/// each over the statements of a transaction its storage opened (``SQLStatements``).
///
/// Why one place: a push is the hub's most careful transaction (duplicates and forks asked of
/// the log and the quarantine together, the admission judged on the state as it stands, the
/// waiting bounded, the node's acknowledgement moved only forward), and the SQLite file and a
/// PostgreSQL server must do exactly the same; the storages only open the transactions.
package enum LedgerLog {
    /// The positions a restored hub's log skips: more ops than a hub logs in centuries, so no
    /// position the hub gave out after the backup (and before it was restored) is given again.
    package static let restoreGap: Int64 = 1 << 40

    /// The hash of `replica`'s op `counter` as the hub holds it (its log or its quarantine);
    /// "" for counter 0, nil when the hub holds none.
    package static func chainHash(_ sql: any SQLStatements, replica: ReplicaID, counter: UInt64) throws -> String? {
        if counter == 0 { return "" }
        let dot: [SQLValue] = [.text(replica.value), .integer(Int64(counter))]
        // The log and its archive: a node's chain runs on across what compaction moved.
        if let hash = try sql.value("SELECT hash FROM logged_ops WHERE replica = ? AND counter = ?", dot)?.bytes {
            return OpLogSQL.hashText(of: hash)
        }
        return try sql.value("SELECT hash FROM quarantine WHERE replica = ? AND counter = ?", dot)?.text
    }

    /// Appends a node's batch in the caller's write transaction (see ``LedgerStorage/append(_:admission:)``).
    package static func append(
        _ sql: any SQLStatements, engine: ApplyEngine, batch: PushBatch, admission: PushAdmission
    ) throws -> PushOutcome {
        let node = batch.node
        let ops = batch.ops
        var held: [(dot: Dot, reason: String)] = []
        var alreadyHeld = 0
        // An op already held (a resent batch whose answer was lost) was judged when it first
        // came: judging it again against the state it helped make would refuse it (a member
        // "joining" the household it archived; found by the kill test). It is a duplicate, or
        // a fork if its hash differs. Asked inside this transaction, so two pushes of one
        // node at once cannot both judge the same op.
        let heldHashes = try heldHashes(sql, node: node.replica, ops: ops)
        let last = ops.last?.dot.counter ?? node.ackedCounter
        // Returned ops come first, and are the hub's own: held already, or taken back as
        // they are (their stamps were checked before this transaction).
        var returnedLeft = batch.returned.count
        var returnedHeld = 0
        let report = try engine.integrate(
            in: sql, batch.returned + ops, nowMillis: batch.nowMillis,
            admit: { applier, op in
                if returnedLeft > 0 {
                    returnedLeft -= 1
                    guard try holds(sql, op.dot) else { return true }
                    returnedHeld += 1
                    return false
                }
                if op.dot.replica == node.replica, let heldHash = heldHashes[Int64(op.dot.counter)] {
                    guard heldHash == op.hash else { throw ReplicaError.fork(dot: op.dot) }
                    alreadyHeld += 1
                    return false
                }
                guard let reason = try admission.refusal(of: op, lookup: &applier) else {
                    // Admitted: its fields were judged whole (``OpForm``); the applier need not again.
                    applier.formJudged = op.dot
                    return true
                }
                try hold(sql, op, reason: reason, nowMillis: batch.nowMillis)
                held.append((op.dot, reason))
                return false
            },
            bookkeeping: { report in
                // An op waits for the ops its context covers; a node whose ops wait without end
                // (a forged context, a chain of dependents on a refused op) is bounded here.
                if report.waiting > 0 {
                    let waiting =
                        try sql.integer("SELECT count(*) FROM op_waits WHERE replica = ?", [.text(node.replica.value)])
                        ?? 0
                    guard waiting <= batch.maxWaiting else {
                        throw ReplicaError.tooManyWaiting(count: Int(waiting), bound: batch.maxWaiting)
                    }
                }
                // The head moves only forward, with the node's signature of it (every value on
                // the right is the row's before this statement, on both databases).
                try sql.execute(
                    """
                    UPDATE nodes SET acked_counter = \(sql.greatest)(acked_counter, ?),
                        chain_head = CASE WHEN ? > acked_counter THEN ? ELSE chain_head END,
                        chain_signature = CASE WHEN ? > acked_counter THEN ? ELSE chain_signature END,
                        last_sync_millis = ?
                    WHERE replica = ?
                    """,
                    [
                        .integer(Int64(last)), .integer(Int64(last)), .text(ops.last?.hash ?? node.chainHead),
                        .integer(Int64(last)), .text(batch.headSignature), .integer(batch.nowMillis),
                        .text(node.replica.value),
                    ])
                return false
            })
        var counted = report
        counted.duplicates += alreadyHeld
        // Only a record arriving can change such a verdict, and records arrive by their creation.
        if (batch.returned + ops).contains(where: \.createsRecord) {
            counted.applied += try judgeAgainAfterRestore(
                sql, engine: engine, check: admission.check, nowMillis: batch.nowMillis)
        }
        return PushOutcome(
            acked: max(last, node.ackedCounter), report: counted, quarantined: held, returnedHeld: returnedHeld)
    }

    /// The writers each restore retired, oldest first.
    package static func retiredWriters(_ sql: any SQLStatements) throws -> [RetiredWriter] {
        try sql.rows("SELECT retired_writer, retired_counter FROM hub_restores ORDER BY seq", []).compactMap { row in
            guard let writer = row[0].text, let counter = row[1].integer else { return nil }
            return RetiredWriter(writer: ReplicaID(writer), after: UInt64(counter))
        }
    }

    /// On a hub restored from a backup, after a batch that created records: the ops held for
    /// jurisdiction (R14) judged again, each by its author's registered scope on the state as it
    /// is now, and integrated (marked released, with an audit line) when they pass. Returns how
    /// many passed.
    ///
    /// Why: a node may hold records the restored hub lost (it pulled them before the restore)
    /// and edit them; pushed before the record's author sends it again, the edit names a record
    /// the hub does not hold, and is held under R14 with the one answer that does not tell
    /// whether a record exists. Once the record is back the edit may be judged like any other
    /// (found by `hearth sim --restores`, seed 68): discarding it would send the node nothing
    /// (it wrote, as the hub saw it, outside its area) and leave it apart from the hub.
    /// A hub never restored reads one row and does nothing.
    static func judgeAgainAfterRestore(
        _ sql: any SQLStatements, engine: ApplyEngine, check: @escaping @Sendable (Op) -> String?, nowMillis: Int64
    ) throws -> Int {
        guard try sql.exists("SELECT 1 FROM hub_restores") else { return 0 }
        let rows = try sql.rows(
            """
            SELECT q.body, q.reason, n.scope FROM quarantine q JOIN nodes n ON n.replica = q.replica
            WHERE q.state = 'held' ORDER BY q.replica, q.counter
            """, [])
        var passed = 0
        for row in rows where AdmissionRefusal.isJurisdiction(row[1].text ?? "") {
            guard let body = row[0].bytes, let op = try? Op(logged: body),
                let scope = try? ScopePrefix.parse(row[2].text ?? "", field: "scope")
            else { continue }
            // An edit of a record still away has nothing new to be judged on.
            if !op.createsRecord, try !holds(sql, op.record.creator) { continue }
            let admission = PushAdmission(writer: scope, check: check)
            var admitted = false
            _ = try engine.integrate(
                in: sql, [op], nowMillis: nowMillis,
                admit: { applier, op in
                    admitted = try admission.refusal(of: op, lookup: &applier) == nil
                    return admitted
                },
                bookkeeping: { _ in
                    guard admitted else { return false }
                    try sql.execute(
                        "UPDATE quarantine SET state = 'released' WHERE replica = ? AND counter = ?",
                        [.text(op.dot.replica.value), .integer(Int64(op.dot.counter))])
                    try ReplicaCore.insertAudit(
                        AuditEvent(
                            atMillis: nowMillis, worker: "hub", action: AuditEvent.Action.release,
                            subject: op.record.value, field: op.dot.description,
                            detail: "by \(op.author), judged again once its record was back at the restored hub"),
                        into: sql)
                    return false
                })
            if admitted { passed += 1 }
        }
        return passed
    }

    /// Whether the hub holds an op under `dot`, in its log or its quarantine.
    package static func holds(_ sql: any SQLStatements, _ dot: Dot) throws -> Bool {
        let arguments: [SQLValue] = [.text(dot.replica.value), .integer(Int64(dot.counter))]
        return try sql.exists("SELECT 1 FROM logged_ops WHERE replica = ? AND counter = ?", arguments)
            || sql.exists("SELECT 1 FROM quarantine WHERE replica = ? AND counter = ?", arguments)
    }

    /// The hashes of the ops the hub holds, in its log or its quarantine, under the batch's
    /// counters of `node`: the same op again is a duplicate, another one under the same dot a
    /// fork. Both places must be asked before an op is quarantined: a rule that refuses the
    /// second op of a fork would otherwise keep it beside the first, and acknowledge both.
    /// One range query per table for the whole batch, read in the applying transaction.
    static func heldHashes(_ sql: any SQLStatements, node: ReplicaID, ops: [Op]) throws -> [Int64: String] {
        let counters = ops.filter { $0.dot.replica == node }.map { Int64($0.dot.counter) }
        guard let low = counters.min(), let high = counters.max() else { return [:] }
        var hashes: [Int64: String] = [:]
        let range: [SQLValue] = [.text(node.value), .integer(low), .integer(high)]
        // The log stores a hash as its bytes (v20), the quarantine as hex.
        // The archive too: an op compaction moved, sent again, is a duplicate there as well.
        for row in try sql.rows(
            "SELECT counter, hash FROM logged_ops WHERE replica = ? AND counter BETWEEN ? AND ?", range)
        {
            if let counter = row[0].integer, let hash = row[1].bytes { hashes[counter] = OpLogSQL.hashText(of: hash) }
        }
        for row in try sql.rows(
            "SELECT counter, hash FROM quarantine WHERE replica = ? AND counter BETWEEN ? AND ?", range)
        {
            if let counter = row[0].integer, hashes[counter] == nil { hashes[counter] = row[1].text }
        }
        return hashes
    }

    /// Keeps `op` in the quarantine, once, with the reason it was refused.
    package static func hold(_ sql: any SQLStatements, _ op: Op, reason: String, nowMillis: Int64) throws {
        try sql.execute(
            """
            INSERT INTO quarantine (replica, counter, record, hash, body, reason, state, at_millis)
            VALUES (?, ?, ?, ?, ?, ?, 'held', ?) ON CONFLICT DO NOTHING
            """,
            [
                .text(op.dot.replica.value), .integer(Int64(op.dot.counter)), .text(op.record.value), .text(op.hash),
                .blob(op.canonicalBytes), .text(reason), .integer(nowMillis),
            ])
    }

    /// Every op the hub holds by dot with its hash: the log's, then the quarantine's (forks
    /// left out).
    package static func heldHashes(_ sql: any SQLStatements) throws -> [Dot: String] {
        var hashes: [Dot: String] = [:]
        for row in try sql.rows("SELECT replica, counter, hash FROM logged_ops", []) {
            if let dot = dot(row), let hash = row[2].bytes { hashes[dot] = OpLogSQL.hashText(of: hash) }
        }
        for row in try sql.rows("SELECT replica, counter, hash FROM quarantine WHERE reason NOT LIKE 'fork%'", []) {
            if let dot = dot(row), hashes[dot] == nil { hashes[dot] = row[2].text }
        }
        return hashes
    }

    /// The dot of a row whose first two columns are its replica and counter.
    static func dot(_ row: [SQLValue]) -> Dot? {
        guard let replica = row[0].text, let counter = row[1].integer else { return nil }
        return Dot(replica: ReplicaID(replica), counter: UInt64(counter))
    }

    /// Records that `replica` has pulled up to `cursor` (never moving back).
    package static func confirmPulled(_ sql: any SQLStatements, _ replica: ReplicaID, cursor: Int64, nowMillis: Int64)
        throws
    {
        try sql.execute(
            "UPDATE nodes SET pull_cursor = \(sql.greatest)(pull_cursor, ?), last_sync_millis = ? WHERE replica = ?",
            [.integer(cursor), .integer(nowMillis), .text(replica.value)])
    }

    /// The newest position in the log (0 when empty).
    package static func logEnd(_ sql: any SQLStatements) throws -> Int64 {
        // Compaction may have moved the newest ops to the archive (each end read by its key).
        max(
            try sql.integer("SELECT coalesce(max(seq), 0) FROM ops") ?? 0,
            try sql.integer("SELECT coalesce(max(seq), 0) FROM ops_archive") ?? 0)
    }

    /// The last position archived of what a node of `scope` pulls, when it lies past the
    /// node's `cursor`: the node must start from a snapshot (`409 snapshot_required`). Read by
    /// the marks' key: the villages of the scope, the county-wide code, and ops addressed to it.
    package static func archivedAbove(_ sql: any SQLStatements, scope: ScopePrefix, cursor: Int64) throws -> Int64? {
        let countyWide = DivisionCode.countyWide(scope.value)?.value ?? ""
        var arguments: [SQLValue] = [.text(countyWide)]
        var condition = "scope = ?"
        if scope.level != .county {
            condition += " OR (scope >= ? AND scope < ?)"
            arguments += [.text(scope.value), .text(scope.value + ":")]
        } else {
            condition += " OR scope LIKE ?"
            arguments.append(.text(scope.value + "%"))
        }
        let mark = try sql.integer("SELECT max(seq) FROM archive_marks WHERE \(condition)", arguments)
        guard let mark, mark > cursor else { return nil }
        return mark
    }

    /// The log's end and the stretches of positions each restore skipped.
    package static func logExtent(_ sql: any SQLStatements) throws -> LogExtent {
        LogExtent(
            end: try logEnd(sql),
            skipped: try sql.rows("SELECT log_end FROM hub_restores", []).compactMap { $0.first?.integer }.map {
                LogExtent.Skip(after: $0, count: restoreGap)
            })
    }

    /// Records in conflict, registered nodes and held quarantine, for the hub's metrics.
    package static func gauges(_ sql: any SQLStatements) throws -> LedgerGauges {
        var conflicts: Int64 = 0
        for type in RecordType.allCases {
            conflicts += try sql.integer("SELECT count(*) FROM \(type.table) WHERE conflicts IS NOT NULL") ?? 0
        }
        return LedgerGauges(
            conflicts: Int(conflicts), nodes: Int(try sql.integer("SELECT count(*) FROM nodes") ?? 0),
            quarantined: Int(try sql.integer("SELECT count(*) FROM quarantine WHERE state = 'held'") ?? 0))
    }
}
