import HTTPTypes
import HearthProtocol
import Hummingbird
import NIOCore

/// Signs every answer of a signed endpoint, refusals included: the hub's Ed25519 signature
/// over the request's nonce, the status, the body as sent and the hub's clock
/// (`x-hearth-signature`, `x-hearth-time`), and the hub's replica id (`x-hearth-replica`).
///
/// Why every answer: a node applies nothing, and corrects its clock by nothing, that its own
/// hub did not sign for this very request (Protocol/sync.md, Signatures). It runs outside
/// ``GzipMiddleware`` because the signature covers the compressed bytes. The signing itself
/// (``HubService/signAnswer(body:status:nonce:)``) runs on the ``DatabaseExecutor``.
struct ResponseSigningMiddleware<Context: RequestContext>: RouterMiddleware {
    let service: HubService

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        // The nonce as the request gave it, even one the hub refused as malformed: the node
        // checks the answer against the nonce it sent.
        let nonce = request.headers[HTTPField.Name(SyncHeader.nonce)!] ?? ""
        var response = try await next(request, context)
        let body = try await response.body.collected()
        let status = Int(response.status.code)
        let service = self.service
        let (signature, timeMillis) = try await service.database.run {
            service.signAnswer(body: Array(body.readableBytesView), status: status, nonce: nonce)
        }
        // The length goes last, after the hub's headers, where the hub has always sent it: the
        // answer's head is byte for byte what it was before these middlewares.
        response.headers[.contentLength] = nil
        // Every answer carries the hub's clock, signed: a node whose clock is wrong corrects by it.
        response.headers[HTTPField.Name(SyncHeader.time)!] = String(timeMillis)
        if let signature {
            response.headers[HTTPField.Name(SyncHeader.signature)!] = signature
        }
        response.headers[HTTPField.Name(SyncHeader.replica)!] = service.ledger.info.id.value
        response.headers[.contentLength] = String(body.readableBytes)
        response.body = .init(byteBuffer: body)
        return response
    }
}
