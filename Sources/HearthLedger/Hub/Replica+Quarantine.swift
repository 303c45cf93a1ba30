import GRDB
import HearthCore
import HearthStore

/// An op the hub refused, as the administrator sees it.
public struct QuarantineEntry: Sendable {
    public let dot: Dot
    public let record: RecordID?
    public let reason: String
    public let state: String
    public let atMillis: Int64
    public let author: String
    /// Ops that wait for this one ("depends on <dot>").
    public let dependents: [Dot]
}

extension HubLedger {
    public func quarantine(includeSettled: Bool = false) throws(ReplicaError) -> [QuarantineEntry] {
        try read { db in
            let rows = try Row.fetchAll(
                db,
                sql:
                    "SELECT * FROM quarantine \(includeSettled ? "" : "WHERE state = 'held'") ORDER BY at_millis, replica, counter"
            )
            return try rows.map { row in
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
        }
    }

    /// An administrator accepts a quarantined op after all: it is applied now, and the ops
    /// that waited for it are released. The release is audited (who, when, which op and why it
    /// was held) in the transaction that applies it.
    @discardableResult
    public func releaseQuarantined(_ dot: Dot, author: String, nowMillis: Int64) throws(ReplicaError) -> ApplyReport {
        let op = try heldOp(dot)
        let clash = try read { db in
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM ops WHERE replica = ? AND counter = ?",
                arguments: [dot.replica.value, Int64(dot.counter)]) ?? 0
        }
        guard clash == 0 else {
            throw .invalid(
                InputError(field: "id", reason: "\(dot) is a fork of an op already held; it cannot be released"))
        }
        let reason = try read { db in
            try String.fetchOne(
                db, sql: "SELECT reason FROM quarantine WHERE replica = ? AND counter = ?",
                arguments: [dot.replica.value, Int64(dot.counter)]) ?? ""
        }
        // Releasing applies the op as its writer made it: an op refused for jurisdiction
        // (a record outside the writer's area, a move it may not make) would then do exactly
        // what the hub refused. The county makes such a change itself, if it is wanted.
        guard !AdmissionRefusal.isJurisdiction(reason) else {
            throw .invalid(
                InputError(
                    field: "id",
                    reason: "\(dot) was refused for jurisdiction (R14): it cannot be released; discard it, "
                        + "and have the record's own village, its township or the county make the change"))
        }
        // A move of a record the hub holds in no village (its creation held, or discarded, at
        // the desk) would be logged in the new village with a past no node there will ever get
        // (found by the simulation, seed 90195).
        if !op.createsRecord, op.fields["village"] != nil,
            try replica.state(of: op.record)?.resolution(of: "village").value.textValue == nil
        {
            throw .invalid(
                InputError(
                    field: "id",
                    reason: "\(dot) moves \(op.record), which the hub holds in no village (its creation is held or "
                        + "was discarded): release the creation first, or discard this op"))
        }
        // An edit made for a village the record has since left (R8) would be logged where the
        // record no longer is: the nodes holding it would never receive it, and those of the
        // village it left would hold it waiting (found by the simulation). Discard it instead.
        if !op.createsRecord, op.fields["village"] == nil,
            let village = try replica.state(of: op.record)?.resolution(of: "village").value.textValue,
            village != op.scope.value
        {
            throw .invalid(
                InputError(
                    field: "id",
                    reason: "\(dot) was made for village \(op.scope.value), but \(op.record) is now in \(village): "
                        + "it cannot be released there; discard it, and make the change again in \(village)"))
        }
        return try replica.integrate([op], nowMillis: nowMillis) { db, _ in
            try db.execute(
                sql: "UPDATE quarantine SET state = 'released' WHERE replica = ? AND counter = ?",
                arguments: [dot.replica.value, Int64(dot.counter)])
            try Replica.insertAudit(
                AuditEvent(
                    atMillis: nowMillis, worker: author, action: AuditEvent.Action.release, subject: op.record.value,
                    field: dot.description, detail: "by \(op.author), held for: \(reason)"),
                into: db)
            return false
        }
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
    public func discardQuarantined(_ dot: Dot, author: String, nowMillis: Int64) throws(ReplicaError) -> Op? {
        let refused = try heldOp(dot)
        let reason = try read { db in
            try String.fetchOne(
                db, sql: "SELECT reason FROM quarantine WHERE replica = ? AND counter = ?",
                arguments: [dot.replica.value, Int64(dot.counter)]) ?? ""
        }
        let clash = try read { db in
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM ops WHERE replica = ? AND counter = ?",
                arguments: [dot.replica.value, Int64(dot.counter)]) ?? 0
        }
        guard clash == 0 else {
            throw .invalid(
                InputError(field: "id", reason: "\(dot) is a fork of an op the hub holds; the node must re-identify"))
        }
        guard info.scope.contains(refused.scope) else {
            throw .invalid(
                InputError(field: "id", reason: "\(dot) is for village \(refused.scope.value), outside this county"))
        }
        // A node that wrote to a record outside its area holds nothing of that record but its
        // own op, and no one else ever saw the op: there is nothing to bring in line, and the
        // hub sends the node nothing of the record. The refusal is settled without an op.
        let audited = AuditEvent(
            atMillis: nowMillis, worker: author, action: AuditEvent.Action.discard, subject: refused.record.value,
            field: dot.description, detail: "by \(refused.author), held for: \(reason)")
        if AdmissionRefusal.isJurisdiction(reason), try !authorHolds(refused) {
            try writeBookkeeping { db in
                try db.execute(
                    sql: "UPDATE quarantine SET state = 'discarded' WHERE replica = ? AND counter = ?",
                    arguments: [dot.replica.value, Int64(dot.counter)])
                try Replica.insertAudit(audited, into: db)
            }
            return nil
        }
        let (result, ops) = try write(author: author, nowMillis: nowMillis) { changes in
            let current = try changes.state(of: refused.record)
            if let current {
                let missing = current.missingDependencies(of: refused)
                guard missing.isEmpty else {
                    throw InputError(
                        field: "id",
                        reason:
                            "\(dot) depends on \(missing.map(\.description).joined(separator: ", ")), not held here yet"
                    )
                }
            } else if !refused.createsRecord {
                throw InputError(field: "id", reason: "\(dot) depends on ops on \(refused.record) not held here yet")
            }
            var restore: [String: FieldValue] = [:]
            for name in refused.fields.keys {
                let resolution = current?.resolution(of: name) ?? Resolution.resolve(Register(), policy: .lww)
                guard !resolution.inConflict else {
                    throw InputError(
                        field: "id",
                        reason: "\(refused.record) field \(name) is in conflict at the hub: resolve it first")
                }
                restore[name] = resolution.value
            }
            // The author learns the hub's values only for a record in its own scope: a node that
            // wrote to another village's record gets nothing of it back.
            let authorScope = try String.fetchOne(
                changes.database, sql: "SELECT scope FROM nodes WHERE replica = ?", arguments: [dot.replica.value]
            ).flatMap { try? ScopePrefix.parse($0, field: "scope") }
            let village =
                current.flatMap { ChangeSet.text($0, "village") }.flatMap {
                    try? DivisionCode.parse($0, field: "village")
                } ?? refused.scope
            let addressed = authorScope.map { $0.contains(village) } ?? false
            try changes.compensate(
                refused, restoring: restore, cause: "compensates refused op \(dot): \(reason)",
                target: addressed ? dot.replica : nil)
            try changes.database.execute(
                sql: "UPDATE quarantine SET state = 'discarded' WHERE replica = ? AND counter = ?",
                arguments: [dot.replica.value, Int64(dot.counter)])
            try Replica.insertAudit(audited, into: changes.database)
            return ()
        }
        _ = result
        return ops[0]
    }

    /// Whether the refused op's author has the refused op's record in its scope, as the hub
    /// holds the record now (for a record the hub does not hold, whether the op made it there).
    private func authorHolds(_ refused: Op) throws(ReplicaError) -> Bool {
        try read { db in
            guard
                let scope = try String.fetchOne(
                    db, sql: "SELECT scope FROM nodes WHERE replica = ?", arguments: [refused.dot.replica.value]
                ).flatMap({ try? ScopePrefix.parse($0, field: "scope") })
            else { return false }
            var villages = RecordVillages(db: db)
            guard let village = try villages.village(of: refused.record.value) else {
                // A record the hub does not hold: the author holds it only if the op made it.
                return refused.createsRecord && scope.contains(refused.scope)
            }
            return scope.contains(village)
        }
    }

    private func heldOp(_ dot: Dot) throws(ReplicaError) -> Op {
        let row = try read { db in
            try Row.fetchOne(
                db, sql: "SELECT body, state FROM quarantine WHERE replica = ? AND counter = ?",
                arguments: [dot.replica.value, Int64(dot.counter)])
        }
        guard let row else { throw .invalid(InputError(field: "id", reason: "no quarantined op \(dot)")) }
        guard (row["state"] as String) == "held" else {
            throw .invalid(InputError(field: "id", reason: "op \(dot) was already \(row["state"] as String)"))
        }
        guard let op = (row["body"] as DatabaseValue).loggedOp else {
            throw .database("quarantined op \(dot) is unreadable")
        }
        return op
    }
}
