import HearthClient
import HearthHub

/// `node init --json`: the new replica's identity and whether it registered with the hub.
struct NodeInitDocument: Codable, Sendable, Equatable {
    let replica: String
    let name: String
    let scope: String
    let publicKey: String
    /// The hub's replica id, from the enrollment token; null for a node standing alone.
    @Nullable var hub: String?
    /// Whether it registered at once (`--hub`), rather than with its first bundle.
    let registered: Bool

    enum CodingKeys: String, CodingKey {
        case replica, name, scope
        case publicKey = "public_key"
        case hub, registered
    }
}

/// `node sync --json`: what one sync moved, and what the hub refused.
struct NodeSyncDocument: Codable, Sendable, Equatable {
    let pushedOps: Int64
    let pushedBytes: Int64
    let pulledOps: Int64
    let pulledBytes: Int64
    let applied: Int64
    /// Pulled ops waiting for an op they depend on.
    let waiting: Int64
    let quarantined: [RefusedOp]
    /// The pull cursor after the sync.
    let cursor: Int64
    let milliseconds: Int64
    /// Records installed from the hub's snapshot; null when the sync took none.
    @Nullable var snapshotRecords: Int64?
    /// Ops that left the node's log after the sync: the hub holds them, older than the
    /// retention (docs/compaction.md, "On a node").
    let compactedOps: Int64
    /// Records that left the node with households archived at least the retention ago
    /// (docs/compaction.md, "Archived households on a node").
    let purgedRecords: Int64
    /// Records that entered the node's scope (a household moved into it) and came as the
    /// hub's states, not as their histories (Protocol/sync.md, Pull: scope entries).
    let enteredRecords: Int64

    enum CodingKeys: String, CodingKey {
        case pushedOps = "pushed_ops"
        case pushedBytes = "pushed_bytes"
        case pulledOps = "pulled_ops"
        case pulledBytes = "pulled_bytes"
        case applied, waiting, quarantined, cursor, milliseconds
        case snapshotRecords = "snapshot_records"
        case compactedOps = "compacted_ops"
        case purgedRecords = "purged_records"
        case enteredRecords = "entered_records"
    }

    init(_ summary: SyncSummary, seconds: Double, compacted: Int = 0, purged: Int = 0) {
        compactedOps = Int64(compacted)
        purgedRecords = Int64(purged)
        enteredRecords = Int64(summary.enteredRecords)
        pushedOps = Int64(summary.pushedOps)
        pushedBytes = Int64(summary.pushedBytes)
        pulledOps = Int64(summary.pulledOps)
        pulledBytes = Int64(summary.pulledBytes)
        applied = Int64(summary.applied)
        waiting = Int64(summary.waiting)
        quarantined = summary.quarantined.map(RefusedOp.init)
        cursor = summary.cursor
        milliseconds = Int64(seconds * 1000)
        snapshotRecords = summary.snapshotRecords.map(Int64.init)
    }
}

/// `hub import --json`: a node's bundle taken in by the hub.
struct BundleImportDocument: Codable, Sendable, Equatable {
    let node: String
    /// Whether the bundle carried the node's registration.
    let registered: Bool
    let ops: Int64
    let applied: Int64
    let duplicates: Int64
    let quarantined: [RefusedOp]

    init(_ summary: HubService.ImportSummary) {
        node = summary.node
        registered = summary.registered
        ops = Int64(summary.ops)
        applied = Int64(summary.applied)
        duplicates = Int64(summary.duplicates)
        quarantined = summary.quarantined.map(RefusedOp.init)
    }
}
