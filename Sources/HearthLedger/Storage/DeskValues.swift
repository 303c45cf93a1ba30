import HearthCore
import HearthStore

/// What a person at the county desk may do.
///
/// Why three roles and no more: the bureau's administrators settle everything, a township's
/// reviewer settles the records of that township only, and an auditor (the discipline office,
/// a supervisor) reads everything and changes nothing.
public enum DeskRole: String, Sendable, Hashable, CaseIterable, Codable {
    case admin, reviewer, auditor

    /// Whether the role changes records or accounts at all.
    public var writes: Bool { self != .auditor }
}

/// A person who logs in to the desk, as every listing shows them: never with the password's hash.
public struct DeskAccount: Sendable, Hashable {
    public let name: String
    public let role: DeskRole
    /// The township a reviewer works for (9 digits); nil for the other roles.
    public let township: ScopePrefix?
    public let createdMillis: Int64
    /// When the password was last set.
    public let passwordMillis: Int64
    /// When the account was disabled; a disabled account logs in no more and has no sessions.
    public let disabledMillis: Int64?

    public init(
        name: String, role: DeskRole, township: ScopePrefix?, createdMillis: Int64, passwordMillis: Int64,
        disabledMillis: Int64?
    ) {
        self.name = name
        self.role = role
        self.township = township
        self.createdMillis = createdMillis
        self.passwordMillis = passwordMillis
        self.disabledMillis = disabledMillis
    }
}

/// An account with its password hash (bcrypt), as a login checks it; never shown or logged.
public struct StoredDeskAccount: Sendable, Hashable {
    public let account: DeskAccount
    public let passwordHash: String

    public init(account: DeskAccount, passwordHash: String) {
        self.account = account
        self.passwordHash = passwordHash
    }
}

/// A desk session as the storage keeps it: the hash of its id (never the id), its account, and
/// when it began and was last used.
public struct DeskSession: Sendable, Hashable {
    public let idHash: String
    public let account: DeskAccount
    public let createdMillis: Int64
    public let lastSeenMillis: Int64

    public init(idHash: String, account: DeskAccount, createdMillis: Int64, lastSeenMillis: Int64) {
        self.idHash = idHash
        self.account = account
        self.createdMillis = createdMillis
        self.lastSeenMillis = lastSeenMillis
    }
}

/// When a session is still alive: used within the idle time, and begun within the longest
/// time a session may last.
public struct DeskSessionLimits: Sendable, Hashable {
    public let nowMillis: Int64
    /// A session last used before this has ended.
    public let idleSince: Int64
    /// A session begun before this has ended, however busy.
    public let begunSince: Int64

    public init(nowMillis: Int64, idleMillis: Int64, maxAgeMillis: Int64) {
        self.nowMillis = nowMillis
        idleSince = nowMillis - idleMillis
        begunSince = nowMillis - maxAgeMillis
    }
}

/// One login attempt, kept so that the limits on failed attempts hold across restarts.
public struct DeskLoginAttempt: Sendable, Hashable {
    /// The account name as typed (an unknown name counts like a known one).
    public let account: String
    /// The address the attempt came from.
    public let address: String
    public let atMillis: Int64
    public let succeeded: Bool

    public init(account: String, address: String, atMillis: Int64, succeeded: Bool) {
        self.account = account
        self.address = address
        self.atMillis = atMillis
        self.succeeded = succeeded
    }
}

/// The recent failed logins of an account (since its last success) and of an address, newest
/// first, each list at most as long as asked.
public struct DeskLoginFailures: Sendable, Hashable {
    public let account: [Int64]
    public let address: [Int64]

    public init(account: [Int64], address: [Int64]) {
        self.account = account
        self.address = address
    }
}
