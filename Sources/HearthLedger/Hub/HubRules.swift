import GRDB
import HearthCore
import HearthStore

/// The hub's cross-record rules (docs/rules.md), run in the transaction that applied their
/// trigger and emitting ordinary ops, so their effects replicate like any other change.
///
/// A rule reads merged state only, never arrival order or the wall clock; its op carries the
/// rule id, the rule-set version and the trigger dots, and a unique index on (rule, record,
/// trigger) makes it fire at most once per trigger however often the trigger is delivered.
enum HubRules {
    /// R1: a member recorded as deceased ends every enrollment of theirs that is not exited,
    /// including one approved or created concurrently on another replica.
    static func deathEndsEnrollments(_ changes: inout ChangeSet) throws {
        let rows = try Row.fetchAll(
            changes.database,
            sql: """
                SELECT e.id AS enrollment, m.id AS member, m.death_date AS death, e.start_month AS start
                FROM enrollments e JOIN members m ON m.id = e.member
                WHERE m.vital_status = 'deceased' AND (e.status IS NULL OR e.status != 'exited')
                ORDER BY e.id
                """)
        try settleEndMonthsAfterDeath(&changes)
        let rules = try Replica.countyRules(changes.database)
        for row in rows {
            guard let enrollment = RecordID(row["enrollment"]), let member = RecordID(row["member"]),
                let memberState = try changes.state(of: member)
            else { continue }
            // The trigger: the op(s) that wrote "deceased".
            let trigger =
                memberState.registers["vital_status"]?.entries
                .filter { $0.value == .text("deceased") }.map(\.dot.description).sorted().joined(separator: ",") ?? ""
            let already =
                try Int.fetchOne(
                    changes.database,
                    sql: "SELECT count(*) FROM decisions WHERE rule = 'R1' AND record = ? AND trigger = ?",
                    arguments: [enrollment.value, trigger]) ?? 0
            guard already == 0 else { continue }
            let start = (row["start"] as String?).flatMap { try? Month.parse($0, field: "start") }
            let end = (row["death"] as String?).flatMap { try? CivilDate.parse($0, field: "death") }
                .map { rules.endMonth(death: $0, start: start) }
            var fields: [String: FieldValue] = ["status": .text("exited"), "exit_reason": .text("death")]
            if let end { fields["end_month"] = .text(end.description) }
            changes.author = "rule R1"
            try changes.update(
                enrollment, fields: fields,
                cause:
                    "rule R1 (rule set \(ConflictRules.ruleSetVersion)): death of \(member) ends the enrollment (trigger \(trigger))"
            )
            let op = changes.ops[changes.ops.count - 1]
            try changes.database.execute(
                sql: """
                    INSERT INTO decisions (at_millis, worker, kind, record, field, rule, rule_set, choice, note, op, trigger)
                    VALUES (?, 'rule R1', 'rule', ?, 'status', 'R1', ?, 'exited', ?, ?, ?)
                    """,
                arguments: [
                    changes.nowMillis, enrollment.value, ConflictRules.ruleSetVersion, "death of \(member)",
                    op.dot.description, trigger,
                ])
        }
    }
}

extension HubRules {
    /// R1, continued: two replicas recording a death in different months also disagree on the
    /// last month paid of the enrollments the death ended. Once the date of death is settled
    /// (no longer in conflict), the end month follows it: an automatic decision, once per
    /// settled date.
    static func settleEndMonthsAfterDeath(_ changes: inout ChangeSet) throws {
        let rows = try Row.fetchAll(
            changes.database,
            sql: """
                SELECT e.id AS enrollment, m.id AS member, m.death_date AS death, e.start_month AS start
                FROM enrollments e JOIN members m ON m.id = e.member
                WHERE e.exit_reason = 'death' AND e.conflicts LIKE '%end_month%' AND m.vital_status = 'deceased'
                  AND (m.conflicts IS NULL OR m.conflicts NOT LIKE '%death_date%')
                ORDER BY e.id
                """)
        let rules = try Replica.countyRules(changes.database)
        for row in rows {
            guard let enrollment = RecordID(row["enrollment"] as String),
                let member = RecordID(row["member"] as String),
                let memberState = try changes.state(of: member),
                let died = (row["death"] as String?).flatMap({ try? CivilDate.parse($0, field: "death") })
            else { continue }
            let end = rules.endMonth(
                death: died, start: (row["start"] as String?).flatMap { try? Month.parse($0, field: "start") })
            let trigger =
                memberState.registers["death_date"]?.entries.map(\.dot.description).sorted().joined(separator: ",")
                ?? ""
            let already =
                try Int.fetchOne(
                    changes.database,
                    sql: "SELECT count(*) FROM decisions WHERE rule = 'R1' AND record = ? AND trigger = ?",
                    arguments: [enrollment.value, "end:" + trigger]) ?? 0
            guard already == 0 else { continue }
            changes.author = "rule R1"
            try changes.update(
                enrollment, fields: ["end_month": .text(end.description)],
                cause:
                    "rule R1 (rule set \(ConflictRules.ruleSetVersion)): the end month follows the settled date of death of \(member)"
            )
            let op = changes.ops[changes.ops.count - 1]
            try changes.database.execute(
                sql: """
                    INSERT INTO decisions (at_millis, worker, kind, record, field, rule, rule_set, choice, note, op, trigger)
                    VALUES (?, 'rule R1', 'rule', ?, 'end_month', 'R1', ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    changes.nowMillis, enrollment.value, ConflictRules.ruleSetVersion, end.description,
                    "end month follows the settled date of death of \(member)", op.dot.description, "end:" + trigger,
                ])
        }
    }

    /// R2: an exit or suspension concurrent with an amount change or a resume wins (status
    /// priority already keeps the safer state); the other change is listed as superseded, in
    /// the audit trail, for optional review. Soft: nothing is written to the records.
    static func exitBeatsIncrease(_ changes: inout ChangeSet, batch: [Op], log: (RecordID) throws -> [Op]) throws {
        for op in batch where op.record.type == .enrollment {
            // A resume sets the status back to approved without a decision (an approval is R2a's business).
            func isResume(_ op: Op) -> Bool { op.fields["status"] == .text("approved") && op.fields["decision"] == nil }
            let setsAmountOrResume = op.fields["amount"] != nil || isResume(op)
            let setsStop = op.fields["status"] == .text("exited") || op.fields["status"] == .text("suspended")
            guard setsAmountOrResume || setsStop, let state = try changes.state(of: op.record) else { continue }
            let history = try log(op.record)
            func concurrent(_ a: Op, _ b: Op) -> Bool {
                !a.context.covers(b.dot) && !b.context.covers(a.dot) && a.dot != b.dot
            }
            var pairs: [(superseded: Op, by: Op)] = []
            if setsAmountOrResume {
                for stop in history
                where stop.fields["status"] == .text("exited") || stop.fields["status"] == .text("suspended") {
                    if concurrent(op, stop), stop.fields["exit_reason"] != .text("death") { pairs.append((op, stop)) }
                }
            }
            if setsStop, op.fields["exit_reason"] != .text("death") {
                for change in history where change.fields["amount"] != nil || isResume(change) {
                    if concurrent(op, change) { pairs.append((change, op)) }
                }
            }
            _ = state
            for pair in pairs {
                let trigger = "\(pair.superseded.dot),\(pair.by.dot)"
                try changes.database.execute(
                    sql: """
                        INSERT INTO decisions (at_millis, worker, kind, record, field, rule, rule_set, choice, note, op, trigger)
                        VALUES (?, 'rule R2', 'rule', ?, NULL, 'R2', ?, 'superseded', ?, ?, ?)
                        ON CONFLICT DO NOTHING
                        """,
                    arguments: [
                        changes.nowMillis, op.record.value, ConflictRules.ruleSetVersion,
                        "\(pair.superseded.fields["amount"] != nil ? "amount change" : "resume") \(pair.superseded.dot) "
                            + "superseded by \(pair.by.fields["status"]?.textValue ?? "exit") \(pair.by.dot)",
                        pair.superseded.dot.description, trigger,
                    ])
            }
        }
    }
}
