import Hummingbird

/// What the desk needs of the router's request context: the address the request came from, for
/// the limits on failed logins.
///
/// Why a protocol: the desk is mounted on the hub's own router, whose context type
/// (`HubRequestContext`) lives in HearthHub; the desk names only what it reads.
public protocol DeskRequestContext: RequestContext {
    /// The peer's IP address as text; nil when unknown (a test's in-memory channel).
    var peerAddress: String? { get }
}
