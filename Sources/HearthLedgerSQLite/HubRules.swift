import GRDB
import HearthCore
import HearthStore

/// The hub's side of the county's automatic decisions (docs/rules.md): the rule engine
/// (``RuleEngine/batchDecisions(after:logged:deceased:history:lookup:)``) decides over the
/// transaction that applied the batch; this finds what it looks at and writes what it
/// decides, as ordinary ops, so their effects replicate like any other change.
///
/// Each decision is written once per (rule, record, trigger): its row in the decisions table,
/// under a unique index, records that it fired, however often the trigger is delivered.
enum HubRules {
    /// The decisions the batch makes, judged on the state the transaction holds now.
    static func decisions(_ db: Database, after batch: [Op]) throws -> [RuleDecision] {
        var lookup = DatabaseRuleLookup(db)
        let deceased = try deceasedWithEnrollments(db, touchedBy: batch, lookup: &lookup)
        return try RuleEngine.batchDecisions(
            after: batch,
            logged: { op in
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM ops WHERE replica = ? AND counter = ?",
                    arguments: [op.dot.replica.value, Int64(op.dot.counter)]) ?? 0 > 0
            },
            deceased: deceased,
            history: { record in
                try Row.fetchAll(
                    db, sql: "SELECT body FROM ops WHERE record = ? ORDER BY seq", arguments: [record.value]
                ).compactMap { ($0[0] as DatabaseValue).loggedOp }
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
    static func deceasedWithEnrollments(_ db: Database, touchedBy batch: [Op], lookup: inout DatabaseRuleLookup)
        throws -> [RecordState]
    {
        let candidate = """
            m.vital_status = 'deceased' AND (e.status IS NULL OR e.status != 'exited'
                OR (e.exit_reason = 'death' AND e.conflicts LIKE '%end_month%'))
            """
        if batch.contains(where: { $0.record.type == .setting }) {
            return try lookup.states(
                "SELECT DISTINCT m.id FROM members m JOIN enrollments e ON e.member = m.id WHERE \(candidate) ORDER BY m.id"
            )
        }
        var members: Set<String> = []
        for op in batch {
            switch op.record.type {
            case .member: members.insert(op.record.value)
            case .enrollment:
                if case .text(let member)? = op.fields["member"] { members.insert(member) }
                if let member = try String.fetchOne(
                    db.cachedStatement(sql: "SELECT member FROM enrollments WHERE id = ?"),
                    arguments: [op.record.value])
                {
                    members.insert(member)
                }
            default: continue
            }
        }
        var deceased: [RecordState] = []
        for member in members.sorted() {
            deceased += try lookup.states(
                "SELECT DISTINCT m.id FROM members m JOIN enrollments e ON e.member = m.id WHERE m.id = ? AND \(candidate)",
                [member])
        }
        return deceased
    }

    /// Writes each decision not recorded yet: an op of the rule's for the fields it sets (the
    /// decision's cause, its worker as author), and its row in the decisions table naming that
    /// op, or the op it is about when it writes nothing.
    static func write(_ decisions: [RuleDecision], _ changes: inout ChangeSet) throws {
        for decision in decisions {
            let recorded =
                try Int.fetchOne(
                    changes.database,
                    sql: "SELECT count(*) FROM decisions WHERE rule = ? AND record = ? AND trigger = ?",
                    arguments: [decision.rule.rawValue, decision.record.value, decision.trigger]) ?? 0 > 0
            guard !recorded else { continue }
            var subject = decision.subject
            if !decision.changes.isEmpty {
                changes.author = decision.worker
                try changes.update(decision.record, fields: decision.changes, cause: decision.cause)
                subject = changes.ops[changes.ops.count - 1].dot
            }
            try changes.database.execute(
                sql: """
                    INSERT INTO decisions
                        (at_millis, worker, kind, record, field, rule, rule_set, choice, note, op, trigger)
                    VALUES (?, ?, 'rule', ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    changes.nowMillis, decision.worker, decision.record.value, decision.field, decision.rule.rawValue,
                    ConflictRules.ruleSetVersion, decision.choice, decision.note, subject?.description ?? "",
                    decision.trigger,
                ])
        }
    }
}
