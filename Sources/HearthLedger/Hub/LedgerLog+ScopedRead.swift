import HearthCore
import HearthStore
import HearthText

/// A node's scope of the log after a cursor, found through the scope indexes (never a scan of
/// other scopes' ops).
extension LedgerLog {
    /// The condition on the log's columns (`scope`, `township`, each `prefix`ed) that picks a
    /// scope's ops through an index, and the value it binds (nil for the county: every op).
    static func scopeFilter(_ scope: ScopePrefix, prefix: String = "") -> (sql: String, key: String?) {
        switch scope.level {
        case .village: ("\(prefix)scope = ?", scope.value)
        case .township: ("\(prefix)township = ?", scope.value)
        case .county: ("1 = 1", nil)
        }
    }

    /// The page in one read transaction, which must read one snapshot throughout (SQLite's
    /// read transaction; PostgreSQL's `REPEATABLE READ`): the log end it reports was read in
    /// the same snapshot as the ops, so no op committed in between is skipped.
    package static func page(_ sql: any SQLStatements, _ read: ScopedRead) throws -> LogPage {
        // Compaction archived part of what this node would be sent: it starts from a snapshot.
        if let archived = try archivedAbove(sql, scope: read.scope, cursor: read.cursor) {
            throw ReplicaError.snapshotRequired(cursor: read.cursor, archived: archived)
        }
        let limit = read.limit
        let (filter, key) = scopeFilter(read.scope)
        let rows = try scopeOps(sql, read, filter: filter, key: key)
        var horizon = rows.count > limit ? (rows[limit - 1][0].integer ?? Int64.max) : Int64.max
        let entries: [[SQLValue]]
        if let key {
            entries = try sql.rows(
                "SELECT seq, record, part FROM scope_entries WHERE \(filter) AND seq > ? ORDER BY seq LIMIT ?",
                [.text(key), .integer(read.cursor), .integer(Int64(limit + 1))])
            if entries.count > limit { horizon = min(horizon, entries[limit - 1][0].integer ?? Int64.max) }
        } else {
            entries = []
        }
        var villages = RecordVillages(sql)
        // Log positions in order: one op each, or one part of a record's history.
        var positions: [(seq: Int64, row: [SQLValue], entry: Bool)] = rows.prefix(limit).map {
            ($0[0].integer ?? 0, $0, false)
        }
        positions += entries.prefix(limit).map { ($0[0].integer ?? 0, $0, true) }
        positions = positions.filter { $0.seq <= horizon }.sorted { $0.seq < $1.seq }
        try villages.prefetch(
            positions.compactMap {
                $0.entry ? $0.row[1].text : $0.row[3].text == read.node.value ? nil : $0.row[2].text
            })
        var ops: [Op] = []
        var entered: [SnapshotRecord] = []
        // The clock of each state in `entered`: an op of the page it covers is in the state
        // already (the op that moved the record in, above all), and is left out.
        var covered: [RecordID: VersionVector] = [:]
        var last = read.cursor
        var more = horizon != Int64.max
        for position in positions {
            // Each op's body and its logged hash.
            let group: [(body: SQLValue, hash: SQLValue)]
            if position.entry, read.entriesAsStates,
                let state = try enteredState(sql, entry: position.row, read: read, villages: &villages)
            {
                // The record's state counts as one op of the page.
                if !ops.isEmpty || !entered.isEmpty, ops.count + entered.count + 1 > limit {
                    more = true
                    break
                }
                // One state a record: a later entry of it in the page (a township holds both
                // villages of a move) would read the same state in this transaction.
                if let state = state.first, covered[state.id] == nil {
                    guard let clock = RecordState(id: state.id, storedBytes: state.state)?.clock else {
                        throw ReplicaError.database("a record's merge state is unreadable")
                    }
                    entered.append(state)
                    covered[state.id] = clock
                    ops.removeAll { $0.record == state.id && clock.covers($0.dot) }
                }
                last = position.seq
                continue
            } else if position.entry {
                group = try entryOps(sql, entry: position.row, read: read, villages: &villages)
            } else {
                let record = position.row[2].text ?? ""
                let addressed = position.row[3].text == read.node.value
                // An op addressed to the node is its own business; any other goes only
                // while its record lies in the node's scope. (A record the hub holds no
                // state for yet, its creation held at the desk, goes where its op is logged.)
                let village = try villages.village(of: record)
                group = addressed || village.map(read.holds) ?? true ? [(position.row[1], position.row[4])] : []
            }
            if !ops.isEmpty || !entered.isEmpty, ops.count + entered.count + group.count > limit {
                more = true
                break
            }
            for (body, hash) in group {
                guard let bytes = body.bytes, let op = try? Op(logged: bytes, hash: hash.bytes) else {
                    throw ReplicaError.database(Catalogue.text("sync.op_unreadable"))
                }
                if let clock = covered[op.record], clock.covers(op.dot) { continue }
                ops.append(op)
            }
            last = position.seq
        }
        if !more {
            let end = max(
                try logEnd(sql),
                try sql.integer("SELECT coalesce(max(seq), 0) FROM scope_entries") ?? 0)
            last = max(end, read.cursor)
        }
        return LogPage(ops: ops, cursor: last, more: more, retired: try retiredWriters(sql), entered: entered)
    }

    /// The first `limit + 1` ops after the cursor that the page may send, in log order: the
    /// node's scope, plus the county's configuration (logged under the county-wide code, which
    /// every node of the county holds) and the ops addressed to the node itself (compensations
    /// for its refused ops, which may lie outside its scope). None of the node's own.
    ///
    /// Each of the three is read by its own index in log order and stops at the limit; the
    /// three are merged here. Asked as one statement (`scope OR county-wide OR addressed`),
    /// SQLite gathered every op of the scope after the cursor and sorted them before taking a
    /// page (`MULTI-INDEX OR`, then a temporary B-tree): a township catching up on a night of
    /// 183,000 ops read them all again for each page of 1,000.
    static func scopeOps(_ sql: any SQLStatements, _ read: ScopedRead, filter: String, key: String?) throws
        -> [[SQLValue]]
    {
        var conditions: [(sql: String, value: SQLValue?)] = [(filter, key.map(SQLValue.text))]
        // For the county (no key) the scope is every op already.
        if key != nil {
            let countyWide = DivisionCode.countyWide(read.scope.value)?.value ?? ""
            conditions += [("scope = ?", .text(countyWide)), ("target = ?", .text(read.node.value))]
        }
        var found: [Int64: [SQLValue]] = [:]
        for condition in conditions {
            let rows = try sql.rows(
                """
                SELECT seq, body, record, target, hash FROM ops
                WHERE \(condition.sql) AND seq > ? AND replica != ? ORDER BY seq LIMIT ?
                """,
                (condition.value.map { [$0] } ?? [])
                    + [.integer(read.cursor), .text(read.node.value), .integer(Int64(read.limit + 1))])
            // An op may meet two conditions (addressed to the node and in its scope): once.
            for row in rows { found[row[0].integer ?? 0] = row }
        }
        return found.sorted { $0.key < $1.key }.prefix(read.limit + 1).map(\.value)
    }

    /// A scope entry read as a state (protocol version 3): for a record now in the node's
    /// scope, its first part carries the hub's state of it and every later part nothing (an
    /// empty list); for a record that has left, nil, and the entry goes as ops (the op that
    /// took it out), as in version 2. The state is the one the page's transaction reads,
    /// which may hold ops logged after the entry: they arrive later as duplicates, under the
    /// floor the node keeps of every state it installs.
    private static func enteredState(
        _ sql: any SQLStatements, entry: [SQLValue], read: ScopedRead, villages: inout RecordVillages
    ) throws -> [SnapshotRecord]? {
        let text = entry[1].text ?? ""
        guard try villages.village(of: text).map(read.holds) ?? false, let id = RecordID(text) else { return nil }
        guard entry[2].integer ?? 0 == 0 else { return [] }
        guard let state = try sql.value("SELECT state FROM record_meta WHERE id = ?", [.text(text)])?.bytes else {
            return nil
        }
        return [SnapshotRecord(id: id, state: state)]
    }

    /// One part of the history a scope entry carries: for a record now in the node's scope,
    /// its ops logged before the entry (the part's share of them); for a record that has left,
    /// only the op that took it out, which tells the node's replica to hand it over.
    private static func entryOps(
        _ sql: any SQLStatements, entry: [SQLValue], read: ScopedRead, villages: inout RecordVillages
    ) throws -> [(body: SQLValue, hash: SQLValue)] {
        let record = entry[1].text ?? ""
        let part = entry[2].integer ?? 0
        let boundary = (entry[0].integer ?? 0) - part
        if try villages.village(of: record).map(read.holds) ?? true {
            return try sql.rows(
                "SELECT body, hash FROM logged_ops WHERE record = ? AND seq < ? ORDER BY seq LIMIT ? OFFSET ?",
                [
                    .text(record), .integer(boundary), .integer(Int64(ScopeEntryPart.size)),
                    .integer(part * Int64(ScopeEntryPart.size)),
                ]
            ).map { ($0[0], $0[1]) }
        }
        guard part == 0,
            let row = try sql.rows(
                "SELECT body, scope, hash FROM logged_ops WHERE record = ? AND seq < ? ORDER BY seq DESC LIMIT 1",
                [.text(record), .integer(boundary)]
            ).first,
            !read.scope.contains(try DivisionCode.parse(row[1].text ?? "", field: "scope"))
        else { return [] }
        return [(row[0], row[2])]
    }
}
