import Foundation
import HearthCore
import HearthDesk
import HearthLedger
import HearthStore
import Testing

@Suite("The desk's rule cases over HTTP: the records side by side, reviewed or an enrollment ended")
struct DeskCaseTests {
    /// R6: dibao granted on the village node and tekun on the township node for the same
    /// person. Returns the case id and the two enrollments.
    static func exclusive(_ desk: DeskCounty, url: String) async throws -> (
        id: String, dibao: RecordID, tekun: RecordID
    ) {
        let county = desk.county
        let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
        let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
        let home = try village.household(in: TestCounty.village1, address: "一组")
        let member = try village.member(of: home, name: "王五")
        try await county.syncRounds([village, township], url: url)
        let dibao = try village.enroll(
            EnrollInput(member: member.value, program: "dibao_rural", amount: "560", start: "2026-01"), author: "w1",
            nowMillis: TestCounty.now)[0]
        let tekun = try township.enroll(
            EnrollInput(member: member.value, program: "tekun_dispersed", amount: "838", start: "2026-01"),
            author: "t1", nowMillis: TestCounty.now)[0]
        try await county.syncRounds([village, township], url: url)
        return ("R6:\(member)", dibao, tekun)
    }

    @Test(
        "an R6 case shows its records side by side; ending one enrollment closes it, audited with the desk user",
        arguments: HubStoreKind.allCases)
    func exitCloses(_ store: HubStoreKind) async throws {
        let desk = try await DeskCounty(store)
        try await desk.account("wang", .admin)
        try await withRunningHub(desk.service()) { url in
            let made = try await Self.exclusive(desk, url: url)
            try await withBrowser(url) { browser in
                try await browser.login("wang", DeskCounty.password)
                let list = try await browser.get("/desk/cases?rule=R6")
                #expect(list.status == 200 && list.body.contains(made.id))
                let escaped = made.id.replacingOccurrences(of: ":", with: "%3A")
                let page = try await browser.get("/desk/case?id=\(escaped)")
                #expect(page.status == 200)
                for text in [made.dibao.value, made.tekun.value, "dibao_rural", "tekun_dispersed", "互斥救助项目"] {
                    #expect(page.body.contains(text), "the case page lacks \(text)")
                }
                let token = try #require(page.csrf)
                let badMonth = try await browser.post(
                    "/desk/case",
                    [
                        ("csrf", token), ("id", made.id), ("action", "exit"), ("enrollment", made.tekun.value),
                        ("end", "2026-13"), ("note", "与低保重复"),
                    ])
                #expect(badMonth.status == 400)
                let foreign = try await browser.post(
                    "/desk/case",
                    [
                        ("csrf", token), ("id", made.id), ("action", "exit"), ("enrollment", "E-000000000000-1"),
                        ("end", "2026-01"), ("note", "x"),
                    ])
                #expect(foreign.status == 400 && foreign.body.contains("is not an enrollment of"))
                let done = try await browser.post(
                    "/desk/case",
                    [
                        ("csrf", token), ("id", made.id), ("action", "exit"), ("enrollment", made.tekun.value),
                        ("end", "2026-01"), ("note", "与低保重复"),
                    ])
                #expect(done.status == 303)
                let after = try await browser.get(try #require(done.location))
                #expect(!after.body.contains(">\(made.id)</a>"))
            }
            #expect(
                try await desk.hub.reading { try $0.ruleCases(nowMillis: TestCounty.now) }.filter { $0.rule == "R6" }
                    .isEmpty)
            let audit = try #require(try await desk.hub.reading { try $0.auditTrail() }.last)
            #expect(audit.action == DeskAccounts.Action.exitForCase && audit.worker == "wang")
            #expect(audit.subject == made.tekun.value)
        }
    }

    @Test(
        "a case reviewed at the desk closes as `conflicts ack` closes it; a reviewer elsewhere and an auditor cannot",
        arguments: HubStoreKind.allCases)
    func acknowledge(_ store: HubStoreKind) async throws {
        let desk = try await DeskCounty(store)
        try await desk.account("wang", .admin)
        try await desk.account("li", .reviewer, township: DeskCounty.township2)
        try await desk.account("zhao", .auditor)
        try await withRunningHub(desk.service()) { url in
            let made = try await Self.exclusive(desk, url: url)
            let escaped = made.id.replacingOccurrences(of: ":", with: "%3A")
            try await withBrowser(url) { reviewer in
                try await reviewer.login("li", DeskCounty.password)
                #expect(!(try await reviewer.get("/desk/cases").body.contains(made.id)))
                #expect(try await reviewer.get("/desk/case?id=\(escaped)").status == 404)
                let token = try #require(try await reviewer.get("/desk/overview").csrf)
                let refused = try await reviewer.post(
                    "/desk/case", [("csrf", token), ("id", made.id), ("action", "ack"), ("note", "x")])
                #expect(refused.status == 404)
            }
            try await withBrowser(url) { auditor in
                try await auditor.login("zhao", DeskCounty.password)
                let page = try await auditor.get("/desk/case?id=\(escaped)")
                #expect(page.status == 200 && !page.body.contains(#"value="ack""#))
                let refused = try await auditor.post(
                    "/desk/case", [("csrf", page.csrf ?? ""), ("id", made.id), ("action", "ack"), ("note", "x")])
                #expect(refused.status == 403)
            }
            #expect(try await desk.hub.reading { try $0.ruleCase(made.id, nowMillis: TestCounty.now) } != nil)
            try await withBrowser(url) { admin in
                try await admin.login("wang", DeskCounty.password)
                let page = try await admin.get("/desk/case?id=\(escaped)")
                let done = try await admin.post(
                    "/desk/case",
                    [("csrf", page.csrf ?? ""), ("id", made.id), ("action", "ack"), ("note", "特困为主，低保另行终止")])
                #expect(done.status == 303)
                #expect(try await admin.get("/desk/case?id=\(escaped)").status == 404)
                #expect(try await admin.get("/desk/cases?rule=R99").status == 400)
            }
            #expect(try await desk.hub.reading { try $0.ruleCase(made.id, nowMillis: TestCounty.now) } == nil)
            let decision = try #require(try await desk.hub.decisions().last)
            #expect(decision.kind == "acknowledgement" && decision.worker == "wang" && decision.record == made.id)
        }
    }
}
