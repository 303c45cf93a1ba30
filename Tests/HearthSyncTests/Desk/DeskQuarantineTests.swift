import Foundation
import HearthCore
import HearthDesk
import HearthLedger
import HearthStore
import Testing

@Suite("The desk's quarantine over HTTP: each held op with its reason, released or discarded with a reason")
struct DeskQuarantineTests {
    /// Two deaths dated in the hub's future, written on a laptop whose clock runs 8 hours ahead:
    /// the hub holds both. Returns their records and dots, oldest first.
    static func held(_ desk: DeskCounty, url: String) async throws -> [(record: RecordID, dot: Dot)] {
        let county = desk.county
        let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
        let home = try village.household(in: TestCounty.village1, address: "一组")
        let first = try village.member(of: home, name: "王五")
        let second = try village.member(of: home, name: "赵六", relation: "spouse")
        try await county.sync(village, url: url)
        let ahead: Int64 = TestCounty.now + 8 * 3_600_000
        _ = try village.recordDeath(member: first.value, date: "2026-11-26", author: "w1", nowMillis: ahead)
        _ = try village.recordDeath(member: second.value, date: "2026-11-26", author: "w1", nowMillis: ahead)
        try await county.sync(village, url: url, clock: { ahead })
        let held = try await desk.hub.quarantine()
        #expect(held.count == 2)
        return try [first, second].map { record in
            (record, try #require(held.first { $0.record == record }).dot)
        }
    }

    @Test("an administrator sees each held op and its reason, releases one and discards one with a reason, audited")
    func settle() async throws {
        let desk = try DeskCounty()
        try await desk.account("wang", .admin)
        try await withRunningHub(desk.service()) { url in
            let held = try await Self.held(desk, url: url)
            try await withBrowser(url) { browser in
                try await browser.login("wang", DeskCounty.password)
                let page = try await browser.get("/desk/quarantine")
                #expect(page.status == 200)
                for (record, dot) in held {
                    #expect(page.body.contains(record.value) && page.body.contains(dot.description))
                }
                #expect(page.body.contains("death_date: is in the future") && page.body.contains("共 2 条"))
                let token = try #require(page.csrf)
                let path = "/desk/quarantine/\(held[0].dot)"
                let noReason = try await browser.post(path, [("csrf", token), ("action", "release")])
                #expect(noReason.status == 400)
                let released = try await browser.post(
                    path, [("csrf", token), ("action", "release"), ("note", "乡里电话核实死亡日期")])
                #expect(released.status == 303)
                let after = try await browser.get(try #require(released.location))
                #expect(after.body.contains("已放行操作 \(held[0].dot)") && after.body.contains("共 1 条"))
                // Released already: the ledger's refusal, and nothing more is written.
                let again = try await browser.post(path, [("csrf", token), ("action", "release"), ("note", "again")])
                #expect(again.status == 400 && again.body.contains("already released"))
                let discarded = try await browser.post(
                    "/desk/quarantine/\(held[1].dot)", [("csrf", token), ("action", "discard"), ("note", "日期有误")])
                #expect(discarded.status == 303)
                let settled = try await browser.get("/desk/quarantine?all=1")
                #expect(settled.body.contains("已放行") && settled.body.contains("已作废"))
                #expect(try await browser.get("/desk/quarantine").body.contains("没有被隔离的操作"))
            }
            #expect(try await desk.hub.quarantine().isEmpty)
            let trail = try desk.hub.replica.auditTrail().filter { $0.action.hasPrefix("quarantine") }
            #expect(trail.map(\.action) == [AuditEvent.Action.release, AuditEvent.Action.discard])
            #expect(trail.allSatisfy { $0.worker == "wang" })
            #expect(trail[0].detail.contains("why: 乡里电话核实死亡日期") && trail[1].detail.contains("why: 日期有误"))
        }
    }

    @Test("a reviewer is refused the county's quarantine; an auditor reads it with no form and cannot settle")
    func roles() async throws {
        let desk = try DeskCounty()
        try await desk.account("li", .reviewer, township: TestCounty.township)
        try await desk.account("zhao", .auditor)
        try await withRunningHub(desk.service()) { url in
            let held = try await Self.held(desk, url: url)
            try await withBrowser(url) { reviewer in
                try await reviewer.login("li", DeskCounty.password)
                let page = try await reviewer.get("/desk/quarantine")
                #expect(page.status == 403 && !page.body.contains(held[0].dot.description))
                let token = try #require(try await reviewer.get("/desk/overview").csrf)
                let refused = try await reviewer.post(
                    "/desk/quarantine/\(held[0].dot)", [("csrf", token), ("action", "release"), ("note", "x")])
                #expect(refused.status == 403)
            }
            try await withBrowser(url) { auditor in
                try await auditor.login("zhao", DeskCounty.password)
                let page = try await auditor.get("/desk/quarantine")
                #expect(page.status == 200 && page.body.contains(held[0].dot.description))
                #expect(!page.body.contains(#"value="release""#))
                let refused = try await auditor.post(
                    "/desk/quarantine/\(held[0].dot)",
                    [("csrf", page.csrf ?? ""), ("action", "release"), ("note", "x")])
                #expect(refused.status == 403)
                for query in ["page=abc", "page=0"] {
                    #expect(try await auditor.get("/desk/quarantine?\(query)").status == 400)
                }
                #expect(try await auditor.get("/desk/quarantine?page=9").body.contains("本页没有操作（共 2 条）"))
            }
            #expect(try await desk.hub.quarantine().count == 2)
        }
    }

    @Test("a malformed op id or action is refused clearly and settles nothing")
    func badInput() async throws {
        let desk = try DeskCounty()
        try await desk.account("wang", .admin)
        try await withRunningHub(desk.service()) { url in
            let held = try await Self.held(desk, url: url)
            try await withBrowser(url) { browser in
                try await browser.login("wang", DeskCounty.password)
                let token = try #require(try await browser.get("/desk/quarantine").csrf)
                #expect(
                    try await browser.post("/desk/quarantine/nonsense", [("csrf", token), ("action", "release")]).status
                        == 404)
                let unknown = try await browser.post(
                    "/desk/quarantine/000000000000:9", [("csrf", token), ("action", "release"), ("note", "x")])
                #expect(unknown.status == 400 && unknown.body.contains("no quarantined op"))
                let action = try await browser.post(
                    "/desk/quarantine/\(held[0].dot)", [("csrf", token), ("action", "apply"), ("note", "x")])
                #expect(action.status == 400)
            }
            #expect(try await desk.hub.quarantine().count == 2)
        }
    }
}
