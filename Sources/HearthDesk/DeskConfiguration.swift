import Foundation

/// How the desk keeps its sessions and guards its logins.
///
/// Why a value of its own: the hub's operator sets the idle time (`hub serve --desk-idle-minutes`)
/// and tests set a clock, a cheap bcrypt cost and small limits; the rest of the desk reads them
/// from here, never from globals.
public struct DeskConfiguration: Sendable {
    /// A session unused this long has ended.
    public var idleMillis: Int64
    /// A session this old has ended however busy it was: a stolen cookie does not live for ever.
    public var maxAgeMillis: Int64
    /// bcrypt's cost (log2 of its rounds) for passwords set from now on; a stored hash keeps its own.
    public var bcryptCost: UInt8
    /// The limits on failed logins.
    public var throttle: LoginThrottle
    /// Cookies marked `Secure`: set when the hub serves TLS.
    public var secureCookies: Bool
    /// The desk's clock (Unix milliseconds); nil for the hub's own.
    public var clock: (@Sendable () -> Int64)?

    public init(
        idleMillis: Int64 = 30 * 60_000, maxAgeMillis: Int64 = 12 * 3_600_000, bcryptCost: UInt8 = 12,
        throttle: LoginThrottle = .standard, secureCookies: Bool = false, clock: (@Sendable () -> Int64)? = nil
    ) {
        self.idleMillis = idleMillis
        self.maxAgeMillis = maxAgeMillis
        self.bcryptCost = bcryptCost
        self.throttle = throttle
        self.secureCookies = secureCookies
        self.clock = clock
    }

    /// Thirty minutes idle, twelve hours at most, bcrypt cost 12, five failures per account and
    /// twenty per address in fifteen minutes.
    public static let standard = DeskConfiguration()
}
