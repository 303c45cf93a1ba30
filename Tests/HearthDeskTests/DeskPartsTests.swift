import Foundation
import HearthCore
import HearthLedger
import Testing

@testable import HearthDesk

@Suite("The desk's parts: limits on logins, tokens, forms, names, passwords, templates")
struct DeskPartsTests {
    @Test("a lockout comes with the limit-th failure in the window and lifts when that failure leaves it")
    func throttle() {
        let throttle = LoginThrottle(perAccount: 3, perAddress: 5, windowMillis: 1_000)
        #expect(throttle.lockout(account: [100, 50], address: [100, 50], nowMillis: 200) == nil)
        #expect(
            throttle.lockout(account: [300, 200, 100], address: [], nowMillis: 300) == .account(untilMillis: 1_100))
        #expect(throttle.lockout(account: [300, 200, 100], address: [], nowMillis: 1_099) != nil)
        #expect(throttle.lockout(account: [300, 200, 100], address: [], nowMillis: 1_100) == nil)
        // Failures older than the window do not count; the address's limit is its own.
        #expect(throttle.lockout(account: [900, 10, 5], address: [], nowMillis: 1_050) == nil)
        let address = [500, 400, 300, 200, 100] as [Int64]
        #expect(throttle.lockout(account: [500], address: address, nowMillis: 600) == .address(untilMillis: 1_100))
    }

    @Test("session secrets are 256 random bits; CSRF tokens are bound to their secret and purpose")
    func tokens() {
        let one = DeskTokens.random()
        let two = DeskTokens.random()
        #expect(one != two && DeskTokens.wellFormed(one) && DeskTokens.wellFormed(two))
        #expect(!DeskTokens.wellFormed(one + "x") && !DeskTokens.wellFormed(String(one.dropLast()) + "="))
        #expect(DeskTokens.hash(one).count == 64 && DeskTokens.hash(one) != DeskTokens.hash(two))
        let csrf = DeskTokens.csrf(for: one, purpose: "session")
        #expect(DeskTokens.matches(csrf, DeskTokens.csrf(for: one, purpose: "session")))
        #expect(!DeskTokens.matches(csrf, DeskTokens.csrf(for: two, purpose: "session")))
        #expect(!DeskTokens.matches(csrf, DeskTokens.csrf(for: one, purpose: "login")))
        #expect(!DeskTokens.matches(nil, csrf) && !DeskTokens.matches("", csrf))
        #expect(!csrf.contains(one))
    }

    @Test("a form reads + as a space and %-escapes as UTF-8, keeps a repeated field's first, refuses a bad escape")
    func forms() throws {
        let form = try FormFields(encoded: "note=%E6%A0%B8%E5%AE%9E+ok&note=second&empty=&flag")
        #expect(form["note"] == "核实 ok" && form["empty"] == "" && form["flag"] == "" && form["none"] == nil)
        #expect(form.trimmed("empty") == nil)
        #expect(throws: DeskError.self) { try FormFields(encoded: "a=%zz") }
        #expect(throws: DeskError.self) { try FormFields(body: [0x61, 0x3D, 0xFF]) }
        let many = (0...FormFields.maxFields).map { "f\($0)=1" }.joined(separator: "&")
        #expect(throws: DeskError.self) { try FormFields(encoded: many[...]) }
    }

    @Test("account names and passwords are checked, and a refusal never repeats the password")
    func accountRules() throws {
        #expect(try DeskAccounts.checkName("王科长") == "王科长")
        #expect(try DeskAccounts.checkName("li.wei_2") == "li.wei_2")
        for bad in ["a", "-rm", "has space", "semi;colon", String(repeating: "x", count: 33), "tab\t"] {
            #expect(throws: InputError.self) { try DeskAccounts.checkName(bad) }
        }
        try DeskAccounts.checkPassword("correct-horse-battery", name: "wang")
        for bad in ["short", String(repeating: "长", count: 25), "has\u{0}nul-inside", "wang-wang-w"] {
            do {
                try DeskAccounts.checkPassword(bad, name: bad == "wang-wang-w" ? "Wang-Wang-W" : "wang")
                Issue.record("accepted a bad password")
            } catch {
                #expect(!error.description.contains(bad))
            }
        }
    }

    @Test("every template compiles, renders in both languages, and escapes every value it prints")
    func templates() {
        for (name, source) in DeskTemplates.sources {
            #expect(!source.contains("{{{") && !source.contains("{{&"), "\(name) prints a value unescaped")
            #expect(DeskTemplates.library.getTemplate(named: name) != nil)
            #expect(source.split(separator: "\n").allSatisfy { $0.count <= 120 })
        }
        let rendered = DeskTemplates.library.render(
            ["t": DeskLabels.en, "heading": "<script>alert(1)</script>", "message": "a & b", "back": "/desk"],
            withTemplate: "error")
        #expect(rendered?.contains("&lt;script&gt;") == true && rendered?.contains("<script>") == false)
        #expect(rendered?.contains("Hearth county desk") == true)
    }
}
