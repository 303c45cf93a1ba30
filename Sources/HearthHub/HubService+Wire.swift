import HearthProtocol
import Logging

extension HubService {
    /// Answers one signed request as a transport carried it, in the same order and with the
    /// same refusals as the HTTP routes: signed headers read, the body's bound, the sender
    /// authenticated (``handle(_:)``), the endpoint's work; every answer, refusals included,
    /// signed for the request's nonce with the hub's clock, as ``ResponseSigningMiddleware``
    /// signs it. The answer is not compressed (a node reads either).
    ///
    /// Why beside the router: the simulation's network and in-process tests carry requests
    /// without HTTP, and must still meet the production endpoint and the production client
    /// (``WireRequest``, docs/architecture.md, "Sync as values over a transport").
    public func answer(_ request: WireRequest) async -> WireAnswer {
        await answerNotingFailure(request).answer
    }

    /// ``answer(_:)``, and the hub's own failure behind a 500 (a storage error, a crash the
    /// simulation injected), which the answer itself never tells the node.
    package func answerNotingFailure(_ request: WireRequest) async -> (answer: WireAnswer, failure: (any Error)?) {
        let status: Int
        let body: [UInt8]
        var failure: (any Error)?
        do {
            body = try await respond(to: request)
            status = 200
        } catch {
            let refused = error as? HubError ?? .internalFailure
            if !(error is HubError) {
                failure = error
                logger.error(
                    "request failed",
                    metadata: ["endpoint": "\(request.path)", "error": "\(String(describing: error))"])
            }
            status = Int(refused.status.code)
            body = refused.body.json.canonicalBytes
        }
        let (signature, timeMillis) = signAnswer(
            body: body, status: status, nonce: request.header(SyncHeader.nonce) ?? "")
        var headers = [
            "content-type": "application/json", SyncHeader.time: String(timeMillis),
            SyncHeader.replica: ledger.info.id.value,
        ]
        if let signature { headers[SyncHeader.signature] = signature }
        return (WireAnswer(status: status, headers: headers, body: body), failure)
    }

    /// The endpoint's answer to a request, or the refusal thrown.
    private func respond(to request: WireRequest) async throws -> [UInt8] {
        guard let endpoint = Endpoint.allCases.first(where: { $0.path == request.path }) else {
            throw HubError(status: .notFound, code: "not_found", message: "no endpoint at \(request.path)")
        }
        let headers = try SignedHeaders { request.header($0) }
        guard request.body.count <= endpoint.maxBodyBytes else { throw endpoint.bodyTooLarge }
        let envelope = Envelope(
            headers: headers, path: request.path, raw: request.body,
            gzipped: request.header("content-encoding")?.lowercased() == "gzip", endpoint: endpoint,
            offsetMillis: try SignedHeaders.offset(request.header(SyncHeader.offset)))
        return try await handle(envelope)
    }
}

/// A transport to a hub in the same process: each request straight to
/// ``HubService/answer(_:)``. For tests and tools that want the production client and endpoint
/// without a socket between them.
public struct InProcessTransport: SyncTransport {
    public let service: HubService

    public init(service: HubService) { self.service = service }

    public func exchange(_ request: WireRequest) async throws(TransportFailure) -> WireAnswer {
        await service.answer(request)
    }
}
