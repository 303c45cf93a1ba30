import HearthCore
import HearthLedger
import HearthStore
import HearthText
import PostgresNIO

/// Enrollment tokens, registered nodes and request nonces on PostgreSQL.
///
/// A token is checked and used, and a name checked free, under one advisory lock held to the
/// end of the transaction, so two hub processes registering at once see each other's rows;
/// a nonce is kept by its primary key, so it is accepted once whichever process sees it.
extension PostgresLedgerStorage {
    /// The advisory lock that orders changes to tokens and registrations.
    static let registrationLock: Int64 = 0x4845_4152_5448_0002

    /// The columns of `nodes`, in the order ``NodeRecord/init(postgres:)`` reads them.
    static let nodeColumns: PostgresQuery = """
        SELECT replica, name, public_key, scope, registered_millis, revoked_millis, forked_millis,
               last_sync_millis, acked_counter, chain_head, pull_cursor, skew_millis FROM nodes
        """

    typealias NodeRow = (
        String, String, String, String, Int64, Int64?, Int64?, Int64?, Int64, String, Int64, Int64?
    )
    static let nodeRow = NodeRow.self

    public func addEnrollment(_ token: StoredEnrollment) async throws(ReplicaError) {
        let logger = logger
        try await database.transaction { connection in
            try await connection.run("SELECT pg_advisory_xact_lock(\(Self.registrationLock))", logger: logger)
            if try await connection.row("SELECT 1 FROM nodes WHERE name = \(token.name)", as: Int.self, logger: logger)
                != nil
            {
                throw ReplicaError.invalid(InputError(field: "name", "hub.node_exists", ["name": token.name]))
            }
            if try await connection.row(
                "SELECT 1 FROM enrollment_tokens WHERE name = \(token.name) AND used_by IS NULL", as: Int.self,
                logger: logger) != nil
            {
                throw ReplicaError.invalid(InputError(field: "name", "hub.unused_token", ["name": token.name]))
            }
            let inserted = try await connection.run(
                """
                INSERT INTO enrollment_tokens (secret_hash, name, scope, created_millis)
                VALUES (\(token.secretHash), \(token.name), \(token.scope.value), \(token.createdMillis))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger: logger)
            // Two tokens whose secrets hash alike: the secret is 32 random bytes, so only a
            // token stored twice gets here.
            guard inserted == 1 else {
                throw ReplicaError.invalid(InputError(field: "name", "hub.unused_token", ["name": token.name]))
            }
        }
    }

    public func register(_ registration: NodeRegistration) async throws(ReplicaError) -> NodeRecord {
        let hub = info.id
        let writer = info.writer
        let logger = logger
        return try await database.transaction { connection in
            try await connection.run("SELECT pg_advisory_xact_lock(\(Self.registrationLock))", logger: logger)
            let replica = registration.replica
            guard
                let (name, scope, usedBy) = try await connection.row(
                    "SELECT name, scope, used_by FROM enrollment_tokens WHERE secret_hash = \(registration.secretHash)",
                    as: (String, String, String?).self, logger: logger)
            else { throw ReplicaError.refused(Catalogue.text("hub.unknown_token")) }
            if let usedBy {
                // A repeated registration (the answer was lost) is answered again, but only for the
                // same replica and key, and never for a revoked node.
                guard usedBy == replica.value,
                    let (publicKey, revoked) = try await connection.row(
                        "SELECT public_key, revoked_millis FROM nodes WHERE replica = \(usedBy)",
                        as: (String, Int64?).self, logger: logger),
                    publicKey == registration.publicKey, revoked == nil
                else { throw ReplicaError.refused(Catalogue.text("hub.token_used")) }
            } else {
                // Never the hub's id, nor an id the hub writes or wrote its ops under.
                let taken =
                    try await connection.row(
                        """
                        SELECT 1 FROM hub_restores WHERE retired_writer = \(replica.value) OR writer = \(replica.value)
                        LIMIT 1
                        """, as: Int.self, logger: logger) != nil
                guard replica != hub, replica != writer, !taken else {
                    throw ReplicaError.refused(Catalogue.text("hub.hub_replica_id"))
                }
                if try await connection.row(
                    "SELECT 1 FROM nodes WHERE replica = \(replica.value)", as: Int.self, logger: logger) != nil
                {
                    throw ReplicaError.refused(Catalogue.text("hub.replica_registered", ["replica": "\(replica)"]))
                }
                try await connection.run(
                    """
                    INSERT INTO nodes (replica, name, public_key, scope, registered_millis)
                    VALUES (\(replica.value), \(name), \(registration.publicKey), \(scope), \(registration.nowMillis))
                    """, logger: logger)
                try await connection.run(
                    """
                    UPDATE enrollment_tokens SET used_by = \(replica.value)
                    WHERE secret_hash = \(registration.secretHash)
                    """, logger: logger)
            }
            var query = Self.nodeColumns
            query.sql += " WHERE replica = $1"
            query.binds.append(replica.value, context: .default)
            guard let row = try await connection.row(query, as: Self.nodeRow, logger: logger) else {
                throw ReplicaError.database("node row missing after registration")
            }
            return try NodeRecord(postgres: row)
        }
    }

    public func nodes() async throws(ReplicaError) -> [NodeRecord] {
        let logger = logger
        return try await database.connection { connection in
            var query = Self.nodeColumns
            query.sql += " ORDER BY name"
            return try await connection.rows(query, as: Self.nodeRow, logger: logger).map(NodeRecord.init(postgres:))
        }
    }

    public func node(_ replica: ReplicaID) async throws(ReplicaError) -> NodeRecord? {
        let logger = logger
        return try await database.connection { connection in
            var query = Self.nodeColumns
            query.sql += " WHERE replica = $1"
            query.binds.append(replica.value, context: .default)
            return try await connection.row(query, as: Self.nodeRow, logger: logger).map(NodeRecord.init(postgres:))
        }
    }

    public func revoke(name: String, atMillis: Int64) async throws(ReplicaError) -> Bool {
        let logger = logger
        return try await database.transaction { connection in
            try await connection.run(
                """
                UPDATE nodes SET revoked_millis = coalesce(revoked_millis, \(atMillis)) WHERE name = \(name)
                RETURNING 1
                """, logger: logger) > 0
        }
    }

    public func setSnapshotWanted(_ replica: ReplicaID, _ wanted: Bool) async throws(ReplicaError) {
        let logger = logger
        let flag: Int64 = wanted ? 1 : 0
        try await database.transaction { connection in
            try await connection.run(
                """
                UPDATE nodes SET snapshot_wanted = \(flag) WHERE replica = \(replica.value) AND snapshot_wanted != \(flag)
                """, logger: logger)
        }
    }

    public func snapshotWanted(_ replica: ReplicaID) async throws(ReplicaError) -> Bool {
        let logger = logger
        let flag: Int64? = try await database.transaction { connection in
            try await connection.row(
                "SELECT snapshot_wanted FROM nodes WHERE replica = \(replica.value)", as: Int64.self, logger: logger)
        }
        return flag == 1
    }

    public func markForked(_ replica: ReplicaID, atMillis: Int64) async throws(ReplicaError) {
        let logger = logger
        try await database.transaction { connection in
            try await connection.run(
                """
                UPDATE nodes SET forked_millis = coalesce(forked_millis, \(atMillis)) WHERE replica = \(replica.value)
                """, logger: logger)
        }
    }

    public func recordNonce(
        _ nonce: String, from replica: ReplicaID, skewMillis: Int64, nowMillis: Int64, forgetBefore: Int64
    ) async throws(ReplicaError) -> Bool {
        let logger = logger
        return try await database.transaction { connection in
            try await connection.run("DELETE FROM nonces WHERE seen_millis < \(forgetBefore)", logger: logger)
            // The primary key decides between two processes: the second insert waits for the
            // first's commit and then does nothing.
            let kept = try await connection.run(
                """
                INSERT INTO nonces (replica, nonce, seen_millis) VALUES (\(replica.value), \(nonce), \(nowMillis))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger: logger)
            guard kept == 1 else { return false }
            try await connection.run(
                "UPDATE nodes SET skew_millis = \(skewMillis) WHERE replica = \(replica.value)", logger: logger)
            return true
        }
    }
}

extension NodeRecord {
    /// A row of the hub's `nodes` table on PostgreSQL (``PostgresLedgerStorage/nodeColumns``).
    init(postgres row: PostgresLedgerStorage.NodeRow) throws {
        let (replica, name, publicKey, scope, registered, revoked, forked, lastSync, acked, head, cursor, skew) = row
        guard let id = ReplicaID(validating: replica), let scope = try? ScopePrefix.parse(scope, field: "scope"),
            acked >= 0
        else { throw ReplicaError.database("a nodes row is damaged") }
        self.init(
            replica: id, name: name, publicKey: publicKey, scope: scope, registeredMillis: registered,
            revokedMillis: revoked, forkedMillis: forked, lastSyncMillis: lastSync, ackedCounter: UInt64(acked),
            chainHead: head, pullCursor: cursor, skewMillis: skew)
    }
}
