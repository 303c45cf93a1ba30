import GRDB
import HearthCore

/// A situation a cross-record rule flags for a person: derived from the merged state each
/// time it is asked for, so every hub (and a restarted one) sees the same cases, and a case
/// closes by itself when the state no longer shows it.
public struct RuleCase: Sendable {
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
}

extension ReplicaCore {
    /// Every open rule case, minus those an administrator acknowledged (as they were then).
    ///
    /// The rule engine (``RuleEngine/deskCases(_:nowMillis:waitLimitMillis:lookup:)``) judges;
    /// this only finds its candidates through the tables' columns and indexes, with the
    /// programs bound from the county's ``ProgramRules``, so a read costs in proportion to the
    /// candidates it returns, never a scan of the enrollments per household.
    public func ruleCases(nowMillis: Int64, waitLimitMillis: Int64 = CausalOrderRule.defaultWaitLimitMillis)
        throws(ReplicaError) -> [RuleCase]
    {
        let cases: [DeskCase] = try read { db in
            var lookup = DatabaseRuleLookup(db)
            let programs = try lookup.countyConfiguration().programs
            let subjects = try ReplicaCore.caseSubjects(
                db, programs: programs, lookup: &lookup, waitingBefore: nowMillis - waitLimitMillis)
            return try RuleEngine.deskCases(
                subjects, nowMillis: nowMillis, waitLimitMillis: waitLimitMillis, lookup: &lookup)
        }
        let acknowledged = try read { db in try role.acknowledgedCases(db) }
        return cases.filter { !acknowledged.contains($0.id) }.map(RuleCase.init)
    }

    /// The desk's candidates: each query a superset of what its rule flags, the rule deciding.
    static func caseSubjects(
        _ db: Database, programs: ProgramRules, lookup: inout DatabaseRuleLookup, waitingBefore: Int64
    ) throws -> RuleEngine.Subjects {
        func marks(_ count: Int) -> String { Array(repeating: "?", count: count).joined(separator: ",") }
        func codes(_ programs: [Program]) -> StatementArguments { StatementArguments(programs.map(\.rawValue)) }
        var subjects = RuleEngine.Subjects()
        // R5: ID numbers on more than one living member.
        subjects.idHashes = try String.fetchAll(
            db,
            sql: """
                SELECT id_number_hash FROM members WHERE id_number_hash IS NOT NULL AND vital_status = 'alive'
                GROUP BY id_number_hash HAVING count(*) > 1
                """)
        // R6: members with live enrollments on both sides of an exclusion.
        for exclusion in programs.exclusions {
            let first = Program.allCases.filter(exclusion.first.contains)
            let second = Program.allCases.filter(exclusion.second.contains)
            guard !first.isEmpty, !second.isEmpty else { continue }
            subjects.members += try String.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT d.member FROM enrollments d JOIN enrollments t ON t.member = d.member
                    WHERE d.program IN (\(marks(first.count))) AND t.program IN (\(marks(second.count)))
                      AND d.status != 'exited' AND t.status != 'exited'
                    """, arguments: codes(first) + codes(second)
            ).compactMap(RecordID.init)
        }
        // R6: live enrollments in the programs with prerequisites; R2a: enrollments whose
        // status holds an exit among its values.
        let prerequisites = programs.prerequisitePrograms
        var enrollments: Set<RecordID> = []
        if !prerequisites.isEmpty {
            enrollments.formUnion(
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT id FROM enrollments
                        WHERE status != 'exited' AND program IN (\(marks(prerequisites.count)))
                        """,
                    arguments: codes(prerequisites)
                ).compactMap(RecordID.init))
        }
        enrollments.formUnion(
            try String.fetchAll(
                db, sql: "SELECT id FROM record_meta WHERE type = 'enrollment' AND registers LIKE '%exited%'"
            ).compactMap(RecordID.init))
        subjects.enrollments = try enrollments.sorted().compactMap { try lookup.state(of: $0) }
        // R8: live households without a living member, a head, or a living head.
        subjects.households = try lookup.states(
            """
            SELECT h.id FROM households h WHERE h.status = 'active' AND (
                h.head IS NULL
                OR NOT EXISTS (SELECT 1 FROM members m WHERE m.id = h.head AND m.vital_status = 'alive')
                OR NOT EXISTS (SELECT 1 FROM members m WHERE m.household = h.id AND m.vital_status = 'alive'))
            """)
        // R1: deaths reported for a living member and not verified (or verified both ways).
        subjects.leads = try lookup.states(
            """
            SELECT l.id FROM leads l JOIN members m ON m.id = l.member
            WHERE l.source = 'death' AND m.vital_status = 'alive' AND (l.status = 'open' OR l.conflicts LIKE '%status%')
            """)
        // R11: ops waiting past the limit.
        subjects.waits = try Row.fetchAll(
            db, sql: "SELECT replica, counter, record, needs, since_millis FROM op_waits WHERE since_millis < ?",
            arguments: [waitingBefore]
        ).map {
            CausalOrderRule.WaitingOp(
                dot: Dot(replica: ReplicaID($0["replica"] as String), counter: UInt64($0["counter"] as Int64)),
                record: $0["record"], needs: $0["needs"], sinceMillis: $0["since_millis"])
        }
        return subjects
    }
}
