import HTTPTypes
import HearthProtocol

/// A refused request: the HTTP status, a stable code for scripts and a sentence for people.
public struct HubError: Error, CustomStringConvertible {
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

    var body: ErrorBody { ErrorBody(code: code, message: message) }
}
