import HearthCore
import HearthStore

/// A node as the hub knows it: registered identity, scope, and sync progress.
public struct NodeRecord: Sendable, Hashable {
    public let replica: ReplicaID
    public let name: String
    public let publicKey: String
    public let scope: ScopePrefix
    public let registeredMillis: Int64
    public let revokedMillis: Int64?
    public let forkedMillis: Int64?
    public let lastSyncMillis: Int64?
    /// The highest of the node's own counters the hub holds.
    public let ackedCounter: UInt64
    public let chainHead: String
    /// How far into the hub's log the node has confirmed it holds.
    public let pullCursor: Int64
    /// The node's clock minus the hub's, as last measured (docs/rules.md R15).
    public let skewMillis: Int64?

    public init(
        replica: ReplicaID, name: String, publicKey: String, scope: ScopePrefix, registeredMillis: Int64,
        revokedMillis: Int64?, forkedMillis: Int64?, lastSyncMillis: Int64?, ackedCounter: UInt64, chainHead: String,
        pullCursor: Int64, skewMillis: Int64?
    ) {
        self.replica = replica
        self.name = name
        self.publicKey = publicKey
        self.scope = scope
        self.registeredMillis = registeredMillis
        self.revokedMillis = revokedMillis
        self.forkedMillis = forkedMillis
        self.lastSyncMillis = lastSyncMillis
        self.ackedCounter = ackedCounter
        self.chainHead = chainHead
        self.pullCursor = pullCursor
        self.skewMillis = skewMillis
    }
}
