/// A replica id the hub no longer writes under, and the last counter of it a restored copy
/// held: the hub was put back from a backup and writes under a fresh id since
/// (Protocol/sync.md, A restored hub).
///
/// Why it travels: the hub made ops under this id after the backup was taken, and nodes that
/// pulled them are the only ones left holding them. Every pull answer names the hub's retired
/// writers, so a node knows which of the ops it holds to hand back (those above `after`, each
/// with the stamp the hub gave it).
public struct RetiredWriter: Hashable, Sendable {
    public let writer: ReplicaID
    /// The highest counter of `writer` the restored hub held; the ones above are lost to it.
    public let after: UInt64

    public init(writer: ReplicaID, after: UInt64) {
        self.writer = writer
        self.after = after
    }
}
