import HearthCore
import HearthLedger
import HearthStore

/// The desk's accounts as `hearth hub user …` and the desk manage them: names and passwords
/// checked, passwords hashed with bcrypt (``PasswordHasher``), every change audited with the
/// worker who made it.
///
/// Why one type for the CLI and the desk: an account made on the command line logs in to the
/// browser, so both must check names and passwords and hash them the same way.
public struct DeskAccounts: Sendable {
    public let ledger: HubLedger
    let hasher: PasswordHasher
    let cost: UInt8

    public init(
        ledger: HubLedger, hasher: PasswordHasher = .shared, cost: UInt8 = DeskConfiguration.standard.bcryptCost
    ) {
        self.ledger = ledger
        self.hasher = hasher
        self.cost = cost
    }

    /// Audit actions of the desk's accounts and sessions (the hub's `audit` table).
    public enum Action {
        public static let add = "desk account add"
        public static let disable = "desk account disable"
        public static let password = "desk password set"
        public static let logoutAll = "desk sessions ended"
        public static let login = "desk login"
        public static let logout = "desk logout"
        public static let resolve = "desk resolve"
        public static let bulkResolve = "desk bulk resolve"
        public static let lockRoll = "desk roll lock"
        public static let acknowledgeCase = "desk case acknowledge"
        public static let exitForCase = "desk case exit"
        public static let decideLead = "desk lead decision"
    }

    /// Adds an account. A reviewer needs a township (9 digits); the other roles take none.
    @discardableResult
    public func add(
        name: String, role: DeskRole, township: String?, password: String, worker: String, nowMillis: Int64
    ) async throws -> DeskAccount {
        let name = try Self.checkName(name)
        let scope: ScopePrefix?
        switch (role, township) {
        case (.reviewer, nil):
            throw InputError(field: "township", reason: "a reviewer works for one township: give --township CODE")
        case (.reviewer, let code?):
            let parsed = try ScopePrefix.parse(code, field: "township")
            guard parsed.level == .township else {
                throw InputError(field: "township", reason: "must be a township's 9-digit code")
            }
            guard parsed.value.hasPrefix(ledger.info.scope.value) else {
                throw InputError(field: "township", reason: "\(parsed.value) is not in this hub's county")
            }
            scope = parsed
        case (_, nil): scope = nil
        case (_, .some):
            throw InputError(
                field: "township", reason: "only a reviewer works for one township; an \(role.rawValue) sees the county"
            )
        }
        try Self.checkPassword(password, name: name)
        let hash = try await hasher.hash(password, cost: cost)
        let account = DeskAccount(
            name: name, role: role, township: scope, createdMillis: nowMillis, passwordMillis: nowMillis,
            disabledMillis: nil)
        try await ledger.storage.addDeskAccount(
            account, passwordHash: hash,
            audit: AuditEvent(
                atMillis: nowMillis, worker: worker, action: Action.add, subject: name, field: role.rawValue,
                detail: scope.map { "township \($0.value)" } ?? ""))
        return account
    }

    /// Every account, by name.
    public func list() async throws -> [DeskAccount] {
        try await ledger.storage.deskAccounts()
    }

    /// Disables an account and ends its sessions.
    public func disable(name: String, worker: String, nowMillis: Int64) async throws {
        guard
            try await ledger.storage.disableDeskAccount(
                named: name, atMillis: nowMillis,
                audit: AuditEvent(
                    atMillis: nowMillis, worker: worker, action: Action.disable, subject: name, field: "",
                    detail: ""))
        else { throw Self.noAccount(name) }
    }

    /// Sets a new password and ends the account's sessions.
    public func setPassword(name: String, password: String, worker: String, nowMillis: Int64) async throws {
        guard let stored = try await ledger.storage.deskAccount(named: name) else { throw Self.noAccount(name) }
        try Self.checkPassword(password, name: stored.account.name)
        let hash = try await hasher.hash(password, cost: cost)
        guard
            try await ledger.storage.setDeskPassword(
                named: name, passwordHash: hash, atMillis: nowMillis,
                audit: AuditEvent(
                    atMillis: nowMillis, worker: worker, action: Action.password, subject: stored.account.name,
                    field: "", detail: "its sessions ended"))
        else { throw Self.noAccount(name) }
    }

    /// Ends every session of an account; returns how many ended.
    @discardableResult
    public func endSessions(name: String, worker: String, nowMillis: Int64) async throws -> Int {
        guard
            let ended = try await ledger.storage.closeDeskSessions(
                of: name,
                audit: AuditEvent(
                    atMillis: nowMillis, worker: worker, action: Action.logoutAll, subject: name, field: "",
                    detail: "ended from the command line"))
        else { throw Self.noAccount(name) }
        return ended
    }

    static func noAccount(_ name: String) -> InputError {
        InputError(field: "name", reason: "no desk account named \(ScreenSafe.text(name)) (see `hearth hub user list`)")
    }

    /// An account's name: 2 to 32 letters (any script), digits, `.`, `_` or `-`, not starting with `-`.
    public static func checkName(_ name: String) throws(InputError) -> String {
        let count = name.count
        guard count >= 2, count <= 32 else {
            throw InputError(field: "name", reason: "must be 2 to 32 characters")
        }
        guard !name.hasPrefix("-"),
            name.allSatisfy({ character in
                character.isLetter || ("0"..."9").contains(character) || ".-_".contains(character)
            })
        else {
            throw InputError(field: "name", reason: "may hold letters, digits, '.', '_' and '-' only, not first '-'")
        }
        return name
    }

    /// A password: 10 to 72 bytes of UTF-8 (bcrypt reads no further), no control characters,
    /// not the account's name. The reasons never quote the password.
    public static func checkPassword(_ password: String, name: String) throws(InputError) {
        let bytes = password.utf8.count
        guard bytes >= 10 else { throw InputError(field: "password", reason: "must be at least 10 characters") }
        guard bytes <= 72 else {
            throw InputError(field: "password", reason: "must be at most 72 bytes (bcrypt reads no further)")
        }
        guard !password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw InputError(field: "password", reason: "must not hold control characters")
        }
        guard password.lowercased() != name.lowercased() else {
            throw InputError(field: "password", reason: "must not be the account's name")
        }
    }
}

/// A name a person typed, quoted in a message only when it is plain: anything else is not
/// repeated (it could carry control characters to a terminal, or a secret typed in the wrong place).
enum ScreenSafe {
    static func text(_ value: String) -> String {
        let plain =
            value.count <= 32
            && value.allSatisfy { $0.isLetter || $0.isNumber || ".-_".contains($0) }
        return plain ? value : "(as given)"
    }
}
