import HTTPTypes
import HearthProtocol

/// A refused request: the HTTP status, a stable code for scripts and a sentence for people.
///
/// A value, not an HTTP response: the decisions that refuse (``HubService/authenticate(_:)``,
/// ``HubService/accept(_:from:)``) take no HTTP types; `HubError+HTTP.swift` makes it an
/// `HTTPResponseError` for the router.
public struct HubError: Error, Sendable, CustomStringConvertible {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String

    public var description: String { message }

    static func badRequest(_ message: String) -> HubError {
        HubError(status: .badRequest, code: "bad_request", message: message)
    }
    static func unauthorized(_ message: String) -> HubError {
        HubError(status: .unauthorized, code: "unauthorized", message: message)
    }
    static func forbidden(_ message: String) -> HubError {
        HubError(status: .forbidden, code: "forbidden", message: message)
    }
    static func conflict(_ code: String, _ message: String) -> HubError {
        HubError(status: .conflict, code: code, message: message)
    }
    static func tooLarge(_ message: String) -> HubError {
        HubError(status: .contentTooLarge, code: "too_large", message: message)
    }
    /// The hub's own failure (storage, a bug): the node learns nothing more than that; the
    /// hub's log has the cause.
    static let internalFailure = HubError(
        status: .internalServerError, code: "internal", message: "the hub could not process this request")

    var body: ErrorBody { ErrorBody(code: code, message: message) }
}
