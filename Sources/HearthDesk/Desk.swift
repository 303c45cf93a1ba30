import HTTPTypes
import HearthCore
import HearthLedger
import HearthStore
import Hummingbird
import Logging
import Synchronization

/// The county desk in the browser, served by the hub under `/desk` on its own listener: login,
/// the overview, the conflicts and their resolution, on the same ledger functions the CLI's
/// desk uses (``HearthLedger/HubLedger/conflicts(soft:township:kind:rule:)``,
/// ``HearthLedger/HubLedger/resolve(_:choice:note:author:nowMillis:guarded:)``).
///
/// Why inside the hub: the bureau's administrators work in a browser on the office's PCs, and
/// the hub already holds the county's records; a resolution made here is an ordinary hub op that
/// reaches every replica at its next sync. Pages are rendered on the server (swift-mustache),
/// work without JavaScript and need nothing from the internet. docs/desk.md.
public struct Desk: Sendable {
    public let ledger: HubLedger
    public let configuration: DeskConfiguration
    let hasher: PasswordHasher
    let clock: @Sendable () -> Int64
    let logger: Logger
    let workers: DeskWorkers
    /// A bcrypt hash of nothing anyone knows, checked when a login names no account, so that
    /// an unknown name takes as long as a wrong password.
    let decoy: Decoy

    /// The session's cookie: 256 random bits, base64url; the hub keeps only its SHA-256.
    static let sessionCookie = "hearth_desk"
    /// The login form's cookie, which the login form's CSRF token is bound to.
    static let loginCookie = "hearth_desk_login"
    /// Most bytes of a desk form's body.
    static let maxFormBytes = 16 * 1024

    public init(
        ledger: HubLedger, configuration: DeskConfiguration, clock: @escaping @Sendable () -> Int64, logger: Logger,
        hasher: PasswordHasher = .shared
    ) {
        self.ledger = ledger
        self.configuration = configuration
        self.hasher = hasher
        self.clock = configuration.clock ?? clock
        self.logger = logger
        workers = .shared
        decoy = Decoy()
    }

    /// The accounts, hashed at this desk's bcrypt cost.
    var accounts: DeskAccounts { DeskAccounts(ledger: ledger, hasher: hasher, cost: configuration.bcryptCost) }

    /// Mounts the desk's routes under `/desk` on a router.
    public func addRoutes<Context: DeskRequestContext>(to router: Router<Context>) {
        let desk = self
        let group = router.group("desk").add(middleware: DeskHeadersMiddleware<Context>())
        group.get { _, _ in Self.redirect("/desk/overview") }
        group.get("assets/desk.css") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/css; charset=utf-8"
            headers[.cacheControl] = "max-age=3600"
            return Response(
                status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: DeskStylesheet.css)))
        }
        group.get("login") { request, context in
            await desk.serve(request, context, needs: .nothing) { visit in try await desk.loginPage(&visit) }
        }
        group.post("login") { request, context in
            await desk.serve(request, context, needs: .nothing) { visit in try await desk.login(&visit) }
        }
        group.post("logout") { request, context in
            await desk.serve(request, context, needs: .form) { visit in try await desk.logout(&visit) }
        }
        group.get("overview") { request, context in
            await desk.serve(request, context, needs: .session) { visit in try await desk.overview(&visit) }
        }
        group.get("conflicts") { request, context in
            await desk.serve(request, context, needs: .session) { visit in try await desk.conflictList(&visit) }
        }
        group.get("bulk") { request, context in
            await desk.serve(request, context, needs: .session) { visit in try await desk.bulkPage(&visit) }
        }
        group.post("bulk") { request, context in
            await desk.serve(request, context, needs: .form) { visit in try await desk.bulkApply(&visit) }
        }
        group.get("report") { request, context in
            await desk.serve(request, context, needs: .session) { visit in try await desk.reportPage(&visit) }
        }
        group.get("report.csv") { request, context in
            await desk.serve(request, context, needs: .session) { visit in try await desk.reportCSV(&visit) }
        }
        group.get("roll") { request, context in
            await desk.serve(request, context, needs: .session) { visit in try await desk.rollPage(&visit) }
        }
        group.get("roll.csv") { request, context in
            await desk.serve(request, context, needs: .session) { visit in try await desk.rollCSV(&visit) }
        }
        group.get("roll/lock") { request, context in
            await desk.serve(request, context, needs: .session) { visit in try await desk.lockPage(&visit) }
        }
        group.post("roll/lock") { request, context in
            await desk.serve(request, context, needs: .form) { visit in try await desk.lockApply(&visit) }
        }
        group.get("cases") { request, context in
            await desk.serve(request, context, needs: .session) { visit in try await desk.caseList(&visit) }
        }
        group.get("case") { request, context in
            await desk.serve(request, context, needs: .session) { visit in try await desk.casePage(&visit) }
        }
        group.post("case") { request, context in
            await desk.serve(request, context, needs: .form) { visit in try await desk.caseAction(&visit) }
        }
        group.get("leads") { request, context in
            await desk.serve(request, context, needs: .session) { visit in try await desk.leadList(&visit) }
        }
        group.post("leads") { request, context in
            await desk.serve(request, context, needs: .form) { visit in try await desk.decideLead(&visit) }
        }
        group.get("audit") { request, context in
            await desk.serve(request, context, needs: .session) { visit in try await desk.auditPage(&visit) }
        }
        group.get("quarantine") { request, context in
            await desk.serve(request, context, needs: .session) { visit in try await desk.quarantinePage(&visit) }
        }
        group.post("quarantine/{dot}") { request, context in
            let dot = context.parameters.get("dot") ?? ""
            return await desk.serve(request, context, needs: .form) { visit in
                try await desk.settleQuarantined(&visit, dot: dot)
            }
        }
        group.get("conflicts/{record}/{field}") { request, context in
            let id = Self.conflictID(context)
            return await desk.serve(request, context, needs: .session) { visit in
                try await desk.conflictPage(&visit, id: id)
            }
        }
        group.post("conflicts/{record}/{field}") { request, context in
            let id = Self.conflictID(context)
            return await desk.serve(request, context, needs: .form) { visit in
                try await desk.resolve(&visit, id: id)
            }
        }
    }

    /// `<record>/<field>` from the route's parameters.
    static func conflictID(_ context: some RequestContext) -> String {
        "\(context.parameters.get("record") ?? "")/\(context.parameters.get("field") ?? "")"
    }

    /// What a route needs before its handler runs.
    enum Needs {
        /// Nothing: the login page and form (which check their own token).
        case nothing
        /// A live session (a GET): without one, the browser is sent to the login page.
        case session
        /// A live session and a form carrying its CSRF token (a POST): without either, 403.
        case form
    }

    /// Runs one desk request on the desk's workers: its language, its session and, for a form,
    /// its body and CSRF token; a refusal becomes its page, any other failure a 500 page (its
    /// cause logged, never shown).
    func serve(
        _ request: Request, _ context: some DeskRequestContext, needs: Needs,
        _ handler: @escaping (inout Visit) async throws -> Response
    ) async -> Response {
        await withTaskExecutorPreference(workers) {
            var visit = Visit(request: request, address: context.peerAddress ?? "unknown", nowMillis: clock())
            do {
                try await prepare(&visit, needs: needs)
                return try await handler(&visit)
            } catch let error as DeskError {
                if case .sessionEnded = error, case .session = needs {
                    return Self.redirect("/desk/login")
                }
                return errorPage(error, visit: visit)
            } catch {
                logger.error("desk request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
                return errorPage(.internalFailure, visit: visit)
            }
        }
    }

    private func prepare(_ visit: inout Visit, needs: Needs) async throws {
        let query = try FormFields(encoded: (visit.request.uri.query ?? "")[...])
        visit.query = query
        let (language, chosen) = DeskLanguage.of(visit.request, query: query)
        visit.catalogue = Catalogue(language)
        if chosen {
            visit.cookies.append(cookie(DeskLanguage.cookie, language.rawValue, maxAge: 365 * 86_400))
        }
        if let secret = visit.request.cookies[Self.sessionCookie]?.value, DeskTokens.wellFormed(secret),
            let session = try await ledger.storage.deskSession(idHash: DeskTokens.hash(secret), limits: limits(visit))
        {
            visit.session = Visit.Session(record: session, secret: secret)
        }
        switch needs {
        case .nothing: return
        case .session:
            guard visit.session != nil else { throw DeskError.sessionEnded }
        case .form:
            visit.form = try await readForm(visit.request)
            guard let session = visit.session else { throw DeskError.sessionEnded }
            guard DeskTokens.matches(visit.form["csrf"], DeskTokens.csrf(for: session.secret, purpose: "session"))
            else { throw DeskError.csrf }
        }
    }

    /// The live-session limits at the visit's time.
    func limits(_ visit: Visit) -> DeskSessionLimits {
        DeskSessionLimits(
            nowMillis: visit.nowMillis, idleMillis: configuration.idleMillis, maxAgeMillis: configuration.maxAgeMillis)
    }

    /// A form body of at most ``maxFormBytes``.
    func readForm(_ request: Request) async throws -> FormFields {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: Self.maxFormBytes) } catch {
            throw DeskError.badForm("the form is larger than \(Self.maxFormBytes) bytes")
        }
        return try FormFields(body: Array(buffer.readableBytesView))
    }

    /// A cookie of the desk: HttpOnly, SameSite=Strict, Path=/desk, Secure under TLS.
    func cookie(_ name: String, _ value: String, maxAge: Int? = nil) -> Cookie {
        Cookie(
            name: name, value: value, maxAge: maxAge, path: "/desk", secure: configuration.secureCookies,
            httpOnly: true, sameSite: .strict)
    }

    /// A 303 to another page of the desk.
    static func redirect(_ location: String, cookies: [Cookie] = []) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        var response = Response(status: .seeOther, headers: headers)
        for cookie in cookies { response.setCookie(cookie) }
        return response
    }
}

/// A bcrypt hash made once, on the first login that names no account.
final class Decoy: Sendable {
    private let hash = Mutex<String?>(nil)

    func value(_ make: () async throws -> String) async throws -> String {
        if let made = hash.withLock({ $0 }) { return made }
        let made = try await make()
        hash.withLock { $0 = $0 ?? made }
        return made
    }
}
