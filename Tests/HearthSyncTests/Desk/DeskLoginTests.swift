import Foundation
import HearthCore
import HearthDesk
import HearthLedger
import HearthStore
import Testing

@Suite("The desk's logins and sessions over HTTP")
struct DeskLoginTests {
    @Test("an administrator logs in with a strict HttpOnly cookie, sees the overview, and logs out for good")
    func loginAndLogout() async throws {
        let desk = try DeskCounty()
        try await desk.account("wang", .admin)
        try await withRunningHub(desk.service()) { url in
            try await withBrowser(url) { browser in
                let refused = try await browser.get("/desk/overview")
                #expect(refused.status == 303 && refused.location == "/desk/login")

                let login = try await browser.login("wang", DeskCounty.password)
                #expect(login.status == 303 && login.location == "/desk/overview")
                let cookie = try #require(login.setCookie("hearth_desk"))
                for attribute in ["HttpOnly", "SameSite=Strict", "Path=/desk"] {
                    #expect(cookie.contains(attribute), "the session cookie lacks \(attribute): \(cookie)")
                }
                #expect(!cookie.contains("Secure"), "plain HTTP on loopback: no Secure attribute")
                let overview = try await browser.get("/desk/overview")
                #expect(overview.status == 200)
                #expect(overview.body.contains("总览") && overview.body.contains("wang"))
                #expect(overview.headers.first(name: "content-security-policy")?.contains("default-src 'none'") == true)
                // The session's id is not in the database, only its hash.
                let secret = try #require(browser.cookies["hearth_desk"])
                #expect(secret.count == 43)

                let logout = try await browser.logout()
                #expect(logout.status == 303 && logout.location == "/desk/login?bye=1")
                #expect(browser.cookies["hearth_desk"] == nil)
                // The old cookie, presented again, opens nothing.
                browser.cookies["hearth_desk"] = secret
                let after = try await browser.get("/desk/overview")
                #expect(after.status == 303 && after.location == "/desk/login")
            }
        }
        let trail = try desk.hub.replica.auditTrail().filter { $0.action.hasPrefix("desk l") }
        #expect(trail.map(\.action) == [DeskAccounts.Action.login, DeskAccounts.Action.logout])
        #expect(trail.allSatisfy { $0.worker == "wang" && $0.subject == "wang" })
    }

    @Test("a wrong password and an unknown name get the same refusal, and no session")
    func wrongPassword() async throws {
        let desk = try DeskCounty()
        try await desk.account("wang", .admin)
        try await withRunningHub(desk.service()) { url in
            try await withBrowser(url) { browser in
                let wrong = try await browser.login("wang", "not-the-password")
                let unknown = try await browser.login("nobody", DeskCounty.password)
                for page in [wrong, unknown] {
                    #expect(page.status == 401)
                    #expect(page.body.contains("用户名或密码错误"))
                    #expect(page.setCookie("hearth_desk") == nil)
                    #expect(!page.body.contains("not-the-password") && !page.body.contains(DeskCounty.password))
                }
                #expect(browser.cookies["hearth_desk"] == nil)
                #expect(try await browser.get("/desk/overview").status == 303)
                // In English when the browser asks for it.
                browser.language = "en-GB,en;q=0.8"
                #expect(try await browser.login("wang", "still-not-it").body.contains("Wrong name or password."))
            }
        }
        let failures = try await desk.hub.storage.deskLoginFailures(
            account: "wang", address: "127.0.0.1", since: 0, limit: 10)
        #expect(failures.account.count == 2)
        #expect(failures.address.count == 3)
    }

    @Test("five failed logins lock the account, the right password too, across a restart, until the window passes")
    func accountLockout() async throws {
        let desk = try DeskCounty()
        try await desk.account("wang", .admin)
        try await withRunningHub(desk.service()) { url in
            try await withBrowser(url) { browser in
                for _ in 0..<4 { #expect(try await browser.login("wang", "guess-guess-guess").status == 401) }
                let fifth = try await browser.login("wang", "guess-guess-guess")
                #expect(fifth.status == 429)
                let locked = try await browser.login("wang", DeskCounty.password)
                #expect(locked.status == 429)
                let until = DeskCounty.chinaTime(TestCounty.now + 15 * 60_000)
                #expect(locked.body.contains("此账户登录失败次数过多") && locked.body.contains(until))
                #expect(locked.headers.first(name: "retry-after") == "900")
                #expect(browser.cookies["hearth_desk"] == nil)
            }
        }
        // A restarted hub finds the failures in its database.
        let reopened = try desk.county.reopenHub()
        try await withRunningHub(desk.service(reopened)) { url in
            try await withBrowser(url) { browser in
                desk.advance(minutes: 14)
                let early = try await browser.login("wang", DeskCounty.password)
                #expect(early.status == 429)
                desk.advance(minutes: 1)
                let lifted = try await browser.login("wang", DeskCounty.password)
                #expect(lifted.status == 303)
            }
        }
    }

    @Test("failed logins from one address lock that address for every account, a right password too")
    func addressLockout() async throws {
        let desk = try DeskCounty(throttle: LoginThrottle(perAccount: 5, perAddress: 8, windowMillis: 15 * 60_000))
        try await desk.account("wang", .admin)
        try await withRunningHub(desk.service()) { url in
            try await withBrowser(url) { browser in
                // Two failures on each of four names: no account reaches its own limit, the address
                // does at the eighth.
                var statuses: [Int] = []
                for name in ["zhao", "qian", "sun", "zhou"] {
                    for _ in 0..<2 { statuses.append(try await browser.login(name, "guess-guess-guess").status) }
                }
                #expect(statuses == Array(repeating: 401, count: 7) + [429])
                browser.language = "en"
                let locked = try await browser.login("wang", DeskCounty.password)
                #expect(locked.status == 429)
                #expect(locked.body.contains("Too many failed logins from this address"))
                #expect(locked.body.contains(DeskCounty.chinaTime(TestCounty.now + 15 * 60_000)))
                desk.advance(minutes: 15)
                #expect(try await browser.login("wang", DeskCounty.password).status == 303)
            }
        }
    }

    @Test("a session survives a hub restart and ends after thirty idle minutes, measured from its last use")
    func sessionsSurviveAndExpire() async throws {
        let desk = try DeskCounty()
        try await desk.account("wang", .admin)
        let cookie = try await withRunningHub(desk.service()) { url in
            try await withBrowser(url) { browser in
                #expect(try await browser.login("wang", DeskCounty.password).status == 303)
                return try #require(browser.cookies["hearth_desk"])
            }
        }
        let reopened = try desk.county.reopenHub()
        try await withRunningHub(desk.service(reopened)) { url in
            try await withBrowser(url) { browser in
                browser.cookies["hearth_desk"] = cookie
                #expect(try await browser.get("/desk/overview").status == 200, "the session did not survive a restart")
                desk.advance(minutes: 29)
                #expect(try await browser.get("/desk/overview").status == 200)
                desk.advance(minutes: 29)
                #expect(try await browser.get("/desk/overview").status == 200, "use did not keep the session alive")
                desk.advance(minutes: 31)
                let ended = try await browser.get("/desk/overview")
                #expect(ended.status == 303 && ended.location == "/desk/login")
                // Ended for good: the hub forgot the session, on every page.
                #expect(try await browser.get("/desk/conflicts").status == 303)
            }
        }
    }

    @Test("the CLI ends a user's sessions, and a disabled account logs in no more")
    func endedFromTheCLI() async throws {
        let desk = try DeskCounty()
        try await desk.account("wang", .admin)
        try await withRunningHub(desk.service()) { url in
            try await withBrowser(url) { browser in
                #expect(try await browser.login("wang", DeskCounty.password).status == 303)
                #expect(try await browser.get("/desk/overview").status == 200)
                let accounts = DeskAccounts(ledger: desk.hub, cost: 4)
                #expect(try await accounts.endSessions(name: "wang", worker: "cli", nowMillis: desk.nowMillis) == 1)
                #expect(try await browser.get("/desk/overview").status == 303)
                #expect(try await browser.login("wang", DeskCounty.password).status == 303)
                try await accounts.disable(name: "wang", worker: "cli", nowMillis: desk.nowMillis)
                #expect(try await browser.get("/desk/overview").status == 303)
                let refused = try await browser.login("wang", DeskCounty.password)
                #expect(refused.status == 403 && refused.body.contains("此账户已停用"))
            }
        }
    }
}

extension DeskCounty {
    /// `2026-11-26 08:00:00` in China Standard Time, as the desk writes times.
    static func chinaTime(_ millis: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }
}
