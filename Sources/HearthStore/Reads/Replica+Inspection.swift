import GRDB
import HearthCore

/// What a check from outside (the simulation's invariants) reads of a replica's storage: the
/// log as rows, ops still waiting, each record's stored merge state.
///
/// Why `package`: these are the storage's own rows, not anything a worker asks for; they let
/// the simulation prove that replicas converged without reading SQL itself, so that only the
/// SQLite implementations import GRDB.
extension ReplicaCore {
    /// The database's size after a checkpoint: the file's bytes, the bytes of the pages in
    /// use (a deleted row's pages stay in the file, free, until reused), and the ops logged.
    /// What `hearth bench history` reads at each year's end.
    package func storageSize() throws(ReplicaError) -> (fileBytes: Int, usedBytes: Int, loggedOps: Int) {
        do {
            return try pool.writeWithoutTransaction { db in
                _ = try db.checkpoint(.truncate)
                let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
                let free = try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
                let pageSize = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 0
                let logged = try Int.fetchOne(db, sql: "SELECT count(*) FROM ops") ?? 0
                return (pages * pageSize, (pages - free) * pageSize, logged)
            }
        } catch { throw .database(String(describing: error)) }
    }

    /// Ops integrated but still waiting for their causal past.
    package func waitingOpCount() throws(ReplicaError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM op_waits") ?? 0 }
    }

    /// Every row of the op log as its dot and hash, in no particular order; a dot logged twice
    /// is listed twice.
    package func loggedHashes() throws(ReplicaError) -> [(dot: Dot, hash: String)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT replica, counter, \(OpLogSQL.hashText) FROM ops").map { row in
                (Dot(replica: ReplicaID(row[0] as String), counter: UInt64(row[1] as Int64)), row[2] as String)
            }
        }
    }

    /// Each record of `scope` (and the county-wide configuration) by id, with its version
    /// vector and registers as stored: two replicas that converged hold the same.
    package func storedStates(in scope: ScopePrefix) throws(ReplicaError) -> [String: String] {
        let countyWide = DivisionCode.countyWide(scope.value)?.value ?? ""
        return try read { db in
            var out: [String: String] = [:]
            for type in RecordType.allCases {
                for row in try Row.fetchAll(
                    db,
                    sql: """
                        SELECT t.id, m.state FROM \(type.table) t JOIN record_meta m ON m.id = t.id
                        WHERE substr(t.village, 1, ?) = ? OR t.village = ?
                        """, arguments: [scope.value.count, scope.value, countyWide])
                {
                    out[row[0]] = (row[1] as DatabaseValue).storageDescription
                }
            }
            return out
        }
    }
}
