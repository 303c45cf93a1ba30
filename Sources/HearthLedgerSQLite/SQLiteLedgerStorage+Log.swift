import Foundation
import GRDB
import HearthCore
import HearthLedger
import HearthStore

/// The op log: a node's batch appended (judged, quarantined or integrated), chain links,
/// confirmations, quarantine holds and the hub's figures.
extension SQLiteLedgerStorage {
    public func chainHash(replica: ReplicaID, counter: UInt64) async throws(ReplicaError) -> String? {
        if counter == 0 { return "" }
        return try await self.replica.readAsync { db in
            if let hash = try String.fetchOne(
                db, sql: "SELECT \(OpLogSQL.hashText) FROM ops WHERE replica = ? AND counter = ?",
                arguments: [replica.value, Int64(counter)])
            {
                return hash
            }
            return try String.fetchOne(
                db, sql: "SELECT hash FROM quarantine WHERE replica = ? AND counter = ?",
                arguments: [replica.value, Int64(counter)])
        }
    }

    public func append(_ batch: PushBatch, admission: PushAdmission) async throws(ReplicaError) -> PushOutcome {
        let replica = self.replica
        return try await replica.writeAsync { db in
            let node = batch.node
            let ops = batch.ops
            var held: [(dot: Dot, reason: String)] = []
            var alreadyHeld = 0
            // An op already held (a resent batch whose answer was lost) was judged when it first
            // came: judging it again against the state it helped make would refuse it (a member
            // "joining" the household it archived; found by the kill test). It is a duplicate, or
            // a fork if its hash differs. Asked inside this transaction, so two pushes of one
            // node at once cannot both judge the same op.
            let heldHashes = try Self.heldHashes(db, node: node.replica, ops: ops)
            let last = ops.last?.dot.counter ?? node.ackedCounter
            // Returned ops come first, and are the hub's own: held already, or taken back as
            // they are (their stamps were checked before this transaction).
            var returnedLeft = batch.returned.count
            var returnedHeld = 0
            let report = try replica.integrate(
                in: db, batch.returned + ops, nowMillis: batch.nowMillis,
                admit: { db, applier, op in
                    if returnedLeft > 0 {
                        returnedLeft -= 1
                        guard try Self.holds(db, op.dot) else { return true }
                        returnedHeld += 1
                        return false
                    }
                    if op.dot.replica == node.replica, let heldHash = heldHashes[Int64(op.dot.counter)] {
                        guard heldHash == op.hash else { throw ReplicaError.fork(dot: op.dot) }
                        alreadyHeld += 1
                        return false
                    }
                    guard let reason = try admission.refusal(of: op, lookup: &applier) else { return true }
                    try Self.hold(db, op, reason: reason, nowMillis: batch.nowMillis)
                    held.append((op.dot, reason))
                    return false
                },
                bookkeeping: { db, report in
                    // An op waits for the ops its context covers; a node whose ops wait without end
                    // (a forged context, a chain of dependents on a refused op) is bounded here.
                    if report.waiting > 0 {
                        let waiting =
                            try Int.fetchOne(
                                db, sql: "SELECT count(*) FROM op_waits WHERE replica = ?",
                                arguments: [node.replica.value]) ?? 0
                        guard waiting <= batch.maxWaiting else {
                            throw ReplicaError.tooManyWaiting(count: waiting, bound: batch.maxWaiting)
                        }
                    }
                    try db.execute(
                        sql: """
                            UPDATE nodes SET acked_counter = max(acked_counter, ?), chain_head = CASE WHEN ? > acked_counter
                            THEN ? ELSE chain_head END, last_sync_millis = ? WHERE replica = ?
                            """,
                        arguments: [
                            Int64(last), Int64(last), ops.last?.hash ?? node.chainHead, batch.nowMillis,
                            node.replica.value,
                        ])
                    return false
                })
            var counted = report
            counted.duplicates += alreadyHeld
            // Only a record arriving can change such a verdict, and records arrive by their creation.
            if (batch.returned + ops).contains(where: \.createsRecord) {
                counted.applied += try Self.judgeAgainAfterRestore(
                    db, replica: replica, check: admission.check, nowMillis: batch.nowMillis)
            }
            return PushOutcome(
                acked: max(last, node.ackedCounter), report: counted, quarantined: held, returnedHeld: returnedHeld)
        }
    }

    public func retiredWriters() async throws(ReplicaError) -> [RetiredWriter] {
        try await replica.readAsync { db in try Self.retiredWriters(db) }
    }

    /// The writers each restore retired, oldest first.
    static func retiredWriters(_ db: Database) throws -> [RetiredWriter] {
        try Row.fetchAll(db, sql: "SELECT retired_writer, retired_counter FROM hub_restores ORDER BY seq").map {
            RetiredWriter(writer: ReplicaID($0[0] as String), after: UInt64($0[1] as Int64))
        }
    }

    /// On a hub restored from a backup, after a batch that created records: the ops held for jurisdiction (R14)
    /// judged again, each by its author's registered scope on the state as it is now, and
    /// integrated (marked released, with an audit line) when they pass. Returns how many passed.
    ///
    /// Why: a node may hold records the restored hub lost (it pulled them before the restore)
    /// and edit them; pushed before the record's author sends it again, the edit names a record
    /// the hub does not hold, and is held under R14 with the one answer that does not tell
    /// whether a record exists. Once the record is back the edit may be judged like any other
    /// (found by `hearth sim --restores`, seed 68): discarding it would send the node nothing
    /// (it wrote, as the hub saw it, outside its area) and leave it apart from the hub.
    /// A hub never restored reads one row and does nothing.
    static func judgeAgainAfterRestore(
        _ db: Database, replica: ReplicaCore, check: @escaping @Sendable (Op) -> String?, nowMillis: Int64
    ) throws -> Int {
        guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM hub_restores)") == true else { return 0 }
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT q.body, q.reason, n.scope FROM quarantine q JOIN nodes n ON n.replica = q.replica
                WHERE q.state = 'held' ORDER BY q.replica, q.counter
                """)
        var passed = 0
        for row in rows where AdmissionRefusal.isJurisdiction(row["reason"]) {
            guard let op = (row["body"] as DatabaseValue).loggedOp,
                let scope = try? ScopePrefix.parse(row["scope"], field: "scope")
            else { continue }
            // An edit of a record still away has nothing new to be judged on.
            if !op.createsRecord, try !holds(db, op.record.creator) { continue }
            let admission = PushAdmission(writer: scope, check: check)
            var admitted = false
            try replica.integrate(
                in: db, [op], nowMillis: nowMillis,
                admit: { _, applier, op in
                    admitted = try admission.refusal(of: op, lookup: &applier) == nil
                    return admitted
                },
                bookkeeping: { db, _ in
                    guard admitted else { return false }
                    try db.execute(
                        sql: "UPDATE quarantine SET state = 'released' WHERE replica = ? AND counter = ?",
                        arguments: [op.dot.replica.value, Int64(op.dot.counter)])
                    try ReplicaCore.insertAudit(
                        AuditEvent(
                            atMillis: nowMillis, worker: "hub", action: AuditEvent.Action.release,
                            subject: op.record.value, field: op.dot.description,
                            detail: "by \(op.author), judged again once its record was back at the restored hub"),
                        into: db)
                    return false
                })
            if admitted { passed += 1 }
        }
        return passed
    }

    /// Whether the hub holds an op under `dot`, in its log or its quarantine.
    static func holds(_ db: Database, _ dot: Dot) throws -> Bool {
        try Bool.fetchOne(
            db,
            sql: """
                SELECT EXISTS (SELECT 1 FROM ops WHERE replica = ?1 AND counter = ?2)
                OR EXISTS (SELECT 1 FROM quarantine WHERE replica = ?1 AND counter = ?2)
                """,
            arguments: [dot.replica.value, Int64(dot.counter)]) ?? false
    }

    /// The hashes of the ops the hub holds, in its log or its quarantine, under the batch's
    /// counters of `node`: the same op again is a duplicate, another one under the same dot a
    /// fork. Both places must be asked before an op is quarantined: a rule that refuses the
    /// second op of a fork would otherwise keep it beside the first, and acknowledge both.
    /// One range query per table for the whole batch, read in the applying transaction.
    static func heldHashes(_ db: Database, node: ReplicaID, ops: [Op]) throws -> [Int64: String] {
        let counters = ops.filter { $0.dot.replica == node }.map { Int64($0.dot.counter) }
        guard let low = counters.min(), let high = counters.max() else { return [:] }
        var hashes: [Int64: String] = [:]
        // The log stores a hash as its bytes (v20), the quarantine as hex.
        for (table, hash) in [("ops", OpLogSQL.hashText), ("quarantine", "hash")] {
            for row in try Row.fetchAll(
                db,
                sql: "SELECT counter, \(hash) AS hash FROM \(table) WHERE replica = ? AND counter BETWEEN ? AND ?",
                arguments: [node.value, low, high])
            {
                hashes[row["counter"]] = hashes[row["counter"]] ?? row["hash"]
            }
        }
        return hashes
    }

    static func hold(_ db: Database, _ op: Op, reason: String, nowMillis: Int64) throws {
        try db.execute(
            sql: """
                INSERT INTO quarantine (replica, counter, record, hash, body, reason, state, at_millis)
                VALUES (?, ?, ?, ?, ?, ?, 'held', ?) ON CONFLICT DO NOTHING
                """,
            arguments: [
                op.dot.replica.value, Int64(op.dot.counter), op.record.value, op.hash, Data(op.canonicalBytes),
                reason, nowMillis,
            ])
    }

    public func hold(_ op: Op, reason: String, nowMillis: Int64) async throws(ReplicaError) {
        try await replica.writeAsync { db in try Self.hold(db, op, reason: reason, nowMillis: nowMillis) }
    }

    public func heldHashes() async throws(ReplicaError) -> [Dot: String] {
        try await replica.readAsync { db in
            var hashes: [Dot: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT replica, counter, \(OpLogSQL.hashText) FROM ops") {
                hashes[Self.dot(row)] = row[2]
            }
            for row in try Row.fetchAll(
                db, sql: "SELECT replica, counter, hash FROM quarantine WHERE reason NOT LIKE 'fork%'")
            {
                let dot = Self.dot(row)
                if hashes[dot] == nil { hashes[dot] = row[2] }
            }
            return hashes
        }
    }

    /// The dot of a row whose first two columns are its replica and counter.
    static func dot(_ row: Row) -> Dot {
        Dot(replica: ReplicaID(row[0] as String), counter: UInt64(row[1] as Int64))
    }

    public func confirmPulled(_ replica: ReplicaID, cursor: Int64, nowMillis: Int64) async throws(ReplicaError) {
        try await self.replica.writeAsync { db in
            try db.execute(
                sql: "UPDATE nodes SET pull_cursor = max(pull_cursor, ?), last_sync_millis = ? WHERE replica = ?",
                arguments: [cursor, nowMillis, replica.value])
        }
    }

    public func logEnd() async throws(ReplicaError) -> Int64 {
        try await replica.readAsync { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM ops") ?? 0 }
    }

    public func logExtent() async throws(ReplicaError) -> LogExtent {
        let gap = HubLedger.restoreGap
        return try await replica.readAsync { db in
            LogExtent(
                end: try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM ops") ?? 0,
                skipped: try Int64.fetchAll(db, sql: "SELECT log_end FROM hub_restores").map {
                    LogExtent.Skip(after: $0, count: gap)
                })
        }
    }

    public func gauges() async throws(ReplicaError) -> LedgerGauges {
        try await replica.readAsync { db in
            var conflicts = 0
            for type in RecordType.allCases {
                conflicts +=
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM \(type.table) WHERE conflicts IS NOT NULL") ?? 0
            }
            return LedgerGauges(
                conflicts: conflicts, nodes: try Int.fetchOne(db, sql: "SELECT count(*) FROM nodes") ?? 0,
                quarantined: try Int.fetchOne(db, sql: "SELECT count(*) FROM quarantine WHERE state = 'held'") ?? 0)
        }
    }
}
