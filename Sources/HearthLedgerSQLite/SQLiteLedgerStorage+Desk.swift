import GRDB
import HearthCore
import HearthLedger
import HearthStore

/// The county desk's accounts, sessions and login attempts in the hub's tables (hub v6), each
/// change with its audit line in the same transaction.
extension SQLiteLedgerStorage {
    public func addDeskAccount(_ account: DeskAccount, passwordHash: String, audit: AuditEvent)
        async throws(ReplicaError)
    {
        try await replica.writeAsync { db in
            if try Int.fetchOne(db, sql: "SELECT count(*) FROM desk_accounts WHERE name = ?", arguments: [account.name])
                ?? 0 > 0
            {
                throw ReplicaError.invalid(InputError(field: "name", "desk.account_exists", ["name": account.name]))
            }
            try db.execute(
                sql: """
                    INSERT INTO desk_accounts (name, role, township, password_hash, created_millis, password_millis)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    account.name, account.role.rawValue, account.township?.value, passwordHash, account.createdMillis,
                    account.passwordMillis,
                ])
            try ReplicaCore.insertAudit(audit, into: db)
        }
    }

    public func deskAccounts() async throws(ReplicaError) -> [DeskAccount] {
        try await replica.readAsync { db in
            try Row.fetchAll(db, sql: "SELECT * FROM desk_accounts ORDER BY name").map(DeskAccount.init(row:))
        }
    }

    public func deskAccount(named name: String) async throws(ReplicaError) -> StoredDeskAccount? {
        try await replica.readAsync { db in
            try Row.fetchOne(db, sql: "SELECT * FROM desk_accounts WHERE name = ?", arguments: [name]).map { row in
                StoredDeskAccount(account: try DeskAccount(row: row), passwordHash: row["password_hash"])
            }
        }
    }

    public func disableDeskAccount(named name: String, atMillis: Int64, audit: AuditEvent) async throws(ReplicaError)
        -> Bool
    {
        try await replica.writeAsync { db in
            try db.execute(
                sql: "UPDATE desk_accounts SET disabled_millis = coalesce(disabled_millis, ?) WHERE name = ?",
                arguments: [atMillis, name])
            guard db.changesCount > 0 else { return false }
            try db.execute(sql: "DELETE FROM desk_sessions WHERE account = ?", arguments: [name])
            try ReplicaCore.insertAudit(audit, into: db)
            return true
        }
    }

    public func setDeskPassword(named name: String, passwordHash: String, atMillis: Int64, audit: AuditEvent)
        async throws(ReplicaError) -> Bool
    {
        try await replica.writeAsync { db in
            try db.execute(
                sql: "UPDATE desk_accounts SET password_hash = ?, password_millis = ? WHERE name = ?",
                arguments: [passwordHash, atMillis, name])
            guard db.changesCount > 0 else { return false }
            try db.execute(sql: "DELETE FROM desk_sessions WHERE account = ?", arguments: [name])
            try ReplicaCore.insertAudit(audit, into: db)
            return true
        }
    }

    public func openDeskSession(
        idHash: String, account name: String, limits: DeskSessionLimits, address: String, audit: AuditEvent
    ) async throws(ReplicaError) {
        try await replica.writeAsync { db in
            // Ended sessions are forgotten as new ones begin: the table holds about the live ones.
            try db.execute(
                sql: "DELETE FROM desk_sessions WHERE last_seen_millis < ? OR created_millis < ?",
                arguments: [limits.idleSince, limits.begunSince])
            try db.execute(
                sql: """
                    INSERT INTO desk_sessions (id_hash, account, created_millis, last_seen_millis, address)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [idHash, name, limits.nowMillis, limits.nowMillis, address])
            try ReplicaCore.insertAudit(audit, into: db)
        }
    }

    public func deskSession(idHash: String, limits: DeskSessionLimits) async throws(ReplicaError) -> DeskSession? {
        let found = try await replica.readAsync { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT s.created_millis AS session_created, s.last_seen_millis, a.*
                    FROM desk_sessions s JOIN desk_accounts a ON a.name = s.account WHERE s.id_hash = ?
                    """,
                arguments: [idHash]
            ).map { row in
                DeskSession(
                    idHash: idHash, account: try DeskAccount(row: row), createdMillis: row["session_created"],
                    lastSeenMillis: row["last_seen_millis"])
            }
        }
        guard let found else { return nil }
        let alive =
            found.lastSeenMillis >= limits.idleSince && found.createdMillis >= limits.begunSince
            && found.account.disabledMillis == nil
        guard alive else {
            try await replica.writeAsync { db in
                try db.execute(sql: "DELETE FROM desk_sessions WHERE id_hash = ?", arguments: [idHash])
            }
            return nil
        }
        // Marked used at most once a minute: the idle time is measured to the minute, and most
        // page views then take no write lock (which a long push may hold).
        guard limits.nowMillis - found.lastSeenMillis >= 60_000 else { return found }
        try await replica.writeAsync { db in
            try db.execute(
                sql: "UPDATE desk_sessions SET last_seen_millis = max(last_seen_millis, ?) WHERE id_hash = ?",
                arguments: [limits.nowMillis, idHash])
        }
        return DeskSession(
            idHash: idHash, account: found.account, createdMillis: found.createdMillis,
            lastSeenMillis: limits.nowMillis)
    }

    public func closeDeskSession(idHash: String, audit: AuditEvent) async throws(ReplicaError) {
        try await replica.writeAsync { db in
            try db.execute(sql: "DELETE FROM desk_sessions WHERE id_hash = ?", arguments: [idHash])
            if db.changesCount > 0 { try ReplicaCore.insertAudit(audit, into: db) }
        }
    }

    public func closeDeskSessions(of name: String, audit: AuditEvent) async throws(ReplicaError) -> Int? {
        try await replica.writeAsync { db in
            guard
                try Int.fetchOne(db, sql: "SELECT count(*) FROM desk_accounts WHERE name = ?", arguments: [name])
                    ?? 0 > 0
            else { return nil }
            try db.execute(sql: "DELETE FROM desk_sessions WHERE account = ?", arguments: [name])
            let ended = db.changesCount
            try ReplicaCore.insertAudit(audit, into: db)
            return ended
        }
    }

    public func recordDeskLogin(_ attempt: DeskLoginAttempt, forgetBefore: Int64) async throws(ReplicaError) {
        try await replica.writeAsync { db in
            try db.execute(sql: "DELETE FROM desk_login_attempts WHERE at_millis < ?", arguments: [forgetBefore])
            try db.execute(
                sql: "INSERT INTO desk_login_attempts (account, address, at_millis, succeeded) VALUES (?, ?, ?, ?)",
                arguments: [attempt.account, attempt.address, attempt.atMillis, attempt.succeeded ? 1 : 0])
        }
    }

    public func deskLoginFailures(account: String, address: String, since: Int64, limit: Int)
        async throws(ReplicaError) -> DeskLoginFailures
    {
        try await replica.readAsync { db in
            let lastSuccess =
                try Int64.fetchOne(
                    db, sql: "SELECT max(at_millis) FROM desk_login_attempts WHERE account = ? AND succeeded = 1",
                    arguments: [account]) ?? Int64.min
            let byAccount = try Int64.fetchAll(
                db,
                sql: """
                    SELECT at_millis FROM desk_login_attempts
                    WHERE account = ? AND succeeded = 0 AND at_millis >= ? AND at_millis > ?
                    ORDER BY at_millis DESC LIMIT ?
                    """,
                arguments: [account, since, lastSuccess, limit])
            let byAddress = try Int64.fetchAll(
                db,
                sql: """
                    SELECT at_millis FROM desk_login_attempts
                    WHERE address = ? AND succeeded = 0 AND at_millis >= ?
                    ORDER BY at_millis DESC LIMIT ?
                    """,
                arguments: [address, since, limit])
            return DeskLoginFailures(account: byAccount, address: byAddress)
        }
    }
}

extension DeskAccount {
    /// A row of the hub's `desk_accounts` table.
    init(row: Row) throws {
        guard let role = DeskRole(rawValue: row["role"]) else {
            throw ReplicaError.database("a desk_accounts row is damaged (role)")
        }
        let township: ScopePrefix?
        if let text: String = row["township"] {
            guard let parsed = try? ScopePrefix.parse(text, field: "township") else {
                throw ReplicaError.database("a desk_accounts row is damaged (township)")
            }
            township = parsed
        } else {
            township = nil
        }
        self.init(
            name: row["name"], role: role, township: township, createdMillis: row["created_millis"],
            passwordMillis: row["password_millis"], disabledMillis: row["disabled_millis"])
    }
}
