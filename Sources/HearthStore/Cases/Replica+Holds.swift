import GRDB
import HearthCore

extension ReplicaCore {
    /// Why an enrollment's payments are held: an open conflict on something that decides money,
    /// on the enrollment itself, its member or its household. Empty when it is not held.
    public func holds(of enrollment: RecordID, cases: [RuleCase]? = nil, nowMillis: Int64 = 0) throws(ReplicaError)
        -> [String]
    {
        guard enrollment.type == .enrollment, let state = try state(of: enrollment) else { return [] }
        var reasons: [String] = []
        let known: [RuleCase]
        if let cases { known = cases } else { known = try ruleCases(nowMillis: nowMillis) }
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
                reasons.append("\(id)/\(field) is in conflict (\(rule.id) \(rule.title))")
            }
        }
        return reasons
    }

    /// Every enrollment held by an open conflict, with its reasons.
    public func heldEnrollments(nowMillis: Int64 = 0) throws(ReplicaError) -> [(RecordID, [String])] {
        var held: [(RecordID, [String])] = []
        let cases = try ruleCases(nowMillis: nowMillis)
        // Only enrollments a rule case names, or that touch a record in conflict, can be held.
        var candidates = Set(cases.flatMap(\.holds))
        let touched: [String] = try read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT e.id FROM enrollments e
                    LEFT JOIN members m ON m.id = e.member LEFT JOIN households h ON h.id = e.household
                    WHERE e.conflicts IS NOT NULL OR m.conflicts IS NOT NULL OR h.conflicts IS NOT NULL
                    """)
        }
        candidates.formUnion(touched.compactMap(RecordID.init))
        for id in candidates.sorted() {
            let reasons = try holds(of: id, cases: cases, nowMillis: nowMillis)
            if !reasons.isEmpty { held.append((id, reasons)) }
        }
        return held
    }

    /// The fields in conflict on this replica, as `record/field`.
    public func conflictedFields() throws(ReplicaError) -> [String] {
        try read { db in
            var out: [String] = []
            for type in RecordType.allCases {
                for row in try Row.fetchAll(
                    db, sql: "SELECT id, conflicts FROM \(type.table) WHERE conflicts IS NOT NULL ORDER BY id")
                {
                    for field in (row["conflicts"] as String).split(separator: ",") {
                        out.append("\(row["id"] as String)/\(field)")
                    }
                }
            }
            return out
        }
    }
}
