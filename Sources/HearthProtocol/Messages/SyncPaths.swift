/// The hub's HTTP paths and the headers that authenticate requests and responses.
public enum SyncPath {
    public static let register = "/v1/register"
    public static let push = "/v1/push"
    public static let pull = "/v1/pull"
    public static let index = "/v1/index"
    public static let snapshot = "/v1/snapshot"
    public static let health = "/healthz"
    /// Readiness: the hub's store answers (`/healthz` is liveness and touches no store).
    public static let ready = "/readyz"
    public static let metrics = "/metrics"
}

public enum SyncHeader {
    /// The sending replica's id.
    public static let replica = "x-hearth-replica"
    /// The sender's clock, Unix milliseconds: the node's own clock on a request, uncorrected
    /// (the hub records its skew, docs/rules.md R15); the hub's clock on an answer.
    public static let time = "x-hearth-time"
    /// On a request, optional: what the node adds to its clock to get the hub's, in
    /// milliseconds, as measured from the hub's signed answers. The hub checks the request
    /// time plus this offset against its window, so a node whose clock is wrong still syncs.
    public static let offset = "x-hearth-offset"
    /// A random value used once (hex, 16 to 64 characters).
    public static let nonce = "x-hearth-nonce"
    /// Base64 Ed25519 signature (request: by the replica; response: by the hub).
    public static let signature = "x-hearth-signature"
}
