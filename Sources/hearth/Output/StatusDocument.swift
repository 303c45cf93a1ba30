/// `hearth status --json`: the replica, its record counts, version vector and ops, its sync with
/// the hub, and what waits for the county (conflicts, held enrollments, the county's decisions).
struct StatusDocument: Codable, Sendable, Equatable {
    /// An enrollment no roll pays until the county decides, with why.
    struct HeldEnrollment: Codable, Sendable, Equatable {
        let enrollment: String
        let reasons: [String]
    }

    /// One of the county's decisions (an op of the hub's) on a record this replica holds.
    struct CountyDecision: Codable, Sendable, Equatable {
        let record: String
        let op: String
        /// The decision's cause; "" when it gave none.
        let cause: String
    }

    let replica: String
    let name: String
    let role: String
    let scope: String
    /// The scope's registered name (`hub division set`); null when none is registered.
    @Nullable var scopeName: String?
    /// Records per table (households, members, enrollments, visits, …).
    let records: [String: Int64]
    let inConflict: Int64
    /// Open rule cases (duplicates, exclusivity, households without a living member, …) by rule.
    let openRuleCases: [String: Int64]
    let pendingIDNumbers: Int64
    /// Replica id to the highest counter held from it.
    let versionVector: [String: Int64]
    let ownOps: Int64
    let unsyncedOps: Int64
    let waitingOps: Int64
    let logSize: Int64
    @Nullable var hub: String?
    @Nullable var lastSync: String?
    let pullCursor: Int64
    let refusedByHub: [RefusedOp]
    let conflicts: [String]
    let onHold: [HeldEnrollment]
    let countyDecisions: [CountyDecision]

    enum CodingKeys: String, CodingKey {
        case replica, name, role, scope
        case scopeName = "scope_name"
        case records
        case inConflict = "in_conflict"
        case openRuleCases = "open_rule_cases"
        case pendingIDNumbers = "pending_id_numbers"
        case versionVector = "version_vector"
        case ownOps = "own_ops"
        case unsyncedOps = "unsynced_ops"
        case waitingOps = "waiting_ops"
        case logSize = "log_size"
        case hub
        case lastSync = "last_sync"
        case pullCursor = "pull_cursor"
        case refusedByHub = "refused_by_hub"
        case conflicts
        case onHold = "on_hold"
        case countyDecisions = "county_decisions"
    }
}
