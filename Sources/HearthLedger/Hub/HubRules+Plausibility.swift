import GRDB
import HearthCore
import HearthStore

extension HubRules {
    /// R6: every enrollment op of the batch whose writer overrode the plausibility checks
    /// (an amount above the ceiling, a prerequisite not met) enters the audit trail (`hearth
    /// hub audit`) with the writer and the reason, once per op. Ops the hub refused are not in
    /// its log and are left out: they wait in quarantine with their own reason.
    static func recordOverrides(_ db: Database, batch: [Op], nowMillis: Int64) throws {
        for op in batch where op.record.type == .enrollment {
            guard let reason = Plausibility.overrideReason(in: op.cause),
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM ops WHERE replica = ? AND counter = ?",
                    arguments: [op.dot.replica.value, Int64(op.dot.counter)]) ?? 0 > 0
            else { continue }
            try db.execute(
                sql: """
                    INSERT INTO decisions
                        (at_millis, worker, kind, record, field, rule, rule_set, choice, note, op, trigger)
                    VALUES (?, ?, 'rule', ?, ?, 'R6', ?, 'override', ?, ?, ?)
                    ON CONFLICT DO NOTHING
                    """,
                arguments: [
                    nowMillis, op.author, op.record.value, op.fields["amount"] != nil ? "amount" : "program",
                    ConflictRules.ruleSetVersion, "plausibility override: \(reason)", op.dot.description,
                    op.dot.description,
                ])
        }
    }
}
