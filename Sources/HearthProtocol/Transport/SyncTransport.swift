/// Carries one signed request to the hub and brings its answer back.
///
/// Why a protocol: the node's sync loop (what to send next, what to do with each answer) is
/// the same whether the bytes go over HTTPS to the county hub, or through the simulation's
/// network that drops, duplicates and truncates them; only this seam differs. Bundle files
/// carry ops without a request at all and do not need it.
public protocol SyncTransport: Sendable {
    /// Sends `request` and returns the hub's answer, refusals included. Throws only when no
    /// answer came: the hub unreachable, the connection cut, the time allowed gone.
    func exchange(_ request: WireRequest) async throws(TransportFailure) -> WireAnswer
}

/// Why a transport brought no answer, worded for the field worker.
public struct TransportFailure: Error, Sendable, CustomStringConvertible {
    /// Where the request was going (an address, or a simulated link's name).
    public let destination: String
    public let reason: String
    /// The other end answered but did not prove it is the hub (its TLS certificate is not one
    /// this side trusts): waiting for a better connection will not help, the CA file will.
    public let untrusted: Bool

    public init(destination: String, reason: String, untrusted: Bool = false) {
        self.destination = destination
        self.reason = reason
        self.untrusted = untrusted
    }

    public var description: String { "cannot reach the hub at \(destination): \(reason)" }
}
