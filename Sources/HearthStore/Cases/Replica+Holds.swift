import HearthCore
import HearthText

extension ReplicaReading {
    /// Why an enrollment's payments are held: an open rule case that holds it, or an open
    /// conflict on something that decides money, on the enrollment itself, its member or its
    /// household. Empty when it is not held. `cases`, when given, are the open cases already
    /// read; otherwise the kept cases holding this enrollment are looked up by index.
    package func holds(of enrollment: RecordID, cases: [RuleCase]? = nil, nowMillis: Int64 = 0) throws(ReplicaError)
        -> [String]
    {
        guard enrollment.type == .enrollment, let state = try state(of: enrollment) else { return [] }
        var reasons: [String] = []
        let known: [RuleCase]
        if let cases { known = cases } else { known = try ruleCases(holding: enrollment) }
        for found in known where found.holds.contains(enrollment) {
            reasons.append("\(found.id): \(found.detail)")
        }
        var related: [(RecordID, RecordState)] = [(enrollment, state)]
        for field in ["member", "household"] {
            if let text = state.resolution(of: field).value.textValue, let id = RecordID(text),
                let other = try self.state(of: id)
            {
                related.append((id, other))
            }
        }
        for (id, other) in related {
            for field in other.conflicts where ConflictRules.decidesMoney(id.type, field) {
                let rule = ConflictRules.rule(for: id.type, field: field)
                reasons.append(
                    Catalogue.text(
                        "hold.in_conflict",
                        ["field": "\(id)/\(field)", "rule": "\(rule.id)", "title": rule.localizedTitle]))
            }
        }
        return reasons
    }

    /// The open (not acknowledged) kept cases that hold `enrollment`, in the desk's order.
    /// R11 cases hold nothing.
    func ruleCases(holding enrollment: RecordID) throws(ReplicaError) -> [RuleCase] {
        try withStatements { sql in
            let holding = try sql.rows(
                """
                SELECT c.id, c.rule, c.kind, c.village, c.records, c.detail, c.holds
                FROM rule_case_holds h JOIN rule_cases c ON c.id = h.case_id
                WHERE h.enrollment = ? ORDER BY c.position, c.sort_key
                """, [.text(enrollment.value)]
            ).map(RuleCase.init(row:))
            let acknowledged = try readingRole.acknowledgedCases(sql, among: holding.map(\.id))
            return holding.filter { !acknowledged.contains($0.id) }
        }
    }

    /// Every enrollment held by an open case or conflict, with its reasons.
    package func heldEnrollments(nowMillis: Int64 = 0) throws(ReplicaError) -> [(RecordID, [String])] {
        var held: [(RecordID, [String])] = []
        let cases = try ruleCases(nowMillis: nowMillis)
        // Only enrollments a rule case names, or that touch a record in conflict, can be held:
        // each found through an index of what it returns (`CROSS JOIN` keeps SQLite, which has
        // no statistics, from scanning the enrollments to find the few in conflict). Its
        // condition goes in WHERE: PostgreSQL refuses a CROSS JOIN with ON.
        var candidates = Set(cases.flatMap(\.holds))
        let touched: [String] = try withStatements { sql in
            try sql.texts(
                """
                SELECT id FROM enrollments WHERE conflicts IS NOT NULL
                UNION SELECT e.id FROM members m CROSS JOIN enrollments e
                    WHERE m.conflicts IS NOT NULL AND e.member = m.id
                UNION SELECT e.id FROM households h CROSS JOIN enrollments e
                    WHERE h.conflicts IS NOT NULL AND e.household = h.id
                """, [])
        }
        candidates.formUnion(touched.compactMap(RecordID.init))
        for id in candidates.sorted() {
            let reasons = try holds(of: id, cases: cases, nowMillis: nowMillis)
            if !reasons.isEmpty { held.append((id, reasons)) }
        }
        return held
    }

    /// The fields in conflict on this replica, as `record/field`.
    package func conflictedFields() throws(ReplicaError) -> [String] {
        try withStatements(ReplicaCore.conflictedFields)
    }
}

extension ReplicaCore {
    /// The fields in conflict, as `record/field`, read on `sql`: the reads' answer and the
    /// one a hub's writing transaction (a bulk plan made again before it applies) reads.
    package static func conflictedFields(_ sql: any SQLStatements) throws -> [String] {
        var out: [String] = []
        for type in RecordType.allCases {
            for row in try sql.rows(
                "SELECT id, conflicts FROM \(type.table) WHERE conflicts IS NOT NULL ORDER BY id", [])
            {
                guard let id = row[0].text, let conflicts = row[1].text else { continue }
                for field in conflicts.split(separator: ",") { out.append("\(id)/\(field)") }
            }
        }
        return out
    }
}
