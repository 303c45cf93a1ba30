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

    /// A row of ``RuleCase/columns``, in that order.
    init(row: [SQLValue]) {
        func ids(_ value: SQLValue) -> [RecordID] {
            (value.text ?? "").split(separator: ",").compactMap { RecordID(String($0)) }
        }
        id = row[0].text ?? ""
        rule = row[1].text ?? ""
        kind = row[2].text ?? ""
        village = row[3].text
        records = ids(row[4])
        detail = row[5].text ?? ""
        holds = ids(row[6])
    }

    /// The columns a kept case is read from, in the order ``init(row:)`` takes them.
    static let columns = "id, rule, kind, village, records, detail, holds"
}

extension ReplicaReading {
    /// Every open rule case, minus those an administrator acknowledged, in the desk's order.
    ///
    /// Read from the cases the replica keeps (``RuleCaseBook``), so the cost is the cases
    /// returned; only R11's ops waiting too long depend on the time asked about, and are
    /// found through the waiting ops' index by age.
    package func ruleCases(nowMillis: Int64, waitLimitMillis: Int64 = CausalOrderRule.defaultWaitLimitMillis)
        throws(ReplicaError) -> [RuleCase]
    {
        try withStatements { sql in
            let kept = try sql.rows("SELECT \(RuleCase.columns) FROM rule_cases ORDER BY position, sort_key", [])
                .map(RuleCase.init(row:))
            let waits = try ReplicaCore.waitingCases(sql, nowMillis: nowMillis, waitLimitMillis: waitLimitMillis)
            let open = kept + waits.map(RuleCase.init)
            let acknowledged = try readingRole.acknowledgedCases(sql, among: open.map(\.id))
            return open.filter { !acknowledged.contains($0.id) }
        }
    }

    /// One open rule case by id; nil when there is none (or it was acknowledged).
    package func ruleCase(_ id: String, nowMillis: Int64) throws(ReplicaError) -> RuleCase? {
        try withStatements { sql in
            guard try readingRole.acknowledgedCases(sql, among: [id]).isEmpty else { return nil }
            if let row = try sql.rows("SELECT \(RuleCase.columns) FROM rule_cases WHERE id = ?", [.text(id)]).first {
                return RuleCase(row: row)
            }
            guard id.hasPrefix("R11:") else { return nil }
            return try ReplicaCore.waitingCases(
                sql, nowMillis: nowMillis, waitLimitMillis: CausalOrderRule.defaultWaitLimitMillis
            ).first { $0.id == id }.map(RuleCase.init)
        }
    }

    /// Every open rule case judged afresh from the whole county (the kept cases should equal
    /// them: tests and the simulation check that they do).
    package func recomputedRuleCases(
        nowMillis: Int64, waitLimitMillis: Int64 = CausalOrderRule.defaultWaitLimitMillis
    ) throws(ReplicaError) -> [RuleCase] {
        try withStatements { statements in
            var lookup = DatabaseRuleLookup(statements)
            var found: [(position: Int, key: String, found: DeskCase)] = []
            for (subject, cases) in try RuleCaseBook.judgeAll(statements, lookup: &lookup) {
                found += cases.map { ($0.deskPosition, subject.sortKey, $0) }
            }
            let kept = found.sorted { ($0.position, $0.key) < ($1.position, $1.key) }.map(\.found)
            let waits = try ReplicaCore.waitingCases(
                statements, nowMillis: nowMillis, waitLimitMillis: waitLimitMillis)
            let open = (kept + waits).map(RuleCase.init)
            let acknowledged = try readingRole.acknowledgedCases(statements, among: open.map(\.id))
            return open.filter { !acknowledged.contains($0.id) }
        }
    }

}

extension ReplicaCore {
    /// R11: ops waiting for their causal past longer than the limit, oldest first.
    static func waitingCases(_ sql: any SQLStatements, nowMillis: Int64, waitLimitMillis: Int64) throws -> [DeskCase] {
        try sql.rows(
            """
            SELECT replica, counter, record, needs, since_millis FROM op_waits WHERE since_millis < ?
            ORDER BY since_millis, replica, counter
            """, [.integer(nowMillis - waitLimitMillis)]
        ).compactMap { row -> CausalOrderRule.WaitingOp? in
            guard let replica = row[0].text, let counter = row[1].integer, let record = row[2].text,
                let needs = row[3].text, let since = row[4].integer
            else { return nil }
            return CausalOrderRule.WaitingOp(
                dot: Dot(replica: ReplicaID(replica), counter: UInt64(counter)), record: record, needs: needs,
                sinceMillis: since)
        }.sorted { ($0.sinceMillis, $0.dot) < ($1.sinceMillis, $1.dot) }.compactMap {
            CausalOrderRule.waitingVerdict($0, nowMillis: nowMillis, waitLimitMillis: waitLimitMillis).deskCase
        }
    }
}
