import Foundation
import GRDB
import HearthCore
import HearthText

/// What re-identifying a replica did.
public struct ReidentifyOutcome: Sendable {
    public let oldID: ReplicaID
    public let newID: ReplicaID
    /// Ops the hub never acknowledged, made again under the new id.
    public let reissued: Int
    /// Records those ops created, under their new ids.
    public let renamed: [RecordID: RecordID]
}

extension Replica {
    /// Gives a forked or restored replica a new identity so it can sync again.
    ///
    /// A copied database shares its replica id and counters with the original, so the two
    /// would write different ops under the same dots. The hub refuses that as a fork. This
    /// gives the replica a new id and signing key; its ops the hub acknowledged stay as they
    /// are (they are the hub's history), and the ones it never acknowledged are taken out of
    /// the log, the state is rebuilt from the remaining log, and the same changes are made
    /// again under the new id (records they created get new ids, and references to them are
    /// rewritten). Nothing the field worker entered is lost. The old key file is kept beside
    /// the new one, renamed.
    public static func reidentify(
        path: String, keyPath: String? = nil, environment: [String: String] = [:], nowMillis: Int64,
        newID chosen: ReplicaID? = nil
    ) throws(ReplicaError) -> ReidentifyOutcome {
        // A node's opener: the county hub's database is refused there (a hub keeps its identity).
        let old = try Replica.open(path: path, keyPath: keyPath, environment: environment)
        let keyFile = keyPath ?? KeyFile.defaultPath(forDatabase: path)
        guard environment["HEARTH_KEY"] == nil else {
            throw .refused(Catalogue.text("node.reidentify_key_env"))
        }
        let newKeys = old.keys.withNewSigningKey()
        var generator = SystemRandomNumberGenerator()
        let newID = chosen ?? ReplicaID.random(using: &generator)
        let newInfo = ReplicaInfo(
            id: newID, name: old.info.name, scope: old.info.scope, role: .node, publicKey: newKeys.publicKeyBase64)
        let outcome: ReidentifyOutcome
        do {
            outcome = try old.pool.write { db in
                let acked = try Int64.fetchOne(db, sql: "SELECT acked_counter FROM replica") ?? 0
                let unsynced = try Row.fetchAll(
                    db, sql: "SELECT body FROM ops WHERE replica = ? AND counter > ? ORDER BY counter",
                    arguments: [old.info.id.value, acked]
                ).map { row in
                    guard let op = (row[0] as DatabaseValue).loggedOp else {
                        throw ReplicaError.database(Catalogue.text("sync.op_unreadable"))
                    }
                    return op
                }
                // Rebuild the state from the log without the unacknowledged ops.
                let kept = try Row.fetchAll(
                    db, sql: "SELECT body FROM ops WHERE NOT (replica = ? AND counter > ?) ORDER BY seq",
                    arguments: [old.info.id.value, acked]
                ).map { row in
                    guard let op = (row[0] as DatabaseValue).loggedOp else {
                        throw ReplicaError.database(Catalogue.text("sync.op_unreadable"))
                    }
                    return op
                }
                for table in RecordType.allCases.map(\.table) + [
                    "record_meta", "op_waits", "replica_clock", "ops", "own_evicted", "ack_notes",
                ] {
                    try db.execute(sql: "DELETE FROM \(table)")
                }
                // Records installed from a snapshot start again from what was installed (their
                // floors, which never hold this node's unacknowledged ops): the log holds none
                // of the ops under them. The logged ops go first, so each stays in the log;
                // those a floor holds are then counted as held.
                var floors: [RecordState] = []
                for row in try Row.fetchAll(db, sql: "SELECT id, state FROM snapshot_floors ORDER BY id") {
                    guard let id = RecordID(row[0] as String) else {
                        throw ReplicaError.database("a record installed from a snapshot has an unreadable id")
                    }
                    floors.append(try StoredState.decode(id, SQLValue(row[1] as DatabaseValue)))
                }
                var applier = try Applier(sql: SQLiteStatements(db), nowMillis: nowMillis)
                applier.usesFloors = true
                for op in kept { try applier.integrate(op) }
                for floor in floors { try applier.install(floor) }
                try applier.flush()
                try db.execute(
                    sql: "UPDATE replica SET id = ?, public_key = ?, counter = 0, chain_head = '', acked_counter = 0",
                    arguments: [newID.value, newKeys.publicKeyBase64])
                // Pull the scope again from the start: while this database had the old id, the hub
                // left that id's ops out of its pulls as the node's own, but a copy of the database
                // made some of them, and they are not here (found by the simulation). Ops already
                // held arrive as duplicates and change nothing.
                try db.execute(
                    sql: "UPDATE sync_state SET registration = NULL, notes = NULL, pull_cursor = 0 WHERE id = 1")
                // Make the unacknowledged changes again under the new id.
                var changes = try ChangeSet(
                    sql: SQLiteStatements(db), info: newInfo, author: "reidentify", nowMillis: nowMillis, cache: nil,
                    tracksScopeEntries: false)
                var renamed: [RecordID: RecordID] = [:]
                for op in unsynced {
                    var fields = op.fields
                    for (name, value) in fields {
                        if case .text(let text) = value, let id = RecordID(text), let mapped = renamed[id] {
                            fields[name] = .text(mapped.value)
                        }
                    }
                    if op.createsRecord {
                        fields.removeValue(forKey: "village")
                        let created = try changes.reissueCreate(op, fields: fields)
                        renamed[op.record] = created
                    } else {
                        try changes.reissueUpdate(op, record: renamed[op.record] ?? op.record, fields: fields)
                    }
                }
                _ = try changes.finish()
                return ReidentifyOutcome(oldID: old.info.id, newID: newID, reissued: unsynced.count, renamed: renamed)
            }
        } catch let error as ReplicaError { throw error } catch {
            throw .database(String(describing: error))
        }
        // The database now belongs to the new identity: swap the key files (old kept, renamed).
        let retired = keyFile + ".forked-\(outcome.oldID.value)"
        do {
            try FileManager.default.moveItem(atPath: keyFile, toPath: retired)
        } catch {
            throw .database(Catalogue.text("node.reidentify_key_move", ["error": "\(error)"]))
        }
        do { try KeyFile.create(newKeys, at: keyFile) } catch { throw .key(error) }
        return outcome
    }
}

extension ChangeSet {
    /// Re-issues a creating op under this replica's identity, keeping its author and cause.
    package mutating func reissueCreate(_ op: Op, fields: [String: FieldValue]) throws -> RecordID {
        author = op.author
        return try create(op.record.type, village: op.scope, fields: fields, cause: op.cause ?? "re-issued \(op.dot)")
    }

    /// Re-issues a change under the village the original was logged under: for a move that
    /// is the village the record enters, so the hub sends the record's history there (logged
    /// under the village it left, the move would reach neither side whole; found by the
    /// simulation).
    package mutating func reissueUpdate(_ op: Op, record: RecordID, fields: [String: FieldValue]) throws {
        author = op.author
        try update(record, fields: fields, loggedUnder: op.scope, cause: op.cause ?? "re-issued \(op.dot)")
    }
}
