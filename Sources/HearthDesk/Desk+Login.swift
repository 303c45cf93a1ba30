import HTTPTypes
import HearthLedger
import HearthStore
import Hummingbird

extension Desk {
    /// The login form, with a fresh login cookie and the token bound to it. Someone already
    /// logged in goes to the overview.
    func loginPage(_ visit: inout Visit) async throws -> Response {
        if visit.session != nil { return Self.redirect("/desk/overview", cookies: visit.cookies) }
        if visit.query["bye"] != nil { visit.notice = visit.catalogue["notice_logged_out"] }
        return loginForm(&visit, name: "", status: .ok)
    }

    /// Checks a login: the form's token, the limits on failed attempts (before any bcrypt), the
    /// password; on success a new session and its cookie. Every attempt is kept.
    func login(_ visit: inout Visit) async throws -> Response {
        let form = try await readForm(visit.request)
        guard let kept = visit.request.cookies[Self.loginCookie]?.value, DeskTokens.wellFormed(kept),
            DeskTokens.matches(form["csrf"], DeskTokens.csrf(for: kept, purpose: "login"))
        else { throw DeskError.csrf }
        let name = form.trimmed("name") ?? ""
        let password = form["password"] ?? ""
        guard !name.isEmpty, name.count <= 64, !password.isEmpty else {
            visit.errorMessage = visit.catalogue["login_failed"]
            return loginForm(&visit, name: "", status: .unauthorized)
        }
        let throttle = configuration.throttle
        let storage = ledger.storage
        func lockout() async throws -> LoginThrottle.Lockout? {
            let failures = try await storage.deskLoginFailures(
                account: name, address: visit.address, since: visit.nowMillis - throttle.windowMillis,
                limit: throttle.readLimit)
            return throttle.lockout(account: failures.account, address: failures.address, nowMillis: visit.nowMillis)
        }
        if let locked = try await lockout() { return lockedOut(&visit, locked, name: name) }

        let stored = try await storage.deskAccount(named: name)
        let matches: Bool
        if let stored, password.utf8.count <= 72 {
            matches = try await hasher.verify(password, hash: stored.passwordHash)
        } else {
            let decoyHash = try await decoy.value {
                try await hasher.hash(DeskTokens.random(), cost: configuration.bcryptCost)
            }
            _ = try await hasher.verify(password, hash: decoyHash)
            matches = false
        }
        let succeeded = matches && stored?.account.disabledMillis == nil
        try await storage.recordDeskLogin(
            DeskLoginAttempt(account: name, address: visit.address, atMillis: visit.nowMillis, succeeded: succeeded),
            forgetBefore: visit.nowMillis - throttle.forgetMillis)
        guard succeeded, let account = stored?.account else {
            if let locked = try await lockout() { return lockedOut(&visit, locked, name: name) }
            visit.errorMessage = visit.catalogue[matches ? "login_disabled" : "login_failed"]
            return loginForm(&visit, name: name, status: matches ? .forbidden : .unauthorized)
        }
        let secret = DeskTokens.random()
        try await storage.openDeskSession(
            idHash: DeskTokens.hash(secret), account: account.name, limits: limits(visit), address: visit.address,
            audit: AuditEvent(
                atMillis: visit.nowMillis, worker: account.name, action: DeskAccounts.Action.login,
                subject: account.name, field: account.role.rawValue, detail: "from \(visit.address)"))
        return Self.redirect(
            "/desk/overview",
            cookies: visit.cookies + [cookie(Self.sessionCookie, secret), cookie(Self.loginCookie, "", maxAge: 0)])
    }

    /// Ends the session (its CSRF token was checked) and forgets its cookie.
    func logout(_ visit: inout Visit) async throws -> Response {
        guard let session = visit.session else { throw DeskError.sessionEnded }
        try await ledger.storage.closeDeskSession(
            idHash: session.record.idHash,
            audit: AuditEvent(
                atMillis: visit.nowMillis, worker: session.account.name, action: DeskAccounts.Action.logout,
                subject: session.account.name, field: "", detail: ""))
        return Self.redirect("/desk/login?bye=1", cookies: visit.cookies + [cookie(Self.sessionCookie, "", maxAge: 0)])
    }

    private func lockedOut(_ visit: inout Visit, _ lockout: LoginThrottle.Lockout, name: String) -> Response {
        let key: String
        switch lockout {
        case .account: key = "login_locked_account"
        case .address: key = "login_locked_address"
        }
        visit.errorMessage = visit.catalogue.format(key, ["until": DeskFormat.time(lockout.untilMillis)])
        var response = loginForm(&visit, name: name, status: .tooManyRequests)
        response.headers[.retryAfter] = "\(max(1, (lockout.untilMillis - visit.nowMillis + 999) / 1000))"
        return response
    }

    /// The login form with a new login cookie and its token.
    private func loginForm(_ visit: inout Visit, name: String, status: HTTPResponse.Status) -> Response {
        let secret = DeskTokens.random()
        visit.cookies.append(cookie(Self.loginCookie, secret, maxAge: 3600))
        return render(
            "login", ["csrf": DeskTokens.csrf(for: secret, purpose: "login"), "name": name], visit: visit,
            status: status)
    }
}
