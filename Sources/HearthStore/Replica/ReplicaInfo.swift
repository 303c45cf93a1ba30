import HearthCore

/// Who a replica is: its id, name, scope and role, as stored in its `replica` row.
public struct ReplicaInfo: Hashable, Sendable {
    public enum Role: String, Sendable, Hashable { case node, hub }

    public let id: ReplicaID
    public let name: String
    public let scope: ScopePrefix
    public let role: Role
    public let publicKey: String
}
