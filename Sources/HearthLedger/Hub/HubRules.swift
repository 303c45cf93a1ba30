import HearthCore
import HearthStore

/// The hub's side of the county's automatic decisions (docs/rules.md): the rule engine
/// (``RuleEngine/batchDecisions(after:logged:deceased:history:lookup:)``) decides over the
/// transaction that applied the batch; this finds what it looks at and writes what it
/// decides, as ordinary ops, so their effects replicate like any other change.
///
/// Each decision is written once per (rule, record, trigger): its row in the decisions table,
/// under a unique index, records that it fired, however often the trigger is delivered.
package enum HubRules {
    /// The decisions the batch makes, judged on the state the transaction holds now.
    package static func decisions(_ db: any SQLStatements, after batch: [Op]) throws -> [RuleDecision] {
        var lookup = DatabaseRuleLookup(db)
        let deceased = try deceasedWithEnrollments(db, touchedBy: batch, lookup: &lookup)
        return try RuleEngine.batchDecisions(
            after: batch,
            logged: { op in
                try db.exists(
                    "SELECT 1 FROM logged_ops WHERE replica = ? AND counter = ?",
                    [.text(op.dot.replica.value), .integer(Int64(op.dot.counter))])
            },
            deceased: deceased,
            history: { record in
                try db.rows("SELECT body FROM logged_ops WHERE record = ? ORDER BY seq", [.text(record.value)])
                    .compactMap {
                        $0.first?.bytes.flatMap { try? Op(logged: $0) }
                    }
            }, lookup: &lookup)
    }

    /// R1's candidates: members recorded as deceased with an enrollment not exited, or one a
    /// death ended whose last month paid is in conflict. The engine decides which of them act.
    ///
    /// Only a member the batch touched can have become one: the batch's members, and the
    /// members of the batch's enrollments (before and after it: the plain row holds the member
    /// now, the op the member it names). Every earlier batch judged the rest. A batch that
    /// changes the county's settings may change what a death decides: then every deceased
    /// member is asked again, through the partial index of the deceased.
    static func deceasedWithEnrollments(
        _ db: any SQLStatements, touchedBy batch: [Op], lookup: inout DatabaseRuleLookup
    )
        throws -> [RecordState]
    {
        let candidate = """
            m.vital_status = 'deceased' AND (e.status IS NULL OR e.status != 'exited'
                OR (e.exit_reason = 'death' AND e.conflicts LIKE '%end_month%'))
            """
        if batch.indices.contains(where: { batch[$0].record.type == .setting }) {
            return try lookup.states(
                "SELECT DISTINCT m.id FROM members m JOIN enrollments e ON e.member = m.id WHERE \(candidate) ORDER BY m.id"
            )
        }
        var members: Set<String> = []
        var enrollments: Set<String> = []
        // Each op looked at where it lies: `for op in batch` copied every op of the batch.
        for index in batch.indices {
            switch batch[index].record.type {
            case .member: members.insert(batch[index].record.value)
            case .enrollment:
                if case .text(let member)? = batch[index].fields["member"] { members.insert(member) }
                enrollments.insert(batch[index].record.value)
            default: continue
            }
        }
        let marks = SQLGroups.marks(deceasedGroup)
        // The member each enrollment's plain row names now, many enrollments to a statement
        // where one ran for each (a round trip apiece on PostgreSQL).
        for group in SQLGroups.padded(enrollments.sorted(), size: deceasedGroup) {
            for row in try db.rows("SELECT member FROM enrollments WHERE id IN (\(marks))", group) {
                if let member = row.first?.text { members.insert(member) }
            }
        }
        // Many members to a statement, where one ran for every member a push touched, on the
        // hub's one writer (each group padded to one statement text).
        let sql = """
            SELECT DISTINCT m.id FROM members m JOIN enrollments e ON e.member = m.id
            WHERE m.id IN (\(marks)) AND \(candidate)
            """
        var deceased: [RecordState] = []
        for group in SQLGroups.padded(members.sorted(), size: deceasedGroup) {
            deceased += try lookup.states(sql, group)
        }
        // In member order, as Swift orders the ids on either database.
        return deceased.sorted { $0.id.value < $1.id.value }
    }

    /// Most members (or enrollments) one statement of
    /// ``deceasedWithEnrollments(_:touchedBy:lookup:)`` asks about.
    static let deceasedGroup = 64

    /// Writes each decision not recorded yet: an op of the rule's for the fields it sets (the
    /// decision's cause, its worker as author), and its row in the decisions table naming that
    /// op, or the op it is about when it writes nothing.
    package static func write(_ decisions: [RuleDecision], _ changes: inout ChangeSet) throws {
        for decision in decisions {
            let recorded = try changes.sql.exists(
                "SELECT 1 FROM decisions WHERE rule = ? AND record = ? AND trigger = ?",
                [.text(decision.rule.rawValue), .text(decision.record.value), .text(decision.trigger)])
            guard !recorded else { continue }
            var subject = decision.subject
            if !decision.changes.isEmpty {
                changes.author = decision.worker
                try changes.update(decision.record, fields: decision.changes, cause: decision.cause)
                subject = changes.ops[changes.ops.count - 1].dot
            }
            try changes.sql.execute(
                """
                INSERT INTO decisions (at_millis, worker, kind, record, field, rule, rule_set, choice, note, op, trigger)
                VALUES (?, ?, 'rule', ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .integer(changes.nowMillis), .text(decision.worker), .text(decision.record.value),
                    SQLValue(decision.field), .text(decision.rule.rawValue), SQLValue(ConflictRules.ruleSetVersion),
                    .text(decision.choice), .text(decision.note), .text(subject?.description ?? ""),
                    .text(decision.trigger),
                ])
        }
    }
}
