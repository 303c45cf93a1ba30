/// How far a roster import has got, for a progress line: a county's roster is tens of thousands
/// of rows, checked and then written in one transaction that shows nothing for a minute.
public struct RosterProgress: Sendable, Equatable {
    /// What the import is doing: checking the households against themselves and the hub, or
    /// writing the records (households, members, then enrollments).
    public enum Stage: String, Sendable {
        case checking
        case writing
    }

    public let stage: Stage
    /// Households checked, or records written, so far.
    public let done: Int
    /// Households to check, or records to write.
    public let total: Int

    public init(stage: Stage, done: Int, total: Int) {
        self.stage = stage
        self.done = done
        self.total = total
    }
}

/// Called with the import's progress from inside its transaction; it must return quickly.
public typealias RosterProgressReport = @Sendable (RosterProgress) -> Void
