import HearthCore
import HearthStore

/// What the county desk keeps in the hub's database: its accounts (with bcrypt hashes, never
/// passwords), its sessions (by the hash of their id, never the id) and its login attempts, and
/// the counts its overview shows. Every method is one transaction.
///
/// Why in the hub's database, behind the storage seam: sessions must survive a restart and
/// serve several hub processes on one database, and the limits on failed logins must hold
/// across restarts; a backend other than SQLite keeps them the same way. Every change to an
/// account or a session writes its line to the hub's audit in the same transaction.
///
/// Names are matched without regard to ASCII case: `Wang` and `wang` are one account.
public protocol DeskStorage: Sendable {
    // MARK: Accounts

    /// Adds an account. Refuses a name an account has already (``ReplicaError/invalid(_:)`` on
    /// `name`).
    func addDeskAccount(_ account: DeskAccount, passwordHash: String, audit: AuditEvent) async throws(ReplicaError)

    /// Every account, by name.
    func deskAccounts() async throws(ReplicaError) -> [DeskAccount]

    /// One account with its password hash, for a login; nil when no account has the name.
    func deskAccount(named name: String) async throws(ReplicaError) -> StoredDeskAccount?

    /// Disables an account and ends its sessions; false when no account has the name. An
    /// account disabled already keeps its first time.
    func disableDeskAccount(named name: String, atMillis: Int64, audit: AuditEvent) async throws(ReplicaError) -> Bool

    /// Sets an account's password hash and ends its sessions; false when no account has the name.
    func setDeskPassword(named name: String, passwordHash: String, atMillis: Int64, audit: AuditEvent)
        async throws(ReplicaError) -> Bool

    // MARK: Sessions

    /// Keeps a new session for an account (by the hash of its id), forgetting sessions that
    /// ended before `limits` allow.
    func openDeskSession(
        idHash: String, account name: String, limits: DeskSessionLimits, address: String, audit: AuditEvent
    ) async throws(ReplicaError)

    /// The live session with this id hash, marked used now (at most once a minute, so a page
    /// view rarely waits for the write lock); nil when there is none, it ended (idle too long,
    /// too old, logged out) or its account is disabled. An ended session found is forgotten.
    func deskSession(idHash: String, limits: DeskSessionLimits) async throws(ReplicaError) -> DeskSession?

    /// Ends one session (a logout); does nothing for a session not kept.
    func closeDeskSession(idHash: String, audit: AuditEvent) async throws(ReplicaError)

    /// Ends every session of an account; nil when no account has the name, else how many ended.
    func closeDeskSessions(of name: String, audit: AuditEvent) async throws(ReplicaError) -> Int?

    // MARK: Login attempts

    /// Keeps a login attempt, forgetting attempts older than `forgetBefore`.
    func recordDeskLogin(_ attempt: DeskLoginAttempt, forgetBefore: Int64) async throws(ReplicaError)

    /// The failed logins since `since`, newest first and at most `limit` of each: the
    /// account's (after its last successful login) and the address's.
    func deskLoginFailures(account: String, address: String, since: Int64, limit: Int) async throws(ReplicaError)
        -> DeskLoginFailures
}
