import HearthLedger

/// One desk account as `hub user list --json` and `hub user add --json` print it: never its
/// password or hash.
struct DeskUserListing: Codable, Sendable, Equatable {
    let name: String
    /// `admin`, `reviewer` or `auditor`.
    let role: String
    @Nullable var township: String?
    let created: String
    let passwordSet: String
    @Nullable var disabled: String?
    /// `active` or `disabled`.
    let state: String

    enum CodingKeys: String, CodingKey {
        case name, role, township, created
        case passwordSet = "password_set"
        case disabled, state
    }

    init(_ account: DeskAccount) {
        name = account.name
        role = account.role.rawValue
        township = account.township?.value
        created = Output.documentTime(account.createdMillis)
        passwordSet = Output.documentTime(account.passwordMillis)
        disabled = account.disabledMillis.map(Output.documentTime)
        state = account.disabledMillis == nil ? "active" : "disabled"
    }
}

/// What `hub user logout --json` prints: the account and how many of its sessions ended.
struct DeskLogoutDocument: Codable, Sendable, Equatable {
    let name: String
    let ended: Int
}
