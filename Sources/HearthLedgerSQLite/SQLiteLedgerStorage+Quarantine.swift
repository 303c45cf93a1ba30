import GRDB
import HearthCore
import HearthLedger
import HearthStore
import HearthText

/// Quarantine: the held ops listed for the desk, and each one settled in one transaction.
extension SQLiteLedgerStorage {
    public func quarantine(includeSettled: Bool) async throws(ReplicaError) -> [QuarantineEntry] {
        try await replica.readAsync { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM quarantine \(includeSettled ? "" : "WHERE state = 'held'")
                    ORDER BY at_millis, replica, counter
                    """)
            return try rows.map { row in try Self.entry(row, db) }
        }
    }

    public func quarantine(includeSettled: Bool, limit: Int, offset: Int) async throws(ReplicaError)
        -> (entries: [QuarantineEntry], total: Int)
    {
        try await replica.readAsync { db in
            // Both read by index (hub v8): quarantine_by_state for the held ones, quarantine_by_time for all.
            let filter = includeSettled ? "" : "WHERE state = 'held'"
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM quarantine \(filter)") ?? 0
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT * FROM quarantine \(filter) ORDER BY at_millis, replica, counter LIMIT ? OFFSET ?",
                arguments: [max(0, limit), max(0, offset)])
            return (try rows.map { row in try Self.entry(row, db) }, total)
        }
    }

    /// A quarantine row as the desk shows it, with the ops waiting for it.
    private static func entry(_ row: Row, _ db: Database) throws -> QuarantineEntry {
        guard let replica = ReplicaID(validating: row["replica"]) else {
            throw ReplicaError.database("quarantine row damaged")
        }
        let dot = Dot(replica: replica, counter: UInt64(row["counter"] as Int64))
        let dependents = try Row.fetchAll(
            db, sql: "SELECT replica, counter, needs FROM op_waits WHERE record = ? ORDER BY counter",
            arguments: [row["record"] as String]
        ).compactMap { wait -> Dot? in
            let needs = (wait["needs"] as String).split(separator: ",").map(String.init)
            guard
                needs.contains(where: {
                    Dot(text: $0).map { $0.replica == dot.replica && $0.counter >= dot.counter } ?? false
                }),
                let id = ReplicaID(validating: wait["replica"])
            else { return nil }
            return Dot(replica: id, counter: UInt64(wait["counter"] as Int64))
        }
        let author = (row["body"] as DatabaseValue).loggedOp?.author ?? "?"
        return QuarantineEntry(
            dot: dot, record: RecordID(row["record"]), reason: row["reason"], state: row["state"],
            atMillis: row["at_millis"], author: author, dependents: dependents)
    }

    public func settle(
        _ dot: Dot, author: String, nowMillis: Int64,
        decide: @escaping @Sendable (HeldOp) throws(ReplicaError) -> SettlementDecision
    ) async throws(ReplicaError) -> SettlementOutcome {
        let replica = self.replica
        return try await replica.writeAsync { db in
            let held = try Self.held(db, dot)
            let decision = try decide(held)
            func mark(_ state: String, _ db: Database) throws {
                try db.execute(
                    sql: "UPDATE quarantine SET state = ? WHERE replica = ? AND counter = ?",
                    arguments: [state, dot.replica.value, Int64(dot.counter)])
                try ReplicaCore.insertAudit(decision.audit, into: db)
            }
            switch decision.settlement {
            case .release:
                let report = try replica.integrate(
                    in: db, [held.op], nowMillis: nowMillis, admit: { _, _, _ in true },
                    bookkeeping: { db, _ in
                        try mark("released", db)
                        return false
                    })
                return SettlementOutcome(applied: report, compensation: nil)
            case .discardSilently:
                try mark("discarded", db)
                return SettlementOutcome(applied: nil, compensation: nil)
            case .compensate(let restoring, let cause, let addressed):
                let (_, ops) = try replica.write(in: db, author: author, nowMillis: nowMillis) { changes in
                    try changes.compensate(
                        held.op, restoring: restoring, cause: cause, target: addressed ? dot.replica : nil)
                    try mark("discarded", db)
                }
                return SettlementOutcome(applied: nil, compensation: ops.first)
            }
        }
    }

    /// The held op `dot` and what the hub holds around it, in the settling transaction.
    private static func held(_ db: Database, _ dot: Dot) throws -> HeldOp {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT body, state, reason FROM quarantine WHERE replica = ? AND counter = ?",
                arguments: [dot.replica.value, Int64(dot.counter)])
        else { throw ReplicaError.invalid(InputError(field: "id", "quarantine.none", ["dot": "\(dot)"])) }
        guard (row["state"] as String) == "held" else {
            let state = Catalogue.valueName(row["state"] as String, field: "quarantine_state")
            throw ReplicaError.invalid(
                InputError(field: "id", "quarantine.settled", ["dot": "\(dot)", "state": state]))
        }
        guard let op = (row["body"] as DatabaseValue).loggedOp else {
            throw ReplicaError.database("quarantined op \(dot) is unreadable")
        }
        let forked =
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM ops WHERE replica = ? AND counter = ?",
                arguments: [dot.replica.value, Int64(dot.counter)]) ?? 0 > 0
        var lookup = DatabaseRuleLookup(SQLiteStatements(db))
        var villages = RecordVillages(SQLiteStatements(db))
        let authorScope = try String.fetchOne(
            db, sql: "SELECT scope FROM nodes WHERE replica = ?", arguments: [dot.replica.value]
        ).flatMap { try? ScopePrefix.parse($0, field: "scope") }
        return HeldOp(
            op: op, reason: row["reason"], forked: forked, record: try lookup.state(of: op.record),
            village: try villages.village(of: op.record.value), authorScope: authorScope)
    }
}
