import GRDB
import HearthCore
import HearthStore

extension HubLedger {
    /// Marks a rule case as reviewed; it stays closed while the same case id stands.
    public func acknowledgeCase(_ id: String, note: String, author: String, nowMillis: Int64) throws(ReplicaError) {
        guard let found = try replica.ruleCases(nowMillis: nowMillis).first(where: { $0.id == id }) else {
            throw .invalid(InputError(field: "id", reason: "no open rule case \(id)"))
        }
        try writeBookkeeping { db in
            try db.execute(
                sql: """
                    INSERT INTO decisions (at_millis, worker, kind, record, field, rule, rule_set, choice, note, op)
                    VALUES (?, ?, 'acknowledgement', ?, NULL, ?, ?, 'reviewed', ?, '')
                    """,
                arguments: [nowMillis, author, found.id, found.rule, ConflictRules.ruleSetVersion, note])
        }
    }
}
