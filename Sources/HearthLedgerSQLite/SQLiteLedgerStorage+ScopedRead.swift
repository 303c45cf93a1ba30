import GRDB
import HearthCore
import HearthLedger
import HearthStore
import HearthText

/// A node's scope of the log after a cursor, found through the scope indexes (never a scan of
/// other scopes' ops).
extension SQLiteLedgerStorage {
    public func read(_ read: ScopedRead) async throws(ReplicaError) -> LogPage {
        try await replica.readAsync { db in try Self.page(db, read) }
    }

    /// The page in one read transaction: the log end it reports was read in the same snapshot
    /// as the ops, so no op committed in between is skipped.
    static func page(_ db: Database, _ read: ScopedRead) throws -> LogPage {
        let limit = read.limit
        let (filter, key): (String, String?) =
            switch read.scope.level {
            case .village: ("scope = ?", read.scope.value)
            case .township: ("township = ?", read.scope.value)
            case .county: ("1", nil)
            }
        // County configuration (program standards) lives under the county-wide code,
        // which every node of the county holds.
        let countyWide = DivisionCode.countyWide(read.scope.value)?.value ?? ""
        var arguments: [DatabaseValueConvertible?] = []
        if let key { arguments.append(key) }
        arguments += [countyWide, read.node.value, read.cursor, read.node.value, limit + 1]
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
                arguments: [key, read.cursor, limit + 1])
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
        var last = read.cursor
        var more = horizon != Int64.max
        for position in positions {
            let group: [DatabaseValue]
            if position.entry {
                group = try entryOps(db, entry: position.row, read: read, villages: &villages)
            } else {
                let record: String = position.row["record"]
                let addressed = (position.row["target"] as String?) == read.node.value
                // An op addressed to the node is its own business; any other goes only
                // while its record lies in the node's scope. (A record the hub holds no
                // state for yet, its creation held at the desk, goes where its op is logged.)
                let village = try villages.village(of: record)
                group =
                    addressed || village.map(read.holds) ?? true
                    ? [position.row["body"]] : []
            }
            if !ops.isEmpty, ops.count + group.count > limit {
                more = true
                break
            }
            for body in group {
                guard let op = body.loggedOp else { throw ReplicaError.database(Catalogue.text("sync.op_unreadable")) }
                ops.append(op)
            }
            last = position.seq
        }
        if !more {
            let end = max(
                try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM ops") ?? 0,
                try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM scope_entries") ?? 0)
            last = max(end, read.cursor)
        }
        return LogPage(ops: ops, cursor: last, more: more, retired: try retiredWriters(db))
    }

    /// One part of the history a scope entry carries: for a record now in the node's scope,
    /// its ops logged before the entry (the part's share of them); for a record that has left,
    /// only the op that took it out, which tells the node's replica to hand it over.
    private static func entryOps(_ db: Database, entry: Row, read: ScopedRead, villages: inout RecordVillages) throws
        -> [DatabaseValue]
    {
        let record: String = entry["record"]
        let part: Int64 = entry["part"]
        let boundary = (entry["seq"] as Int64) - part
        if try villages.village(of: record).map(read.holds) ?? true {
            return try DatabaseValue.fetchAll(
                db,
                sql: "SELECT body FROM ops WHERE record = ? AND seq < ? ORDER BY seq LIMIT ? OFFSET ?",
                arguments: [record, boundary, ScopeEntryPart.size, part * Int64(ScopeEntryPart.size)])
        }
        guard part == 0,
            let row = try Row.fetchOne(
                db, sql: "SELECT body, scope FROM ops WHERE record = ? AND seq < ? ORDER BY seq DESC LIMIT 1",
                arguments: [record, boundary]),
            !read.scope.contains(try DivisionCode.parse(row["scope"], field: "scope"))
        else { return [] }
        return [row["body"]]
    }
}
