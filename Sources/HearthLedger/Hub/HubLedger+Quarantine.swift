import Foundation
import HearthCore
import HearthStore

/// The desk's quarantine: listing the held ops, and settling each one. The ledger decides
/// (``releaseDecision(_:author:nowMillis:)``, ``discardDecision(_:author:nowMillis:)``, pure
/// functions of the held op and what the hub holds around it); the storage reads and carries
/// out the decision in one transaction (``LedgerStorage/settle(_:author:nowMillis:decide:)``).
extension HubLedger {
    public func quarantine(includeSettled: Bool = false) async throws(ReplicaError) -> [QuarantineEntry] {
        try await storage.quarantine(includeSettled: includeSettled)
    }

    /// One page of the quarantine, oldest first, and how many ops it holds in all: the desk's
    /// page reads what it shows.
    public func quarantine(includeSettled: Bool, limit: Int, offset: Int) async throws(ReplicaError)
        -> (entries: [QuarantineEntry], total: Int)
    {
        try await storage.quarantine(includeSettled: includeSettled, limit: limit, offset: offset)
    }

    /// An administrator accepts a quarantined op after all: it is applied now, and the ops
    /// that waited for it are released. The release is audited (who, when, which op and why it
    /// was held) in the transaction that applies it.
    @discardableResult
    public func releaseQuarantined(_ dot: Dot, author: String, nowMillis: Int64, note: String? = nil)
        async throws(ReplicaError) -> ApplyReport
    {
        let outcome = try await storage.settle(dot, author: author, nowMillis: nowMillis) { held throws(ReplicaError) in
            try HubLedger.releaseDecision(held, author: author, nowMillis: nowMillis).noted(note)
        }
        return outcome.applied ?? ApplyReport()
    }

    /// An administrator confirms the refusal. The hub answers with a compensating op that
    /// voids the refused op and sets the fields it set back to the hub's values; it reaches
    /// the author at its next sync, and the ops that waited for the refused one apply.
    ///
    /// Refused while a field the op set is in conflict at the hub (settle it first: writing
    /// one value over a conflict would decide it silently), or while the op's own past is not
    /// all held here (its context must be covered, so voiding it hides nothing else).
    /// Returns the compensating op, or nil when none was needed (an op refused for
    /// jurisdiction on a record outside its author's scope).
    @discardableResult
    public func discardQuarantined(_ dot: Dot, author: String, nowMillis: Int64, note: String? = nil)
        async throws(ReplicaError) -> Op?
    {
        let county = info.scope
        let outcome = try await storage.settle(dot, author: author, nowMillis: nowMillis) { held throws(ReplicaError) in
            try HubLedger.discardDecision(held, county: county, author: author, nowMillis: nowMillis).noted(note)
        }
        return outcome.compensation
    }

    /// Whether a held op may be released, and its audit line.
    static func releaseDecision(_ held: HeldOp, author: String, nowMillis: Int64) throws(ReplicaError)
        -> SettlementDecision
    {
        let op = held.op
        let dot = op.dot
        guard !held.forked else {
            throw .invalid(InputError(field: "id", "quarantine.fork_release", ["dot": "\(dot)"]))
        }
        // Releasing applies the op as its writer made it: an op refused for jurisdiction
        // (a record outside the writer's area, a move it may not make) would then do exactly
        // what the hub refused. The county makes such a change itself, if it is wanted.
        guard !AdmissionRefusal.isJurisdiction(held.reason) else {
            throw .invalid(
                InputError(field: "id", "quarantine.jurisdiction", ["dot": "\(dot)"]))
        }
        let village = held.record?.resolution(of: "village").value.textValue
        // A move of a record the hub holds in no village (its creation held, or discarded, at
        // the desk) would be logged in the new village with a past no node there will ever get
        // (found by the simulation, seed 90195).
        if !op.createsRecord, op.fields["village"] != nil, village == nil {
            throw .invalid(
                InputError(field: "id", "quarantine.move_unplaced", ["dot": "\(dot)", "record": "\(op.record)"]))
        }
        // An edit made for a village the record has since left (R8) would be logged where the
        // record no longer is: the nodes holding it would never receive it, and those of the
        // village it left would hold it waiting (found by the simulation). Discard it instead.
        if !op.createsRecord, op.fields["village"] == nil, let village, village != op.scope.value {
            throw .invalid(
                InputError(
                    field: "id", "quarantine.moved_away",
                    ["dot": "\(dot)", "scope": op.scope.value, "record": "\(op.record)", "village": village]))
        }
        return SettlementDecision(
            .release,
            audit: AuditEvent(
                atMillis: nowMillis, worker: author, action: AuditEvent.Action.release, subject: op.record.value,
                field: dot.description, detail: "by \(op.author), held for: \(held.reason)"))
    }

    /// Whether a held op may be discarded, how, and its audit line.
    static func discardDecision(_ held: HeldOp, county: ScopePrefix, author: String, nowMillis: Int64)
        throws(ReplicaError) -> SettlementDecision
    {
        let refused = held.op
        let dot = refused.dot
        guard !held.forked else {
            throw .invalid(
                InputError(field: "id", "quarantine.fork_discard", ["dot": "\(dot)"]))
        }
        guard county.contains(refused.scope) else {
            throw .invalid(
                InputError(
                    field: "id", "quarantine.outside_county", ["dot": "\(dot)", "village": refused.scope.value]))
        }
        let audit = AuditEvent(
            atMillis: nowMillis, worker: author, action: AuditEvent.Action.discard, subject: refused.record.value,
            field: dot.description, detail: "by \(refused.author), held for: \(held.reason)")
        // A node that wrote to a record outside its area holds nothing of that record but its
        // own op, and no one else ever saw the op: there is nothing to bring in line, and the
        // hub sends the node nothing of the record. The refusal is settled without an op.
        if AdmissionRefusal.isJurisdiction(held.reason), !authorHolds(held) {
            return SettlementDecision(.discardSilently, audit: audit)
        }
        let current = held.record
        if let current {
            let missing = current.missingDependencies(of: refused)
            guard missing.isEmpty else {
                throw .invalid(
                    InputError(
                        field: "id", "quarantine.depends_on",
                        ["dot": "\(dot)", "missing": missing.map(\.description).joined(separator: ", ")]))
            }
        } else if !refused.createsRecord {
            throw .invalid(
                InputError(
                    field: "id", "quarantine.depends_on_record", ["dot": "\(dot)", "record": "\(refused.record)"]))
        }
        var restore: [String: FieldValue] = [:]
        for name in refused.fields.keys {
            let resolution = current?.resolution(of: name) ?? Resolution.resolve(Register(), policy: .lww)
            guard !resolution.inConflict else {
                throw .invalid(
                    InputError(
                        field: "id", "quarantine.field_in_conflict", ["record": "\(refused.record)", "field": name]))
            }
            restore[name] = resolution.value
        }
        // The author learns the hub's values only for a record in its own scope: a node that
        // wrote to another village's record gets nothing of it back.
        let village =
            current.flatMap { ChangeSet.text($0, "village") }.flatMap { try? DivisionCode.parse($0, field: "village") }
            ?? refused.scope
        let addressed = held.authorScope.map { $0.contains(village) } ?? false
        return SettlementDecision(
            .compensate(
                restoring: restore, cause: "compensates refused op \(dot): \(held.reason)", addressed: addressed),
            audit: audit)
    }

    /// Whether the refused op's author has the refused op's record in its scope, as the hub
    /// holds the record now (for a record the hub does not hold, whether the op made it there).
    static func authorHolds(_ held: HeldOp) -> Bool {
        guard let scope = held.authorScope else { return false }
        guard let village = held.village else {
            // A record the hub does not hold: the author holds it only if the op made it.
            return held.op.createsRecord && scope.contains(held.op.scope)
        }
        return scope.contains(village)
    }
}

extension SettlementDecision {
    /// The decision with the settler's reason (from the desk) after its audit line's detail.
    func noted(_ note: String?) -> SettlementDecision {
        guard let note = note?.trimmingCharacters(in: .whitespacesAndNewlines), !note.isEmpty else { return self }
        let audit = AuditEvent(
            atMillis: self.audit.atMillis, worker: self.audit.worker, action: self.audit.action,
            subject: self.audit.subject, field: self.audit.field, detail: "\(self.audit.detail); why: \(note)")
        return SettlementDecision(settlement, audit: audit)
    }
}
