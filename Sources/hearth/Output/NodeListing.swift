import HearthLedger

/// One node as `hub nodes --json` lists it: identity, last sync, how far behind the hub's log it
/// is, its clock skew and whether it may still sync.
struct NodeListing: Codable, Sendable, Equatable {
    /// A skew beyond this many milliseconds (five minutes) is flagged.
    static let skewLimitMillis: Int64 = 300_000

    let name: String
    let replica: String
    let scope: String
    let registered: String
    @Nullable var lastSync: String?
    let ackedCounter: Int64
    let pullCursor: Int64
    /// Log entries the node has not pulled yet.
    let lagOps: Int64
    @Nullable var skewMs: Int64?
    let skewFlagged: Bool
    /// `active`, `revoked` or `forked`.
    let state: String

    enum CodingKeys: String, CodingKey {
        case name, replica, scope, registered
        case lastSync = "last_sync"
        case ackedCounter = "acked_counter"
        case pullCursor = "pull_cursor"
        case lagOps = "lag_ops"
        case skewMs = "skew_ms"
        case skewFlagged = "skew_flagged"
        case state
    }

    /// The node as the hub records it; `log` is the hub's log, to measure the lag against.
    init(_ node: NodeRecord, log: LogExtent) {
        name = node.name
        replica = node.replica.value
        scope = node.scope.value
        registered = Output.documentTime(node.registeredMillis)
        lastSync = node.lastSyncMillis.map(Output.documentTime)
        ackedCounter = Int64(node.ackedCounter)
        pullCursor = node.pullCursor
        lagOps = log.lag(from: node.pullCursor)
        skewMs = node.skewMillis
        skewFlagged = abs(node.skewMillis ?? 0) > Self.skewLimitMillis
        state = node.revokedMillis != nil ? "revoked" : node.forkedMillis != nil ? "forked" : "active"
    }
}
