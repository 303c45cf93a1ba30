import HearthStore

/// `hearth node compact --json`: what left the node's log, and what stays.
struct NodeCompactionDocument: Codable, Sendable, Equatable {
    let retentionMonths: Int
    /// Ops that left the log in this command (all its transactions).
    let removed: Int
    /// The greatest log position old enough to leave the log (0: none is yet).
    let agedThrough: Int64
    /// Ops old enough that stay: not yet pushed, waiting, or the past of an op that stays.
    let kept: Int
    /// Ops left in the log afterwards.
    let logged: Int
    /// Records that left the node with households archived at least the retention ago.
    let purgedRecords: Int

    enum CodingKeys: String, CodingKey {
        case retentionMonths = "retention_months"
        case removed
        case agedThrough = "aged_through"
        case kept, logged
        case purgedRecords = "purged_records"
    }

    init(retentionMonths: Int, removed: Int, purged: Int, last: NodeCompaction) {
        self.retentionMonths = retentionMonths
        self.removed = removed
        purgedRecords = purged
        agedThrough = last.agedThrough
        kept = last.kept
        logged = last.logged
    }
}
