import HearthCore

/// A village's or township's replica: the replica core and the node's side of sync (its hub,
/// the pull cursor, the hub's acknowledgements and clock, the duplicate index, and
/// re-identification of a copied database), in `Sync/`.
///
/// A type of its own so that those operations do not compile on the county hub's replica
/// (the ledger keeps a ``ReplicaCore``), and its database holds the node's tables alone.
public final class Replica: ReplicaCore, @unchecked Sendable {
    /// Creates a new village or township replica and its key file. Refuses to touch an
    /// existing file. (The county hub's database is created by its ledger.)
    public static func create(
        path: String, keyPath: String? = nil, name: String, scope: ScopePrefix,
        nowMillis: Int64, keys: KeyMaterial = .generate(), id: ReplicaID? = nil
    ) throws(ReplicaError) -> Replica {
        try create(
            path: path, keyPath: keyPath, name: name, scope: scope, nowMillis: nowMillis, keys: keys, id: id,
            role: NodeRole())
    }

    /// Opens an existing village or township replica with its key file (or `HEARTH_KEY`).
    /// The county hub's database is refused here (``ReplicaError/otherRole(path:role:)``): it
    /// opens as the hub's ledger, which runs the county's rules in every transaction.
    public static func open(
        path: String, keyPath: String? = nil, environment: [String: String] = [:]
    ) throws(ReplicaError) -> Replica {
        try open(path: path, keyPath: keyPath, environment: environment, role: NodeRole())
    }
}
