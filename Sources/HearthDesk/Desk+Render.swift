import HTTPTypes
import Foundation
import HearthCore
import HearthLedger
import Hummingbird

extension Desk {
    /// A page rendered with its template inside the layout: the labels, who is logged in (with
    /// the session's CSRF token for the logout form), the other language's link, the visit's
    /// notice or error, and the visit's cookies.
    func render(
        _ template: String, _ data: [String: Any], visit: Visit, status: HTTPResponse.Status = .ok
    ) -> Response {
        var values = data
        values["t"] = visit.catalogue.labels
        values["html_lang"] = visit.catalogue.language.htmlTag
        values["language_link"] = visit.languageLink
        if let notice = visit.notice { values["notice"] = notice }
        if let error = visit.errorMessage { values["error"] = error }
        if let session = visit.session {
            let account = session.account
            var user: [String: Any] = [
                "name": account.name, "role": visit.catalogue["role_\(account.role.rawValue)"], "csrf": session.csrf,
            ]
            if let township = account.township { user["township"] = township.value }
            user["county"] = account.role != .reviewer
            values["user"] = user
        }
        let html = DeskTemplates.library.render(values, withTemplate: template) ?? ""
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        var response = Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
        for cookie in visit.cookies { response.setCookie(cookie) }
        return response
    }

    /// The page of a refusal, in the visit's language.
    func errorPage(_ error: DeskError, visit: Visit) -> Response {
        let (title, key, values) = error.message
        let back = visit.session == nil ? "/desk/login" : "/desk/overview"
        return render(
            "error",
            [
                "heading": visit.catalogue[title], "message": visit.catalogue.format(key, values), "back": back,
            ], visit: visit, status: error.status)
    }
}

/// How the desk writes times and ages: China Standard Time, as the CLI does.
enum DeskFormat {
    /// `2026-11-25 15:04:05` from Unix milliseconds.
    static func time(_ millis: Int64) -> String {
        let date = DomainCalendar.date(atMillis: millis)
        let seconds = ((millis + DomainCalendar.offsetMillis) % 86_400_000 + 86_400_000) % 86_400_000 / 1000
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(date) \(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
    }

    static let dayMillis: Int64 = 86_400_000
}
