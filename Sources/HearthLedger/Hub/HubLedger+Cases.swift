import HearthCore
import HearthStore

extension HubLedger {
    /// Marks a rule case as reviewed; it stays closed while the same case id stands.
    public func acknowledgeCase(_ id: String, note: String, author: String, nowMillis: Int64) async throws(ReplicaError)
    {
        guard let found = try await reading({ replica in try replica.ruleCase(id, nowMillis: nowMillis) }) else {
            throw .invalid(InputError(field: "id", "case.no_open", ["id": id]))
        }
        _ = try await storage.edit(author: author, nowMillis: nowMillis) { edit in
            try edit.record(
                DecisionDraft(
                    kind: "acknowledgement", record: found.id, field: nil, rule: found.rule, choice: "reviewed",
                    note: note, op: ""))
        }
    }
}

extension HubLedger {
    /// The open rule cases of a rule (all when nil), within a village prefix (a reviewer's
    /// township), in the desk's order, a page at a time with the count of all that match.
    public func ruleCases(rule: String?, within: String?, limit: Int, offset: Int, nowMillis: Int64)
        async throws(ReplicaError) -> (cases: [RuleCase], total: Int)
    {
        let matching = try await reading { replica in try replica.ruleCases(nowMillis: nowMillis) }.filter { found in
            (rule.map { found.rule == $0 } ?? true) && (within.map { (found.village ?? "").hasPrefix($0) } ?? true)
        }
        return (Array(matching.dropFirst(max(0, offset)).prefix(max(0, limit))), matching.count)
    }

    /// Ends an enrollment of an open rule case (退出), as `hearth exit E --db hub.db` does, and
    /// keeps the desk's audit line. Refused unless the case is still open, the enrollment is one
    /// of its records or the payments it holds, and (for a reviewer) the case lies in `within`.
    public func exitForCase(
        _ id: String, enrollment: RecordID, reason: String, end: String, within: ScopePrefix?, audit: AuditEvent,
        nowMillis: Int64
    ) async throws(ReplicaError) {
        // Judged in the transaction that writes: the case must still be open when the exit is written.
        let info = info
        let keys = keys
        _ = try await storage.edit(author: audit.worker, nowMillis: nowMillis) { edit in
            let found = try edit.change { changes in
                try ReplicaTransaction(sql: changes.sql, info: info, keys: keys, role: HubApplyRole())
                    .ruleCase(id, nowMillis: nowMillis)
            }
            guard let found, within.map({ (found.village ?? "").hasPrefix($0.value) }) ?? true else {
                throw InputError(field: "id", "case.no_open", ["id": id])
            }
            guard enrollment.type == .enrollment, (found.records + found.holds).contains(enrollment) else {
                throw InputError(
                    field: "enrollment", "case.not_its_enrollment", ["enrollment": "\(enrollment)", "id": id])
            }
            try edit.change { changes in try changes.exitEnrollment(enrollment.value, reason: reason, end: end) }
            try edit.audit(audit)
        }
    }
}

extension HubLedger {
    /// Confirms or refutes a lead (问题线索) as the county, as ``HearthStore/ReplicaCore/decideLead(_:confirm:note:date:author:nowMillis:)``
    /// does on any replica, with `audit` (the desk's line) in the same transaction. Returns the
    /// enrollments it ended or resumed.
    public func decideLead(
        _ id: String, confirm: Bool, note: String, date: String?, author: String, nowMillis: Int64,
        audit: AuditEvent? = nil
    ) async throws(ReplicaError) -> [RecordID] {
        try await storage.edit(author: author, nowMillis: nowMillis) { edit in
            let changed = try edit.change { changes in
                try changes.decideLead(id, confirm: confirm, note: note, date: date)
            }
            if let audit { try edit.audit(audit) }
            return changed
        }.result
    }
}
