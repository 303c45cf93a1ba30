import GRDB
import HearthCore
import HearthLedger
import HearthStore

/// The desk's audit search over the two trails, decisions and events.
extension SQLiteLedgerStorage {
    public func audit(_ query: AuditQuery, limit: Int, offset: Int) async throws(ReplicaError)
        -> (lines: [AuditLine], total: Int)
    {
        try await replica.readAsync { db in
            // The same filters on each table, by its own column names; each uses its indexes.
            func filters(action: String) -> (String, StatementArguments) {
                var clauses: [String] = []
                var arguments: StatementArguments = []
                if let worker = query.worker {
                    clauses.append("worker = ?")
                    arguments += [worker]
                }
                if let wanted = query.action {
                    clauses.append("\(action) = ?")
                    arguments += [wanted]
                }
                if let record = query.record {
                    clauses.append("record = ?")
                    arguments += [record]
                }
                if let from = query.fromMillis {
                    clauses.append("at_millis >= ?")
                    arguments += [from]
                }
                if let before = query.beforeMillis {
                    clauses.append("at_millis < ?")
                    arguments += [before]
                }
                return (clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND "), arguments)
            }
            let (events, eventArguments) = filters(action: "action")
            let (decided, decisionArguments) = filters(action: "kind")
            let total =
                (try Int.fetchOne(db, sql: "SELECT count(*) FROM audit" + events, arguments: eventArguments) ?? 0)
                + (try Int.fetchOne(db, sql: "SELECT count(*) FROM decisions" + decided, arguments: decisionArguments)
                    ?? 0)
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT at_millis, seq, 0 AS decision, worker, action, record, field, detail FROM audit\(events)
                    UNION ALL
                    SELECT at_millis, seq, 1 AS decision, worker, kind AS action, record, coalesce(field, ''),
                        'rule ' || rule || ' (set ' || rule_set || '), ' || choice || ': ' || note
                            || CASE WHEN op = '' THEN '' ELSE ' [op ' || op || ']' END
                        FROM decisions\(decided)
                    ORDER BY at_millis DESC, decision DESC, seq DESC LIMIT ? OFFSET ?
                    """,
                arguments: eventArguments + decisionArguments + [max(0, limit), max(0, offset)])
            return (
                rows.map { row in
                    AuditLine(
                        atMillis: row["at_millis"], worker: row["worker"], action: row["action"],
                        record: row["record"], field: row["field"], detail: row["detail"],
                        decision: (row["decision"] as Int) == 1)
                }, total
            )
        }
    }
}
