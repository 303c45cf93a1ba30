/// `bench merge --json`: the replica's apply rate against a raw SQLite upsert of the same rows, and
/// against its peer (pygeodiff) applying the same field changes: `peer` and `peer_ratio_permille`
/// are null when the peer did not run, and `peer_absent` says why.
struct MergeBenchDocument: Codable, Sendable, Equatable {
    /// What the peer measured.
    struct Peer: Codable, Sendable, Equatable {
        let name: String
        let version: String
        /// Changes it applied (one per op).
        let changes: Int64
        let fieldChangesPerSecond: Int64
        let ms: Int64

        enum CodingKeys: String, CodingKey {
            case name, version, changes, ms
            case fieldChangesPerSecond = "field_changes_per_second"
        }
    }

    let ops: Int64
    let fieldChanges: Int64
    let batch: Int64
    let replicaOpsPerSecond: Int64
    let replicaFieldChangesPerSecond: Int64
    let replicaMs: Int64
    let rawRowsPerSecond: Int64
    let rawMs: Int64
    /// The replica's rate over the raw rate, in thousandths.
    let ratioPermille: Int64
    /// The op log alone: each op's log row written into a fresh hub's `ops`, no merge.
    let logRowsPerSecond: Int64
    let logMs: Int64
    /// The replica's rate over the log's alone, in thousandths: how near the merge is its floor.
    let logRatioPermille: Int64
    /// The log's rate over the raw rate, in thousandths: the most a merge that logs reaches.
    let logToRawPermille: Int64
    @Nullable var peer: Peer?
    /// The replica's rate of field changes over the peer's, in thousandths.
    @Nullable var peerRatioPermille: Int64?
    @Nullable var peerAbsent: String?

    enum CodingKeys: String, CodingKey {
        case ops, batch, peer
        case fieldChanges = "field_changes"
        case replicaOpsPerSecond = "replica_ops_per_second"
        case replicaFieldChangesPerSecond = "replica_field_changes_per_second"
        case replicaMs = "replica_ms"
        case rawRowsPerSecond = "raw_rows_per_second"
        case rawMs = "raw_ms"
        case ratioPermille = "ratio_permille"
        case logRowsPerSecond = "log_rows_per_second"
        case logMs = "log_ms"
        case logRatioPermille = "log_ratio_permille"
        case logToRawPermille = "log_to_raw_permille"
        case peerRatioPermille = "peer_ratio_permille"
        case peerAbsent = "peer_absent"
    }
}

/// `bench merge --rounds N --json` (N above 1): each round's document, and the median of each
/// ratio across the rounds. Why rounds: on a shared machine one run's ratio to the peer moved by
/// a tenth between runs of the same build; the median of several alternated rounds is the
/// figure to compare.
struct MergeBenchRoundsDocument: Codable, Sendable, Equatable {
    let rounds: [MergeBenchDocument]
    /// The median of the rounds' ratios to the raw write, in thousandths.
    let medianRatioPermille: Int64
    let medianLogRatioPermille: Int64
    /// nil unless the peer ran in every round.
    @Nullable var medianPeerRatioPermille: Int64?

    enum CodingKeys: String, CodingKey {
        case rounds
        case medianRatioPermille = "median_ratio_permille"
        case medianLogRatioPermille = "median_log_ratio_permille"
        case medianPeerRatioPermille = "median_peer_ratio_permille"
    }
}

/// `bench sync --json`: a county-sized night over loopback, and how the hub answered meanwhile.
struct SyncBenchDocument: Codable, Sendable, Equatable {
    let ops: Int64
    let pushMs: Int64
    let pullMs: Int64
    let hubOpsPerSecond: Int64
    let pushBytesPerOp: Int64
    let pullBytesPerOp: Int64
    let hubPeakKiB: Int64
    /// CPU time (user and system) of the hub processes, and of the bench's own process (every
    /// node), while the villages pushed and while the townships pulled.
    let hubPushCPUMs: Int64
    let hubPullCPUMs: Int64
    let nodesPushCPUMs: Int64
    let nodesPullCPUMs: Int64
    /// `hub serve` processes sharing the database (`--hubs`); `hub_peak_kib` is the largest one's.
    let hubs: Int64
    let concurrency: Int64
    /// Township nodes that pulled (`--townships`, or one per 20 villages).
    let townships: Int64
    let healthzP50Us: Int64
    let healthzP99Us: Int64
    let healthzMaxUs: Int64
    let healthzRequests: Int64
    let healthzFailures: Int64
    let metricsP50Us: Int64
    let metricsP99Us: Int64
    let metricsMaxUs: Int64
    let metricsFailures: Int64
    /// A village syncing again with nothing new: bytes both ways, and its median wall time.
    let idleSyncBytes: Int64
    let idleSyncUs: Int64
    /// The hubs' push time by phase (`hearth_push_seconds_total`), summed over pushes: waiting
    /// for a turn, reading bodies, checking chains and fields, the ledger's transaction.
    let hubPushWaitingMs: Int64
    let hubPushReadingMs: Int64
    let hubPushCheckingMs: Int64
    let hubPushApplyingMs: Int64

    enum CodingKeys: String, CodingKey {
        case ops
        case pushMs = "push_ms"
        case pullMs = "pull_ms"
        case hubOpsPerSecond = "hub_ops_per_second"
        case pushBytesPerOp = "push_bytes_per_op"
        case pullBytesPerOp = "pull_bytes_per_op"
        case hubPeakKiB = "hub_peak_kib"
        case hubPushCPUMs = "hub_push_cpu_ms"
        case hubPullCPUMs = "hub_pull_cpu_ms"
        case nodesPushCPUMs = "nodes_push_cpu_ms"
        case nodesPullCPUMs = "nodes_pull_cpu_ms"
        case hubs
        case concurrency
        case townships
        case healthzP50Us = "healthz_p50_us"
        case healthzP99Us = "healthz_p99_us"
        case healthzMaxUs = "healthz_max_us"
        case healthzRequests = "healthz_requests"
        case healthzFailures = "healthz_failures"
        case metricsP50Us = "metrics_p50_us"
        case metricsP99Us = "metrics_p99_us"
        case metricsMaxUs = "metrics_max_us"
        case metricsFailures = "metrics_failures"
        case idleSyncBytes = "idle_sync_bytes"
        case idleSyncUs = "idle_sync_us"
        case hubPushWaitingMs = "hub_push_waiting_ms"
        case hubPushReadingMs = "hub_push_reading_ms"
        case hubPushCheckingMs = "hub_push_checking_ms"
        case hubPushApplyingMs = "hub_push_applying_ms"
    }
}

/// One line of `hearth sim --json`: a seed, whether every invariant held, and its trace's hash
/// (equal hashes, equal runs).
struct SimSeedDocument: Codable, Sendable, Equatable {
    let seed: UInt64
    let passed: Bool
    let trace: String
    /// How many invariants failed.
    let failures: Int64
}

/// `bench county --json`: each read's median time on one county, with what it returned.
struct CountyBenchDocument: Codable, Sendable, Equatable {
    struct Read: Codable, Sendable, Equatable {
        let read: String
        let medianMs: Int64
        let runsMs: [Int64]
        let returned: Int64

        enum CodingKeys: String, CodingKey {
            case read
            case medianMs = "median_ms"
            case runsMs = "runs_ms"
            case returned
        }
    }

    /// The profile, or the hub database's path with --hub.
    let county: String
    /// The size factor as given (`0.25`; text: Hearth's JSON holds no fractions); nil with --hub.
    let scale: String?
    let households: Int64
    let members: Int64
    let enrollments: Int64
    let ops: Int64
    /// nil with --hub.
    let generateMs: Int64?
    let reads: [Read]

    enum CodingKeys: String, CodingKey {
        case county, scale, households, members, enrollments, ops
        case generateMs = "generate_ms"
        case reads
    }
}

/// `bench bootstrap --json`: a new node set up by replay and from a snapshot, medians of each.
struct BootstrapBenchDocument: Codable, Sendable, Equatable {
    let scope: String
    /// Records the node holds afterwards (the same either way: the bench checks it).
    let records: Int64
    let runs: Int64
    let replayMs: Int64
    let snapshotMs: Int64
    /// Bytes on the wire both ways, bodies as sent (gzip).
    let replayBytes: Int64
    let snapshotBytes: Int64
    /// The node's database file (and its write-ahead log) once set up.
    let replayDatabaseBytes: Int64
    let snapshotDatabaseBytes: Int64

    enum CodingKeys: String, CodingKey {
        case scope, records, runs
        case replayMs = "replay_ms"
        case snapshotMs = "snapshot_ms"
        case replayBytes = "replay_bytes"
        case snapshotBytes = "snapshot_bytes"
        case replayDatabaseBytes = "replay_database_bytes"
        case snapshotDatabaseBytes = "snapshot_database_bytes"
    }
}

/// `hearth bench history --json`: each node's size at each year's end, and the ratios the
/// summary prints.
struct HistoryBenchDocument: Codable, Sendable, Equatable {
    struct Year: Codable, Sendable, Equatable {
        let year: Int
        let compacting: Bool
        let fileBytes: Int
        let usedBytes: Int
        let loggedOps: Int
        /// A hub's ops in its archive; absent for a node.
        let archivedOps: Int?

        enum CodingKeys: String, CodingKey {
            case year, compacting
            case fileBytes = "file_bytes"
            case usedBytes = "used_bytes"
            case loggedOps = "logged_ops"
            case archivedOps = "archived_ops"
        }

        init(_ size: HistoryBench.Size, hub: Bool) {
            year = size.year
            compacting = size.compacting
            fileBytes = size.fileBytes
            usedBytes = size.usedBytes
            loggedOps = size.loggedOps
            archivedOps = hub ? size.archivedOps : nil
        }
    }

    let years: Int
    let records: Int
    let retentionMonths: Int
    /// The two nodes at each year's end.
    let sizes: [Year]
    /// The two hubs at each year's end.
    let hubSizes: [Year]
    /// The compacting node's bytes in use after the last year over after the first, in
    /// thousandths (as every ratio of a bench document: integers only).
    let compactingGrowthPermille: Int64
    /// The same for the node that keeps every op.
    let keepingGrowthPermille: Int64
    /// The compacting node's bytes in use after the last year over the keeping node's.
    let ratioPermille: Int64
    /// The same three for the hubs: the compacting hub's growth, the keeping hub's, and the
    /// compacting hub's last year over the keeping hub's.
    let hubGrowthPermille: Int64
    let hubKeepingGrowthPermille: Int64
    let hubRatioPermille: Int64

    enum CodingKeys: String, CodingKey {
        case years, records, sizes
        case hubSizes = "hub_sizes"
        case retentionMonths = "retention_months"
        case compactingGrowthPermille = "compacting_growth_permille"
        case keepingGrowthPermille = "keeping_growth_permille"
        case ratioPermille = "ratio_permille"
        case hubGrowthPermille = "hub_growth_permille"
        case hubKeepingGrowthPermille = "hub_keeping_growth_permille"
        case hubRatioPermille = "hub_ratio_permille"
    }

    var compactingGrowth: Double { Double(compactingGrowthPermille) / 1000 }
    var keepingGrowth: Double { Double(keepingGrowthPermille) / 1000 }
    var ratio: Double { Double(ratioPermille) / 1000 }
    var hubGrowth: Double { Double(hubGrowthPermille) / 1000 }
    var hubKeepingGrowth: Double { Double(hubKeepingGrowthPermille) / 1000 }
    var hubRatio: Double { Double(hubRatioPermille) / 1000 }

    init(years: Int, records: Int, retentionMonths: Int, sizes: HistoryBench.Sizes) {
        self.years = years
        self.records = records
        self.retentionMonths = retentionMonths
        self.sizes = sizes.nodes.map { Year($0, hub: false) }
        hubSizes = sizes.hubs.map { Year($0, hub: true) }
        func permille(_ part: Int, _ whole: Int) -> Int64 {
            Int64((Double(part) * 1000 / Double(max(1, whole))).rounded())
        }
        /// Last year over first for each, and the compacting one's last year over the keeping one's.
        func ratios(_ sizes: [HistoryBench.Size]) -> (Int64, Int64, Int64) {
            func used(_ compacting: Bool, last: Bool) -> Int {
                let mine = sizes.filter { $0.compacting == compacting }
                return (last ? mine.last : mine.first)?.usedBytes ?? 0
            }
            return (
                permille(used(true, last: true), used(true, last: false)),
                permille(used(false, last: true), used(false, last: false)),
                permille(used(true, last: true), used(false, last: true))
            )
        }
        (compactingGrowthPermille, keepingGrowthPermille, ratioPermille) = ratios(sizes.nodes)
        (hubGrowthPermille, hubKeepingGrowthPermille, hubRatioPermille) = ratios(sizes.hubs)
    }

    var compactingFirstUsed: Int { sizes.first { $0.compacting }?.usedBytes ?? 0 }
    var compactingLastUsed: Int { sizes.last { $0.compacting }?.usedBytes ?? 0 }
    var compactingLastFile: Int { sizes.last { $0.compacting }?.fileBytes ?? 0 }
    var keepingFirstUsed: Int { sizes.first { !$0.compacting }?.usedBytes ?? 0 }
    var keepingLastUsed: Int { sizes.last { !$0.compacting }?.usedBytes ?? 0 }
    var hubCompactingFirstUsed: Int { hubSizes.first { $0.compacting }?.usedBytes ?? 0 }
    var hubCompactingLast: Year? { hubSizes.last { $0.compacting } }
    var hubKeepingFirstUsed: Int { hubSizes.first { !$0.compacting }?.usedBytes ?? 0 }
    var hubKeepingLast: Year? { hubSizes.last { !$0.compacting } }
}
