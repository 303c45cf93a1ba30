import Foundation
import HearthCore
import HearthDesk
import HearthLedger
import HearthStore
import Testing

@Suite("The desk's leads over HTTP: confirmed or refuted with a note at the county's level only")
struct DeskLeadTests {
    /// Two approved members whom the civil registry's list reports dead: two open leads.
    static func leads(_ desk: DeskCounty) async throws -> (confirm: RecordID, refute: RecordID) {
        let hub = desk.hub
        var ids: [String] = []
        for (name, sequence) in [("甲", "011"), ("乙", "021")] {
            let id = idNumber(born: "19400101", sequence: sequence)
            ids.append(id)
            _ = try await hub.writing(author: "a", nowMillis: TestCounty.now) { hub in
                let home = try hub.household(in: TestCounty.village1, address: name)
                let member = try hub.member(of: home, name: name, idNumber: id)
                let enrollment = try hub.enroll(
                    EnrollInput(member: member.value, program: "dibao_rural", amount: "560", start: "2026-01"),
                    author: "a", nowMillis: TestCounty.now)[0]
                try hub.changeEnrollment(
                    enrollment.value, .approve, note: nil, author: "a", nowMillis: TestCounty.now)
            }
        }
        let rows = ids.enumerated().map { index, id in
            CrosscheckRow(line: index + 2, idNumber: id, date: "2026-09-20", detail: "火化日期: 2026/9/20")
        }
        let done = try await hub.importCrosscheck(
            source: .death, rows: rows, dryRun: false, skipInvalid: false, author: "admin", nowMillis: TestCounty.now)
        #expect(done.leads.count == 2)
        let sorted = done.leads.sorted()
        return (sorted[0], sorted[1])
    }

    @Test(
        "an administrator confirms one lead and refutes another with notes; each decision names the desk user",
        arguments: HubStoreKind.allCases)
    func decide(_ store: HubStoreKind) async throws {
        let desk = try await DeskCounty(store)
        try await desk.account("wang", .admin)
        let made = try await Self.leads(desk)
        try await withRunningHub(desk.service()) { url in
            try await withBrowser(url) { browser in
                try await browser.login("wang", DeskCounty.password)
                let page = try await browser.get("/desk/leads")
                #expect(page.status == 200 && page.body.contains("共 2 条线索"))
                #expect(page.body.contains(made.confirm.value) && page.body.contains(made.refute.value))
                let token = try #require(page.csrf)
                let noNote = try await browser.post(
                    "/desk/leads", [("csrf", token), ("lead", made.confirm.value), ("action", "confirm")])
                #expect(noNote.status == 400)
                let confirmed = try await browser.post(
                    "/desk/leads",
                    [("csrf", token), ("lead", made.confirm.value), ("action", "confirm"), ("note", "火化证明")])
                #expect(confirmed.status == 303)
                let refuted = try await browser.post(
                    "/desk/leads",
                    [("csrf", token), ("lead", made.refute.value), ("action", "refute"), ("note", "本人健在")])
                #expect(refuted.status == 303)
                let again = try await browser.post(
                    "/desk/leads",
                    [("csrf", token), ("lead", made.refute.value), ("action", "confirm"), ("note", "x")])
                #expect(again.status == 400 && again.body.contains("is already refuted"))
                #expect(try await browser.get("/desk/leads").body.contains("没有符合条件的线索"))
                #expect(try await browser.get("/desk/leads?status=all").body.contains("共 2 条线索"))
                #expect(try await browser.get("/desk/leads?status=closed").status == 400)
            }
            let leads = Dictionary(
                uniqueKeysWithValues: try await desk.hub.reading { try $0.leads() }.map { ($0.id, $0) })
            #expect(leads[made.confirm]?.status == "confirmed" && leads[made.confirm]?.verifier == "wang")
            #expect(leads[made.refute]?.status == "refuted" && leads[made.refute]?.note == "本人健在")
            let trail = try await desk.hub.reading { try $0.auditTrail() }.filter {
                $0.action == DeskAccounts.Action.decideLead
            }
            #expect(trail.map(\.subject) == [made.confirm.value, made.refute.value])
        }
    }

    @Test("a reviewer is refused the leads; an auditor reads them and cannot decide", arguments: HubStoreKind.allCases)
    func roles(_ store: HubStoreKind) async throws {
        let desk = try await DeskCounty(store)
        try await desk.account("li", .reviewer, township: TestCounty.township)
        try await desk.account("zhao", .auditor)
        let made = try await Self.leads(desk)
        try await withRunningHub(desk.service()) { url in
            try await withBrowser(url) { reviewer in
                try await reviewer.login("li", DeskCounty.password)
                #expect(try await reviewer.get("/desk/leads").status == 403)
                let token = try #require(try await reviewer.get("/desk/overview").csrf)
                let post = try await reviewer.post(
                    "/desk/leads",
                    [("csrf", token), ("lead", made.confirm.value), ("action", "confirm"), ("note", "x")])
                #expect(post.status == 403)
            }
            try await withBrowser(url) { auditor in
                try await auditor.login("zhao", DeskCounty.password)
                let page = try await auditor.get("/desk/leads")
                #expect(page.status == 200 && page.body.contains(made.confirm.value))
                #expect(!page.body.contains(#"value="confirm""#))
                let post = try await auditor.post(
                    "/desk/leads",
                    [("csrf", page.csrf ?? ""), ("lead", made.confirm.value), ("action", "confirm"), ("note", "x")])
                #expect(post.status == 403)
            }
            #expect(try await desk.hub.reading { try $0.leads() }.allSatisfy { $0.status == "open" })
        }
    }
}
