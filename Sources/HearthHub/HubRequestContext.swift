import HearthDesk
import HearthLedger
import HearthStore
import Hummingbird
import Logging
import Synchronization

/// The request context of the hub's router: what the middleware learned about a signed
/// request, for the handler and the middleware around it.
///
/// Why a context of Hearth's own: the handler of a signed endpoint must not be reachable
/// without an authenticated caller, and must not read the request again: the
/// ``AuthenticationMiddleware`` reads and checks it once and puts the result here.
public struct HubRequestContext: RequestContext, DeskRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address, for the desk's limits on failed logins.
    public let peerAddress: String?
    /// The signed request (headers and collected body); nil until the authentication
    /// middleware has read it, and for the unsigned endpoints (`/healthz`, `/metrics`).
    public internal(set) var envelope: HubService.Envelope?
    /// The node the request was authenticated as; nil for a registration, which is checked
    /// against the key its own body carries.
    public internal(set) var node: NodeRecord?
    /// What the request came to, for its log line; one per request, shared by the middleware
    /// that wraps the handler (which sees only its own copy of the context).
    let outcome = RequestOutcome()

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress?.ipAddress
    }
}

/// Facts about one request gathered as it is served (its node, counts of ops), logged as
/// metadata when it is answered. Only counts, names and codes go in: never a request body,
/// a field value or a secret.
final class RequestOutcome: Sendable {
    private let notes = Mutex(Logger.Metadata())

    subscript(key: String) -> Logger.MetadataValue? {
        get { notes.withLock { $0[key] } }
        set { notes.withLock { $0[key] = newValue } }
    }

    var metadata: Logger.Metadata { notes.withLock { $0 } }
}
