import HearthCore

/// Integrates ops into a replica inside one write transaction.
///
/// Every op is logged (append-only, deduplicated by dot and hash); a causally ready op is
/// merged into its record's state, and any op that was waiting for it is released in turn.
/// States are cached for the batch and written back once at the end, so a batch that
/// touches a record many times rewrites its row once.
///
/// Its reads and writes go through ``SQLStatements``: the same applier runs in a node's SQLite
/// file and in a hub's PostgreSQL database.
package struct Applier {
    package let sql: any SQLStatements
    package let nowMillis: Int64
    private var states: [RecordID: RecordState] = [:]
    private var dirty: Set<RecordID> = []
    private var waitingRecords: Set<String>
    private var clock: [ReplicaID: UInt64] = [:]
    private(set) var report = ApplyReport()
    /// Ops this applier logged since its last flush, added to `row_counts` once there: a
    /// trigger adding one per row made every insert of the log a statement with a sub-journal
    /// (core v28).
    private var loggedSinceFlush: Int64 = 0
    private let cache: StateCache?
    private let dataVersion: Int64
    /// The states this transaction wrote, for the cache once it commits.
    private(set) var written: [RecordState] = []

    /// On the hub: when an op moves a record into another village, the record's whole
    /// history is queued for the villages it leaves and enters (see ``noteScopeChange``).
    package var tracksScopeEntries = false

    /// On a node: a record installed from a snapshot holds ops its log does not (the state it
    /// was installed at, its floor, `snapshot_floors`); an op under that floor's clock arrives
    /// again as a duplicate, where on the hub it would be a break in its author's history.
    package var usesFloors = false
    /// On the hub: ops compaction moved to `ops_archive` are held, though not in the log; one
    /// sent again is a duplicate there (the same hash) or a fork (another), not a break in its
    /// author's history.
    package var usesArchive = false
    /// The floors read so far, by record (nil: the record has none).
    private var floors: [RecordID: VersionVector?] = [:]
    /// The key columns (``StateRow/keyColumns(of:)``) of each record's row as it was stored
    /// when this applier first read the record: a row written with the same keys leaves them
    /// out of its update, and its indexes untouched.
    private var storedKeys: [RecordID: [SQLValue]] = [:]
    /// The stored bytes of states installed as they came (``install(_:bytes:fresh:)``), until
    /// anything else changes them: written as they are, not encoded again.
    private var knownBytes: [RecordID: [UInt8]] = [:]
    /// Records ``prefetch(_:)`` looked for and the replica does not hold: ``state(of:)`` answers
    /// nil for them without a lookup, until the batch makes them.
    private var absent: Set<RecordID> = []
    /// The dots ``prefetch(_:)`` asked the log about, and the hash the log holds for each it
    /// holds, kept up to date as the batch logs its ops: an op of one of these dots is logged
    /// by a write not waited for (``LoggedDots``).
    private var loggedDots = LoggedDots()

    /// The dot of the op the caller's admission has just judged whole, its fields included
    /// (``OpForm``, which refuses every op ``Op/schemaProblems`` finds fault with): its next
    /// ``integrate(_:target:)`` does not judge its fields again. The hub's push sets it for each
    /// op it admits (it judged every op's fields twice); any other op, and any op of another
    /// dot, is judged here.
    package var formJudged: Dot?

    /// A simulation's fault: fails the integration part-way (see ``CrashSwitch``).
    private let crash: CrashSwitch?
    /// The county's standards and settings, read once per transaction for the hub's admission
    /// (R6); their tables change only when the batch is flushed.
    package var configuration: CountyConfiguration?

    /// - Parameter cache: states kept between transactions; used only when the backend supplies
    ///   a change version (``SQLStatements/changeVersion()``) to check it against.
    package init(
        sql: any SQLStatements, nowMillis: Int64, cache: StateCache? = nil, crash: CrashSwitch? = nil
    ) throws {
        self.sql = sql
        self.nowMillis = nowMillis
        self.crash = crash
        if let cache, let version = try sql.changeVersion() {
            self.cache = cache
            dataVersion = cache.validate(version: version)
        } else {
            self.cache = nil
            dataVersion = 0
        }
        waitingRecords = Set(try sql.texts("SELECT DISTINCT record FROM op_waits"))
    }

    /// Hands the written states to the cache when this transaction commits, or, when
    /// `stale` (rule ops changed records after these states were taken), empties the cache.
    ///
    /// Runs in the backend's commit hook (``SQLStatements/afterCommit(_:)``; on SQLite on the
    /// writer before it takes the next transaction): were the cache updated after `write`
    /// returned, a write starting in between would read the states this one replaced and write
    /// them back without its ops (a lost update).
    package func updateCacheOnCommit(stale: Bool) {
        guard let cache else { return }
        guard !stale else {
            // Records changed behind the applier's back: no later applier of this transaction
            // may read them from the cache either. The written states are not kept for the
            // commit: a long command settled in parts (``ApplyEngine/settle(_:author:nowMillis:)``)
            // would otherwise hold every part's states until it ends.
            cache.clear()
            sql.afterCommit { cache.clear() }
            return
        }
        let written = written
        let dataVersion = dataVersion
        sql.afterCommit { cache.committed(written, dataVersion: dataVersion) }
    }

    /// Makes room, once, for the records a batch of `count` ops may touch (at most 65,536):
    /// the batch's tables otherwise grow by doubling as it goes, rehashing every state held
    /// each time.
    package mutating func reserve(records count: Int) {
        let count = min(count, 65_536)
        states.reserveCapacity(count)
        storedKeys.reserveCapacity(count)
        dirty.reserveCapacity(count)
    }

    /// The current state of a record, as this batch has it; nil if the replica never saw it.
    package mutating func state(of id: RecordID) throws -> RecordState? {
        if let cached = states[id] { return cached }
        if let cached = cache?.state(of: id) {
            states[id] = cached
            storedKeys[id] = StateRow.keys(of: cached)
            return cached
        }
        guard !absent.contains(id), let state = try StoredState.load(sql, id) else { return nil }
        states[id] = state
        storedKeys[id] = StateRow.keys(of: state)
        return state
    }

    /// Most states one ``prefetch(_:)`` statement reads.
    static let prefetchGroup = 64

    /// The read of ``prefetchGroup`` states by key: one statement text, so it is prepared once
    /// per connection (a shorter last group repeats its last key).
    static let prefetchSQL =
        "SELECT id, state FROM record_meta WHERE id IN ("
        + Array(repeating: "?", count: prefetchGroup).joined(separator: ", ") + ")"

    /// Reads, many to a statement, the stored states of the records `ops` will look up
    /// (``integrate(_:target:)``) that neither this batch nor the cache holds.
    ///
    /// Why: a batch edits records the cache no longer holds, and a statement per record cost
    /// its preparation, binding and step for each, on the hub's one writer for nearly every op
    /// pushed. The index searches under the statements are the same, sorted, and what the batch
    /// does with the states is unchanged; measured on 5 December 2026, the night's time did not
    /// move (`PushStatementTests` counts the statements).
    package mutating func prefetch(_ ops: [Op]) throws {
        try loggedDots.ask(about: ops, sql)
        var wanted: [RecordID] = []
        var seen: Set<RecordID> = []
        for index in ops.indices {
            let id = ops[index].record
            guard !ops[index].createsRecord || usesFloors || usesArchive, states[id] == nil, !absent.contains(id),
                seen.insert(id).inserted
            else { continue }
            if let cached = cache?.state(of: id) {
                states[id] = cached
                storedKeys[id] = StateRow.keys(of: cached)
            } else {
                wanted.append(id)
            }
        }
        wanted.sort()
        for start in stride(from: 0, to: wanted.count, by: Self.prefetchGroup) {
            let group = wanted[start..<min(wanted.count, start + Self.prefetchGroup)]
            var values = group.map { SQLValue.text($0.value) }
            while values.count < Self.prefetchGroup { values.append(values[values.count - 1]) }
            try sql.forEachRow(Self.prefetchSQL, values) { row in
                guard let text = row[0].text, let id = RecordID(text) else {
                    throw ReplicaError.database("a stored merge state has an unreadable record id")
                }
                let state = try StoredState.decode(id, row[1])
                states[id] = state
                storedKeys[id] = StateRow.keys(of: state)
            }
            for id in group where states[id] == nil { absent.insert(id) }
        }
    }

    /// Logs an op and applies it if it is causally ready; returns its hash.
    @discardableResult
    package mutating func integrate(_ op: Op, target: ReplicaID? = nil) throws -> String {
        try crash?.tick()
        let hash = op.hash
        guard let hashBytes = OpLogSQL.hashBytes(hash) else {
            throw ReplicaError.database("the hash of \(op.dot) is not 64 hex digits")
        }
        if formJudged != op.dot {
            let problems = op.schemaProblems
            guard problems.isEmpty else {
                throw ReplicaError.malformedOp(dot: op.dot.description, reason: problems.joined(separator: "; "))
            }
        }
        formJudged = nil
        // A record's creating op is applied before any other op on it (every later op's context
        // covers it), so a creating op never finds stored state: skip the lookup. Except on a
        // replica that installs snapshots: there the state may have come without its ops, and
        // the creating op arrives later, under its floor; and on a hub that archives, where the
        // creating op may arrive again after compaction moved it out of the log.
        if !op.createsRecord || usesFloors || usesArchive { _ = try state(of: op.record) }
        // The state is taken out of the batch's table while the op is applied, so that applying
        // changes it in place instead of copying its registers; every way out puts it back.
        let held = states.removeValue(forKey: op.record)
        var current = held ?? RecordState(id: op.record)
        var putBack = held != nil
        defer { if putBack { states[op.record] = current } }
        let missing = current.missingDependencies(of: op)
        let coveredButUnseen = current.hasApplied(op)
        // Under the floor of a state installed from a snapshot: held, though never logged here.
        if coveredButUnseen, try floorCovers(op) {
            report.duplicates += 1
            return hash
        }
        if coveredButUnseen, usesArchive,
            let archived = try sql.value(
                "SELECT hash FROM ops_archive WHERE replica = ? AND counter = ?",
                [.text(op.dot.replica.value), .integer(Int64(op.dot.counter))])
        {
            guard archived.bytes.map(OpLogSQL.hashText(of:)) == hash else { throw ReplicaError.fork(dot: op.dot) }
            report.duplicates += 1
            return hash
        }
        let row: [SQLValue] = [
            .text(op.dot.replica.value), .integer(Int64(op.dot.counter)), .text(op.record.value),
            .text(op.scope.value), .blob(hashBytes), .blob(op.loggedBytes),
            .text(missing.isEmpty ? "applied" : "waiting"), SQLValue(op.scope.township), SQLValue(target?.value),
        ]
        if let logged = loggedDots.hash(of: op.dot) {
            // Asked about beforehand: held already (a duplicate, or a fork), or logged without
            // waiting for the answer. A plain insert: were the dot taken after all, the
            // transaction fails rather than leave the op out.
            if let logged {
                guard logged == hashBytes else { throw ReplicaError.fork(dot: op.dot) }
                report.duplicates += 1
                return hash
            }
            try sql.write(OpLogSQL.insert, row)
            loggedDots.logged(op.dot, hash: hashBytes)
            loggedSinceFlush += 1
        } else {
            // One statement both logs the op and detects one already held under its dot.
            let inserted = try sql.execute(OpLogSQL.insertUnlessHeld, row)
            loggedSinceFlush += Int64(inserted)
            if inserted == 0 {
                let logged = try sql.value(
                    "SELECT hash FROM ops WHERE replica = ? AND counter = ?",
                    [.text(op.dot.replica.value), .integer(Int64(op.dot.counter))])
                guard logged?.bytes.map(OpLogSQL.hashText(of:)) == hash else { throw ReplicaError.fork(dot: op.dot) }
                report.duplicates += 1
                return hash
            }
        }
        guard !coveredButUnseen else {
            // A later op of the same author was applied without this one in its context:
            // the author's history is inconsistent, and merging would silently drop this op.
            throw ReplicaError.malformedOp(
                dot: op.dot.description,
                reason: "a later op from replica \(op.dot.replica) on \(op.record) did not include it in its context")
        }
        guard missing.isEmpty else {
            try sql.execute(
                "INSERT INTO op_waits (replica, counter, record, needs, since_millis) VALUES (?, ?, ?, ?, ?)",
                [
                    .text(op.dot.replica.value), .integer(Int64(op.dot.counter)), .text(op.record.value),
                    .text(missing.map(\.description).joined(separator: ",")), .integer(nowMillis),
                ])
            waitingRecords.insert(op.record.value)
            report.waiting += 1
            return hash
        }
        let before = tracksScopeEntries ? current.resolution(of: "village").value.textValue : nil
        current.apply(op)
        putBack = false
        record(applied: op, state: current)
        try noteScopeChange(op, from: before)
        try release(op.record)
        return hash
    }

    /// A record that enters a village must arrive there whole: its earlier ops were logged
    /// under the village it left, so that village's nodes and the new one's would each miss
    /// a part. The hub records a scope entry after the op: a pull for either village then
    /// carries the record's whole history up to and including the op (ops the node already
    /// holds are duplicates; ops that arrive before their past wait for it).
    private mutating func noteScopeChange(_ op: Op, from before: String?) throws {
        guard tracksScopeEntries, !op.createsRecord, op.fields["village"] != nil, let before, before != op.scope.value
        else { return }
        // The history is cut into parts, each at a log position of its own, so a long one
        // (a record edited for years) spans several pull answers instead of exceeding one.
        let history = try sql.integer("SELECT count(*) FROM ops WHERE record = ?", [.text(op.record.value)]) ?? 0
        let parts = max(1, (history + Int64(ScopeEntryPart.size) - 1) / Int64(ScopeEntryPart.size))
        for village in [op.scope.value, before] {
            guard let code = try? DivisionCode.parse(village, field: "village") else { continue }
            let first = try LogPositions.reserve(parts, sql)
            for part in 0..<parts {
                try sql.execute(
                    "INSERT INTO scope_entries (seq, record, scope, township, part, parts) VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        .integer(first + part), .text(op.record.value), .text(code.value), SQLValue(code.township),
                        .integer(part), .integer(parts),
                    ])
            }
        }
    }

    private mutating func record(applied op: Op, state: RecordState) {
        knownBytes[op.record] = nil
        states[op.record] = state
        dirty.insert(op.record)
        if op.dot.counter > clock[op.dot.replica] ?? 0 { clock[op.dot.replica] = op.dot.counter }
        report.applied += 1
    }

    /// Applies every waiting op on the record that has become ready, until none is.
    private mutating func release(_ id: RecordID) throws {
        guard waitingRecords.contains(id.value) else { return }
        var progress = true
        while progress {
            progress = false
            let bodies = try sql.rows(
                """
                SELECT o.body FROM op_waits w
                JOIN ops o ON o.replica = w.replica AND o.counter = w.counter
                WHERE w.record = ?
                """, [.text(id.value)])
            if bodies.isEmpty {
                waitingRecords.remove(id.value)
                return
            }
            var waiting: [Op] = []
            for row in bodies {
                do { waiting.append(try Op(logged: row.first?.bytes ?? [])) } catch {
                    throw ReplicaError.database("a logged op is unreadable: \(error.description)")
                }
            }
            // In causal-clock order, then by dot: the order they were logged in cannot matter.
            waiting.sort {
                ($0.hlc.millis, $0.hlc.logical, $0.dot.replica.value, $0.dot.counter)
                    < ($1.hlc.millis, $1.hlc.logical, $1.dot.replica.value, $1.dot.counter)
            }
            for op in waiting {
                var current = try state(of: id) ?? RecordState(id: id)
                guard current.missingDependencies(of: op).isEmpty else { continue }
                let before = tracksScopeEntries ? current.resolution(of: "village").value.textValue : nil
                let dot: [SQLValue] = [.text(op.dot.replica.value), .integer(Int64(op.dot.counter))]
                if current.hasApplied(op), try floorCovers(op) {
                    // A state installed since it began to wait holds it already.
                    try sql.execute("DELETE FROM op_waits WHERE replica = ? AND counter = ?", dot)
                    try sql.execute("UPDATE ops SET state = 'applied' WHERE replica = ? AND counter = ?", dot)
                    report.duplicates += 1
                    progress = true
                    continue
                }
                guard !current.hasApplied(op) else {
                    throw ReplicaError.malformedOp(
                        dot: op.dot.description,
                        reason: "a later op from replica \(op.dot.replica) on \(id) did not include it in its context")
                }
                current.apply(op)
                record(applied: op, state: current)
                try noteScopeChange(op, from: before)
                report.released += 1
                try sql.execute("DELETE FROM op_waits WHERE replica = ? AND counter = ?", dot)
                try sql.execute("UPDATE ops SET state = 'applied' WHERE replica = ? AND counter = ?", dot)
                progress = true
            }
        }
    }

    /// Whether `op` lies under the floor of its record's state as installed from a snapshot.
    private mutating func floorCovers(_ op: Op) throws -> Bool {
        guard usesFloors else { return false }
        if let known = floors[op.record] { return known?.covers(op.dot) ?? false }
        let floor = try sql.value("SELECT state FROM snapshot_floors WHERE id = ?", [.text(op.record.value)]).map {
            try StoredState.decode(op.record, $0).clock
        }
        floors[op.record] = floor
        return floor?.covers(op.dot) ?? false
    }

    /// Installs a record's state as a snapshot carries it: joined with the state held here (a
    /// node's own edits not yet pushed, ops that arrived meanwhile), so the record holds
    /// exactly what replaying both histories would; it becomes (joined into) the record's
    /// floor (``usesFloors``), and ops waiting for what it brought are released.
    package mutating func install(_ incoming: RecordState, bytes: [UInt8]? = nil, fresh: Bool = false) throws {
        try crash?.tick()
        let id = incoming.id
        // A replica that held no record and no floor when the install began (a new node) has
        // nothing to join: no lookups, and the stored bytes are the snapshot's own.
        let held = fresh ? nil : try state(of: id)
        guard let joined = held.map({ $0.joined(with: incoming) }) ?? incoming else {
            throw ReplicaError.database("a snapshot's state of \(id) is another record's")
        }
        // The floor: every state installed for the record, joined.
        var floor = incoming
        var floorBytes = bytes ?? incoming.compactBytes
        if !fresh, let stored = try sql.value("SELECT state FROM snapshot_floors WHERE id = ?", [.text(id.value)]),
            let both = try StoredState.decode(id, stored).joined(with: incoming)
        {
            floor = both
            floorBytes = both.compactBytes
        }
        try sql.execute(
            "INSERT INTO snapshot_floors (id, state) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state",
            [.text(id.value), .blob(floorBytes)])
        floors[id] = floor.clock
        states[id] = joined
        if held == nil, let bytes { knownBytes[id] = bytes }
        dirty.insert(id)
        for (replica, counter) in incoming.clock.entries where counter > clock[replica] ?? 0 {
            clock[replica] = counter
        }
        report.installed += 1
        try release(id)
    }

    /// Writes every changed record's metadata and plain row, the replica's vector, and the
    /// log's count.
    ///
    /// The written records leave the shared cache at once, not at the commit: another applier
    /// in the same transaction (the hub judging held ops again after a push, found by
    /// `hearth sim --seeds 1 --start-seed 170`) would otherwise read the state the last commit
    /// cached and write it back without this batch's ops.
    package mutating func flush() throws {
        cache?.forget(dirty)
        if sql.dialect == .postgres {
            try writeDirtyInGroups()
        } else {
            for id in dirty.sorted() {
                guard let state = states[id] else { continue }
                try StoredState.save(sql, state, bytes: knownBytes.removeValue(forKey: id))
                let row = StateRow.values(of: state)
                let keys = StateRow.keys(row, of: id.type)
                try sql.write(StateRow.upsert(id.type, keysUnchanged: storedKeys[id] == keys), row)
                storedKeys[id] = keys
                written.append(state)
            }
        }
        dirty.removeAll()
        for (replica, counter) in clock {
            try sql.execute(
                """
                INSERT INTO replica_clock (replica, counter) VALUES (?, ?)
                ON CONFLICT (replica) DO UPDATE SET counter = \(sql.greatest)(replica_clock.counter, excluded.counter)
                """, [.text(replica.value), .integer(Int64(counter))])
        }
        clock.removeAll()
        if loggedSinceFlush > 0 {
            try sql.execute(OpLogSQL.addToCount, [.integer(loggedSinceFlush)])
            loggedSinceFlush = 0
        }
    }
}

extension Applier {
    /// The dirty states and their rows, many to a statement (``RowGroup``): what ``flush()``
    /// writes on PostgreSQL, where each statement is a message to the server that the server
    /// parses and plans, and the client encodes, sends and reads the answer of. A flush wrote
    /// two for each record it changed, 30,000 of a 30-village night's 80,000 statements. SQLite
    /// keeps its prepared statement a row: its statements are calls, not messages.
    ///
    /// The same rows as one a statement, each group written when it fills and the rest at the
    /// end; a table's rows in the order the sorted ids reach them. No trigger reads
    /// `record_meta`, and a record table's triggers read other tables, as they find them at the
    /// end of their statement. The one that reads its own table, a member's `markGone`, sees
    /// the statement's other members as they end up: the duplicate index's flags are what
    /// SQLite's give, its versions may be fewer (`PostgresReplicaTriggers` in the PostgreSQL
    /// hub says why).
    fileprivate mutating func writeDirtyInGroups() throws {
        var states = RowGroup(sql: StoredState.upsert(rows:))
        var rows: [RowGroup.Kind: RowGroup] = [:]
        var order: [RowGroup.Kind] = []
        for id in dirty.sorted() {
            guard let state = self.states[id] else { continue }
            try states.add(StoredState.values(state, bytes: knownBytes.removeValue(forKey: id)), on: sql)
            let row = StateRow.values(of: state)
            let keys = StateRow.keys(row, of: id.type)
            let kind = RowGroup.Kind(type: id.type, keysUnchanged: storedKeys[id] == keys)
            if rows[kind] == nil {
                order.append(kind)
                rows[kind] = RowGroup { StateRow.upsert(kind.type, keysUnchanged: kind.keysUnchanged, rows: $0) }
            }
            try rows[kind]!.add(row, on: sql)
            storedKeys[id] = keys
            written.append(state)
        }
        try states.write(on: sql)
        for kind in order { try rows[kind]!.write(on: sql) }
    }
}

/// The dots of a batch and the hashes the log holds for them, read many to a statement before
/// the batch is logged (``Applier/prefetch(_:)``).
///
/// Why: the applier logged each op with one statement that also told whether the dot was
/// held, and waited for its answer. On PostgreSQL that wait was a round trip for every op, a
/// third of a night's waiting statements. Knowing beforehand which dots the log holds, it sends
/// each insert without waiting, and sends none for an op it holds: an insert that did nothing
/// still took a position from the log's counter on both databases. Writers take turns on the
/// log (SQLite's one writer; on PostgreSQL the `log_head` lock), so nothing logs these dots
/// between the read and the inserts but the batch itself, which keeps the answers up to date.
struct LoggedDots {
    /// Each dot asked about: the hash the log holds for it, or nil when it holds none.
    private var known: [Dot: [UInt8]?] = [:]

    /// Dots a statement asks about.
    static let group = 64

    /// Asks the log about every dot of `ops` not asked about yet, `group` of one replica's to a
    /// statement.
    mutating func ask(about ops: [Op], _ sql: any SQLStatements) throws {
        var counters: [ReplicaID: [Int64]] = [:]
        for index in ops.indices where known[ops[index].dot] == nil {
            let dot = ops[index].dot
            known[dot] = .some(nil)
            counters[dot.replica, default: []].append(Int64(dot.counter))
        }
        let statement =
            "SELECT counter, hash FROM ops WHERE replica = ? AND counter IN (" + SQLGroups.marks(Self.group) + ")"
        for (replica, asked) in counters.sorted(by: { $0.key.value < $1.key.value }) {
            for values in SQLGroups.padded(values: asked.map(SQLValue.integer), size: Self.group) {
                for row in try sql.rows(statement, [.text(replica.value)] + values) {
                    guard let counter = row[0].integer, counter >= 0, let hash = row[1].bytes else {
                        throw ReplicaError.database("a logged op's dot or hash is unreadable")
                    }
                    known[Dot(replica: replica, counter: UInt64(counter))] = .some(hash)
                }
            }
        }
    }

    /// For a dot asked about: `.some(hash)` when the log holds it, `.some(nil)` when it does
    /// not; nil for a dot never asked about.
    func hash(of dot: Dot) -> [UInt8]?? { known[dot] }

    /// The batch logged `dot` with `hash`.
    mutating func logged(_ dot: Dot, hash: [UInt8]) { known[dot] = .some(hash) }
}

/// Rows of one kind gathered for one multi-row statement (``Applier/flush()`` on PostgreSQL),
/// written when ``size`` have gathered and at the end.
struct RowGroup {
    /// The table a row goes to, and whether its key columns are left out of the update.
    struct Kind: Hashable {
        let type: RecordType
        let keysUnchanged: Bool
    }

    /// Rows a statement writes: enough that a flush of a thousand ops sends a dozen
    /// statements, few enough that the widest row's values (about 40) stay far below
    /// PostgreSQL's 65,535 parameters.
    static let size = 64

    /// The statement for a number of rows.
    let sql: (Int) -> String
    private var values: [SQLValue] = []
    private var rows = 0

    init(sql: @escaping (Int) -> String) {
        self.sql = sql
    }

    mutating func add(_ row: [SQLValue], on statements: any SQLStatements) throws {
        values.append(contentsOf: row)
        rows += 1
        if rows == Self.size { try write(on: statements) }
    }

    /// Writes the rows gathered, if any.
    mutating func write(on statements: any SQLStatements) throws {
        guard rows > 0 else { return }
        try statements.write(sql(rows), values)
        values.removeAll(keepingCapacity: true)
        rows = 0
    }
}

/// How many ops of a record's history one scope-entry part carries: well under a message's
/// limit (`WireLimits.maxOpsPerMessage`, 5,000), so every part fits in one pull answer.
package enum ScopeEntryPart {
    package static let size = 2_000
}
