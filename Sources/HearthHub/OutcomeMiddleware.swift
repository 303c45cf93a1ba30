import Hummingbird
import Logging

/// What a signed request came to: its answer, or its refusal turned into an answer (an
/// ``HubError``, which is an `HTTPResponseError`; anything else is the hub's own failure,
/// answered 500 with a generic message). Every outcome is counted
/// (`hearth_requests_total{endpoint,status}`, `hearth_sync_duration_seconds`) and logged with
/// structured metadata: endpoint, status, node (or the replica a refused request claimed),
/// what the work came to (counts of ops) and the duration.
///
/// What is logged is chosen, never dumped: no body, no field value, no secret. A refusal's
/// message is logged as the node receives it; those messages name fields and limits, never
/// the values (STYLE: errors never print an ID number, a card number or a secret).
struct OutcomeMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext

    let metrics: HubMetrics
    let endpoint: HubService.Endpoint

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        let response: Response
        var refusal: HubError?
        var failure: (any Error)?
        do {
            response = try await next(request, context)
        } catch {
            let refused: HubError
            if let error = error as? HubError {
                refused = error
            } else {
                failure = error
                refused = .internalFailure
            }
            refusal = refused
            response = try refused.response(from: request, context: context)
        }
        let duration = ContinuousClock.now - start
        metrics.request(endpoint: endpoint.rawValue, status: Int(response.status.code), duration: duration)
        var metadata = context.outcome.metadata
        metadata["endpoint"] = "\(endpoint.rawValue)"
        metadata["status"] = "\(response.status.code)"
        metadata["duration_ms"] = "\(Self.milliseconds(duration))"
        if let failure {
            metadata["error"] = "\(String(describing: failure))"
            context.logger.error("\(endpoint.rawValue) failed", metadata: metadata)
        } else if let refusal {
            metadata["code"] = "\(refusal.code)"
            metadata["reason"] = "\(refusal.message)"
            context.logger.notice("refused \(endpoint.rawValue)", metadata: metadata)
        } else {
            context.logger.info("answered \(endpoint.rawValue)", metadata: metadata)
        }
        return response
    }

    /// A duration in whole milliseconds, for a log line.
    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    }
}
