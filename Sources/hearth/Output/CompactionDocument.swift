import HearthLedger

/// `hearth hub compact --json`: what the runs moved, and the log and archive after them.
struct CompactionDocument: Codable, Sendable, Equatable {
    let retentionMonths: Int
    /// Ops moved from the log to the archive by this command (all its transactions).
    let archived: Int
    /// The greatest log position old enough to leave the log (0: none is yet).
    let agedThrough: Int64
    let activeNodes: Int
    let inactiveNodes: Int
    /// Ops left in the log, and in the archive, afterwards.
    let logged: Int
    let inArchive: Int
    /// Authors whose chain checkpoint this command signed or moved forward.
    let checkpoints: Int

    enum CodingKeys: String, CodingKey {
        case retentionMonths = "retention_months"
        case archived
        case agedThrough = "aged_through"
        case activeNodes = "active_nodes"
        case inactiveNodes = "inactive_nodes"
        case logged
        case inArchive = "in_archive"
        case checkpoints
    }

    init(retentionMonths: Int, archived: Int, checkpoints: Int, last: CompactionReport) {
        self.checkpoints = checkpoints
        self.retentionMonths = retentionMonths
        self.archived = archived
        agedThrough = last.agedThrough
        activeNodes = last.activeNodes
        inactiveNodes = last.inactiveNodes
        logged = last.logged
        inArchive = last.inArchive
    }
}
