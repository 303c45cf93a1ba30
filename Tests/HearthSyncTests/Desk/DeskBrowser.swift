import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A browser for the desk's tests: real HTTP to the hub on loopback, a cookie jar as a browser
/// keeps one (set, replaced, removed by `Max-Age=0`), forms sent as a browser sends them, and
/// redirects reported rather than followed, so a test sees every answer.
final class DeskBrowser {
    /// One answer: status, headers and body text.
    struct Page {
        let status: Int
        let headers: HTTPHeaders
        let body: String

        /// Where a redirect sends the browser.
        var location: String? { headers.first(name: "location") }
        /// The CSRF token of the page's first form that has one.
        var csrf: String? { field("csrf") }
        /// The value of a hidden (or any) input of the page, by its name.
        func field(_ name: String) -> String? {
            guard let range = body.range(of: #"name="\#(name)" value="([^"]*)""#, options: .regularExpression)
            else { return nil }
            let match = body[range]
            let start = match.range(of: #"value=""#)!.upperBound
            return String(match[start..<match.index(before: match.endIndex)])
        }
        /// The `Set-Cookie` header that sets `name`.
        func setCookie(_ name: String) -> String? {
            headers["set-cookie"].first { $0.hasPrefix(name + "=") }
        }
    }

    let base: String
    private let client: HTTPClient
    /// The cookies this browser holds, by name.
    var cookies: [String: String] = [:]
    /// `Accept-Language`, as a browser sends it.
    var language = "zh-CN,zh;q=0.9"

    init(base: String) {
        self.base = base
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func close() async throws {
        try await client.shutdown()
    }

    func get(_ path: String) async throws -> Page {
        try await send(HTTPClientRequest(url: base + path))
    }

    /// A form posted as a browser posts it (`application/x-www-form-urlencoded`).
    func post(_ path: String, _ fields: [(String, String)]) async throws -> Page {
        try await post(path, body: Self.encode(fields))
    }

    /// A body posted as it is, for malformed forms.
    func post(_ path: String, body: String) async throws -> Page {
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: body))
        return try await send(request)
    }

    /// Opens the login page and posts the name and password with its token.
    @discardableResult
    func login(_ name: String, _ password: String) async throws -> Page {
        let form = try await get("/desk/login")
        return try await post(
            "/desk/login", [("csrf", form.csrf ?? ""), ("name", name), ("password", password)])
    }

    /// Logs out with the token of the page given (or of the overview).
    @discardableResult
    func logout() async throws -> Page {
        let page = try await get("/desk/overview")
        return try await post("/desk/logout", [("csrf", page.csrf ?? "")])
    }

    private func send(_ request: HTTPClientRequest) async throws -> Page {
        var request = request
        if !cookies.isEmpty {
            request.headers.add(
                name: "cookie",
                value: cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
                    separator: "; "))
        }
        request.headers.add(name: "accept-language", value: language)
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 4 << 20)
        for header in response.headers["set-cookie"] { keep(header) }
        return Page(status: Int(response.status.code), headers: response.headers, body: String(buffer: body))
    }

    private func keep(_ header: String) {
        let parts = header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let pair = parts.first, let equals = pair.firstIndex(of: "=") else { return }
        let name = String(pair[..<equals])
        let value = String(pair[pair.index(after: equals)...])
        if parts.contains("Max-Age=0") || value.isEmpty { cookies[name] = nil } else { cookies[name] = value }
    }

    static func encode(_ fields: [(String, String)]) -> String {
        // As a browser encodes a form: every byte percent-encoded but ASCII letters, digits and -._~
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        return fields.map { name, value in
            "\(name.addingPercentEncoding(withAllowedCharacters: allowed)!)="
                + value.addingPercentEncoding(withAllowedCharacters: allowed)!
        }.joined(separator: "&")
    }
}

/// Runs `body` with a browser on the hub at `url`, shutting its client down afterwards.
func withBrowser<T>(_ url: String, _ body: (DeskBrowser) async throws -> T) async throws -> T {
    let browser = DeskBrowser(base: url)
    do {
        let result = try await body(browser)
        try await browser.close()
        return result
    } catch {
        try? await browser.close()
        throw error
    }
}
