import HearthCore
import HearthStore

/// The two trails on either of the hub's databases: the decisions (the desk's and the rules')
/// and the audit events, read over the caller's transaction's ``SQLStatements``.
package enum LedgerAudit {
    /// Every decision, oldest first.
    package static func decisions(_ sql: any SQLStatements) throws -> [Decision] {
        try sql.rows(
            "SELECT at_millis, worker, kind, record, field, rule, rule_set, choice, note, op FROM decisions ORDER BY seq",
            []
        ).map { row in
            Decision(
                atMillis: row[0].integer ?? 0, worker: row[1].text ?? "", kind: row[2].text ?? "",
                record: row[3].text ?? "", field: row[4].text, rule: row[5].text ?? "",
                ruleSet: Int(row[6].integer ?? 0), choice: row[7].text ?? "", note: row[8].text ?? "",
                op: row[9].text ?? "")
        }
    }

    /// The body of ``LedgerStorage/audit(_:limit:offset:)``: the same filters on each table,
    /// by its own column names, so each is read by its indexes.
    package static func page(_ sql: any SQLStatements, _ query: AuditQuery, limit: Int, offset: Int) throws
        -> (lines: [AuditLine], total: Int)
    {
        func filters(action: String) -> (String, [SQLValue]) {
            var clauses: [String] = []
            var arguments: [SQLValue] = []
            if let worker = query.worker {
                clauses.append("worker = ?")
                arguments.append(.text(worker))
            }
            if let wanted = query.action {
                clauses.append("\(action) = ?")
                arguments.append(.text(wanted))
            }
            if let record = query.record {
                clauses.append("record = ?")
                arguments.append(.text(record))
            }
            if let from = query.fromMillis {
                clauses.append("at_millis >= ?")
                arguments.append(.integer(from))
            }
            if let before = query.beforeMillis {
                clauses.append("at_millis < ?")
                arguments.append(.integer(before))
            }
            return (clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND "), arguments)
        }
        let (events, eventArguments) = filters(action: "action")
        let (decided, decisionArguments) = filters(action: "kind")
        let total =
            (try sql.integer("SELECT count(*) FROM audit" + events, eventArguments) ?? 0)
            + (try sql.integer("SELECT count(*) FROM decisions" + decided, decisionArguments) ?? 0)
        let rows = try sql.rows(
            """
            SELECT at_millis, seq, 0 AS decision, worker, action, record, field, detail FROM audit\(events)
            UNION ALL
            SELECT at_millis, seq, 1 AS decision, worker, kind AS action, record, coalesce(field, ''),
                'rule ' || rule || ' (set ' || CAST(rule_set AS TEXT) || '), ' || choice || ': ' || note
                    || CASE WHEN op = '' THEN '' ELSE ' [op ' || op || ']' END
                FROM decisions\(decided)
            ORDER BY at_millis DESC, decision DESC, seq DESC LIMIT ? OFFSET ?
            """, eventArguments + decisionArguments + [SQLValue(max(0, limit)), SQLValue(max(0, offset))])
        return (
            rows.map { row in
                AuditLine(
                    atMillis: row[0].integer ?? 0, worker: row[3].text ?? "", action: row[4].text ?? "",
                    record: row[5].text ?? "", field: row[6].text ?? "", detail: row[7].text ?? "",
                    decision: row[2].integer == 1)
            }, Int(total)
        )
    }

    /// The county's open leads, counted by the index of the open ones.
    package static func openLeadCount(_ sql: any SQLStatements) throws -> Int {
        Int(try sql.integer("SELECT count(*) FROM leads WHERE coalesce(status, 'open') = 'open'") ?? 0)
    }
}
