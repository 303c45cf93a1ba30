import HearthCore
import HearthStore
import HearthText

/// Quarantine on either of the hub's databases: the held ops listed for the desk, and each one
/// settled (released, discarded, or discarded with a compensating op) in the transaction that
/// reads it, over that transaction's ``SQLStatements``.
package enum LedgerQuarantine {
    /// Every held op (with `includeSettled`, the settled ones too), oldest first.
    package static func entries(_ sql: any SQLStatements, includeSettled: Bool) throws -> [QuarantineEntry] {
        try sql.rows(
            """
            SELECT replica, counter, record, reason, state, at_millis, body FROM quarantine
            \(includeSettled ? "" : "WHERE state = 'held'") ORDER BY at_millis, replica, counter
            """, []
        ).map { try entry($0, sql) }
    }

    /// One page of ``entries(_:includeSettled:)`` and how many there are in all, both read by
    /// index (hub v8: `quarantine_by_state` for the held ones, `quarantine_by_time` for all).
    package static func page(_ sql: any SQLStatements, includeSettled: Bool, limit: Int, offset: Int) throws
        -> (entries: [QuarantineEntry], total: Int)
    {
        let filter = includeSettled ? "" : "WHERE state = 'held'"
        let total = try sql.integer("SELECT count(*) FROM quarantine \(filter)") ?? 0
        let rows = try sql.rows(
            """
            SELECT replica, counter, record, reason, state, at_millis, body FROM quarantine \(filter)
            ORDER BY at_millis, replica, counter LIMIT ? OFFSET ?
            """, [.integer(Int64(max(0, limit))), .integer(Int64(max(0, offset)))])
        return (try rows.map { try entry($0, sql) }, Int(total))
    }

    /// A quarantine row as the desk shows it, with the ops waiting for it.
    private static func entry(_ row: [SQLValue], _ sql: any SQLStatements) throws -> QuarantineEntry {
        guard let replica = row[0].text.flatMap(ReplicaID.init(validating:)), let counter = row[1].integer,
            let record = row[2].text
        else { throw ReplicaError.database("quarantine row damaged") }
        let dot = Dot(replica: replica, counter: UInt64(counter))
        let dependents = try sql.rows(
            "SELECT replica, counter, needs FROM op_waits WHERE record = ? ORDER BY counter", [.text(record)]
        ).compactMap { wait -> Dot? in
            let needs = (wait[2].text ?? "").split(separator: ",").map(String.init)
            guard
                needs.contains(where: {
                    Dot(text: $0).map { $0.replica == dot.replica && $0.counter >= dot.counter } ?? false
                }),
                let id = wait[0].text.flatMap(ReplicaID.init(validating:)), let waiting = wait[1].integer
            else { return nil }
            return Dot(replica: id, counter: UInt64(waiting))
        }
        let author = row[6].bytes.flatMap { try? Op(logged: $0) }?.author ?? "?"
        return QuarantineEntry(
            dot: dot, record: RecordID(record), reason: row[3].text ?? "", state: row[4].text ?? "",
            atMillis: row[5].integer ?? 0, author: author, dependents: dependents)
    }

    /// Settles the held op `dot` in the caller's write transaction: reads it and what the hub
    /// holds around it, asks `decide`, and carries out the settlement with its audit line.
    package static func settle(
        _ sql: any SQLStatements, engine: ApplyEngine, _ dot: Dot, author: String, nowMillis: Int64,
        decide: (HeldOp) throws(ReplicaError) -> SettlementDecision
    ) throws -> SettlementOutcome {
        let held = try held(sql, dot)
        let decision = try decide(held)
        func mark(_ state: String) throws {
            try sql.execute(
                "UPDATE quarantine SET state = ? WHERE replica = ? AND counter = ?",
                [.text(state), .text(dot.replica.value), .integer(Int64(dot.counter))])
            try ReplicaCore.insertAudit(decision.audit, into: sql)
        }
        switch decision.settlement {
        case .release:
            let report = try engine.integrate(
                in: sql, [held.op], nowMillis: nowMillis, admit: { _, _ in true },
                bookkeeping: { _ in
                    try mark("released")
                    return false
                })
            return SettlementOutcome(applied: report, compensation: nil)
        case .discardSilently:
            try mark("discarded")
            return SettlementOutcome(applied: nil, compensation: nil)
        case .compensate(let restoring, let cause, let addressed):
            let (_, ops) = try engine.write(in: sql, author: author, nowMillis: nowMillis) { changes in
                try changes.compensate(
                    held.op, restoring: restoring, cause: cause, target: addressed ? dot.replica : nil)
                try mark("discarded")
            }
            return SettlementOutcome(applied: nil, compensation: ops.first)
        }
    }

    /// The held op `dot` and what the hub holds around it, in the settling transaction.
    private static func held(_ sql: any SQLStatements, _ dot: Dot) throws -> HeldOp {
        let key: [SQLValue] = [.text(dot.replica.value), .integer(Int64(dot.counter))]
        guard
            let row = try sql.rows("SELECT body, state, reason FROM quarantine WHERE replica = ? AND counter = ?", key)
                .first
        else { throw ReplicaError.invalid(InputError(field: "id", "quarantine.none", ["dot": "\(dot)"])) }
        guard row[1].text == "held" else {
            let state = Catalogue.valueName(row[1].text ?? "", field: "quarantine_state")
            throw ReplicaError.invalid(
                InputError(field: "id", "quarantine.settled", ["dot": "\(dot)", "state": state]))
        }
        guard let body = row[0].bytes, let op = try? Op(logged: body) else {
            throw ReplicaError.database("quarantined op \(dot) is unreadable")
        }
        let forked = try sql.exists("SELECT 1 FROM logged_ops WHERE replica = ? AND counter = ?", key)
        var lookup = DatabaseRuleLookup(sql)
        var villages = RecordVillages(sql)
        let authorScope = try sql.value("SELECT scope FROM nodes WHERE replica = ?", [.text(dot.replica.value)])?
            .text.flatMap { try? ScopePrefix.parse($0, field: "scope") }
        return HeldOp(
            op: op, reason: row[2].text ?? "", forked: forked, record: try lookup.state(of: op.record),
            village: try villages.village(of: op.record.value), authorScope: authorScope)
    }
}
