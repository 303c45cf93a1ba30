import CoreMetrics
import Hummingbird

/// Makes a hub's own metrics factory the one that code creating metrics without naming a
/// factory uses, for the whole of a request: handling it and writing its answer.
///
/// Why: Hummingbird's `MetricsMiddleware` creates its counters and timers through
/// `MetricsSystem.factory`, some of them after the answer's last byte is written. Bound as a
/// task-local (swift-metrics' `withMetricsFactory`) around both, they land in this hub's
/// registry rather than a process-wide one, so hubs that share a process (tests) each count
/// only their own requests. Put it before `MetricsMiddleware`.
struct MetricsScopeMiddleware<Context: RequestContext>: RouterMiddleware {
    let factory: any MetricsFactory

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let factory = self.factory
        var response = try await withMetricsFactory(factory) { try await next(request, context) }
        let body = response.body
        response.body = ResponseBody(contentLength: body.contentLength) { writer in
            // Safe: the writer is handed on, not shared. This closure gives it to the body's own
            // write and never touches it again; the compiler cannot see that across the
            // task-local scope, whose closure runs in the caller's isolation.
            nonisolated(unsafe) let handed = writer
            try await withMetricsFactory(factory) { try await body.write(handed) }
        }
        return response
    }
}
