import HearthProtocol
import Hummingbird
import NIOCore

/// A refusal as HTTP: its status, and an `ErrorBody` as canonical JSON. The answer is then
/// compressed and signed like any other (``GzipMiddleware``, ``ResponseSigningMiddleware``).
extension HubError: HTTPResponseError {
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(
            status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body.json.canonicalBytes)))
    }
}
