import GRDB
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

    init(row: Row) throws {
        guard let replica = ReplicaID(validating: row["replica"]),
            let scope = try? ScopePrefix.parse(row["scope"], field: "scope")
        else { throw ReplicaError.database("a nodes row is damaged") }
        self.replica = replica
        self.scope = scope
        name = row["name"]
        publicKey = row["public_key"]
        registeredMillis = row["registered_millis"]
        revokedMillis = row["revoked_millis"]
        forkedMillis = row["forked_millis"]
        lastSyncMillis = row["last_sync_millis"]
        ackedCounter = UInt64(row["acked_counter"] as Int64)
        chainHead = row["chain_head"]
        pullCursor = row["pull_cursor"]
        skewMillis = row["skew_millis"]
    }
}
