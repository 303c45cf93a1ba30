import HearthCore
import HearthStore

/// The county hub's ledger: the replica core of the whole county, plus what only the hub
/// does: admitting pushes and serving pulls, registered nodes and their tokens, quarantine,
/// the desk, rule cases, payment rolls, reports, imports and cross-checks.
///
/// Why a type of its own: a village's replica holds one area of the county, so a roll locked
/// there, a conflict resolved there or a roster imported there would be wrong for the county.
/// These operations exist only on a `HubLedger`, which opens only the hub's database; calling
/// one on a node's replica does not compile. Its database has the hub's tables and runs the
/// county's cross-record rules in every transaction that applies ops.
///
/// What it keeps goes through ``storage``, on SQLite or PostgreSQL alike, and so do the reads
/// every replica shares (a record shown, its log, rule cases, the roll's computation), through
/// ``reading(_:)``. ``replica``, the file's own core, exists only for a hub kept in a SQLite
/// file (what only a file does: its backup, the simulation's checks); on a server it throws
/// ``ReplicaError/notOnServer(store:)``, naming the store.
public final class HubLedger: Sendable, SnapshotReading {
    /// Where the ledger keeps nodes, nonces, the op log, quarantine, the county's edits, the
    /// trails and the rolls (``LedgerStorage``).
    public let storage: any LedgerStorage
    /// The county data key and the hub's signing key.
    public let keys: KeyMaterial
    /// The store as logs and messages name it: `sqlite:PATH`, or a server's location without
    /// its password.
    public let store: String
    private let core: ReplicaCore?
    let snapshots: any ReplicaSnapshots

    /// A ledger over a storage backend and, for a hub kept in a SQLite file, the replica core
    /// of that file.
    package init(
        storage: any LedgerStorage & ReplicaSnapshots, keys: KeyMaterial, store: String, replica: ReplicaCore?
    ) {
        self.storage = storage
        snapshots = storage
        self.keys = keys
        self.store = store
        core = replica
    }

    /// The replica core under the ledger: records, op log, merge, local edits. A core, not a
    /// node's ``Replica``: the node's side of sync does not compile on it. Only a hub kept in
    /// a SQLite file has one.
    public var replica: ReplicaCore {
        get throws(ReplicaError) {
            guard let core else { throw .notOnServer(store: store) }
            return core
        }
    }

    /// Runs `body` over the hub's replica tables in one read-only snapshot of its store, on a
    /// thread where waiting for the database is allowed: every read `body` makes (the cases,
    /// the standards and the book of a roll) sees the same state. What it throws comes out as
    /// a ``ReplicaError``.
    package func reading<T: Sendable>(_ body: @escaping @Sendable (ReplicaTransaction) throws -> T)
        async throws(ReplicaError) -> T
    {
        let info = info
        let keys = keys
        return try await snapshots.snapshot { sql in
            do {
                return try body(ReplicaTransaction(sql: sql, info: info, keys: keys, role: HubApplyRole()))
            } catch { throw ReplicaError(reading: error) }
        }
    }

    /// The hub's identity: id, name, county scope.
    public var info: ReplicaInfo { storage.info }

    /// Runs the domain's commands given to `body` (a household added, an enrollment approved, a
    /// death recorded: what `hearth household add --db hub.db` runs on a file) as the county,
    /// in one write transaction of its store: the county's rules judge them before it commits,
    /// and they commit together or not at all (a command that throws rolls every one back).
    package func writing<T: Sendable>(
        author: String, nowMillis: Int64, _ body: @escaping @Sendable (TransactionWriter) throws -> T
    ) async throws(ReplicaError) -> (result: T, ops: [Op]) {
        let keys = keys
        return try await storage.edit(author: author, nowMillis: nowMillis) { edit in
            try edit.change { changes in
                let writer = TransactionWriter(changes: changes, keys: keys, role: HubApplyRole())
                defer { changes = writer.changes }
                let result = try body(writer)
                if let failure = writer.failure { throw failure }
                return result
            }
        }
    }

    /// Keeps an audit line (a sensitive value shown in clear, a file written with numbers in
    /// clear) in a transaction of its own.
    public func audit(_ event: AuditEvent) async throws(ReplicaError) {
        _ = try await storage.edit(author: event.worker, nowMillis: event.atMillis) { edit in try edit.audit(event) }
    }

    package func keepAudit(_ event: AuditEvent) async throws(ReplicaError) { try await audit(event) }

    /// The hub's signature (base64) over `message`.
    public func sign(_ message: [UInt8]) throws -> String {
        try keys.signingKey.signature(for: message).base64EncodedString()
    }
}
