import HearthCore

/// What a replica's role does in every transaction that applies ops, on either database: the
/// hub's cross-record rules and scope entries, or nothing on a node.
///
/// Apart from ``ReplicaRole`` (which adds a SQLite file's migrations) because a hub on
/// PostgreSQL runs the same rules, and reads the same rolls, through the same engine.
package protocol ApplyRole: Sendable {
    /// Whether applying an op that moves a record queues its history for the scopes it
    /// enters (the hub serves them in pulls).
    var tracksScopeEntries: Bool { get }
    /// Whether this replica installs records from snapshots (a node), so that an op under an
    /// installed state's floor is a duplicate (``Applier/usesFloors``). The hub never does: it
    /// holds every op its states hold.
    var installsSnapshots: Bool { get }
    /// Whether this replica moves ops out of its log into an archive (the hub's compaction), so
    /// that an op its states cover but its log lacks is looked for there (``Applier/usesArchive``).
    var archivesOps: Bool { get }
    /// Runs in every write transaction that applied ops, after them (the hub's cross-record
    /// rules). Returns true when it changed records, so the state cache starts afresh.
    func afterApply(_ sql: any SQLStatements, info: ReplicaInfo, batch: [Op], nowMillis: Int64) throws -> Bool
    /// Which of the rule cases `ids` an administrator marked as reviewed (the hub's
    /// decisions); a node reviews none.
    func acknowledgedCases(_ sql: any SQLStatements, among ids: [String]) throws -> Set<String>
    /// The months locked before `month`, ascending (the hub's rolls). A node locks no roll: it
    /// reads the county's entitlement as if nothing were paid yet.
    func lockedMonths(_ sql: any SQLStatements, before month: Month) throws -> [Month]
    /// Hands `body` each line locked rolls paid for a month before `month` (the enrollment,
    /// the month the money is for as stored, and the fen: several lines of one enrollment and
    /// month add up), of every enrollment or of the entries `only`, the lines of one month
    /// together where it can.
    func paidBefore(
        _ sql: any SQLStatements, month: Month, only: [RollBook.Entry]?,
        _ body: (_ enrollment: String, _ forMonth: String, _ fen: Int64) throws -> Void
    ) throws
    /// Hands `body` each line locked rolls paid for `month` itself, of every enrollment.
    func paid(
        _ sql: any SQLStatements, for month: Month,
        _ body: (_ enrollment: String, _ forMonth: String, _ fen: Int64) throws -> Void
    ) throws
    /// The lines of `month`'s locked roll with their member's and household's current rows,
    /// or nil when `month` is not locked. The columns, in this order (``ReplicaReading/lockedRoll(_:payees:)``
    /// reads them by position): enrollment, member, program, kind, for_month, amount_fen, name,
    /// id_number_sealed, id_number_hash, household, village, bank_card_sealed, bank_card_hash.
    /// Without `payees` the name and the four sealed columns are NULL, and the households are
    /// not read: a report sums the lines by place and shows no one.
    func lockedLines(_ sql: any SQLStatements, month: Month, payees: Bool) throws -> [[SQLValue]]?
    /// Hands `body` each enrollment the last lock marked as settled, with its mark
    /// (``SettledMarks``); a node locks nothing and marks nothing.
    func settledMarks(_ sql: any SQLStatements, _ body: (_ enrollment: String, _ mark: SettleDigest) throws -> Void)
        throws
}

extension ApplyRole {
    package var installsSnapshots: Bool { false }
    package var archivesOps: Bool { false }
}

/// The bodies of the two kinds of write transaction, a command's changes and ops made
/// elsewhere, inside a transaction the caller opened on either database.
///
/// Why apart from ``ReplicaCore``: the core owns a SQLite file; a hub on PostgreSQL opens its
/// transactions on a server and must apply, judge and keep its reads exactly as the file does.
/// Both hand their transaction's ``SQLStatements`` to one engine.
package struct ApplyEngine: Sendable {
    package let info: ReplicaInfo
    package let role: any ApplyRole
    /// States kept between transactions; used only where the backend supplies a change version.
    package let cache: StateCache?
    /// A simulation's fault for the integration of received ops.
    package let crash: CrashSwitch?

    package init(info: ReplicaInfo, role: any ApplyRole, cache: StateCache?, crash: CrashSwitch? = nil) {
        self.info = info
        self.role = role
        self.cache = cache
        self.crash = crash
    }

    /// A command's changes: `block` builds ops through a ``ChangeSet``; they are logged and
    /// merged, the role's rules run after them, and the kept reads are brought up to date.
    package func write<T>(
        in sql: any SQLStatements, author: String, nowMillis: Int64, _ block: (inout ChangeSet) throws -> T
    ) throws -> (result: T, ops: [Op]) {
        var changes = try ChangeSet(
            sql: sql, info: info, author: author, nowMillis: nowMillis, cache: cache,
            tracksScopeEntries: role.tracksScopeEntries)
        let result = try block(&changes)
        let applier = try changes.finish()
        let ruled =
            changes.ops.isEmpty ? false : try role.afterApply(sql, info: info, batch: changes.ops, nowMillis: nowMillis)
        try ReplicaCore.refreshKeptReads(sql)
        applier.updateCacheOnCommit(stale: ruled)
        return (result, changes.ops)
    }

    /// Settles a long command's changes so far inside its transaction, as ``write(in:author:nowMillis:_:)``
    /// settles them at its end, and starts `changes` afresh for the rest: its ops logged and
    /// merged and their states and rows written, the role's rules run after them, the kept
    /// reads brought up to date. Nothing is committed: the transaction still ends all or nothing.
    ///
    /// Why: a change set holds every op it made and every state it touched until it finishes.
    /// A county's roster imported at once (some 360,000 rows) held 2.8 GB that way. Settled
    /// in parts, it holds one part.
    ///
    /// After it, this transaction's reads of the tables (``ReplicaCore``'s lookups, a count of
    /// a household's members) see what was settled. The rules judge each part as they judge
    /// each batch of a push.
    package func settle(_ changes: inout ChangeSet, author: String, nowMillis: Int64) throws {
        guard !changes.ops.isEmpty else { return }
        let applier = try changes.finish()
        let ruled = try role.afterApply(changes.sql, info: info, batch: changes.ops, nowMillis: nowMillis)
        try ReplicaCore.refreshKeptReads(changes.sql)
        // The part's states left the cache when they were written (``Applier/flush()``); rule
        // ops changed records the cache may hold.
        if ruled { applier.updateCacheOnCommit(stale: true) }
        changes = try ChangeSet(
            sql: changes.sql, info: info, author: author, nowMillis: nowMillis, cache: cache,
            tracksScopeEntries: role.tracksScopeEntries)
    }

    /// Ops made elsewhere, each judged by `admit` first (with the applier as it stands: earlier
    /// ops of the batch applied; false turns it away, a throw rolls the batch back), then
    /// `bookkeeping` (a cursor, an ack; true when it changed records behind the applier's back),
    /// the role's rules and the kept reads.
    ///
    /// `installing` are states installed first (``Applier/install(_:bytes:fresh:)``): records
    /// that entered a node's scope, as a pull answer carries them.
    package func integrate(
        in sql: any SQLStatements, _ ops: [Op], installing: [(RecordState, [UInt8])] = [], nowMillis: Int64,
        admit: (inout Applier, Op) throws -> Bool, bookkeeping: (ApplyReport) throws -> Bool
    ) throws -> ApplyReport {
        var applier = try Applier(sql: sql, nowMillis: nowMillis, cache: cache, crash: crash)
        applier.tracksScopeEntries = role.tracksScopeEntries
        applier.usesFloors = role.installsSnapshots
        applier.usesArchive = role.archivesOps
        applier.reserve(records: ops.count + installing.count)
        for (state, bytes) in installing { try applier.install(state, bytes: bytes) }
        try applier.prefetch(ops)
        // Each op handed on where it lies, the newest clock noted on the way: `for op in ops`
        // and `map(\.hlc)` copied every op, all its texts retained and released again.
        var newest: HLC?
        for index in ops.indices {
            newest = max(newest ?? ops[index].hlc, ops[index].hlc)
            guard try admit(&applier, ops[index]) else { continue }
            try applier.integrate(ops[index])
        }
        try applier.flush()
        if let newest {
            var clock = try ChangeSet.loadClock(sql)
            clock.observe(newest, wallMillis: nowMillis)
            try sql.execute(
                "UPDATE replica SET hlc_millis = ?, hlc_logical = ?",
                [.integer(clock.last.millis), .integer(Int64(clock.last.logical))])
        }
        let changedRecords = try bookkeeping(applier.report)
        let ruled =
            applier.report.applied > 0 ? try role.afterApply(sql, info: info, batch: ops, nowMillis: nowMillis) : false
        try ReplicaCore.refreshKeptReads(sql)
        // Rule ops (or bookkeeping) changed records after the batch's states were taken, or
        // states were written without their ops: then the cache starts afresh.
        applier.updateCacheOnCommit(stale: ruled || changedRecords || !installing.isEmpty)
        return applier.report
    }

    /// A snapshot's states installed (``Applier/install(_:)``), then its waiting ops
    /// integrated, then `bookkeeping` (the pull cursor), the role's rules and the kept reads:
    /// one transaction, so a snapshot is installed whole or not at all.
    package func install(
        in sql: any SQLStatements, _ states: [(RecordState, [UInt8])], waiting: [Op], nowMillis: Int64,
        bookkeeping: (ApplyReport) throws -> Void
    ) throws -> ApplyReport {
        var applier = try Applier(sql: sql, nowMillis: nowMillis, cache: cache, crash: crash)
        applier.tracksScopeEntries = role.tracksScopeEntries
        applier.usesFloors = role.installsSnapshots
        applier.usesArchive = role.archivesOps
        let fresh =
            try !sql.exists("SELECT 1 FROM record_meta") && !sql.exists("SELECT 1 FROM snapshot_floors")
        for (state, bytes) in states { try applier.install(state, bytes: bytes, fresh: fresh) }
        for op in waiting { try applier.integrate(op) }
        try applier.flush()
        try bookkeeping(applier.report)
        // A snapshot is the node's whole scope: its cases are found afresh, set-wise.
        try RuleCaseBook.markEverything(sql)
        try ReplicaCore.refreshKeptReads(sql)
        // States were written without their ops: the cache starts afresh.
        applier.updateCacheOnCommit(stale: true)
        return applier.report
    }
}
