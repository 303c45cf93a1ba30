import HearthCore
import HearthStore

/// What one compaction run of the hub's log is asked to do (``LogStorage/compact(_:)``).
public struct CompactionPlan: Sendable, Hashable {
    /// The county's retention in milliseconds: an op stays in the log at least this long after
    /// the hub first noted it there.
    public var retentionMillis: Int64
    public var nowMillis: Int64
    /// Most ops moved in one transaction, so a first compaction of years of history does not
    /// hold the write lock for long: the caller runs again while ``CompactionReport/more``.
    public var limit: Int

    /// A retention of `retentionMonths` (the county setting `retention_months`), a month
    /// counted as 30 days.
    public init(retentionMonths: Int, nowMillis: Int64, limit: Int = 20_000) {
        self.init(retentionMillis: Int64(retentionMonths) * 30 * 86_400_000, nowMillis: nowMillis, limit: limit)
    }

    /// A retention of any length (the simulation's hours).
    public init(retentionMillis: Int64, nowMillis: Int64, limit: Int = 20_000) {
        self.retentionMillis = max(0, retentionMillis)
        self.nowMillis = nowMillis
        self.limit = max(1, limit)
    }

    /// The earliest time an op noted in the log may have been noted and still be kept.
    public var cutoffMillis: Int64 {
        nowMillis - retentionMillis
    }
}

/// What a compaction run did.
public struct CompactionReport: Sendable, Hashable {
    /// Ops moved from the log to the archive by this run.
    public var archived = 0
    /// The greatest log position old enough to leave the log (0: nothing is yet).
    public var agedThrough: Int64 = 0
    /// Nodes that hold compaction back: not revoked or forked, synced within the retention,
    /// and holding something (a pull cursor past 0).
    public var activeNodes = 0
    /// Nodes that do not (silent past the retention, revoked, forked, or never pulled): when
    /// one syncs again below what was archived of its scope, it starts from a snapshot.
    public var inactiveNodes = 0
    /// Whether the run stopped at its limit with more to move.
    public var more = false
    /// Ops left in the log, and in the archive, after the run.
    public var logged = 0
    public var inArchive = 0
    /// Authors whose chain checkpoint this run wrote or moved forward.
    public var checkpoints = 0

    public init() {}
}

/// Compaction of the hub's log (docs/compaction.md, Protocol/sync.md, Compaction): ops every
/// node holding their scope has pulled, and older than the county's retention, move from `ops`
/// to `ops_archive`, in the same store.
///
/// Why an archive and not a deletion: the hub is the county's record. Audit, `show --history`,
/// a record's history sent to a village it moves into, and the checks of a push against the
/// ops the hub already holds (duplicates, forks, chains) read the log and the archive together
/// (`logged_ops`). What compaction saves is what a pull, a node and the hub's hot tables carry:
/// pulls never read the archive.
///
/// Why safe: an op leaves the log only when it lies at or below the least confirmed pull cursor
/// of the active nodes whose scope holds it (each holds it, having confirmed past it), and an
/// op addressed to one node (a compensation) only once that node confirmed past it too. A node
/// that was not active then, and pulls from below what was archived of its scope, is answered
/// `409 snapshot_required` (``LedgerLog/archivedAbove(_:scope:node:cursor:)``) and starts from
/// a snapshot, which holds every state; its own ops it pushes first, judged on the hub's state.
/// Waiting ops never leave the log.
package enum LedgerCompaction {
    /// Runs one compaction in the caller's write transaction; `sign` is the hub's signature
    /// (``HubLedger/sign(_:)``), for the chain checkpoints of the authors whose ops moved.
    package static func run(
        _ sql: any SQLStatements, _ plan: CompactionPlan, sign: ([UInt8]) throws -> String
    ) throws -> CompactionReport {
        var report = CompactionReport()
        // Note the log's end now: an op is old enough once a note at least the retention old
        // counted it. Notes are made only here, so the age is known to a compaction's interval,
        // and always on the safe side.
        let end = try LedgerLog.logEnd(sql)
        try sql.execute(
            "INSERT INTO log_notes (millis, log_end) VALUES (?, ?) ON CONFLICT (millis) DO NOTHING",
            [.integer(plan.nowMillis), .integer(end)])
        report.agedThrough =
            try sql.integer(
                "SELECT coalesce(max(log_end), 0) FROM log_notes WHERE millis <= ?", [.integer(plan.cutoffMillis)])
            ?? 0
        let nodes = try activeNodes(sql, cutoffMillis: plan.cutoffMillis)
        report.activeNodes = nodes.active.count
        report.inactiveNodes = nodes.inactive
        if report.agedThrough > 0 {
            var budget = plan.limit
            var authors: Set<String> = []
            for scope in try sql.texts("SELECT DISTINCT scope FROM ops ORDER BY scope") where budget > 0 {
                let through = min(report.agedThrough, horizon(of: scope, nodes: nodes.active))
                guard through > 0 else { continue }
                let moved = try archive(sql, scope: scope, through: through, limit: budget, authors: &authors)
                budget -= moved
                report.archived += moved
            }
            report.more = budget <= 0
            for author in authors.sorted() {
                if try checkpoint(sql, author: ReplicaID(author), nowMillis: plan.nowMillis, sign: sign) {
                    report.checkpoints += 1
                }
            }
        }
        report.logged = Int(try sql.integer("SELECT count(*) FROM ops") ?? 0)
        report.inArchive = Int(try sql.integer("SELECT count(*) FROM ops_archive") ?? 0)
        return report
    }

    /// A node that holds compaction back, with what it holds.
    struct ActiveNode {
        let scope: String
        let cursor: Int64
    }

    /// The active nodes (see ``CompactionReport/activeNodes``) and how many others there are.
    static func activeNodes(_ sql: any SQLStatements, cutoffMillis: Int64) throws -> (
        active: [ActiveNode], inactive: Int
    ) {
        var active: [ActiveNode] = []
        var inactive = 0
        for row in try sql.rows(
            """
            SELECT scope, pull_cursor, revoked_millis, forked_millis, last_sync_millis, registered_millis FROM nodes
            """, [])
        {
            let cursor = row[1].integer ?? 0
            let seen = max(row[4].integer ?? 0, row[5].integer ?? 0)
            if row[2].integer == nil, row[3].integer == nil, seen >= cutoffMillis, cursor > 0, let scope = row[0].text {
                active.append(ActiveNode(scope: scope, cursor: cursor))
            } else {
                inactive += 1
            }
        }
        return (active, inactive)
    }

    /// The greatest position every active node holding `scope` (the scope an op was logged
    /// under: a village, or the county-wide code every node holds) has confirmed; no such
    /// node: no bound.
    static func horizon(of scope: String, nodes: [ActiveNode]) -> Int64 {
        let countyWide = scope.hasSuffix("000000")
        return
            nodes
            .filter { countyWide ? scope.hasPrefix($0.scope.prefix(6)) : scope.hasPrefix($0.scope) }
            .map(\.cursor).min() ?? Int64.max
    }

    /// Moves the applied ops of `scope` at or below `through` (an op addressed to a node only
    /// once that node confirmed past it), oldest first, at most `limit`; returns how many moved,
    /// adds their authors to `authors`, and raises the scope's mark to the last.
    static func archive(
        _ sql: any SQLStatements, scope: String, through: Int64, limit: Int, authors: inout Set<String>
    ) throws -> Int {
        let rows = try sql.rows(
            """
            SELECT seq, replica FROM ops
            WHERE scope = ? AND seq <= ? AND state = 'applied'
                AND (target IS NULL OR target IN (SELECT replica FROM nodes WHERE pull_cursor >= ops.seq))
            ORDER BY seq LIMIT ?
            """, [.text(scope), .integer(through), .integer(Int64(limit))])
        let positions = rows.compactMap { $0.first?.integer }
        for row in rows { if let author = row[1].text { authors.insert(author) } }
        guard let last = positions.last else { return 0 }
        for chunk in stride(from: 0, to: positions.count, by: 500) {
            let part = positions[chunk..<min(chunk + 500, positions.count)]
            let marks = Array(repeating: "?", count: part.count).joined(separator: ", ")
            let values = part.map { SQLValue.integer($0) }
            try sql.execute(
                """
                INSERT INTO ops_archive (seq, replica, counter, record, scope, hash, body, township, target)
                SELECT seq, replica, counter, record, scope, hash, body, township, target FROM ops
                WHERE seq IN (\(marks))
                """, values)
            try sql.execute("DELETE FROM ops WHERE seq IN (\(marks))", values)
        }
        try sql.execute(
            """
            INSERT INTO archive_marks (scope, seq) VALUES (?, ?)
            ON CONFLICT (scope) DO UPDATE SET seq = \(sql.greatest)(archive_marks.seq, excluded.seq)
            """, [.text(scope), .integer(last)])
        return positions.count
    }

    /// Writes (or moves forward) `author`'s chain checkpoint: at its last archived op below
    /// every op of its that is still in the log, so the log holds the whole chain above the
    /// checkpoint (with the archived ops above it, of scopes archived sooner). Returns whether
    /// it wrote one. Two lookups by the `(replica, counter)` keys of the log and the archive.
    static func checkpoint(
        _ sql: any SQLStatements, author: ReplicaID, nowMillis: Int64, sign: ([UInt8]) throws -> String
    ) throws -> Bool {
        let firstLogged = try sql.integer("SELECT min(counter) FROM ops WHERE replica = ?", [.text(author.value)])
        guard
            let row = try sql.rows(
                "SELECT counter, hash FROM ops_archive WHERE replica = ? AND counter < ? ORDER BY counter DESC LIMIT 1",
                [.text(author.value), .integer(firstLogged ?? Int64.max)]
            ).first, let counter = row[0].integer, let hash = row[1].bytes
        else { return false }
        let checkpoint = try ChainCheckpoint.signed(
            replica: author, counter: UInt64(counter), hash: OpLogSQL.hashText(of: hash), at: nowMillis, by: sign)
        return try sql.execute(
            """
            INSERT INTO chain_checkpoints (replica, counter, hash, signed_millis, signature) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (replica) DO UPDATE SET counter = excluded.counter, hash = excluded.hash,
                signed_millis = excluded.signed_millis, signature = excluded.signature
            WHERE excluded.counter > chain_checkpoints.counter
            """,
            [
                .text(author.value), .integer(counter), .text(checkpoint.hash), .integer(nowMillis),
                .text(checkpoint.signature),
            ]) > 0
    }
}
