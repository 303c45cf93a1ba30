/// The limits on failed logins, per account and per address, and the decision whether a login
/// may be tried now.
///
/// Why both: a limit per account stops guessing one person's password from many addresses; a
/// limit per address stops one machine trying a few passwords on every account. The attempts are
/// kept in the hub's database (``HearthLedger/DeskStorage``), so a restart does not reset them.
/// A successful login clears its account's failures, not its address's.
public struct LoginThrottle: Sendable, Hashable {
    /// Failed logins of one account within ``windowMillis`` that lock it.
    public var perAccount: Int
    /// Failed logins from one address within ``windowMillis`` that lock it.
    public var perAddress: Int
    public var windowMillis: Int64

    public init(perAccount: Int, perAddress: Int, windowMillis: Int64) {
        self.perAccount = max(1, perAccount)
        self.perAddress = max(1, perAddress)
        self.windowMillis = max(1, windowMillis)
    }

    public static let standard = LoginThrottle(perAccount: 5, perAddress: 20, windowMillis: 15 * 60_000)

    /// Attempts older than this are forgotten: long past any window.
    public var forgetMillis: Int64 { max(windowMillis, 86_400_000) }

    /// Who is locked out, and until when.
    public enum Lockout: Sendable, Hashable {
        case account(untilMillis: Int64)
        case address(untilMillis: Int64)

        public var untilMillis: Int64 {
            switch self {
            case .account(let until), .address(let until): return until
            }
        }
    }

    /// Whether a login may be tried at `nowMillis`, given the recent failures (newest first, as
    /// the storage returns them): nil when it may, else the lockout with the time it lifts. A
    /// lockout lifts when the oldest of the failures that made it leaves the window.
    public func lockout(account: [Int64], address: [Int64], nowMillis: Int64) -> Lockout? {
        let since = nowMillis - windowMillis
        // A failure counts while it is less than a window old: at `until` the lockout has lifted.
        let byAccount = account.filter { $0 > since }.sorted(by: >)
        let byAddress = address.filter { $0 > since }.sorted(by: >)
        if byAccount.count >= perAccount {
            return .account(untilMillis: byAccount[perAccount - 1] + windowMillis)
        }
        if byAddress.count >= perAddress {
            return .address(untilMillis: byAddress[perAddress - 1] + windowMillis)
        }
        return nil
    }

    /// How many failures to read of each: enough to decide.
    var readLimit: Int { max(perAccount, perAddress) }
}
