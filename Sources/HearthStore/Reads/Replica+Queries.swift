import GRDB
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

extension ReplicaCore {
    /// Ids of the records of one type, filtered by one column, in id order.
    public func list(_ type: RecordType, where column: String? = nil, equals value: String? = nil)
        throws(ReplicaError) -> [RecordID]
    {
        try read { db in
            var sql = "SELECT id FROM \(type.table)"
            var arguments: StatementArguments = []
            if let column, let value {
                guard StateRow.columns(of: type).contains(column) else {
                    throw ReplicaError.database("no column \(column)")
                }
                sql += " WHERE \(column) = ?"
                arguments = [value]
            }
            return try String.fetchAll(db, sql: sql + " ORDER BY id", arguments: arguments).compactMap(RecordID.init)
        }
    }

    /// The op log, oldest first, optionally for one record only.
    public func log(record: RecordID? = nil, limit: Int? = nil) throws(ReplicaError) -> [LogEntry] {
        try read { db in
            var sql = "SELECT seq, body, \(OpLogSQL.hashText), state FROM ops"
            var arguments: StatementArguments = []
            if let record {
                sql += " WHERE record = ?"
                arguments = [record.value]
            }
            sql += " ORDER BY seq"
            if let limit { sql += " LIMIT \(limit)" }
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                guard let op = (row[1] as DatabaseValue).loggedOp else {
                    throw ReplicaError.database("a logged op is unreadable")
                }
                return LogEntry(seq: row[0], op: op, hash: row[2], state: row[3])
            }
        }
    }

    /// Every op in the log, in log order: what a peer would need to reach this state.
    public func allOps() throws(ReplicaError) -> [Op] {
        try log().map(\.op)
    }

    public func status() throws(ReplicaError) -> ReplicaStatus {
        try read { db in
            // Counted as rows come and go (v18's `row_counts`), and the records in conflict and
            // pending ID numbers through partial indexes: nothing here reads the county.
            var kept: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT name, n FROM row_counts") { kept[row[0]] = row[1] }
            var counts: [RecordType: Int] = [:]
            var conflicted = 0
            for type in RecordType.allCases {
                counts[type] = kept[type.table] ?? 0
                conflicted +=
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM \(type.table) WHERE conflicts IS NOT NULL") ?? 0
            }
            let pending = try Int.fetchOne(db, sql: "SELECT count(*) FROM members WHERE id_pending = 1") ?? 0
            var entries: [ReplicaID: UInt64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT replica, counter FROM replica_clock") {
                if let replica = ReplicaID(validating: row[0]) { entries[replica] = UInt64(row[1] as Int64) }
            }
            let replicaRow = try Row.fetchOne(db, sql: "SELECT counter, acked_counter FROM replica")!
            let own = UInt64(replicaRow[0] as Int64)
            let acked = UInt64(replicaRow[1] as Int64)
            return ReplicaStatus(
                info: info, counts: counts, conflicted: conflicted, pendingIDs: pending, vector: VersionVector(entries),
                ownOps: own, unsynced: info.role == .hub ? 0 : own - min(own, acked),
                waiting: try Int.fetchOne(db, sql: "SELECT count(*) FROM op_waits") ?? 0,
                logSize: kept["ops"] ?? 0)
        }
    }

    /// What the county decided (resolutions and rule decisions, made by the replica `hub`:
    /// the hub a node syncs with, or the hub itself), newest first.
    public func countyDecisions(by hub: ReplicaID, limit: Int = 20) throws(ReplicaError) -> [Op] {
        return try read { db in
            // A replica's own ops are logged in counter order: newest first by the log's
            // (replica, counter) index, without sorting everything the hub ever wrote.
            try Row.fetchAll(
                db, sql: "SELECT body FROM ops WHERE replica = ? ORDER BY counter DESC LIMIT ?",
                arguments: [hub.value, limit * 20]
            ).compactMap { ($0[0] as DatabaseValue).loggedOp }
                .filter { $0.cause != nil }.prefix(limit).map { $0 }
        }
    }
}
