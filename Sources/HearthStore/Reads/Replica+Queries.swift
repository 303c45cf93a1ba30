import HearthCore

/// One entry of the op log, for `hearth log` and `hearth show --history`.
public struct LogEntry: Sendable {
    public let seq: Int64
    public let op: Op
    public let hash: String
    public let state: String
}

/// What `hearth status` reports.
public struct ReplicaStatus: Sendable {
    public let info: ReplicaInfo
    public let counts: [RecordType: Int]
    public let conflicted: Int
    public let pendingIDs: Int
    public let vector: VersionVector
    public let ownOps: UInt64
    /// Own ops the hub has not acknowledged; always 0 on the hub, which pushes to no one.
    public let unsynced: UInt64
    public let waiting: Int
    public let logSize: Int
}

extension ReplicaReading {
    /// Ids of the records of one type, filtered by one column, in id order.
    package func list(_ type: RecordType, where column: String? = nil, equals value: String? = nil)
        throws(ReplicaError) -> [RecordID]
    {
        try withStatements { sql in
            let (query, arguments) = try Self.listQuery("t.id", type, where: column, equals: value)
            return try sql.texts(query, arguments).compactMap(RecordID.init)
        }
    }

    /// Hands `body` the state of each record ``list(_:where:equals:)`` names, in id order, each
    /// read in the same pass as its id (a county's list made one query per record: a quarter
    /// of `member list`'s time on the large district). A row without its state is the error
    /// ``view(_:reveal:)`` gives for it.
    package func forEachState(
        _ type: RecordType, where column: String? = nil, equals value: String? = nil,
        _ body: (RecordState) throws -> Void
    ) throws(ReplicaError) {
        try withStatements { sql in
            let (query, arguments) = try Self.listQuery(
                "t.id, m.state", type, where: column, equals: value, join: "LEFT JOIN record_meta m ON m.id = t.id")
            try sql.forEachRow(query, arguments) { row in
                guard let id = row[0].text.flatMap(RecordID.init) else { return }
                guard row[1] != .null else { throw ReplicaError.unknownRecord(id.value) }
                try body(try StoredState.decode(id, row[1]))
            }
        }
    }

    /// The query of a list: `columns` of the records of `type` (as `t`, with `join`ed tables),
    /// filtered by one of its columns, in id order.
    private static func listQuery(
        _ columns: String, _ type: RecordType, where column: String?, equals value: String?, join: String = ""
    ) throws -> (String, [SQLValue]) {
        var query = "SELECT \(columns) FROM \(type.table) t \(join)"
        var arguments: [SQLValue] = []
        if let column, let value {
            guard StateRow.columns(of: type).contains(column) else {
                throw ReplicaError.database("no column \(column)")
            }
            query += " WHERE t.\(column) = ?"
            arguments = [.text(value)]
        }
        return (query + " ORDER BY t.id", arguments)
    }

    /// The op log, oldest first, optionally for one record only.
    package func log(record: RecordID? = nil, limit: Int? = nil) throws(ReplicaError) -> [LogEntry] {
        var entries: [LogEntry] = []
        try forEachLogEntry(record: record, limit: limit) { entries.append($0) }
        return entries
    }

    /// Hands `body` each entry of ``log(record:limit:)`` as it is read, in one read: a hub's
    /// log is the county's history (717,000 ops on the generated large district), which
    /// `hearth log` prints without ever holding it whole.
    package func forEachLogEntry(record: RecordID? = nil, limit: Int? = nil, _ body: (LogEntry) throws -> Void)
        throws(ReplicaError)
    {
        try withStatements { sql in
            var query = "SELECT seq, body, hash, state FROM ops"
            var arguments: [SQLValue] = []
            if let record {
                query += " WHERE record = ?"
                arguments = [.text(record.value)]
            }
            // On a hub, the history compaction archived too (every op of it applied).
            if try OpLogSQL.hasArchive(sql) {
                var archived = "SELECT seq, body, hash, 'applied' FROM ops_archive"
                if record != nil { archived += " WHERE record = ?" }
                query = archived + " UNION ALL " + query
                arguments += arguments
            }
            query += " ORDER BY seq"
            if let limit { query += " LIMIT \(limit)" }
            try sql.forEachRow(query, arguments) { row in
                guard let seq = row[0].integer, let op = row[1].bytes.flatMap({ try? Op(logged: $0) }),
                    let hash = row[2].bytes
                else { throw ReplicaError.database("a logged op is unreadable") }
                try body(LogEntry(seq: seq, op: op, hash: OpLogSQL.hashText(of: hash), state: row[3].text ?? ""))
            }
        }
    }

    /// Every op in the log, in log order: what a peer would need to reach this state.
    package func allOps() throws(ReplicaError) -> [Op] {
        try log().map(\.op)
    }

    package func status() throws(ReplicaError) -> ReplicaStatus {
        try withStatements { sql in
            // Counted as rows come and go (v18's `row_counts`), and the records in conflict and
            // pending ID numbers through partial indexes: nothing here reads the county.
            var kept: [String: Int] = [:]
            for row in try sql.rows("SELECT name, n FROM row_counts", []) {
                if let name = row[0].text, let count = row[1].integer { kept[name] = Int(count) }
            }
            var counts: [RecordType: Int] = [:]
            var conflicted = 0
            for type in RecordType.allCases {
                counts[type] = kept[type.table] ?? 0
                conflicted += Int(
                    try sql.integer("SELECT count(*) FROM \(type.table) WHERE conflicts IS NOT NULL") ?? 0)
            }
            let pending = Int(try sql.integer("SELECT count(*) FROM members WHERE id_pending = 1") ?? 0)
            var entries: [ReplicaID: UInt64] = [:]
            for row in try sql.rows("SELECT replica, counter FROM replica_clock", []) {
                if let replica = row[0].text.flatMap(ReplicaID.init(validating:)), let counter = row[1].integer {
                    entries[replica] = UInt64(counter)
                }
            }
            guard let replicaRow = try sql.rows("SELECT counter, acked_counter FROM replica", []).first,
                let own = replicaRow[0].integer.map(UInt64.init), let acked = replicaRow[1].integer.map(UInt64.init)
            else { throw ReplicaError.database("replica row missing") }
            return ReplicaStatus(
                info: info, counts: counts, conflicted: conflicted, pendingIDs: pending, vector: VersionVector(entries),
                ownOps: own, unsynced: info.role == .hub ? 0 : own - min(own, acked),
                waiting: Int(try sql.integer("SELECT count(*) FROM op_waits") ?? 0), logSize: kept["ops"] ?? 0)
        }
    }

    /// What the county decided (resolutions and rule decisions, made by the replica `hub`:
    /// the hub a node syncs with, or the hub itself), newest first.
    package func countyDecisions(by hub: ReplicaID, limit: Int = 20) throws(ReplicaError) -> [Op] {
        try withStatements { sql in
            // A replica's own ops are logged in counter order: newest first by the log's
            // (replica, counter) index, without sorting everything the hub ever wrote.
            try sql.rows(
                "SELECT body FROM ops WHERE replica = ? ORDER BY counter DESC LIMIT ?",
                [.text(hub.value), .integer(Int64(limit * 20))]
            ).compactMap { $0[0].bytes.flatMap { try? Op(logged: $0) } }
                .filter { $0.cause != nil }.prefix(limit).map { $0 }
        }
    }
}
