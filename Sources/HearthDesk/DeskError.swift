import HearthCore
import HearthStore
import HTTPTypes

/// Why the desk refused a request: the HTTP status, and the catalogue key of the sentence the
/// page shows (with what to put in it).
///
/// Why keys, not sentences: the same refusal is read in Chinese or English; the page renders it
/// in the request's language. No case carries a password, a session id or a sealed value.
enum DeskError: Error, Sendable, CustomStringConvertible {
    /// No live session (never logged in, logged out, expired, disabled).
    case sessionEnded
    /// A POST whose CSRF token is missing or not this session's.
    case csrf
    /// An auditor asked to change something.
    case readOnly
    /// A page or action of the county's level (quarantine, leads, rolls, the audit) asked by a
    /// reviewer, whose role covers one township.
    case countyOnly
    /// No such page or conflict, or one outside the reviewer's township.
    case notFound
    /// A form or query that cannot be read.
    case badForm(String)
    /// bcrypt's queue is full.
    case busy
    /// The hub's own failure; the log has the cause.
    case internalFailure

    var status: HTTPResponse.Status {
        switch self {
        case .sessionEnded, .csrf, .readOnly, .countyOnly: return .forbidden
        case .notFound: return .notFound
        case .badForm: return .badRequest
        case .busy: return .serviceUnavailable
        case .internalFailure: return .internalServerError
        }
    }

    /// The catalogue keys of the page's heading and sentence, and the values for its `{name}`s.
    var message: (title: String, key: String, values: [String: String]) {
        switch self {
        case .sessionEnded: return ("error_title_forbidden", "error_session_ended", [:])
        case .csrf: return ("error_title_forbidden", "error_csrf", [:])
        case .readOnly: return ("error_title_forbidden", "error_read_only", [:])
        case .countyOnly: return ("error_title_forbidden", "error_county_only", [:])
        case .notFound: return ("error_title_not_found", "error_not_found", [:])
        case .badForm(let detail): return ("error_title_bad_request", "error_form", ["detail": detail])
        case .busy: return ("error_title_busy", "error_busy", [:])
        case .internalFailure: return ("error_title_internal", "error_internal", [:])
        }
    }

    var description: String {
        switch self {
        case .sessionEnded: return "no live desk session"
        case .csrf: return "missing or foreign CSRF token"
        case .readOnly: return "an auditor may not change anything"
        case .countyOnly: return "a county-level page or action asked by a township's reviewer"
        case .notFound: return "not found"
        case .badForm(let detail): return "bad form: \(detail)"
        case .busy: return "password hashing queue full"
        case .internalFailure: return "internal failure"
        }
    }
}
