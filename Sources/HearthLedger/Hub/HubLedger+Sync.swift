import Crypto
import Foundation
import HearthCore
import HearthStore
import HearthText

/// The hub's side of sync: enrollment tokens, registered nodes, request nonces, pushes with
/// quarantine, and scoped pulls by log position. The ledger decides; its ``storage`` keeps
/// what was decided, each call one transaction, waited for without holding a cooperative
/// thread.
extension HubLedger {
    /// A new one-time enrollment secret for a node; only its hash is stored.
    public func createEnrollment(name: String, scope: ScopePrefix, nowMillis: Int64) async throws(ReplicaError)
        -> String
    {
        guard !name.isEmpty, name.count <= 64, !name.contains(where: \.isNewline) else {
            throw .invalid(InputError(field: "name", "input.characters_range", ["low": "1", "high": "64"]))
        }
        guard scope.level != .county else {
            throw .invalid(InputError(field: "scope", "input.node_scope_level"))
        }
        guard info.scope.contains(scope) else {
            throw .invalid(
                InputError(field: "scope", "hub.outside_county", ["scope": scope.value, "county": info.scope.value]))
        }
        // `<county>000` is no township: it would hold the county-wide code, the county's own configuration.
        guard scope.value.dropFirst(6).prefix(3) != "000" else {
            throw .invalid(
                InputError(field: "scope", "hub.township_000"))
        }
        var secretBytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in secretBytes.indices { secretBytes[index] = UInt8.random(in: 0...255, using: &generator) }
        let secret = Data(secretBytes).base64EncodedString()
        try await storage.addEnrollment(
            StoredEnrollment(
                secretHash: HubLedger.secretHash(secret), name: name, scope: scope, createdMillis: nowMillis))
        return secret
    }

    static func secretHash(_ secret: String) -> String {
        Hex.encode(SHA256.hash(data: Data(secret.utf8)))
    }

    /// Registers a node that presents an unused enrollment secret.
    public func register(secret: String, replica: ReplicaID, publicKey: String, nowMillis: Int64)
        async throws(ReplicaError) -> NodeRecord
    {
        try await storage.register(
            NodeRegistration(
                secretHash: HubLedger.secretHash(secret), replica: replica, publicKey: publicKey, nowMillis: nowMillis))
    }

    /// Every registered node, by name.
    public func nodes() async throws(ReplicaError) -> [NodeRecord] {
        try await storage.nodes()
    }

    /// One registered node; nil when the replica is not registered.
    public func node(_ replica: ReplicaID) async throws(ReplicaError) -> NodeRecord? {
        try await storage.node(replica)
    }

    /// Revokes a node by name: it gets nothing from the hub from now on.
    public func revoke(name: String, nowMillis: Int64) async throws(ReplicaError) {
        guard try await storage.revoke(name: name, atMillis: nowMillis) else {
            throw ReplicaError.invalid(InputError(field: "name", "hub.no_node", ["name": name]))
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
    ) async throws(ReplicaError) {
        guard nonce.utf8.count >= 16, nonce.utf8.count <= 64 else {
            throw .refused(Catalogue.text("hub.nonce_length"))
        }
        guard
            HubLedger.requestTimeInWindow(
                timeMillis: timeMillis, offsetMillis: offsetMillis, nowMillis: nowMillis, windowMillis: windowMillis)
        else {
            throw .refused(Catalogue.text("hub.request_time"))
        }
        // The node's clock as it is, not as corrected: the desk sees a wrong clock (R15).
        // Clamped to ±Int64.max, so whoever reads it may take its magnitude.
        let (rawSkew, overflow) = timeMillis.subtractingReportingOverflow(nowMillis)
        let skew = overflow ? (timeMillis < 0 ? -Int64.max : Int64.max) : max(rawSkew, -Int64.max)
        guard
            try await storage.recordNonce(
                nonce, from: replica, skewMillis: skew, nowMillis: nowMillis, forgetBefore: nowMillis - 2 * windowMillis
            )
        else { throw ReplicaError.refused(Catalogue.text("hub.replayed")) }
    }

    /// The hash of an author's op as the hub holds it (applied, waiting or quarantined):
    /// the link a pushed batch's first op must chain to.
    public func chainHash(replica: ReplicaID, counter: UInt64) async throws(ReplicaError) -> String? {
        try await storage.chainHash(replica: replica, counter: counter)
    }

    /// Applies a verified batch of one node's own ops. Each op is judged (``Admission``, then
    /// `check`) inside the transaction that applies the batch, against the hub's state as the
    /// earlier ops of the batch left it: what another transaction commits meanwhile cannot
    /// change a verdict, and a storage error fails the whole push rather than skipping a check.
    /// Ops that break a rule are quarantined with their reason (still acknowledged: the author
    /// already applied them); the rest are integrated, those depending on a quarantined op
    /// waiting for it.
    ///
    /// `returned` are ops the node hands back that the hub made before a restore and lost
    /// (Protocol/sync.md, A restored hub). The hub takes back only an op of one of its retired
    /// writers, above the counter the restored copy held, whose stamp (`stamps`) is the one
    /// this hub's key gives that op: no node can make such an op, or alter one. The rest are
    /// refused and counted (`refused`); nothing of them is kept.
    ///
    /// `headSignature` is the node's signature of its chain head at the last of `ops`, which the
    /// caller verified (``PushBatch/headSignature``); the hub keeps it with the head.
    public func acceptPush(
        from node: NodeRecord, ops: [Op], returned: [Op] = [], stamps: [Dot: String] = [:], headSignature: String = "",
        nowMillis: Int64, check: @escaping @Sendable (Op) -> String?
    ) async throws(ReplicaError) -> PushOutcome {
        var taken: [Op] = []
        if !returned.isEmpty {
            let retired = Dictionary(
                try await storage.retiredWriters().map { ($0.writer, $0.after) }, uniquingKeysWith: min)
            let stamper = keys.stamper()
            var seen = Set<Dot>()
            taken = returned.filter { op in
                guard let after = retired[op.dot.replica], op.dot.counter > after, seen.insert(op.dot).inserted,
                    let stamp = stamps[op.dot]
                else { return false }
                return stamper.verifies(stamp, dot: op.dot, hash: op.hash)
            }
        }
        var outcome = try await storage.append(
            PushBatch(
                node: node, ops: ops, nowMillis: nowMillis, maxWaiting: Self.maxWaitingOps, returned: taken,
                headSignature: ops.isEmpty ? "" : headSignature),
            admission: PushAdmission(writer: node.scope, check: check))
        outcome.returnedRefused = returned.count - taken.count
        return outcome
    }

    /// The stamp of each op in `ops` the hub wrote itself (under its id, its writer, or a
    /// writer a restore retired): what a pull answer carries so that nodes can hand such an op
    /// back to a hub restored without it (``OpStamper``).
    public func stamps(of ops: [Op], retired: [RetiredWriter]) -> [Dot: String] {
        let writers = Set([info.id, info.writer] + retired.map(\.writer))
        let ours = ops.filter { writers.contains($0.dot.replica) }
        guard !ours.isEmpty else { return [:] }
        let stamper = keys.stamper()
        return Dictionary(ours.map { ($0.dot, stamper.stamp($0.dot, hash: $0.hash)) }, uniquingKeysWith: { a, _ in a })
    }

    /// How many of one node's ops may wait at the hub for ops it does not hold (R11).
    public static let maxWaitingOps = 10_000

    /// The hub's log after `cursor` for a node's scope, without the node's own ops, found
    /// through the scope indexes (never a scan of other scopes' ops); plus the ops addressed
    /// to the node, and the history of each record that entered its scope (a scope entry),
    /// delivered at the entry's place in the log in parts that each fit one answer.
    ///
    /// Whatever the log holds, an op goes out only for a record that lies in the node's scope
    /// as the hub holds it now: a record that left carries nothing more to its old village but
    /// the op that moved it out (so its nodes hand it over), and a record's history goes only
    /// to the village it is in (SECURITY.md, "Jurisdiction").
    ///
    /// With `entriesAsStates` (a node speaking protocol version 3), a record that entered the
    /// node's scope goes as the hub's state of it (``LogPage/entered``), not as its history.
    public func pull(
        for node: NodeRecord, cursor: Int64, maxOps: Int, nowMillis: Int64, entriesAsStates: Bool = false
    ) async throws(ReplicaError) -> LogPage {
        try await storage.read(
            ScopedRead(
                node: node.replica, scope: node.scope, cursor: cursor, limit: maxOps,
                entriesAsStates: entriesAsStates))
    }

    /// One page of a node's snapshot: the merge states of the records in its scope after
    /// `after` (docs/snapshots.md), read in one read-only snapshot of the store.
    public func snapshot(for node: NodeRecord, after: SnapshotCursor?, maxRecords: Int) async throws(ReplicaError)
        -> SnapshotPage
    {
        let read = SnapshotRead(node: node.replica, scope: node.scope, after: after, limit: maxRecords)
        return try await snapshots.snapshot { sql in try LedgerLog.snapshotPage(sql, read) }
    }

    /// Whether a node pulling from `cursor` must start from a snapshot: nothing pulled yet, or
    /// compaction archived part of its scope past the cursor (``LedgerLog/archivedAbove(_:scope:cursor:)``).
    public func startsFromSnapshot(_ node: NodeRecord, cursor: Int64) async throws(ReplicaError) -> Bool {
        if cursor == 0 { return true }
        let scope = node.scope
        return try await snapshots.snapshot { sql in try LedgerLog.archivedAbove(sql, scope: scope, cursor: cursor) }
            != nil
    }

    /// Moves what every active node holds, older than the retention, from the log to its
    /// archive: one transaction of at most `plan.limit` ops (``LedgerCompaction``), with the
    /// chain checkpoints of the authors whose ops moved, signed by the hub.
    public func compact(_ plan: CompactionPlan) async throws(ReplicaError) -> CompactionReport {
        try await storage.compact(plan) { [self] message in try sign(message) }
    }

    /// Records how far a node has confirmed the hub's log (its next pull's cursor, or a bundle's).
    public func confirmPulled(node: ReplicaID, cursor: Int64, nowMillis: Int64) async throws(ReplicaError) {
        try await storage.confirmPulled(node, cursor: cursor, nowMillis: nowMillis)
    }

    /// Keeps the op that clashed with a held one (a fork): both are kept, this one in quarantine.
    public func holdForkedOp(_ op: Op, nowMillis: Int64) async throws(ReplicaError) {
        try await storage.hold(
            op, reason: "fork: another op is held under the same dot (a copied or restored database)",
            nowMillis: nowMillis)
    }

    /// Marks a node forked: the same dot arrived with other content (a copied database).
    public func markForked(node: ReplicaID, nowMillis: Int64) async throws(ReplicaError) {
        try await storage.markForked(node, atMillis: nowMillis)
    }

    /// The hub's log end: the greatest sequence number.
    public func logEnd() async throws(ReplicaError) -> Int64 {
        try await storage.logEnd()
    }

    /// The hub's log end and the positions a restore skipped (``LogExtent``).
    public func logExtent() async throws(ReplicaError) -> LogExtent {
        try await storage.logExtent()
    }

    /// The county's duplicate index for a node holding `version` (``LedgerStorage/duplicateIndex(since:deltas:)``).
    public func duplicateIndex(since version: String, deltas: Bool) async throws(ReplicaError) -> DuplicateIndexAnswer {
        try await storage.duplicateIndex(since: version, deltas: deltas)
    }
}

extension HubLedger {
    /// Gauges for the hub's metrics: records in conflict, registered nodes, held quarantine.
    public func hubGauges() async throws(ReplicaError) -> (conflicts: Int, nodes: Int, quarantined: Int) {
        let gauges = try await storage.gauges()
        return (gauges.conflicts, gauges.nodes, gauges.quarantined)
    }
}
