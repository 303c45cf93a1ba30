import Foundation
import HearthCore
import HearthDesk
import HearthLedger
import HearthStore
import Testing

@Suite("The desk's report and roll over HTTP: pages, CSV downloads for Excel, and the roll's lock behind its totals")
struct DeskReportTests {
    static let month = "2026-09"

    /// An approved dibao enrollment of 560 yuan in a village, written at the hub.
    static func approved(_ ledger: HubLedger, village: String, name: String, sequence: String) async throws {
        _ = try await ledger.writing(author: "a", nowMillis: TestCounty.now) { hub in
            let home = try hub.household(in: village, address: name)
            let member = try hub.member(
                of: home, name: name, idNumber: idNumber(born: "19600101", sequence: sequence))
            let enrollment = try hub.enroll(
                EnrollInput(member: member.value, program: "dibao_rural", amount: "560", start: "2026-01"),
                author: "a", nowMillis: TestCounty.now)[0]
            try hub.changeEnrollment(enrollment.value, .approve, note: nil, author: "a", nowMillis: TestCounty.now)
        }
    }

    /// A county with one paid household in each of two townships.
    static func county(_ store: HubStoreKind) async throws -> DeskCounty {
        let desk = try await DeskCounty(store)
        try await approved(desk.hub, village: TestCounty.village1, name: "甲", sequence: "011")
        try await approved(desk.hub, village: DeskCounty.village2of2, name: "乙", sequence: "021")
        try await desk.account("wang", .admin)
        try await desk.account("li", .reviewer, township: DeskCounty.township2)
        try await desk.account("zhao", .auditor)
        return desk
    }

    @Test(
        "the report's page and CSV are the CLI's table (BOM, Chinese headers); a reviewer's is their township's",
        arguments: HubStoreKind.allCases)
    func report(_ store: HubStoreKind) async throws {
        let desk = try await Self.county(store)
        let month = try Month.parse(Self.month, field: "month")
        let report = try await desk.hub.reading {
            try $0.report(from: month, to: month, by: .village, nowMillis: desk.nowMillis)
        }
        try await withRunningHub(desk.service()) { url in
            try await withBrowser(url) { admin in
                try await admin.login("wang", DeskCounty.password)
                let page = try await admin.get("/desk/report?month=\(Self.month)&by=township")
                #expect(page.status == 200)
                #expect(page.body.contains(TestCounty.township) && page.body.contains(DeskCounty.township2))
                #expect(page.body.contains("<h1>月度统计表 · 2026-09</h1>"), "the county's report names no township")
                let csv = try await admin.get("/desk/report.csv?month=\(Self.month)&by=village")
                #expect(csv.status == 200 && csv.headers.first(name: "content-type") == "text/csv; charset=utf-8")
                #expect(csv.headers.first(name: "content-disposition")?.contains("report-2026-09-village.csv") == true)
                let expected = SpreadsheetCSV.document([ReportTable.header(end: month)] + ReportTable.rows(report))
                #expect(csv.body == expected)
                #expect(csv.body.hasPrefix("\u{FEFF}地区,救助项目,户数,人数"))
                #expect(try await admin.get("/desk/report?month=2026-13").status == 400)
                #expect(try await admin.get("/desk/report?by=county").status == 400)
            }
            try await withBrowser(url) { reviewer in
                try await reviewer.login("li", DeskCounty.password)
                let page = try await reviewer.get("/desk/report?month=\(Self.month)&by=village")
                #expect(page.body.contains("<h1>月度统计表 · 2026-09 · \(DeskCounty.township2)</h1>"))
                let csv = try await reviewer.get("/desk/report.csv?month=\(Self.month)&by=village")
                #expect(csv.body.contains(DeskCounty.village2of2) && !csv.body.contains(TestCounty.village1))
                let township = try await desk.hub.reading {
                    try $0.report(
                        from: month, to: month, by: .township, nowMillis: desk.nowMillis)
                }
                let own = try #require(township.areaTotals.first { $0.area == DeskCounty.township2 })
                #expect(csv.body.contains("合计,,\(own.households),\(own.persons)"))
                #expect(!csv.body.contains("合计,,\(township.total.households),\(township.total.persons),"))
            }
        }
    }

    @Test(
        "the roll's page, its downloads audited with the desk user's name, and its lock behind the totals stated",
        arguments: HubStoreKind.allCases)
    func roll(_ store: HubStoreKind) async throws {
        let desk = try await Self.county(store)
        let month = try Month.parse(Self.month, field: "month")
        try await withRunningHub(desk.service()) { url in
            try await withBrowser(url) { admin in
                try await admin.login("wang", DeskCounty.password)
                let page = try await admin.get("/desk/roll?month=\(Self.month)")
                #expect(page.status == 200 && page.body.contains("1120.00") && page.body.contains("未锁定"))
                let summary = try await admin.get("/desk/roll.csv?month=\(Self.month)&file=summary")
                #expect(summary.body.hasPrefix("\u{FEFF}") && summary.body.contains("级别,区划代码,名称,发放笔数"))
                let audit = try #require(try await desk.hub.reading { try $0.auditTrail() }.last)
                #expect(audit.action == AuditEvent.Action.export && audit.worker == "wang")
                #expect(try await admin.get("/desk/roll.csv?file=all").status == 400)

                // A confirmation gone stale: a third household is approved meanwhile.
                let stale = try await admin.get("/desk/roll/lock?month=\(Self.month)")
                #expect(stale.status == 200 && stale.body.contains("1120.00"))
                try await Self.approved(desk.hub, village: TestCounty.village1, name: "丙", sequence: "031")
                let refused = try await admin.post(
                    "/desk/roll/lock",
                    [("csrf", stale.csrf ?? ""), ("month", Self.month), ("totals", stale.field("totals") ?? "")])
                #expect(refused.status == 409 && refused.body.contains("1680.00"))
                #expect(try await desk.hub.storage.lockedMonths().isEmpty)
                // The confirmation it answered with locks.
                let locked = try await admin.post(
                    "/desk/roll/lock",
                    [("csrf", refused.csrf ?? ""), ("month", Self.month), ("totals", refused.field("totals") ?? "")])
                #expect(locked.status == 303)
                #expect(try await desk.hub.storage.lockedMonths() == [month])
                #expect(try await desk.hub.reading { try $0.payroll(for: month, nowMillis: desk.nowMillis) }.locked)
                let lockAudit = try #require(try await desk.hub.reading { try $0.auditTrail() }.last)
                #expect(lockAudit.action == DeskAccounts.Action.lockRoll && lockAudit.worker == "wang")
                let again = try await admin.post(
                    "/desk/roll/lock",
                    [("csrf", refused.csrf ?? ""), ("month", Self.month), ("totals", refused.field("totals") ?? "")])
                #expect(again.status == 409)
            }
        }
    }

    @Test("a reviewer sees no roll; an auditor reads it and cannot lock it", arguments: HubStoreKind.allCases)
    func roles(_ store: HubStoreKind) async throws {
        let desk = try await Self.county(store)
        try await withRunningHub(desk.service()) { url in
            try await withBrowser(url) { reviewer in
                try await reviewer.login("li", DeskCounty.password)
                for path in ["/desk/roll", "/desk/roll.csv?month=2026-09", "/desk/roll/lock?month=2026-09"] {
                    #expect(try await reviewer.get(path).status == 403, "\(path)")
                }
                let token = try #require(try await reviewer.get("/desk/overview").csrf)
                let post = try await reviewer.post("/desk/roll/lock", [("csrf", token), ("month", "2026-09")])
                #expect(post.status == 403)
            }
            try await withBrowser(url) { auditor in
                try await auditor.login("zhao", DeskCounty.password)
                let page = try await auditor.get("/desk/roll?month=2026-09")
                #expect(page.status == 200 && !page.body.contains("roll-lock"))
                #expect(try await auditor.get("/desk/roll/lock?month=2026-09").status == 403)
                let post = try await auditor.post(
                    "/desk/roll/lock", [("csrf", page.csrf ?? ""), ("month", "2026-09"), ("totals", "x")])
                #expect(post.status == 403)
            }
            #expect(try await desk.hub.storage.lockedMonths().isEmpty)
        }
    }
}
