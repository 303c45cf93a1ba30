import HearthCore
import HearthStore

extension HubLedger {
    /// Marks a rule case as reviewed; it stays closed while the same case id stands.
    public func acknowledgeCase(_ id: String, note: String, author: String, nowMillis: Int64) async throws(ReplicaError)
    {
        guard let found = try replica.ruleCase(id, nowMillis: nowMillis) else {
            throw .invalid(InputError(field: "id", reason: "no open rule case \(id)"))
        }
        _ = try await storage.edit(author: author, nowMillis: nowMillis) { edit in
            try edit.record(
                DecisionDraft(
                    kind: "acknowledgement", record: found.id, field: nil, rule: found.rule, choice: "reviewed",
                    note: note, op: ""))
        }
    }
}
