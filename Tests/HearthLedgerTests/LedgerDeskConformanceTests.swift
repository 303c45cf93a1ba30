import Foundation
import HearthCore
import HearthLedger
import HearthStore
import Testing

/// What every ledger storage keeps for the county desk (``DeskStorage``): accounts, sessions by
/// the hash of their id, login attempts, with their audit lines; run once per backend.
@Suite("Ledger storage conformance: the desk's accounts, sessions and logins")
struct LedgerDeskConformanceTests {
    static func account(_ name: String, _ role: DeskRole = .admin, township: String? = nil) throws -> DeskAccount {
        DeskAccount(
            name: name, role: role, township: try township.map { try ScopePrefix.parse($0, field: "township") },
            createdMillis: Fixture.start, passwordMillis: Fixture.start, disabledMillis: nil)
    }

    static func audit(_ action: String, _ subject: String) -> AuditEvent {
        AuditEvent(atMillis: Fixture.start, worker: "test", action: action, subject: subject, field: "", detail: "")
    }

    static func limits(at now: Int64) -> DeskSessionLimits {
        DeskSessionLimits(nowMillis: now, idleMillis: 30 * 60_000, maxAgeMillis: 12 * 3_600_000)
    }

    @Test(
        "Accounts are kept once per name (whatever its ASCII case), listed without hashes, disabled once",
        arguments: LedgerBackend.all)
    func accounts(backend: LedgerBackend) async throws {
        let county = try await Fixture(backend)
        try await county.storage.addDeskAccount(
            try Self.account("wang"), passwordHash: "$2b$04$h1", audit: Self.audit("add", "wang"))
        try await county.storage.addDeskAccount(
            try Self.account("li", .reviewer, township: "421281101"), passwordHash: "$2b$04$h2",
            audit: Self.audit("add", "li"))
        await #expect(throws: ReplicaError.self) {
            try await county.storage.addDeskAccount(
                try Self.account("WANG"), passwordHash: "$2b$04$h3", audit: Self.audit("add", "WANG"))
        }
        #expect(try await county.storage.deskAccounts().map(\.name) == ["li", "wang"])
        #expect(try await county.storage.deskAccounts()[0].township?.value == "421281101")
        let stored = try #require(try await county.storage.deskAccount(named: "Wang"))
        #expect(stored.passwordHash == "$2b$04$h1" && stored.account.role == .admin)
        #expect(try await county.storage.deskAccount(named: "zhao") == nil)

        #expect(
            try await county.storage.disableDeskAccount(named: "wang", atMillis: 100, audit: Self.audit("off", "wang")))
        #expect(
            try await county.storage.disableDeskAccount(named: "wang", atMillis: 200, audit: Self.audit("off", "wang")))
        #expect(try await county.storage.deskAccount(named: "wang")?.account.disabledMillis == 100)
        #expect(
            try await !county.storage.disableDeskAccount(named: "zhao", atMillis: 1, audit: Self.audit("off", "zhao")))
        #expect(
            try await county.storage.setDeskPassword(
                named: "li", passwordHash: "$2b$04$new", atMillis: 300, audit: Self.audit("pw", "li")))
        #expect(try await county.storage.deskAccount(named: "li")?.passwordHash == "$2b$04$new")
        #expect(try await county.storage.deskAccount(named: "li")?.account.passwordMillis == 300)
    }

    @Test(
        "A session is found by its hash while used within the idle time, and ends idle, old, logged out or disabled",
        arguments: LedgerBackend.all)
    func sessions(backend: LedgerBackend) async throws {
        let county = try await Fixture(backend)
        let start = Fixture.start
        try await county.storage.addDeskAccount(
            try Self.account("wang"), passwordHash: "h", audit: Self.audit("add", "wang"))
        try await county.storage.openDeskSession(
            idHash: "s1", account: "wang", limits: Self.limits(at: start), address: "10.0.0.1",
            audit: Self.audit("login", "wang"))
        #expect(
            try await county.storage.deskSession(idHash: "s1", limits: Self.limits(at: start))?.account.name == "wang")
        #expect(try await county.storage.deskSession(idHash: "s2", limits: Self.limits(at: start)) == nil)
        // Used 29 minutes later: alive, and its idle time starts again.
        let used = try await county.storage.deskSession(idHash: "s1", limits: Self.limits(at: start + 29 * 60_000))
        #expect(used?.lastSeenMillis == start + 29 * 60_000)
        #expect(try await county.storage.deskSession(idHash: "s1", limits: Self.limits(at: start + 58 * 60_000)) != nil)
        // Idle 31 minutes: ended, and forgotten.
        #expect(try await county.storage.deskSession(idHash: "s1", limits: Self.limits(at: start + 89 * 60_000)) == nil)
        #expect(try await county.storage.deskSession(idHash: "s1", limits: Self.limits(at: start + 58 * 60_000)) == nil)

        // However busy, a session ends at its longest age.
        try await county.storage.openDeskSession(
            idHash: "s3", account: "wang", limits: Self.limits(at: start), address: "a",
            audit: Self.audit("login", "wang"))
        var now = start
        while now <= start + 12 * 3_600_000 {
            now += 20 * 60_000
            _ = try await county.storage.deskSession(idHash: "s3", limits: Self.limits(at: now))
        }
        #expect(try await county.storage.deskSession(idHash: "s3", limits: Self.limits(at: now)) == nil)

        // Logout ends one; the CLI ends all of an account's; a disabled account has none.
        for id in ["s4", "s5", "s6"] {
            try await county.storage.openDeskSession(
                idHash: id, account: "wang", limits: Self.limits(at: now), address: "a",
                audit: Self.audit("login", "wang"))
        }
        try await county.storage.closeDeskSession(idHash: "s4", audit: Self.audit("logout", "wang"))
        #expect(try await county.storage.deskSession(idHash: "s4", limits: Self.limits(at: now)) == nil)
        #expect(try await county.storage.closeDeskSessions(of: "WANG", audit: Self.audit("end", "wang")) == 2)
        #expect(try await county.storage.deskSession(idHash: "s5", limits: Self.limits(at: now)) == nil)
        #expect(try await county.storage.closeDeskSessions(of: "zhao", audit: Self.audit("end", "zhao")) == nil)
        try await county.storage.openDeskSession(
            idHash: "s7", account: "wang", limits: Self.limits(at: now), address: "a",
            audit: Self.audit("login", "wang"))
        _ = try await county.storage.disableDeskAccount(named: "wang", atMillis: now, audit: Self.audit("off", "wang"))
        #expect(try await county.storage.deskSession(idHash: "s7", limits: Self.limits(at: now)) == nil)
    }

    @Test(
        "Failed logins are counted per account since its last success and per address, newest first",
        arguments: LedgerBackend.all)
    func loginAttempts(backend: LedgerBackend) async throws {
        let county = try await Fixture(backend)
        func attempt(_ account: String, _ address: String, _ at: Int64, _ succeeded: Bool = false) async throws {
            try await county.storage.recordDeskLogin(
                DeskLoginAttempt(account: account, address: address, atMillis: at, succeeded: succeeded),
                forgetBefore: 50)
        }
        try await attempt("wang", "a", 100)
        try await attempt("wang", "b", 200)
        try await attempt("Wang", "a", 300)
        try await attempt("li", "a", 400)
        var failures = try await county.storage.deskLoginFailures(account: "wang", address: "a", since: 0, limit: 10)
        #expect(failures.account == [300, 200, 100] && failures.address == [400, 300, 100])
        failures = try await county.storage.deskLoginFailures(account: "wang", address: "a", since: 150, limit: 2)
        #expect(failures.account == [300, 200] && failures.address == [400, 300])
        // A success clears the account's count, not the address's.
        try await attempt("wang", "a", 500, true)
        failures = try await county.storage.deskLoginFailures(account: "wang", address: "a", since: 0, limit: 10)
        #expect(failures.account.isEmpty && failures.address == [400, 300, 100])
        // Attempts older than asked are forgotten as new ones come.
        try await county.storage.recordDeskLogin(
            DeskLoginAttempt(account: "li", address: "a", atMillis: 600, succeeded: false), forgetBefore: 350)
        failures = try await county.storage.deskLoginFailures(account: "li", address: "a", since: 0, limit: 10)
        #expect(failures.account == [600, 400] && failures.address == [600, 400])
    }

    @Test("Open leads are counted, decided ones not", arguments: LedgerBackend.all)
    func openLeads(backend: LedgerBackend) async throws {
        let county = try await Fixture(backend)
        #expect(try await county.storage.openLeadCount() == 0)
        let village = try DivisionCode.parse(Fixture.villageA, field: "village")
        _ = try await county.storage.edit(author: "county", nowMillis: Fixture.start) { edit in
            for status in ["open", "confirmed", "refuted", "open"] {
                _ = try edit.create(
                    .lead, village: village,
                    fields: ["source": .text("death"), "detail": .text("a death"), "status": .text(status)],
                    cause: nil)
            }
            _ = try edit.create(
                .lead, village: village, fields: ["source": .text("pension"), "detail": .text("x")], cause: nil)
        }
        #expect(try await county.storage.openLeadCount() == 3)
    }
}
