import HearthCore

/// Who a replica is: its id, name, scope and role, as stored in its `replica` row.
public struct ReplicaInfo: Hashable, Sendable {
    public enum Role: String, Sendable, Hashable { case node, hub }

    public let id: ReplicaID
    public let name: String
    public let scope: ScopePrefix
    public let role: Role
    public let publicKey: String
    /// The replica id the ops made here are written under: the replica's own id, except on a
    /// hub restored from a backup, which writes under a fresh one (`hearth hub restore`).
    ///
    /// Why apart from ``id``: a restored hub's counter is back where the backup left it, while
    /// its nodes may hold ops it made after the backup. Writing on under the old id would reuse
    /// those dots for different ops, and a node holding the old op would ignore the new one. A
    /// fresh writer never reuses a dot; the hub's identity (its id in tokens, bundles and
    /// answers, its key) stays, so no node has to be told.
    public let writer: ReplicaID

    public init(
        id: ReplicaID, name: String, scope: ScopePrefix, role: Role, publicKey: String, writer: ReplicaID? = nil
    ) {
        self.id = id
        self.name = name
        self.scope = scope
        self.role = role
        self.publicKey = publicKey
        self.writer = writer ?? id
    }
}
