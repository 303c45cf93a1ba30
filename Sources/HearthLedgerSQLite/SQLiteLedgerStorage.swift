import GRDB
import HearthCore
import HearthLedger
import HearthStore

/// The hub's ledger storage in one SQLite file, through GRDB: the hub's replica (records, op
/// log, merge, the county's rules after every apply) and its own tables (``HubMigrations``).
///
/// Why this is the default: a county's hub is one process on one machine, and a file is what
/// its operator can copy, back up and restore. Every method waits for SQLite through GRDB's
/// async access, so a push that waits for the write lock holds no cooperative thread.
public final class SQLiteLedgerStorage: LedgerStorage, ReplicaSnapshots {
    /// The replica under the storage; the ledger reads what every replica shares (records, the
    /// log, rule cases, the roll's computation) through it directly (``HubLedger/replica``).
    public let replica: ReplicaCore
    /// The whole duplicate index as last answered (``LedgerDuplicateIndex/Cache``).
    let indexCache = LedgerDuplicateIndex.Cache()

    /// Storage over a hub's replica, opened with the hub's role (``HubRole``).
    init(replica: ReplicaCore) {
        self.replica = replica
    }

    public var info: ReplicaInfo { replica.info }

    /// The rule set's hub role: the hub's tables and the rules run after every apply.
    static var role: any ReplicaRole { HubRole() }

    /// A snapshot of the file, on GRDB's reader (never a cooperative thread).
    package func snapshot<T: Sendable>(_ body: @escaping @Sendable (any SQLStatements) throws -> T)
        async throws(ReplicaError) -> T
    {
        try await replica.readAsync { db in try body(SQLiteStatements(db)) }
    }
}
