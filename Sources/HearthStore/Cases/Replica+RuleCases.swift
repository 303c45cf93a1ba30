import GRDB
import HearthCore

/// A situation a cross-record rule flags for a person, as the replica keeps it: judged from
/// the merged state whenever a record it rests on changes (``RuleCaseBook``), so every hub
/// (and a restarted one) sees the same cases, and a case closes by itself when the state no
/// longer shows it.
public struct RuleCase: Sendable, Equatable {
    /// `<rule>:<key>`, e.g. `R6:M-3f9a2c71b0d4-2`.
    public let id: String
    public let rule: String
    public let kind: String
    public let village: String?
    public let records: [RecordID]
    public let detail: String
    /// Enrollments whose payments are held while the case is open.
    public let holds: [RecordID]

    init(_ found: DeskCase) {
        id = found.id
        rule = found.rule.rawValue
        kind = found.kind
        village = found.village
        records = found.records
        detail = found.detail
        holds = found.holds
    }

    init(row: Row) {
        func ids(_ text: String) -> [RecordID] { text.split(separator: ",").compactMap { RecordID(String($0)) } }
        id = row["id"]
        rule = row["rule"]
        kind = row["kind"]
        village = row["village"]
        records = ids(row["records"])
        detail = row["detail"]
        holds = ids(row["holds"])
    }
}

extension ReplicaCore {
    /// Every open rule case, minus those an administrator acknowledged, in the desk's order.
    ///
    /// Read from the cases the replica keeps (``RuleCaseBook``), so the cost is the cases
    /// returned; only R11's ops waiting too long depend on the time asked about, and are
    /// found through the waiting ops' index by age.
    public func ruleCases(nowMillis: Int64, waitLimitMillis: Int64 = CausalOrderRule.defaultWaitLimitMillis)
        throws(ReplicaError) -> [RuleCase]
    {
        try read { db in
            let kept = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, rule, kind, village, records, detail, holds FROM rule_cases
                    ORDER BY position, sort_key
                    """
            ).map(RuleCase.init(row:))
            let waits = try ReplicaCore.waitingCases(db, nowMillis: nowMillis, waitLimitMillis: waitLimitMillis)
            let open = kept + waits.map(RuleCase.init)
            let acknowledged = try role.acknowledgedCases(SQLiteStatements(db), among: open.map(\.id))
            return open.filter { !acknowledged.contains($0.id) }
        }
    }

    /// One open rule case by id; nil when there is none (or it was acknowledged).
    public func ruleCase(_ id: String, nowMillis: Int64) throws(ReplicaError) -> RuleCase? {
        try read { db in
            guard try role.acknowledgedCases(SQLiteStatements(db), among: [id]).isEmpty else { return nil }
            if let row = try Row.fetchOne(
                db, sql: "SELECT id, rule, kind, village, records, detail, holds FROM rule_cases WHERE id = ?",
                arguments: [id])
            {
                return RuleCase(row: row)
            }
            guard id.hasPrefix("R11:") else { return nil }
            return try ReplicaCore.waitingCases(
                db, nowMillis: nowMillis, waitLimitMillis: CausalOrderRule.defaultWaitLimitMillis
            ).first { $0.id == id }.map(RuleCase.init)
        }
    }

    /// Every open rule case judged afresh from the whole county (the kept cases should equal
    /// them: tests and the simulation check that they do).
    package func recomputedRuleCases(
        nowMillis: Int64, waitLimitMillis: Int64 = CausalOrderRule.defaultWaitLimitMillis
    ) throws(ReplicaError) -> [RuleCase] {
        try read { db in
            let statements = SQLiteStatements(db)
            var lookup = DatabaseRuleLookup(statements)
            var found: [(position: Int, key: String, found: DeskCase)] = []
            for (subject, cases) in try RuleCaseBook.judgeAll(statements, lookup: &lookup) {
                found += cases.map { ($0.deskPosition, subject.sortKey, $0) }
            }
            let kept = found.sorted { ($0.position, $0.key) < ($1.position, $1.key) }.map(\.found)
            let waits = try ReplicaCore.waitingCases(db, nowMillis: nowMillis, waitLimitMillis: waitLimitMillis)
            let open = (kept + waits).map(RuleCase.init)
            let acknowledged = try role.acknowledgedCases(SQLiteStatements(db), among: open.map(\.id))
            return open.filter { !acknowledged.contains($0.id) }
        }
    }

    /// R11: ops waiting for their causal past longer than the limit, oldest first.
    static func waitingCases(_ db: Database, nowMillis: Int64, waitLimitMillis: Int64) throws -> [DeskCase] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT replica, counter, record, needs, since_millis FROM op_waits WHERE since_millis < ?
                ORDER BY since_millis, replica, counter
                """,
            arguments: [nowMillis - waitLimitMillis]
        ).map {
            CausalOrderRule.WaitingOp(
                dot: Dot(replica: ReplicaID($0["replica"] as String), counter: UInt64($0["counter"] as Int64)),
                record: $0["record"], needs: $0["needs"], sinceMillis: $0["since_millis"])
        }.sorted { ($0.sinceMillis, $0.dot) < ($1.sinceMillis, $1.dot) }.compactMap {
            CausalOrderRule.waitingVerdict($0, nowMillis: nowMillis, waitLimitMillis: waitLimitMillis).deskCase
        }
    }
}
