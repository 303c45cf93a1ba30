import HearthProtocol
import Hummingbird
import NIOCore

/// Compresses every answer of a signed endpoint with gzip (`content-encoding: gzip`), as
/// Protocol/sync.md says all of them are, refusals included.
///
/// Compressing takes CPU time in proportion to the answer (a pull of a thousand ops), so it
/// runs on the ``DatabaseExecutor``, not on Swift's cooperative threads that answer `/healthz`.
struct GzipMiddleware<Context: RequestContext>: RouterMiddleware {
    let executor: DatabaseExecutor

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        let plain = try await response.body.collected()
        let compressed = try await executor.run { Gzip.compress(Array(plain.readableBytesView)) }
        response.headers[.contentEncoding] = "gzip"
        response.body = .init(byteBuffer: ByteBuffer(bytes: compressed))
        return response
    }
}
