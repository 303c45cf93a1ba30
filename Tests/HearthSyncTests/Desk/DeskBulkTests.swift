import Foundation
import HearthCore
import HearthDesk
import HearthLedger
import HearthStore
import Testing

@Suite("The desk's bulk resolution over HTTP: the preview is what is applied, a stale preview is refused")
struct DeskBulkTests {
    /// A preview's rows as the page lists them: conflict id and the value it will write.
    static func previewRows(_ page: DeskBrowser.Page) -> [String: String] {
        guard let start = page.body.range(of: #"<table class="bulk">"#),
            let end = page.body[start.upperBound...].range(of: "</table>")
        else { return [:] }
        let table = String(page.body[start.upperBound..<end.lowerBound])
        let pattern = try! NSRegularExpression(
            pattern: #"<a href="/desk/conflicts/([^"]+)">.*?<td class="value">([^<]*)</td>"#,
            options: [.dotMatchesLineSeparators])
        var rows: [String: String] = [:]
        for match in pattern.matches(in: table, range: NSRange(table.startIndex..., in: table)) {
            let id = String(table[Range(match.range(at: 1), in: table)!])
            rows[id] = String(table[Range(match.range(at: 2), in: table)!])
        }
        return rows
    }

    /// The hidden fields of the preview's apply form, and a note.
    static func applyForm(_ page: DeskBrowser.Page, note: String = "批量核实") -> [(String, String)]? {
        guard let start = page.body.range(of: #"<form method="post" action="/desk/bulk""#) else { return nil }
        let rest = page.body[start.upperBound...]
        let form = String(rest[..<(rest.range(of: "</form>")?.lowerBound ?? rest.endIndex)])
        let pattern = try! NSRegularExpression(pattern: #"<input type="hidden" name="([^"]+)" value="([^"]*)">"#)
        var fields: [(String, String)] = []
        for match in pattern.matches(in: form, range: NSRange(form.startIndex..., in: form)) {
            fields.append(
                (
                    String(form[Range(match.range(at: 1), in: form)!]),
                    String(form[Range(match.range(at: 2), in: form)!])
                ))
        }
        return fields + [("note", note)]
    }

    /// What the hub wrote for each decision: the conflict's id and the value its op wrote, as
    /// the desk shows values.
    static func written(_ desk: DeskCounty, _ decisions: [Decision]) throws -> [String: String] {
        let spec = try #require(RecordSchema.field("income", of: .household))
        var written: [String: String] = [:]
        for decision in decisions {
            let record = try #require(RecordID(decision.record))
            let op = try #require(
                try desk.hub.replica.log(record: record).map(\.op).first { $0.dot.description == decision.op },
                "the decision's op \(decision.op) is not in the log")
            written["\(decision.record)/\(decision.field ?? "")"] = try desk.hub.replica.display(
                op.fields["income"] ?? .null, spec: spec, reveal: false)
        }
        return written
    }

    @Test(
        "a bulk preview lists exactly the conflicts and values the apply then writes, op by op and decision by decision"
    )
    func previewEqualsApply() async throws {
        let desk = try DeskCounty()
        try await desk.account("wang", .admin)
        try await withRunningHub(desk.service()) { url in
            let made = try await desk.conflicts(url: url)
            let previewed = try await withBrowser(url) { browser in
                try await browser.login("wang", DeskCounty.password)
                // Neither conflict has a county write: the county's value leaves both open.
                let county = try await browser.get("/desk/bulk?kind=income&choice=county")
                #expect(county.status == 200 && Self.previewRows(county).isEmpty)
                #expect(county.body.contains("县里在此没有写过唯一的值") && !county.body.contains("bulk-apply"))
                let preview = try await browser.get("/desk/bulk?kind=income&choice=newest")
                #expect(preview.status == 200 && preview.body.contains("最新写入的值"))
                let rows = Self.previewRows(preview)
                #expect(Set(rows.keys) == [made.first, made.second])
                // Nothing is written by a preview.
                #expect(try await desk.hub.decisions().isEmpty)
                let applied = try await browser.post("/desk/bulk", try #require(Self.applyForm(preview)))
                #expect(applied.status == 303)
                let after = try await browser.get(try #require(applied.location))
                #expect(after.body.contains("已批量解决 2 条冲突"))
                #expect(!after.body.contains("\(made.first)</a>") && !after.body.contains("\(made.second)</a>"))
                return rows
            }
            let decisions = try await desk.hub.decisions()
            #expect(decisions.count == 2)
            #expect(decisions.allSatisfy { $0.worker == "wang" && $0.choice == "bulk newest" && $0.note == "批量核实" })
            #expect(try Self.written(desk, decisions) == previewed)
            #expect(try await !desk.isOpen(made.first))
            #expect(try await !desk.isOpen(made.second))
            let audit = try #require(try desk.hub.replica.auditTrail().last)
            #expect(audit.action == DeskAccounts.Action.bulkResolve && audit.worker == "wang")
            // The nodes receive the bulk's ops as any resolution's.
            try await desk.county.syncRounds(made.nodes, url: url)
            let record = try #require(RecordID(String(made.first.split(separator: "/")[0])))
            let state = try #require(try made.nodes[1].state(of: record))
            #expect(state.conflicts.isEmpty)
        }
    }

    @Test("a bulk apply from a stale preview is refused with 409, shows what changed, and writes nothing")
    func stalePreview() async throws {
        let desk = try DeskCounty()
        try await desk.account("wang", .admin)
        try await withRunningHub(desk.service()) { url in
            let made = try await desk.conflicts(url: url)
            try await withBrowser(url) { browser in
                try await browser.login("wang", DeskCounty.password)
                let preview = try await browser.get("/desk/bulk?choice=newest")
                #expect(Set(Self.previewRows(preview).keys) == [made.first, made.second])
                // Meanwhile a node that had not seen the first conflict writes the income too.
                let record = try #require(RecordID(String(made.first.split(separator: "/")[0])))
                try made.late.edit(record, author: "town-worker-b") { $0.income = "555" }
                try await desk.county.sync(made.late, url: url)
                let refused = try await browser.post("/desk/bulk", try #require(Self.applyForm(preview)))
                #expect(refused.status == 409)
                #expect(refused.body.contains("预览之后冲突已发生变化"))
                #expect(refused.body.contains("已变化（竞争的值或选定的值）：\(made.first)"))
                #expect(!refused.body.contains("：\(made.second)"), "the second conflict did not change")
                #expect(try await desk.hub.decisions().isEmpty)
                #expect(try await desk.isOpen(made.first))
                // A digest that is not the preview's is refused the same way.
                var forged = try #require(Self.applyForm(refused))
                let digest = try #require(forged.firstIndex { $0.0 == "digest" })
                forged[digest].1 = String(repeating: "0", count: 64)
                #expect(try await browser.post("/desk/bulk", forged).status == 409)
                #expect(try await desk.hub.decisions().isEmpty)
                // The new preview it answered with applies, and writes what it lists.
                let rows = Self.previewRows(refused)
                #expect(Set(rows.keys) == [made.first, made.second])
                let applied = try await browser.post("/desk/bulk", try #require(Self.applyForm(refused)))
                #expect(applied.status == 303)
                #expect(try Self.written(desk, try await desk.hub.decisions()) == rows)
            }
        }
    }

    @Test("a reviewer previews and applies their township only; an auditor previews and cannot apply")
    func roles() async throws {
        let desk = try DeskCounty()
        try await desk.account("li", .reviewer, township: DeskCounty.township2)
        try await desk.account("zhao", .auditor)
        try await withRunningHub(desk.service()) { url in
            let made = try await desk.conflicts(url: url)
            try await withBrowser(url) { auditor in
                try await auditor.login("zhao", DeskCounty.password)
                let preview = try await auditor.get("/desk/bulk?choice=newest")
                #expect(Set(Self.previewRows(preview).keys) == [made.first, made.second])
                #expect(Self.applyForm(preview) == nil)
                let overview = try await auditor.get("/desk/overview")
                let refused = try await auditor.post(
                    "/desk/bulk",
                    [("csrf", overview.csrf ?? ""), ("choice", "newest"), ("digest", "00"), ("note", "x")])
                #expect(refused.status == 403)
            }
            try await withBrowser(url) { reviewer in
                try await reviewer.login("li", DeskCounty.password)
                // Whatever the query says, the preview is the reviewer's township.
                let asked = try await reviewer.get("/desk/bulk?township=\(TestCounty.township)&choice=newest")
                #expect(Set(Self.previewRows(asked).keys) == [made.second])
                let elsewhere = try await reviewer.get("/desk/bulk?village=\(TestCounty.village1)&choice=newest")
                #expect(Self.previewRows(elsewhere).isEmpty)
                let applied = try await reviewer.post("/desk/bulk", try #require(Self.applyForm(asked)))
                #expect(applied.status == 303)
            }
            #expect(try await desk.isOpen(made.first))
            #expect(try await !desk.isOpen(made.second))
        }
    }

    @Test("malformed bulk queries and forms get a clear 400 and write nothing")
    func badInput() async throws {
        let desk = try DeskCounty()
        try await desk.account("wang", .admin)
        try await withRunningHub(desk.service()) { url in
            try await withBrowser(url) { browser in
                try await browser.login("wang", DeskCounty.password)
                browser.language = "en"
                for query in ["choice=all", "choice=newest&rule=R99", "choice=county&township=x"] {
                    #expect(try await browser.get("/desk/bulk?\(query)").status == 400, "\(query) was not refused")
                }
                #expect(try await browser.get("/desk/bulk").status == 200)
                let token = try #require(try await browser.get("/desk/bulk").csrf)
                let forms: [[(String, String)]] = [
                    [("csrf", token), ("choice", "newest"), ("note", "x")],
                    [("csrf", token), ("choice", "newest"), ("digest", "zz"), ("note", "x")],
                    [
                        ("csrf", token), ("choice", "newest"), ("digest", String(repeating: "a", count: 64)),
                        ("rows", "nonsense"), ("note", "x"),
                    ],
                    [("csrf", token), ("digest", String(repeating: "a", count: 64)), ("note", "x")],
                ]
                for form in forms {
                    let refused = try await browser.post("/desk/bulk", form)
                    #expect(refused.status == 400 && refused.body.contains("The form is not right"))
                }
                #expect(try await browser.get("/desk/overview").status == 200)
            }
            #expect(try await desk.hub.decisions().isEmpty)
        }
    }
}
