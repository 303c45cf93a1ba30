import Foundation
import HearthCore
import HearthDesk
import HearthLedger
import HearthStore
import Testing

@Suite("The desk's audit over HTTP: decisions and events searched by worker, action, record and dates, paged")
struct DeskAuditTests {
    /// The rows of an audit page.
    static func rows(_ page: DeskBrowser.Page) -> Int {
        guard let body = page.body.range(of: #"<table class="audit">"#) else { return -1 }
        let table = page.body[body.upperBound...]
        let end = table.range(of: "</table>")?.lowerBound ?? table.endIndex
        return table[..<end].components(separatedBy: "<tr><td>").count - 1
    }

    @Test("the audit is searched by worker, action, record and a range of dates, newest first, 50 lines a page")
    func search() async throws {
        let desk = try DeskCounty()
        try await desk.account("wang", .admin)
        try await desk.account("zhao", .auditor)
        try await desk.account("li", .reviewer, township: TestCounty.township)
        try await withRunningHub(desk.service()) { url in
            let made = try await desk.conflicts(url: url)
            let record = String(made.first.split(separator: "/")[0])
            try await withBrowser(url) { admin in
                try await admin.login("wang", DeskCounty.password)
                let page = try await admin.get("/desk/conflicts/\(made.first)")
                let done = try await admin.post(
                    "/desk/conflicts/\(made.first)", DeskConflictTests.resolution(page, choice: "pick-1"))
                #expect(done.status == 303)
            }
            // Fifty-five lines of one worker, for the pages.
            for index in 0..<55 {
                try desk.hub.replica.audit(
                    AuditEvent(
                        atMillis: desk.nowMillis + Int64(index), worker: "paging-test", action: "export",
                        subject: "file-\(index).csv", field: "payroll", detail: ""))
            }
            let today = DomainCalendar.date(atMillis: desk.nowMillis)
            try await withBrowser(url) { auditor in
                try await auditor.login("zhao", DeskCounty.password)
                let wang = try await auditor.get("/desk/audit?worker=wang")
                #expect(wang.status == 200 && wang.body.contains("共 3 条"))
                for text in ["desk login", "desk resolve", "resolution"] {
                    #expect(wang.body.contains("<td>\(text)</td>"), "wang's lines lack \(text)")
                }
                #expect(!wang.body.contains("<td>zhao</td>"))
                let decisions = try await auditor.get("/desk/audit?action=resolution")
                #expect(decisions.body.contains("共 1 条") && decisions.body.contains(record))
                let byRecord = try await auditor.get("/desk/audit?record=\(record)")
                #expect(byRecord.body.contains("共 2 条"))
                let dated = try await auditor.get("/desk/audit?worker=wang&from=\(today)&to=\(today)")
                #expect(dated.body.contains("共 3 条"))
                let before = try await auditor.get("/desk/audit?worker=wang&from=2020-01-01&to=2020-12-31")
                #expect(before.body.contains("共 0 条"))
                let first = try await auditor.get("/desk/audit?worker=paging-test")
                #expect(first.body.contains("共 55 条") && Self.rows(first) == 50)
                // Newest first: the last line written heads the first page.
                #expect(first.body.contains("file-54.csv") && !first.body.contains("file-4.csv"))
                let second = try await auditor.get("/desk/audit?worker=paging-test&page=2")
                #expect(Self.rows(second) == 5 && second.body.contains("file-0.csv"))
                for query in ["from=2026-13-01", "from=2026-11-02&to=2026-11-01", "page=x", "worker=%01"] {
                    #expect(try await auditor.get("/desk/audit?\(query)").status == 400, "\(query)")
                }
            }
            try await withBrowser(url) { reviewer in
                try await reviewer.login("li", DeskCounty.password)
                #expect(try await reviewer.get("/desk/audit").status == 403)
            }
        }
    }
}
