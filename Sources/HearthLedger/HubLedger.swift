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
/// Edits and reads that every replica shares (a household added at the county, a record
/// shown) go through ``replica``.
public final class HubLedger: Sendable {
    /// The replica core under the ledger: records, op log, merge, local edits. A core, not a
    /// node's ``Replica``: the node's side of sync (a hub, acknowledgements, a pull cursor)
    /// does not compile on it.
    public let replica: ReplicaCore
    /// Where the ledger keeps nodes, nonces, the op log and quarantine (``LedgerStorage``).
    public let storage: any LedgerStorage

    /// A ledger over a storage backend and the replica it keeps. What the ledger keeps, and what
    /// its reports and imports look up, goes through ``storage``; the reads every replica shares
    /// (a record, its log, rule cases, the roll's computation) go through ``replica``.
    package init(storage: any LedgerStorage, replica: ReplicaCore) {
        self.storage = storage
        self.replica = replica
    }

    /// The hub's identity: id, name, county scope.
    public var info: ReplicaInfo { replica.info }
    /// The database file.
    public var path: String { replica.path }
    /// The county data key and the hub's signing key.
    public var keys: KeyMaterial { replica.keys }
}
