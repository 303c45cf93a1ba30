import HTTPTypes
import HearthProtocol
import Hummingbird
import NIOCore

/// Reads a signed request and authenticates its sender, refusing as early as it can, and puts
/// what it found into the ``HubRequestContext`` (the envelope; the node, except to register).
///
/// Refused before the body is read: malformed signed headers (401); a declared length over
/// the endpoint's bound (413); a replica that is not registered, except to register (401). A
/// body is refused as soon as it passes the bound (413). Then, off Swift's cooperative threads
/// (``DatabaseExecutor``), the transport-free ``HubService/authenticate(_:)`` decides.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext

    let service: HubService
    let endpoint: HubService.Endpoint

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        let envelope = try await read(request, outcome: context.outcome)
        context.envelope = envelope
        if endpoint != .register {
            let service = self.service
            let node = try await service.authenticate(envelope)
            context.node = node
            context.outcome["node"] = "\(node.name)"
        }
        return try await next(request, context)
    }

    private func read(_ request: Request, outcome: RequestOutcome) async throws -> HubService.Envelope {
        let headers = try HubService.SignedHeaders { name in request.headers[HTTPField.Name(name)!] }
        outcome["replica"] = "\(headers.replica)"
        let limit = endpoint.maxBodyBytes
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw endpoint.bodyTooLarge
        }
        if endpoint != .register {
            let service = self.service
            try await service.requireRegistered(headers.replica)
        }
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: limit) } catch { throw endpoint.bodyTooLarge }
        return HubService.Envelope(
            headers: headers, path: request.uri.path, raw: Array(buffer.readableBytesView),
            gzipped: request.headers[.contentEncoding]?.lowercased() == "gzip", endpoint: endpoint,
            offsetMillis: try HubService.SignedHeaders.offset(request.headers[HTTPField.Name(SyncHeader.offset)!]))
    }
}
