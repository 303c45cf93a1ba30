import GRDB
import HearthCore

/// A replica's file answers the shared reads (``ReplicaReading``) a snapshot per read, and a
/// command's (``SnapshotReading``) in one snapshot on GRDB's reader.
extension ReplicaCore: ReplicaReading {
    package var readingRole: any ApplyRole { role }

    /// Each call its own read, on a snapshot of the file.
    package func withStatements<T>(_ body: (any SQLStatements) throws -> T) throws(ReplicaError) -> T {
        try read { db in try body(SQLiteStatements(db)) }
    }
}

extension ReplicaCore: SnapshotReading {
    /// One snapshot of the file, on GRDB's reader.
    package func reading<T: Sendable>(_ body: @escaping @Sendable (ReplicaTransaction) throws -> T)
        async throws(ReplicaError) -> T
    {
        let info = info
        let keys = keys
        let role = role
        return try await readAsync { db in
            do {
                return try body(ReplicaTransaction(sql: SQLiteStatements(db), info: info, keys: keys, role: role))
            } catch { throw ReplicaError(reading: error) }
        }
    }

    package func keepAudit(_ event: AuditEvent) async throws(ReplicaError) {
        try await writeAsync { db in try ReplicaCore.insertAudit(event, into: db) }
    }
}

/// A replica's commands run each in a transaction of its file (``ReplicaCore/write(author:nowMillis:_:)``).
extension ReplicaCore: ReplicaWriting {}
