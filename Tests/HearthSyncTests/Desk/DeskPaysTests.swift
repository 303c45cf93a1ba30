import Foundation
import HearthCore
import HearthDesk
import HearthLedger
import HearthStore
import Testing

/// Beside each competing value, the conflict page says what it would pay a month, and from when.
@Suite("The conflict page says what each value would pay")
struct DeskPaysTests {
    @Test("an amount two nodes changed: each value's monthly amount and the month it starts, beside it")
    func amountConflict() async throws {
        let desk = try DeskCounty()
        try await desk.account("wang", .admin)
        let hub = desk.hub
        _ = try await hub.setStandard(
            program: "dibao_rural", band: nil, from: "2024-01", amount: "560", note: nil, author: "county",
            nowMillis: TestCounty.now)
        try await withRunningHub(desk.service()) { url in
            let town = try await desk.county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            let village = try await desk.county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            // The county's standard reaches the nodes first.
            try await desk.county.syncRounds([town, village], url: url)
            let home = try village.household(in: TestCounty.village1, address: "新庄村三组 1 号")
            let member = try village.member(
                of: home, name: "王秀英", idNumber: idNumber(born: "19500101", sequence: "011"))
            let enrollment = try village.enroll(
                EnrollInput(member: member.value, program: "dibao_rural", amount: nil, start: "2026-01"),
                author: "village-worker", nowMillis: TestCounty.now)[0]
            try await desk.county.syncRounds([town, village], url: url)
            // Offline, concurrently: the township approves and changes the amount, the village changes
            // it too; the village's change reaches the hub first (after the approval it would be held
            // for the township, R7).
            try town.changeEnrollment(
                enrollment.value, .approve, note: nil, author: "town-worker", nowMillis: TestCounty.now)
            try town.changeAmount(
                enrollment.value, amount: "500", from: "2026-04", reason: "核减", author: "town-worker",
                nowMillis: TestCounty.now)
            try village.changeAmount(
                enrollment.value, amount: "450", from: "2026-04", reason: "入户核实", author: "village-worker",
                nowMillis: TestCounty.now)
            try await desk.county.syncRounds([village, town], url: url)
            let id = "\(enrollment.value)/amount"
            #expect(try await desk.isOpen(id), "the two amounts did not conflict at the hub")
            try await withBrowser(url) { browser in
                try await browser.login("wang", DeskCounty.password)
                let page = try await browser.get("/desk/conflicts/\(id)")
                #expect(page.status == 200)
                #expect(page.body.contains("按此值每月发放"))
                for line in ["560.00 自 2026-01", "500.00 自 2026-04", "450.00 自 2026-04"] {
                    #expect(page.body.contains("\(enrollment.value): \(line)"), "the page lacks \(line)")
                }
            }
            // The same computation as the roll: settled on 500, April's roll pays 500.
            let roll = try hub.replica.payroll(for: try Month.parse("2026-04", field: "m"), nowMillis: TestCounty.now)
            #expect(roll.rows.contains { $0.enrollment == enrollment } == false, "held while in conflict")
        }
    }
}
