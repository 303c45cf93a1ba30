import HearthLedger
import Hummingbird

/// One request to the desk as its handler sees it: the request, its language, its session (if
/// live), its form (for a POST), and the cookies and messages the answer will carry.
struct Visit {
    /// A live session and the secret its cookie holds (needed for the forms' CSRF tokens).
    struct Session {
        let record: DeskSession
        let secret: String

        var account: DeskAccount { record.account }
        /// The CSRF token every form of this session carries.
        var csrf: String { DeskTokens.csrf(for: secret, purpose: "session") }
    }

    let request: Request
    /// The peer's address, for the login limits.
    let address: String
    /// The desk's clock when the request began.
    let nowMillis: Int64
    var query = FormFields()
    var catalogue = Catalogue(.zh)
    var session: Session?
    var form = FormFields()
    /// Cookies the answer sets.
    var cookies: [Cookie] = []
    /// A sentence shown above the page: something done.
    var notice: String?
    /// A sentence shown above the page: something refused.
    var errorMessage: String?

    init(request: Request, address: String, nowMillis: Int64) {
        self.request = request
        self.address = address
        self.nowMillis = nowMillis
    }

    /// The account of the live session; the handlers behind ``Desk/Needs/session`` have one.
    var account: DeskAccount {
        get throws {
            guard let session else { throw DeskError.sessionEnded }
            return session.account
        }
    }

    /// The same page in the other language: the query kept, `lang` replaced.
    var languageLink: String {
        let kept = (request.uri.query ?? "").split(separator: "&").filter { !$0.hasPrefix("lang=") }
        return request.uri.path + "?" + (kept + ["lang=\(catalogue.language.other.rawValue)"]).joined(separator: "&")
    }
}
