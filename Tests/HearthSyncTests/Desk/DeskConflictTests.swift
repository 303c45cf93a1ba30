import Foundation
import HearthCore
import HearthDesk
import HearthLedger
import HearthStore
import Testing

@Suite("The desk's conflicts over HTTP: resolution, CSRF, roles and stale pages")
struct DeskConflictTests {
    /// The form fields of a resolution from a page: its token and version, a choice, a note.
    static func resolution(_ page: DeskBrowser.Page, choice: String, value: String = "", note: String = "checked")
        -> [(String, String)]
    {
        [
            ("csrf", page.csrf ?? ""), ("version", page.field("version") ?? ""), ("choice", choice),
            ("value", value), ("note", note),
        ]
    }

    /// The radio button of the competing value a worker wrote (`pick-N`), from the page's rows.
    static func choice(in page: DeskBrowser.Page, writtenBy author: String) -> String? {
        guard let cell = page.body.range(of: "<td>\(author)</td>") else { return nil }
        // The last radio button before the author's cell is the one of that row.
        var rest = page.body[..<cell.lowerBound]
        var last: Substring?
        while let radio = rest.range(of: #"value="pick-[0-9]+""#, options: .regularExpression) {
            last = rest[radio]
            rest = rest[radio.upperBound...]
        }
        return last.map { String($0.dropFirst(7).dropLast()) }
    }

    @Test(
        "a conflict two nodes made is resolved at the desk as an ordinary hub op: gone from the list, closed for the CLI, on the nodes after sync",
        arguments: HubStoreKind.allCases)
    func resolveReachesTheNodes(_ store: HubStoreKind) async throws {
        let desk = try await DeskCounty(store)
        try await desk.account("wang", .admin)
        try await withRunningHub(desk.service()) { url in
            let made = try await desk.conflicts(url: url)
            try await withBrowser(url) { browser in
                try await browser.login("wang", DeskCounty.password)
                let list = try await browser.get("/desk/conflicts")
                #expect(list.body.contains(made.first) && list.body.contains(made.second))
                #expect(list.body.contains("共 2 条"))
                let page = try await browser.get("/desk/conflicts/\(made.first)")
                #expect(page.status == 200)
                // The three-way view: both values, who wrote them, where, and the rule.
                for text in ["620", "500", "village-worker", "town-worker", "village-001", "town-101", "R4b"] {
                    #expect(page.body.contains(text), "the conflict page lacks \(text)")
                }
                let pick = try #require(Self.choice(in: page, writtenBy: "village-worker"))
                let done = try await browser.post(
                    "/desk/conflicts/\(made.first)", Self.resolution(page, choice: pick, note: "村里核实为 620 元"))
                #expect(done.status == 303)
                let after = try await browser.get(try #require(done.location))
                #expect(after.body.contains("已解决") && !after.body.contains("\(made.first)</a>"))
                #expect(after.body.contains(made.second))
            }
            // The CLI's desk sees the same: closed, decided by the desk's user, audited.
            #expect(try await !desk.isOpen(made.first))
            let decision = try #require(try await desk.hub.decisions().last)
            #expect(decision.worker == "wang" && decision.kind == "resolution" && decision.note == "村里核实为 620 元")
            let audit = try #require(try await desk.hub.reading { try $0.auditTrail() }.last)
            #expect(audit.action == DeskAccounts.Action.resolve && audit.worker == "wang")
            #expect("\(audit.subject)/\(audit.field)" == made.first)
            // Every node holding the record receives the resolution at its next sync.
            try await desk.county.syncRounds(made.nodes, url: url)
            let record = try #require(RecordID(String(made.first.split(separator: "/")[0])))
            for node in made.nodes.prefix(2) {
                let state = try #require(try node.state(of: record))
                #expect(state.conflicts.isEmpty, "\(node.info.name) still holds the conflict")
                #expect(state.resolution(of: "income").value == .integer(62_000))
            }
        }
    }

    @Test(
        "a form without a CSRF token, with another session's or an ended session's, is refused and changes nothing",
        arguments: HubStoreKind.allCases)
    func csrf(_ store: HubStoreKind) async throws {
        let desk = try await DeskCounty(store)
        try await desk.account("wang", .admin)
        try await withRunningHub(desk.service()) { url in
            let made = try await desk.conflicts(url: url)
            try await withBrowser(url) { browser in
                try await withBrowser(url) { other in
                    try await browser.login("wang", DeskCounty.password)
                    try await other.login("wang", DeskCounty.password)
                    let page = try await browser.get("/desk/conflicts/\(made.first)")
                    let foreign = try await other.get("/desk/conflicts/\(made.first)")
                    var fields = Self.resolution(page, choice: "pick-1")
                    fields.removeFirst()
                    let missing = try await browser.post("/desk/conflicts/\(made.first)", fields)
                    #expect(missing.status == 403 && missing.body.contains("表单已失效"))
                    let crossed = try await browser.post(
                        "/desk/conflicts/\(made.first)", [("csrf", foreign.csrf ?? "")] + fields)
                    #expect(crossed.status == 403)
                    // A token of a session that ended, presented within a new one.
                    try await browser.logout()
                    try await browser.login("wang", DeskCounty.password)
                    let stale = try await browser.post(
                        "/desk/conflicts/\(made.first)", [("csrf", page.csrf ?? "")] + fields)
                    #expect(stale.status == 403)
                    // A logout without a token ends nothing.
                    #expect(try await other.post("/desk/logout", []).status == 403)
                    #expect(try await other.get("/desk/overview").status == 200)
                    // The login form needs its own token too.
                    let noToken = try await other.post(
                        "/desk/login", [("name", "wang"), ("password", DeskCounty.password)])
                    #expect(noToken.status == 403)
                }
            }
            #expect(try await desk.isOpen(made.first))
            #expect(try await desk.hub.decisions().isEmpty)
        }
    }

    @Test(
        "a reviewer sees and resolves only the conflicts of their township: list, page and form",
        arguments: HubStoreKind.allCases)
    func reviewer(_ store: HubStoreKind) async throws {
        let desk = try await DeskCounty(store)
        try await desk.account("wang", .admin)
        try await desk.account("li", .reviewer, township: TestCounty.township)
        try await withRunningHub(desk.service()) { url in
            let made = try await desk.conflicts(url: url)
            try await withBrowser(url) { admin in
                try await withBrowser(url) { reviewer in
                    try await admin.login("wang", DeskCounty.password)
                    try await reviewer.login("li", DeskCounty.password)
                    let list = try await reviewer.get("/desk/conflicts")
                    #expect(list.body.contains(made.first) && !list.body.contains(made.second))
                    // Asking for the other township shows nothing of it either.
                    let asked = try await reviewer.get("/desk/conflicts?township=\(DeskCounty.township2)")
                    #expect(!asked.body.contains(made.second))
                    let village = try await reviewer.get("/desk/conflicts?village=\(DeskCounty.village2of2)")
                    #expect(!village.body.contains(made.second))
                    let overview = try await reviewer.get("/desk/overview")
                    #expect(!overview.body.contains(DeskCounty.township2) && !overview.body.contains("town-102"))
                    #expect(try await reviewer.get("/desk/conflicts/\(made.second)").status == 404)
                    // A form built from the administrator's page, sent with the reviewer's own token.
                    let adminPage = try await admin.get("/desk/conflicts/\(made.second)")
                    let own = try await reviewer.get("/desk/conflicts/\(made.first)")
                    var fields = Self.resolution(adminPage, choice: "pick-1")
                    fields[0] = ("csrf", own.csrf ?? "")
                    #expect(try await reviewer.post("/desk/conflicts/\(made.second)", fields).status == 404)
                    #expect(try await desk.isOpen(made.second))
                    // Their own township's conflict they resolve.
                    let done = try await reviewer.post(
                        "/desk/conflicts/\(made.first)", Self.resolution(own, choice: "value", value: "580"))
                    #expect(done.status == 303)
                    #expect(try await !desk.isOpen(made.first))
                }
            }
        }
    }

    @Test(
        "an auditor reads every conflict and changes nothing: no form, and 403 on a resolution",
        arguments: HubStoreKind.allCases)
    func auditor(_ store: HubStoreKind) async throws {
        let desk = try await DeskCounty(store)
        try await desk.account("zhao", .auditor)
        try await withRunningHub(desk.service()) { url in
            let made = try await desk.conflicts(url: url)
            try await withBrowser(url) { browser in
                try await browser.login("zhao", DeskCounty.password)
                let list = try await browser.get("/desk/conflicts")
                #expect(list.body.contains(made.first) && list.body.contains(made.second))
                let page = try await browser.get("/desk/conflicts/\(made.second)")
                #expect(page.status == 200 && page.body.contains("只能查看"))
                #expect(!page.body.contains(#"name="choice""#))
                let overview = try await browser.get("/desk/overview")
                #expect(overview.body.contains("隔离中的操作"))
                for choice in ["pick-1", "county", "value"] {
                    let refused = try await browser.post(
                        "/desk/conflicts/\(made.second)", Self.resolution(page, choice: choice, value: "1"))
                    #expect(refused.status == 403 && refused.body.contains("审计员只能查看"))
                }
            }
            #expect(try await desk.isOpen(made.first))
            #expect(try await desk.isOpen(made.second))
            #expect(try await desk.hub.decisions().isEmpty)
        }
    }

    @Test(
        "a resolution from a stale page is refused with 409, the page shows what changed, and nothing is written",
        arguments: HubStoreKind.allCases)
    func staleResolution(_ store: HubStoreKind) async throws {
        let desk = try await DeskCounty(store)
        try await desk.account("wang", .admin)
        try await withRunningHub(desk.service()) { url in
            let made = try await desk.conflicts(url: url)
            try await withBrowser(url) { browser in
                try await browser.login("wang", DeskCounty.password)
                let loaded = try await browser.get("/desk/conflicts/\(made.first)")
                // Meanwhile a node that had not seen the conflict writes the income too, and syncs.
                let record = try #require(RecordID(String(made.first.split(separator: "/")[0])))
                try made.late.edit(record, author: "town-worker-b") { $0.income = "555" }
                try await desk.county.sync(made.late, url: url)
                let refused = try await browser.post(
                    "/desk/conflicts/\(made.first)", Self.resolution(loaded, choice: "pick-1"))
                #expect(refused.status == 409)
                #expect(refused.body.contains("页面打开后此冲突已变化"))
                #expect(refused.body.contains("新的竞争值：555"))
                #expect(refused.body.contains("town-worker-b"))
                #expect(try await desk.isOpen(made.first))
                #expect(try await desk.hub.decisions().isEmpty)
                // The page it answered with is current: resolving from it works.
                let done = try await browser.post(
                    "/desk/conflicts/\(made.first)", Self.resolution(refused, choice: "county"))
                #expect(done.status == 400, "neither value is the county's")
                let retried = try await browser.post(
                    "/desk/conflicts/\(made.first)", Self.resolution(refused, choice: "value", value: "555"))
                #expect(retried.status == 303)
                // The same stale page once more: the conflict is settled now.
                let settled = try await browser.post(
                    "/desk/conflicts/\(made.first)", Self.resolution(loaded, choice: "pick-1"))
                #expect(settled.status == 409 && settled.body.contains("此冲突已被解决"))
            }
            #expect(try await desk.hub.decisions().count == 1)
        }
    }

    @Test(
        "malformed forms, queries and cookies get a clear refusal and the hub keeps serving",
        arguments: HubStoreKind.allCases)
    func badInput(_ store: HubStoreKind) async throws {
        let desk = try await DeskCounty(store)
        try await desk.account("wang", .admin)
        try await withRunningHub(desk.service()) { url in
            try await withBrowser(url) { browser in
                browser.cookies["hearth_desk"] = "not a session; or=this"
                #expect(try await browser.get("/desk/overview").status == 303)
                browser.cookies["hearth_desk"] = nil
                for header in [";", ",;", "q=0.5;;en", String(repeating: "x", count: 4_000)] {
                    browser.language = header
                    #expect(try await browser.get("/desk/login").status == 200, "Accept-Language \(header.prefix(20))")
                }
                try await browser.login("wang", DeskCounty.password)
                browser.language = "en"
                let page = try await browser.get("/desk/overview")
                let token = try #require(page.csrf)
                let escape = try await browser.post("/desk/logout", body: "csrf=\(token)&x=%E4%zz")
                #expect(escape.status == 400 && escape.body.contains("not properly escaped"))
                let huge = try await browser.post(
                    "/desk/logout", body: "csrf=\(token)&x=" + String(repeating: "a", count: 40_000))
                #expect(huge.status == 400)
                for query in ["page=abc", "township=42128110x", "rule=R99", "age=3d", "kind=Robert');"] {
                    let refused = try await browser.get("/desk/conflicts?\(query)")
                    #expect(refused.status == 400, "\(query) was not refused")
                }
                #expect(try await browser.get("/desk/conflicts/nonsense/income").status == 404)
                #expect(try await browser.get("/desk/conflicts/H-000000000000-1/no_such_field").status == 404)
                let resolve = try await browser.post(
                    "/desk/conflicts/H-000000000000-1/income",
                    [("csrf", token), ("version", "x"), ("choice", "pick-1")])
                #expect(resolve.status == 404)
                #expect(try await browser.get("/desk/overview").status == 200)
            }
        }
    }
}
