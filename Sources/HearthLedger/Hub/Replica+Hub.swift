import Crypto
import Foundation
import GRDB
import HearthCore
import HearthStore

/// What the hub did with one pushed batch.
public struct PushOutcome: Sendable {
    public let acked: UInt64
    public let report: ApplyReport
    public let quarantined: [(dot: Dot, reason: String)]
}

/// The hub's bookkeeping: enrollment tokens, registered nodes, request nonces, pushes
/// with quarantine, and scoped pulls by log sequence.
extension HubLedger {
    /// A new one-time enrollment secret for a node; only its hash is stored.
    public func createEnrollment(name: String, scope: ScopePrefix, nowMillis: Int64) throws(ReplicaError) -> String {
        guard !name.isEmpty, name.count <= 64, !name.contains(where: \.isNewline) else {
            throw .invalid(InputError(field: "name", reason: "must be 1 to 64 characters"))
        }
        guard scope.level != .county else {
            throw .invalid(
                InputError(field: "scope", reason: "a node serves a township (9 digits) or a village (12 digits)"))
        }
        guard info.scope.contains(scope) else {
            throw .invalid(
                InputError(field: "scope", reason: "\(scope.value) is outside the hub's county \(info.scope.value)"))
        }
        var secretBytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in secretBytes.indices { secretBytes[index] = UInt8.random(in: 0...255, using: &generator) }
        let secret = Data(secretBytes).base64EncodedString()
        try writeBookkeeping { db in
            if try Int.fetchOne(db, sql: "SELECT count(*) FROM nodes WHERE name = ?", arguments: [name]) ?? 0 > 0 {
                throw ReplicaError.invalid(
                    InputError(field: "name", reason: "a node named \(name) is already registered"))
            }
            if try Int.fetchOne(
                db, sql: "SELECT count(*) FROM enrollment_tokens WHERE name = ? AND used_by IS NULL", arguments: [name])
                ?? 0 > 0
            {
                throw ReplicaError.invalid(
                    InputError(
                        field: "name",
                        reason: "an unused token for \(name) exists already; use it, or choose another name"))
            }
            try db.execute(
                sql: "INSERT INTO enrollment_tokens (secret_hash, name, scope, created_millis) VALUES (?, ?, ?, ?)",
                arguments: [HubLedger.secretHash(secret), name, scope.value, nowMillis])
        }
        return secret
    }

    static func secretHash(_ secret: String) -> String {
        Hex.encode(SHA256.hash(data: Data(secret.utf8)))
    }

    /// Registers a node that presents an unused enrollment secret.
    public func register(secret: String, replica: ReplicaID, publicKey: String, nowMillis: Int64) throws(ReplicaError)
        -> NodeRecord
    {
        try writeBookkeeping { db in
            guard
                let token = try Row.fetchOne(
                    db, sql: "SELECT name, scope, used_by FROM enrollment_tokens WHERE secret_hash = ?",
                    arguments: [HubLedger.secretHash(secret)])
            else {
                throw ReplicaError.refused(
                    "unknown enrollment token: ask the county for a new one (`hearth hub enroll`)")
            }
            if let used: String = token["used_by"] {
                // A repeated registration (the answer was lost) is answered again, but only for the
                // same replica and key, and never for a revoked node.
                guard used == replica.value,
                    let node = try Row.fetchOne(
                        db, sql: "SELECT public_key, revoked_millis FROM nodes WHERE replica = ?", arguments: [used]),
                    (node["public_key"] as String) == publicKey, (node["revoked_millis"] as Int64?) == nil
                else { throw ReplicaError.refused("this enrollment token has already been used") }
            } else {
                guard replica != info.id else { throw ReplicaError.refused("a node cannot reuse the hub's replica id") }
                if try Int.fetchOne(db, sql: "SELECT count(*) FROM nodes WHERE replica = ?", arguments: [replica.value])
                    ?? 0
                    > 0
                {
                    throw ReplicaError.refused("replica \(replica) is already registered")
                }
                try db.execute(
                    sql: """
                        INSERT INTO nodes (replica, name, public_key, scope, registered_millis) VALUES (?, ?, ?, ?, ?)
                        """,
                    arguments: [replica.value, token["name"] as String, publicKey, token["scope"] as String, nowMillis])
                try db.execute(
                    sql: "UPDATE enrollment_tokens SET used_by = ? WHERE secret_hash = ?",
                    arguments: [replica.value, HubLedger.secretHash(secret)])
            }
            guard
                let row = try Row.fetchOne(db, sql: "SELECT * FROM nodes WHERE replica = ?", arguments: [replica.value])
            else { throw ReplicaError.database("node row missing after registration") }
            return try NodeRecord(row: row)
        }
    }

    public func nodes() throws(ReplicaError) -> [NodeRecord] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM nodes ORDER BY name").map(NodeRecord.init(row:)) }
    }

    public func node(_ replica: ReplicaID) throws(ReplicaError) -> NodeRecord? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM nodes WHERE replica = ?", arguments: [replica.value]).map(
                NodeRecord.init(row:))
        }
    }

    /// Revokes a node by name: it gets nothing from the hub from now on.
    public func revoke(name: String, nowMillis: Int64) throws(ReplicaError) {
        try writeBookkeeping { db in
            try db.execute(
                sql: "UPDATE nodes SET revoked_millis = coalesce(revoked_millis, ?) WHERE name = ?",
                arguments: [nowMillis, name])
            guard db.changesCount > 0 else {
                throw ReplicaError.invalid(InputError(field: "name", reason: "no node named \(name)"))
            }
        }
    }

    /// How far a request's time, corrected by the offset the node states, may lie from the
    /// hub's clock (24 h either way); nonces are kept for twice as long.
    public static let requestWindowMillis: Int64 = 86_400_000

    /// Whether a request stamped `timeMillis` by a node that adds `offsetMillis` to its clock
    /// lies within the window of the hub's clock (computed without overflow: any 64-bit
    /// values may arrive in headers).
    public static func requestTimeInWindow(
        timeMillis: Int64, offsetMillis: Int64, nowMillis: Int64, windowMillis: Int64 = requestWindowMillis
    ) -> Bool {
        let (corrected, overflow) = timeMillis.addingReportingOverflow(offsetMillis)
        guard !overflow else { return false }
        let (distance, tooFar) = corrected.subtractingReportingOverflow(nowMillis)
        return !tooFar && distance >= -windowMillis && distance <= windowMillis
    }

    /// Refuses a request nonce seen before, or a request time (corrected by the offset the
    /// node measured from the hub's signed answers) outside the window, and records the
    /// sender's own clock skew, uncorrected (R15: a skewed node is accepted and flagged).
    public func admitRequest(
        from replica: ReplicaID, nonce: String, timeMillis: Int64, offsetMillis: Int64 = 0, nowMillis: Int64,
        windowMillis: Int64 = requestWindowMillis
    ) throws(ReplicaError) {
        guard nonce.utf8.count >= 16, nonce.utf8.count <= 64 else {
            throw .refused("request nonce must be 16 to 64 characters")
        }
        guard
            HubLedger.requestTimeInWindow(
                timeMillis: timeMillis, offsetMillis: offsetMillis, nowMillis: nowMillis, windowMillis: windowMillis)
        else {
            throw .refused("request time is more than 24 hours from the hub's clock: refused as a possible replay")
        }
        // The node's clock as it is, not as corrected: the desk sees a wrong clock (R15).
        // Clamped to ±Int64.max, so whoever reads it may take its magnitude.
        let (rawSkew, overflow) = timeMillis.subtractingReportingOverflow(nowMillis)
        let skew = overflow ? (timeMillis < 0 ? -Int64.max : Int64.max) : max(rawSkew, -Int64.max)
        try writeBookkeeping { db in
            try db.execute(
                sql: "DELETE FROM nonces WHERE seen_millis < ?", arguments: [nowMillis - 2 * windowMillis])
            try db.execute(
                sql: "INSERT INTO nonces (replica, nonce, seen_millis) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                arguments: [replica.value, nonce, nowMillis])
            guard db.changesCount > 0 else {
                throw ReplicaError.refused("request replayed (this nonce was already used)")
            }
            try db.execute(
                sql: "UPDATE nodes SET skew_millis = ? WHERE replica = ?", arguments: [skew, replica.value])
        }
    }

    /// The hash of an author's op as the hub holds it (applied, waiting or quarantined):
    /// the link a pushed batch's first op must chain to.
    public func chainHash(replica: ReplicaID, counter: UInt64) throws(ReplicaError) -> String? {
        if counter == 0 { return "" }
        return try read { db in
            if let hash = try String.fetchOne(
                db, sql: "SELECT hash FROM ops WHERE replica = ? AND counter = ?",
                arguments: [replica.value, Int64(counter)])
            {
                return hash
            }
            return try String.fetchOne(
                db, sql: "SELECT hash FROM quarantine WHERE replica = ? AND counter = ?",
                arguments: [replica.value, Int64(counter)])
        }
    }

    /// Applies a verified batch of one node's own ops. Each op is judged (``Admission``, then
    /// `check`) inside the transaction that applies the batch, against the hub's state as the
    /// earlier ops of the batch left it: what another transaction commits meanwhile cannot
    /// change a verdict, and a storage error fails the whole push rather than skipping a check.
    /// Ops that break a rule are quarantined with their reason (still acknowledged: the author
    /// already applied them); the rest are integrated, those depending on a quarantined op
    /// waiting for it.
    public func acceptPush(
        from node: NodeRecord, ops: [Op], nowMillis: Int64, check: (Op) -> String?
    ) throws(ReplicaError) -> PushOutcome {
        var held: [(dot: Dot, reason: String)] = []
        var alreadyHeld = 0
        var heldHashes: [Int64: String]?
        let last = ops.last?.dot.counter ?? node.ackedCounter
        let report = try replica.integrate(
            ops, nowMillis: nowMillis,
            admit: { db, applier, op in
                // An op already held (a resent batch whose answer was lost) was judged when it first
                // came: judging it again against the state it helped make would refuse it (a member
                // "joining" the household it archived; found by the kill test). It is a duplicate, or
                // a fork if its hash differs. Asked inside this transaction, so two pushes of one
                // node at once cannot both judge the same op.
                if heldHashes == nil { heldHashes = try Self.heldHashes(db, node: node.replica, ops: ops) }
                if op.dot.replica == node.replica, let heldHash = heldHashes?[Int64(op.dot.counter)] {
                    guard heldHash == op.hash else { throw ReplicaError.fork(dot: op.dot) }
                    alreadyHeld += 1
                    return false
                }
                let reason = try Admission.refusal(of: op, writer: node.scope, lookup: &applier)?.message ?? check(op)
                guard let reason else { return true }
                try db.execute(
                    sql: """
                        INSERT INTO quarantine (replica, counter, record, hash, body, reason, state, at_millis)
                        VALUES (?, ?, ?, ?, ?, ?, 'held', ?) ON CONFLICT DO NOTHING
                        """,
                    arguments: [
                        op.dot.replica.value, Int64(op.dot.counter), op.record.value, op.hash, Data(op.canonicalBytes),
                        reason, nowMillis,
                    ])
                held.append((op.dot, reason))
                return false
            },
            bookkeeping: { db, report in
                // An op waits for the ops its context covers; a node whose ops wait without end
                // (a forged context, a chain of dependents on a refused op) is bounded here.
                if report.waiting > 0 {
                    let waiting =
                        try Int.fetchOne(
                            db, sql: "SELECT count(*) FROM op_waits WHERE replica = ?", arguments: [node.replica.value])
                        ?? 0
                    guard waiting <= Self.maxWaitingOps else {
                        throw ReplicaError.tooManyWaiting(count: waiting, bound: Self.maxWaitingOps)
                    }
                }
                try db.execute(
                    sql: """
                        UPDATE nodes SET acked_counter = max(acked_counter, ?), chain_head = CASE WHEN ? > acked_counter
                        THEN ? ELSE chain_head END, last_sync_millis = ? WHERE replica = ?
                        """,
                    arguments: [
                        Int64(last), Int64(last), ops.last?.hash ?? node.chainHead, nowMillis, node.replica.value,
                    ])
                return false
            })
        var counted = report
        counted.duplicates += alreadyHeld
        return PushOutcome(acked: max(last, node.ackedCounter), report: counted, quarantined: held)
    }

    /// How many of one node's ops may wait at the hub for ops it does not hold (R11).
    public static let maxWaitingOps = 10_000

    /// The hashes of the ops the hub holds, in its log or its quarantine, under the batch's
    /// counters of `node`: the same op again is a duplicate, another one under the same dot a
    /// fork. Both places must be asked before an op is quarantined: a rule that refuses the
    /// second op of a fork would otherwise keep it beside the first, and acknowledge both.
    /// One range query per table for the whole batch, read in the applying transaction.
    static func heldHashes(_ db: Database, node: ReplicaID, ops: [Op]) throws -> [Int64: String] {
        let counters = ops.filter { $0.dot.replica == node }.map { Int64($0.dot.counter) }
        guard let low = counters.min(), let high = counters.max() else { return [:] }
        var hashes: [Int64: String] = [:]
        for table in ["ops", "quarantine"] {
            for row in try Row.fetchAll(
                db, sql: "SELECT counter, hash FROM \(table) WHERE replica = ? AND counter BETWEEN ? AND ?",
                arguments: [node.value, low, high])
            {
                hashes[row["counter"]] = hashes[row["counter"]] ?? row["hash"]
            }
        }
        return hashes
    }

    /// The hub's log after `cursor` for a node's scope, without the node's own ops, found
    /// through the scope indexes (never a scan of other scopes' ops); plus the ops addressed
    /// to the node, and the history of each record that entered its scope (a scope entry),
    /// delivered at the entry's place in the log in parts that each fit one answer.
    ///
    /// Whatever the log holds, an op goes out only for a record that lies in the node's scope
    /// as the hub holds it now: a record that left carries nothing more to its old village but
    /// the op that moved it out (so its nodes hand it over), and a record's history goes only
    /// to the village it is in (SECURITY.md, "Jurisdiction").
    public func pull(for node: NodeRecord, cursor: Int64, maxOps: Int, nowMillis: Int64) throws(ReplicaError)
        -> (ops: [Op], cursor: Int64, more: Bool)
    {
        let limit = max(1, maxOps)
        return try read { db in
            let (filter, key): (String, String?) =
                switch node.scope.level {
                case .village: ("scope = ?", node.scope.value)
                case .township: ("township = ?", node.scope.value)
                case .county: ("1", nil)
                }
            // County configuration (program standards) lives under the county-wide code,
            // which every node of the county holds.
            let countyWide = DivisionCode.countyWide(node.scope.value)?.value ?? ""
            var arguments: [DatabaseValueConvertible?] = []
            if let key { arguments.append(key) }
            arguments += [countyWide, node.replica.value, cursor, node.replica.value, limit + 1]
            // The node's scope, plus ops addressed to the node itself (compensations for its
            // refused ops, which may lie outside its scope). Both sides use an index.
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT seq, body, record, target FROM ops
                    WHERE (\(filter) OR scope = ? OR target = ?) AND seq > ? AND replica != ?
                    ORDER BY seq LIMIT ?
                    """,
                arguments: StatementArguments(arguments))
            var horizon = rows.count > limit ? (rows[limit - 1]["seq"] as Int64) : Int64.max
            let entries: [Row]
            if let key {
                entries = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT seq, record, part FROM scope_entries WHERE \(filter) AND seq > ? ORDER BY seq LIMIT ?
                        """,
                    arguments: [key, cursor, limit + 1])
                if entries.count > limit { horizon = min(horizon, entries[limit - 1]["seq"] as Int64) }
            } else {
                entries = []
            }
            var villages = RecordVillages(db: db)
            // Log positions in order: one op each, or one part of a record's history.
            var positions: [(seq: Int64, row: Row, entry: Bool)] = rows.prefix(limit).map { ($0["seq"], $0, false) }
            positions += entries.prefix(limit).map { ($0["seq"], $0, true) }
            positions = positions.filter { $0.seq <= horizon }.sorted { $0.seq < $1.seq }
            var ops: [Op] = []
            var last = cursor
            var more = horizon != Int64.max
            for position in positions {
                let group: [DatabaseValue]
                if position.entry {
                    group = try entryOps(db, entry: position.row, node: node, villages: &villages)
                } else {
                    let record: String = position.row["record"]
                    let addressed = (position.row["target"] as String?) == node.replica.value
                    // An op addressed to the node is its own business; any other goes only
                    // while its record lies in the node's scope. (A record the hub holds no
                    // state for yet, its creation held at the desk, goes where its op is logged.)
                    let village = try villages.village(of: record)
                    group =
                        addressed || village.map { node.holds($0, countyWide: countyWide) } ?? true
                        ? [position.row["body"]] : []
                }
                if !ops.isEmpty, ops.count + group.count > limit {
                    more = true
                    break
                }
                for body in group {
                    guard let op = body.loggedOp else { throw ReplicaError.database("a logged op is unreadable") }
                    ops.append(op)
                }
                last = position.seq
            }
            if !more {
                let end = max(
                    try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM ops") ?? 0,
                    try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM scope_entries") ?? 0)
                // Read in the same snapshot, so no op committed in between is skipped.
                last = max(end, cursor)
            }
            return (ops, last, more)
        }
    }

    /// One part of the history a scope entry carries: for a record now in the node's scope,
    /// its ops logged before the entry (the part's share of them); for a record that has left,
    /// only the op that took it out, which tells the node's replica to hand it over.
    private func entryOps(_ db: Database, entry: Row, node: NodeRecord, villages: inout RecordVillages) throws
        -> [DatabaseValue]
    {
        let record: String = entry["record"]
        let part: Int64 = entry["part"]
        let boundary = (entry["seq"] as Int64) - part
        let countyWide = DivisionCode.countyWide(node.scope.value)?.value ?? ""
        if try villages.village(of: record).map({ node.holds($0, countyWide: countyWide) }) ?? true {
            return try DatabaseValue.fetchAll(
                db,
                sql: "SELECT body FROM ops WHERE record = ? AND seq < ? ORDER BY seq LIMIT ? OFFSET ?",
                arguments: [record, boundary, ScopeEntryPart.size, part * Int64(ScopeEntryPart.size)])
        }
        guard part == 0,
            let row = try Row.fetchOne(
                db, sql: "SELECT body, scope FROM ops WHERE record = ? AND seq < ? ORDER BY seq DESC LIMIT 1",
                arguments: [record, boundary]),
            !node.scope.contains(try DivisionCode.parse(row["scope"], field: "scope"))
        else { return [] }
        return [row["body"]]
    }

    /// Records how far a node has confirmed the hub's log (its next pull's cursor, or a bundle's).
    public func confirmPulled(node: ReplicaID, cursor: Int64, nowMillis: Int64) throws(ReplicaError) {
        try writeBookkeeping { db in
            try db.execute(
                sql: "UPDATE nodes SET pull_cursor = max(pull_cursor, ?), last_sync_millis = ? WHERE replica = ?",
                arguments: [cursor, nowMillis, node.value])
        }
    }

    /// Keeps the op that clashed with a held one (a fork): both are kept, this one in quarantine.
    public func holdForkedOp(_ op: Op, nowMillis: Int64) throws(ReplicaError) {
        try writeBookkeeping { db in
            try db.execute(
                sql: """
                    INSERT INTO quarantine (replica, counter, record, hash, body, reason, state, at_millis)
                    VALUES (?, ?, ?, ?, ?, ?, 'held', ?) ON CONFLICT DO NOTHING
                    """,
                arguments: [
                    op.dot.replica.value, Int64(op.dot.counter), op.record.value, op.hash, Data(op.canonicalBytes),
                    "fork: another op is held under the same dot (a copied or restored database)", nowMillis,
                ])
        }
    }

    /// Marks a node forked: the same dot arrived with other content (a copied database).
    public func markForked(node: ReplicaID, nowMillis: Int64) throws(ReplicaError) {
        try writeBookkeeping { db in
            try db.execute(
                sql: "UPDATE nodes SET forked_millis = coalesce(forked_millis, ?) WHERE replica = ?",
                arguments: [nowMillis, node.value])
        }
    }

    /// The hub's log end: the greatest sequence number.
    public func logEnd() throws(ReplicaError) -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM ops") ?? 0 }
    }
}

extension HubLedger {
    /// Gauges for the hub's metrics: records in conflict, registered nodes, held quarantine.
    public func hubGauges() throws(ReplicaError) -> (conflicts: Int, nodes: Int, quarantined: Int) {
        try read { db in
            var conflicts = 0
            for type in RecordType.allCases {
                conflicts +=
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM \(type.table) WHERE conflicts IS NOT NULL") ?? 0
            }
            return (
                conflicts, try Int.fetchOne(db, sql: "SELECT count(*) FROM nodes") ?? 0,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM quarantine WHERE state = 'held'") ?? 0
            )
        }
    }
}

/// The village each record lies in as the hub holds it now, read once per record for a pull.
struct RecordVillages {
    let db: Database
    private var known: [String: DivisionCode?] = [:]

    init(db: Database) { self.db = db }

    mutating func village(of record: String) throws -> DivisionCode? {
        if let village = known[record] { return village }
        guard let id = RecordID(record) else { return nil }
        let text = try String.fetchOne(
            db.cachedStatement(sql: "SELECT village FROM \(id.type.table) WHERE id = ?"), arguments: [record])
        let village = text.flatMap { try? DivisionCode.parse($0, field: "village") }
        known[record] = village
        return village
    }
}

extension NodeRecord {
    /// Whether a record of `village` belongs on this node: in its scope, or county-wide.
    func holds(_ village: DivisionCode, countyWide: String) -> Bool {
        scope.contains(village) || village.value == countyWide
    }
}
