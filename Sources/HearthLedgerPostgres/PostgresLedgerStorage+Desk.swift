import HearthCore
import HearthLedger
import HearthStore
import PostgresNIO

/// The county desk's accounts, sessions and login attempts on PostgreSQL, each change with its
/// audit line in the same transaction. Names are matched by their ASCII-folded key
/// (`name_key`), as SQLite's `COLLATE NOCASE` matches them.
extension PostgresLedgerStorage {
    typealias AccountRow = (String, String, String?, Int64, Int64, Int64?)
    static let accountColumns = "a.name, a.role, a.township, a.created_millis, a.password_millis, a.disabled_millis"

    public func addDeskAccount(_ account: DeskAccount, passwordHash: String, audit: AuditEvent)
        async throws(ReplicaError)
    {
        let logger = logger
        try await database.transaction { connection in
            let inserted = try await connection.run(
                """
                INSERT INTO desk_accounts (name, role, township, password_hash, created_millis, password_millis)
                VALUES (\(account.name), \(account.role.rawValue), \(account.township?.value), \(passwordHash),
                        \(account.createdMillis), \(account.passwordMillis))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger: logger)
            guard inserted == 1 else {
                throw ReplicaError.invalid(InputError(field: "name", "desk.account_exists", ["name": account.name]))
            }
            try await Self.insertAudit(audit, on: connection, logger: logger)
        }
    }

    public func deskAccounts() async throws(ReplicaError) -> [DeskAccount] {
        let logger = logger
        return try await database.connection { connection in
            try await connection.rows(
                PostgresQuery(unsafeSQL: "SELECT \(Self.accountColumns) FROM desk_accounts a ORDER BY a.name_key"),
                as: AccountRow.self, logger: logger
            ).map(DeskAccount.init(postgres:))
        }
    }

    public func deskAccount(named name: String) async throws(ReplicaError) -> StoredDeskAccount? {
        let logger = logger
        return try await database.connection { connection in
            var query = PostgresQuery(
                unsafeSQL: """
                    SELECT \(Self.accountColumns), a.password_hash FROM desk_accounts a
                    WHERE a.name_key = lower($1 COLLATE "C")
                    """)
            query.binds.append(name, context: .default)
            guard
                let (accountName, role, township, created, password, disabled, hash) = try await connection.row(
                    query, as: (String, String, String?, Int64, Int64, Int64?, String).self, logger: logger)
            else { return nil }
            return StoredDeskAccount(
                account: try DeskAccount(postgres: (accountName, role, township, created, password, disabled)),
                passwordHash: hash)
        }
    }

    public func disableDeskAccount(named name: String, atMillis: Int64, audit: AuditEvent) async throws(ReplicaError)
        -> Bool
    {
        let logger = logger
        return try await database.transaction { connection in
            let changed = try await connection.run(
                """
                UPDATE desk_accounts SET disabled_millis = coalesce(disabled_millis, \(atMillis))
                WHERE name_key = lower(\(name) COLLATE "C") RETURNING 1
                """, logger: logger)
            guard changed > 0 else { return false }
            try await connection.run(
                "DELETE FROM desk_sessions WHERE account_key = lower(\(name) COLLATE \"C\")", logger: logger)
            try await Self.insertAudit(audit, on: connection, logger: logger)
            return true
        }
    }

    public func setDeskPassword(named name: String, passwordHash: String, atMillis: Int64, audit: AuditEvent)
        async throws(ReplicaError) -> Bool
    {
        let logger = logger
        return try await database.transaction { connection in
            let changed = try await connection.run(
                """
                UPDATE desk_accounts SET password_hash = \(passwordHash), password_millis = \(atMillis)
                WHERE name_key = lower(\(name) COLLATE "C") RETURNING 1
                """, logger: logger)
            guard changed > 0 else { return false }
            try await connection.run(
                "DELETE FROM desk_sessions WHERE account_key = lower(\(name) COLLATE \"C\")", logger: logger)
            try await Self.insertAudit(audit, on: connection, logger: logger)
            return true
        }
    }

    public func openDeskSession(
        idHash: String, account name: String, limits: DeskSessionLimits, address: String, audit: AuditEvent
    ) async throws(ReplicaError) {
        let logger = logger
        try await database.transaction { connection in
            // Ended sessions are forgotten as new ones begin: the table holds about the live ones.
            try await connection.run(
                """
                DELETE FROM desk_sessions
                WHERE last_seen_millis < \(limits.idleSince) OR created_millis < \(limits.begunSince)
                """, logger: logger)
            try await connection.run(
                """
                INSERT INTO desk_sessions (id_hash, account_key, created_millis, last_seen_millis, address)
                VALUES (\(idHash), lower(\(name) COLLATE "C"), \(limits.nowMillis), \(limits.nowMillis), \(address))
                """, logger: logger)
            try await Self.insertAudit(audit, on: connection, logger: logger)
        }
    }

    public func deskSession(idHash: String, limits: DeskSessionLimits) async throws(ReplicaError) -> DeskSession? {
        let logger = logger
        let found: DeskSession? = try await database.connection { connection in
            var query = PostgresQuery(
                unsafeSQL: """
                    SELECT \(Self.accountColumns), s.created_millis, s.last_seen_millis
                    FROM desk_sessions s JOIN desk_accounts a ON a.name_key = s.account_key WHERE s.id_hash = $1
                    """)
            query.binds.append(idHash, context: .default)
            guard
                let (name, role, township, created, password, disabled, begun, seen) = try await connection.row(
                    query, as: (String, String, String?, Int64, Int64, Int64?, Int64, Int64).self, logger: logger)
            else { return nil }
            return DeskSession(
                idHash: idHash, account: try DeskAccount(postgres: (name, role, township, created, password, disabled)),
                createdMillis: begun, lastSeenMillis: seen)
        }
        guard let found else { return nil }
        let alive =
            found.lastSeenMillis >= limits.idleSince && found.createdMillis >= limits.begunSince
            && found.account.disabledMillis == nil
        guard alive else {
            try await database.transaction { connection in
                try await connection.run("DELETE FROM desk_sessions WHERE id_hash = \(idHash)", logger: logger)
            }
            return nil
        }
        // Marked used at most once a minute: the idle time is measured to the minute.
        guard limits.nowMillis - found.lastSeenMillis >= 60_000 else { return found }
        try await database.transaction { connection in
            try await connection.run(
                """
                UPDATE desk_sessions SET last_seen_millis = greatest(last_seen_millis, \(limits.nowMillis))
                WHERE id_hash = \(idHash)
                """, logger: logger)
        }
        return DeskSession(
            idHash: idHash, account: found.account, createdMillis: found.createdMillis,
            lastSeenMillis: limits.nowMillis)
    }

    public func closeDeskSession(idHash: String, audit: AuditEvent) async throws(ReplicaError) {
        let logger = logger
        try await database.transaction { connection in
            let ended = try await connection.run(
                "DELETE FROM desk_sessions WHERE id_hash = \(idHash) RETURNING 1", logger: logger)
            if ended > 0 { try await Self.insertAudit(audit, on: connection, logger: logger) }
        }
    }

    public func closeDeskSessions(of name: String, audit: AuditEvent) async throws(ReplicaError) -> Int? {
        let logger = logger
        return try await database.transaction { connection in
            guard
                try await connection.row(
                    "SELECT 1 FROM desk_accounts WHERE name_key = lower(\(name) COLLATE \"C\")", as: Int.self,
                    logger: logger) != nil
            else { return nil }
            let ended = try await connection.run(
                "DELETE FROM desk_sessions WHERE account_key = lower(\(name) COLLATE \"C\") RETURNING 1",
                logger: logger)
            try await Self.insertAudit(audit, on: connection, logger: logger)
            return ended
        }
    }

    public func recordDeskLogin(_ attempt: DeskLoginAttempt, forgetBefore: Int64) async throws(ReplicaError) {
        let logger = logger
        try await database.transaction { connection in
            try await connection.run(
                "DELETE FROM desk_login_attempts WHERE at_millis < \(forgetBefore)", logger: logger)
            try await connection.run(
                """
                INSERT INTO desk_login_attempts (account_key, address, at_millis, succeeded)
                VALUES (lower(\(attempt.account) COLLATE "C"), \(attempt.address), \(attempt.atMillis),
                        \(attempt.succeeded))
                """, logger: logger)
        }
    }

    public func deskLoginFailures(account: String, address: String, since: Int64, limit: Int)
        async throws(ReplicaError) -> DeskLoginFailures
    {
        let logger = logger
        return try await database.transaction { connection in
            // One row, whose value is NULL when the account never logged in.
            let found: Int64?? = try await connection.row(
                """
                SELECT max(at_millis) FROM desk_login_attempts
                WHERE account_key = lower(\(account) COLLATE "C") AND succeeded
                """, as: Int64?.self, logger: logger)
            let lastSuccess: Int64
            if case .some(.some(let millis)) = found { lastSuccess = millis } else { lastSuccess = .min }
            let byAccount = try await connection.rows(
                """
                SELECT at_millis FROM desk_login_attempts
                WHERE account_key = lower(\(account) COLLATE "C") AND NOT succeeded AND at_millis >= \(since)
                  AND at_millis > \(lastSuccess)
                ORDER BY at_millis DESC LIMIT \(limit)
                """, as: Int64.self, logger: logger)
            let byAddress = try await connection.rows(
                """
                SELECT at_millis FROM desk_login_attempts
                WHERE address = \(address) AND NOT succeeded AND at_millis >= \(since)
                ORDER BY at_millis DESC LIMIT \(limit)
                """, as: Int64.self, logger: logger)
            return DeskLoginFailures(account: byAccount, address: byAddress)
        }
    }
}

extension DeskAccount {
    /// A row of the hub's `desk_accounts` table on PostgreSQL.
    init(postgres row: PostgresLedgerStorage.AccountRow) throws {
        let (name, roleText, townshipText, created, password, disabled) = row
        guard let role = DeskRole(rawValue: roleText) else {
            throw ReplicaError.database("a desk_accounts row is damaged (role)")
        }
        var township: ScopePrefix?
        if let townshipText {
            guard let parsed = try? ScopePrefix.parse(townshipText, field: "township") else {
                throw ReplicaError.database("a desk_accounts row is damaged (township)")
            }
            township = parsed
        }
        self.init(
            name: name, role: role, township: township, createdMillis: created, passwordMillis: password,
            disabledMillis: disabled)
    }
}
