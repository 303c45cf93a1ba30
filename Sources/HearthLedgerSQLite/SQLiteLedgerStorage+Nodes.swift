import GRDB
import HearthCore
import HearthLedger
import HearthStore
import HearthText

/// Enrollment tokens, registered nodes and request nonces in the hub's tables.
extension SQLiteLedgerStorage {
    public func addEnrollment(_ token: StoredEnrollment) async throws(ReplicaError) {
        try await replica.writeAsync { db in
            if try Int.fetchOne(db, sql: "SELECT count(*) FROM nodes WHERE name = ?", arguments: [token.name]) ?? 0
                > 0
            {
                throw ReplicaError.invalid(InputError(field: "name", "hub.node_exists", ["name": token.name]))
            }
            if try Int.fetchOne(
                db, sql: "SELECT count(*) FROM enrollment_tokens WHERE name = ? AND used_by IS NULL",
                arguments: [token.name]) ?? 0 > 0
            {
                throw ReplicaError.invalid(
                    InputError(field: "name", "hub.unused_token", ["name": token.name]))
            }
            try db.execute(
                sql: "INSERT INTO enrollment_tokens (secret_hash, name, scope, created_millis) VALUES (?, ?, ?, ?)",
                arguments: [token.secretHash, token.name, token.scope.value, token.createdMillis])
        }
    }

    public func register(_ registration: NodeRegistration) async throws(ReplicaError) -> NodeRecord {
        let hub = info.id
        let writer = info.writer
        return try await replica.writeAsync { db in
            let replica = registration.replica
            guard
                let token = try Row.fetchOne(
                    db, sql: "SELECT name, scope, used_by FROM enrollment_tokens WHERE secret_hash = ?",
                    arguments: [registration.secretHash])
            else {
                throw ReplicaError.refused(Catalogue.text("hub.unknown_token"))
            }
            if let used: String = token["used_by"] {
                // A repeated registration (the answer was lost) is answered again, but only for the
                // same replica and key, and never for a revoked node.
                guard used == replica.value,
                    let node = try Row.fetchOne(
                        db, sql: "SELECT public_key, revoked_millis FROM nodes WHERE replica = ?", arguments: [used]),
                    (node["public_key"] as String) == registration.publicKey, (node["revoked_millis"] as Int64?) == nil
                else { throw ReplicaError.refused(Catalogue.text("hub.token_used")) }
            } else {
                // Never the hub's id, nor an id the hub writes or wrote its ops under (a restored
                // hub's writers): a node registered under it could push ops under the hub's dots.
                let taken =
                    try Bool.fetchOne(
                        db, sql: "SELECT EXISTS (SELECT 1 FROM hub_restores WHERE retired_writer = ?1 OR writer = ?1)",
                        arguments: [replica.value]) ?? false
                guard replica != hub, replica != writer, !taken else {
                    throw ReplicaError.refused(Catalogue.text("hub.hub_replica_id"))
                }
                if try Int.fetchOne(db, sql: "SELECT count(*) FROM nodes WHERE replica = ?", arguments: [replica.value])
                    ?? 0 > 0
                {
                    throw ReplicaError.refused(Catalogue.text("hub.replica_registered", ["replica": "\(replica)"]))
                }
                try db.execute(
                    sql: """
                        INSERT INTO nodes (replica, name, public_key, scope, registered_millis) VALUES (?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        replica.value, token["name"] as String, registration.publicKey, token["scope"] as String,
                        registration.nowMillis,
                    ])
                try db.execute(
                    sql: "UPDATE enrollment_tokens SET used_by = ? WHERE secret_hash = ?",
                    arguments: [replica.value, registration.secretHash])
            }
            guard
                let row = try Row.fetchOne(db, sql: "SELECT * FROM nodes WHERE replica = ?", arguments: [replica.value])
            else { throw ReplicaError.database("node row missing after registration") }
            return try NodeRecord(row: row)
        }
    }

    public func nodes() async throws(ReplicaError) -> [NodeRecord] {
        try await replica.readAsync { db in
            try Row.fetchAll(db, sql: "SELECT * FROM nodes ORDER BY name").map(NodeRecord.init(row:))
        }
    }

    public func node(_ replica: ReplicaID) async throws(ReplicaError) -> NodeRecord? {
        try await self.replica.readAsync { db in
            try Row.fetchOne(db, sql: "SELECT * FROM nodes WHERE replica = ?", arguments: [replica.value]).map(
                NodeRecord.init(row:))
        }
    }

    public func revoke(name: String, atMillis: Int64) async throws(ReplicaError) -> Bool {
        try await replica.writeAsync { db in
            try db.execute(
                sql: "UPDATE nodes SET revoked_millis = coalesce(revoked_millis, ?) WHERE name = ?",
                arguments: [atMillis, name])
            return db.changesCount > 0
        }
    }

    public func setSnapshotWanted(_ replica: ReplicaID, _ wanted: Bool) async throws(ReplicaError) {
        try await self.replica.writeAsync { db in
            try db.execute(
                sql: "UPDATE nodes SET snapshot_wanted = ? WHERE replica = ? AND snapshot_wanted != ?",
                arguments: [wanted ? 1 : 0, replica.value, wanted ? 1 : 0])
        }
    }

    public func snapshotWanted(_ replica: ReplicaID) async throws(ReplicaError) -> Bool {
        try await self.replica.readAsync { db in
            try Bool.fetchOne(
                db, sql: "SELECT snapshot_wanted FROM nodes WHERE replica = ?", arguments: [replica.value])
                ?? false
        }
    }

    public func markForked(_ replica: ReplicaID, atMillis: Int64) async throws(ReplicaError) {
        try await self.replica.writeAsync { db in
            try db.execute(
                sql: "UPDATE nodes SET forked_millis = coalesce(forked_millis, ?) WHERE replica = ?",
                arguments: [atMillis, replica.value])
        }
    }

    public func recordNonce(
        _ nonce: String, from replica: ReplicaID, skewMillis: Int64, nowMillis: Int64, forgetBefore: Int64
    ) async throws(ReplicaError) -> Bool {
        try await self.replica.writeAsync { db in
            try db.execute(sql: "DELETE FROM nonces WHERE seen_millis < ?", arguments: [forgetBefore])
            try db.execute(
                sql: "INSERT INTO nonces (replica, nonce, seen_millis) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                arguments: [replica.value, nonce, nowMillis])
            guard db.changesCount > 0 else { return false }
            try db.execute(
                sql: "UPDATE nodes SET skew_millis = ? WHERE replica = ?", arguments: [skewMillis, replica.value])
            return true
        }
    }
}

extension NodeRecord {
    /// A row of the hub's `nodes` table.
    init(row: Row) throws {
        guard let replica = ReplicaID(validating: row["replica"]),
            let scope = try? ScopePrefix.parse(row["scope"], field: "scope")
        else { throw ReplicaError.database("a nodes row is damaged") }
        self.init(
            replica: replica, name: row["name"], publicKey: row["public_key"], scope: scope,
            registeredMillis: row["registered_millis"], revokedMillis: row["revoked_millis"],
            forkedMillis: row["forked_millis"], lastSyncMillis: row["last_sync_millis"],
            ackedCounter: UInt64(row["acked_counter"] as Int64), chainHead: row["chain_head"],
            pullCursor: row["pull_cursor"], skewMillis: row["skew_millis"])
    }
}
