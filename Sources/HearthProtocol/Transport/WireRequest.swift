/// One signed sync request as any transport carries it: the endpoint's path, the headers that
/// Protocol/sync.md names (the node's id, clock, offset, nonce and signature, and the body's
/// encoding), and the body exactly as signed.
///
/// Why a value and not an HTTP request: the node's sync code builds it and the hub's endpoint
/// answers it whatever carries it between them (HTTP, the simulation's faulty network), so both
/// ends run the same code in every test and in production (docs/architecture.md, "Sync as
/// values over a transport").
public struct WireRequest: Sendable, Equatable {
    /// The endpoint, one of ``SyncPath``.
    public var path: String
    /// Header names in lower case, as HTTP/2 carries them.
    public var headers: [String: String]
    /// The body as sent (gzip-compressed when `content-encoding` says so).
    public var body: [UInt8]

    public init(path: String, headers: [String: String], body: [UInt8]) {
        self.path = path
        self.headers = headers
        self.body = body
    }

    /// A header's value by name, case-insensitively.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// The hub's answer to a ``WireRequest``: a status, the hub's signed headers (its clock, its
/// signature over the request's nonce, the status and the body, its replica id) and the body
/// as sent. A refusal is an answer too: it is signed like any other.
public struct WireAnswer: Sendable, Equatable {
    public var status: Int
    /// Header names in lower case.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A header's value by name, case-insensitively.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}
