import HearthCore
import HearthStore

/// Who may sync with the hub: its own identity, the enrollment tokens it issued, the nodes
/// registered through them, and the request nonces it has seen. Every method is one
/// transaction.
///
/// Why apart from the op log (``LedgerStorage``): these are the hub's own small tables, the
/// same on every backend and needed before any op is judged (a request is authenticated and
/// checked fresh before its ops are read), and a backend builds them first. Across several
/// hub processes on one database, a token registers one node and a nonce is accepted once,
/// whichever process sees it.
public protocol NodeStorage: Sendable {
    /// The hub's identity as the database holds it.
    var info: ReplicaInfo { get }

    // MARK: Nodes and enrollment

    /// Keeps a new enrollment token. Refuses a name a registered node or an unused token already
    /// has (``ReplicaError/invalid(_:)`` naming `name`).
    func addEnrollment(_ token: StoredEnrollment) async throws(ReplicaError)

    /// Registers the node that presents the token whose secret hashes to
    /// `registration.secretHash`, marking the token used, in one transaction; a registration
    /// repeated by the same replica with the same key (its answer was lost) gets the same node
    /// again. Refusals are ``ReplicaError/refused(_:)`` saying why.
    func register(_ registration: NodeRegistration) async throws(ReplicaError) -> NodeRecord

    /// Every registered node, by name.
    func nodes() async throws(ReplicaError) -> [NodeRecord]

    /// One registered node; nil when the replica is not registered.
    func node(_ replica: ReplicaID) async throws(ReplicaError) -> NodeRecord?

    /// Marks the node named `name` revoked at `atMillis` (kept if it was revoked earlier);
    /// false when no node has that name.
    func revoke(name: String, atMillis: Int64) async throws(ReplicaError) -> Bool

    /// Keeps whether the node's last bundle asked for the snapshot of its scope (a record it
    /// let go with an archived household changed): the hub's next bundle for it carries one.
    func setSnapshotWanted(_ replica: ReplicaID, _ wanted: Bool) async throws(ReplicaError)

    /// Whether the node's last bundle asked for the snapshot of its scope.
    func snapshotWanted(_ replica: ReplicaID) async throws(ReplicaError) -> Bool

    /// Marks a node forked at `atMillis` (kept if it was marked earlier).
    func markForked(_ replica: ReplicaID, atMillis: Int64) async throws(ReplicaError)

    /// Records a request nonce of `replica` and the sender's clock skew, forgetting nonces seen
    /// before `forgetBefore`; false (and nothing recorded) when the nonce was seen already.
    func recordNonce(_ nonce: String, from replica: ReplicaID, skewMillis: Int64, nowMillis: Int64, forgetBefore: Int64)
        async throws(ReplicaError) -> Bool
}
