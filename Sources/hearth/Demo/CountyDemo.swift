import Crypto
import Foundation
import HearthClient
import HearthCore
import HearthHub
import HearthProtocol
import HearthLedger
import HearthLedgerSQLite
import HearthStore
import Logging

/// The scripted day behind `hearth demo`: a county hub, a township node and two village
/// nodes, real SQLite files and real HTTP on loopback. The nodes work offline with
/// concurrent edits to the same household, then sync; the demo prints what merged and what
/// is in conflict, and fails unless every replica holds the hub's state for what it shares.
struct CountyDemo {
    let directory: String
    let say: (String) -> Void

    struct Node {
        let replica: Replica
        let client: SyncClient
    }

    func run() async throws -> Bool {
        var clock: Int64 = 1_795_600_000_000  // fixed (2026-11-25) so the story reads the same every run
        let now: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
        func tick() -> Int64 {
            clock += 60_000
            return clock
        }
        say(L("demo.step1"))
        let hub = try HubLedger.create(
            path: directory + "/hub.db", name: "赤壁市", scope: try ScopePrefix.parse("421281", field: "scope"),
            nowMillis: tick())
        var logger = Logger(label: "hearth.demo")
        logger.logLevel = .critical
        let service = HubService(ledger: hub, logger: logger, clock: now)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        return try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await service.serve(host: "127.0.0.1", port: 0, stopOnSignals: false) { port in
                    continuation.yield(port)
                }
                return true
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CLIError.failed(L("error.hub_not_started")) }
            let url = "http://127.0.0.1:\(port)"
            say(L("demo.serving", ["url": url]))
            let township = try await enroll(hub, name: "沙河镇", scope: "421281101", url: url, clock: now)
            let xinzhuang = try await enroll(hub, name: "新庄村", scope: "421281101001", url: url, clock: now)
            let hewan = try await enroll(hub, name: "河湾村", scope: "421281101002", url: url, clock: now)
            // The county names its township and villages: every node shows the names once it syncs.
            _ = try await hub.setDivisions(
                [("421281101", "沙河镇"), ("421281101001", "新庄村"), ("421281101002", "河湾村")].map {
                    DivisionRow(line: 0, code: $0.0, name: $0.1)
                }, note: nil, author: "county-admin", nowMillis: tick())
            say(L("demo.divisions"))
            let converged: Bool
            do {
                converged = try await story(
                    hub: hub, township: township, xinzhuang: xinzhuang, hewan: hewan, tick: tick)
            } catch {
                for node in [township, xinzhuang, hewan] { await node.client.shutdown() }
                throw error
            }
            for node in [township, xinzhuang, hewan] { await node.client.shutdown() }
            group.cancelAll()
            return converged
        }
    }

    private func enroll(
        _ hub: HubLedger, name: String, scope: String, url: String, clock: @escaping @Sendable () -> Int64
    )
        async throws -> Node
    {
        let prefix = try ScopePrefix.parse(scope, field: "scope")
        let secret = try await hub.createEnrollment(name: name, scope: prefix, nowMillis: clock())
        let replica = try Replica.create(
            path: directory + "/\(scope).db", name: name, scope: prefix, nowMillis: clock(),
            keys: hub.keys.withNewSigningKey())
        try replica.setHub(replica: hub.info.id, key: hub.info.publicKey, url: url, pendingRegistration: nil)
        let client = try SyncClient(replica: replica, baseURL: url, clock: clock)
        _ = try await client.register(secret: secret, name: name)
        say(L("demo.enrolled", ["name": name, "scope": scope, "replica": replica.info.id]))
        return Node(replica: replica, client: client)
    }

    private func story(hub: HubLedger, township: Node, xinzhuang: Node, hewan: Node, tick: () -> Int64) async throws
        -> Bool
    {
        say(L("demo.step2"))
        var household = HouseholdInput()
        household.village = "421281101001"
        household.address = "新庄村三组12号"
        household.type = "rural"
        household.phone = "13800001111"
        let home = try xinzhuang.replica.addHousehold(household, author: "cun-li", nowMillis: tick())
        var head = MemberInput()
        head.household = home.value
        head.name = "王秀英"
        head.idNumber = "421281198001010011"
        head.relation = "head"
        let headID = try xinzhuang.replica.addMember(head, author: "cun-li", nowMillis: tick())
        var father = MemberInput()
        father.household = home.value
        father.name = "王德顺"
        father.idNumber = "11010519491231002X"
        father.relation = "parent"
        let fatherID = try xinzhuang.replica.addMember(father, author: "cun-li", nowMillis: tick())
        let enrollments = try xinzhuang.replica.enroll(
            EnrollInput(household: home.value, program: "dibao_rural", amount: "560", start: "2026-01"),
            author: "cun-li",
            nowMillis: tick())
        var other = HouseholdInput()
        other.village = "421281101002"
        other.address = "河湾村一组3号"
        other.type = "rural"
        let hewanHome = try hewan.replica.addHousehold(other, author: "cun-zhao", nowMillis: tick())
        say(
            L("demo.households", ["home": home, "head": headID, "father": fatherID, "hewan": hewanHome])
        )

        say(L("demo.step3"))
        try await sync([xinzhuang, hewan, township])
        for enrollment in enrollments {
            try township.replica.changeEnrollment(
                enrollment.value, .approve, note: nil, author: "zhen-wang", nowMillis: tick())
        }

        say(L("demo.step4"))
        say(L("demo.township_amount"))
        try township.replica.changeAmount(
            enrollments[0].value, amount: "600", from: "2026-07", reason: "提标", author: "zhen-wang", nowMillis: tick())
        var townshipEdit = HouseholdInput()
        townshipEdit.phone = "13800002222"
        try township.replica.editHousehold(home.value, townshipEdit, author: "zhen-wang", nowMillis: tick())
        say(L("demo.township_temporary"))
        let temporary = try township.replica.enroll(
            EnrollInput(member: fatherID.value, program: "temporary", amount: "800", start: "2026-11"),
            author: "zhen-wang",
            nowMillis: tick())[0]
        say(L("demo.village_amount"))
        say(L("demo.village_death"))
        try xinzhuang.replica.changeAmount(
            enrollments[0].value, amount: "580", from: "2026-07", reason: "收入核减", author: "cun-li", nowMillis: tick())
        var villageEdit = HouseholdInput()
        villageEdit.address = "新庄村三组12号（新房）"
        villageEdit.phone = "13900003333"
        try xinzhuang.replica.editHousehold(home.value, villageEdit, author: "cun-li", nowMillis: tick())
        _ = try xinzhuang.replica.recordDeath(
            member: fatherID.value, date: "2026-11-20", author: "cun-li", nowMillis: tick())

        say(L("demo.step5"))
        say(L("demo.step5b"))
        try await sync([xinzhuang, township, hewan])
        try await sync([hewan, xinzhuang, township])

        say(L("demo.step6"))
        let view = try hub.replica.view(home, reveal: false)
        say(L("demo.phone", ["phone": view.value("phone") ?? "", "address": view.value("address") ?? ""]))
        let amount = try hub.replica.view(enrollments[0], reveal: false)
        let amountField = amount.fields.first { $0.name == "amount" }!
        say(
            L(
                "demo.amount",
                [
                    "state": L(amountField.inConflict ? "demo.in_conflict" : "demo.settled"),
                    "candidates": amountField.candidates.map(\.display).joined(separator: "  |  "),
                ]))
        let fatherEnrollment = try hub.replica.view(enrollments[1], reveal: false)
        say(
            L(
                "demo.father",
                [
                    "status": FieldWords.value(fatherEnrollment.value("status") ?? "", field: "status"),
                    "end": fatherEnrollment.value("end_month") ?? "",
                ]))
        say(L("demo.hewan", ["count": try hewan.replica.list(.household).count]))
        let automatic = try hub.replica.view(temporary, reveal: false)
        let ruled = try await hub.decisions().first { $0.rule == "R1" }.map {
            L("demo.ruled", ["record": $0.record, "op": $0.op])
        }
        say(
            L(
                "demo.automatic",
                [
                    "status": FieldWords.value(automatic.value("status") ?? "", field: "status"),
                    "ruled": ruled ?? L("demo.none"),
                ]))
        for (enrollment, reasons) in try hub.replica.heldEnrollments() {
            say(L("demo.on_hold", ["enrollment": enrollment, "reasons": reasons.joined(separator: "; ")]))
        }

        say(L("demo.step6b"))
        let conflictID = "\(enrollments[0])/amount"
        let shown = try await hub.conflict(conflictID)
        let townshipValue = (shown.candidates.firstIndex { $0.display.contains("600.00") } ?? 0) + 1
        let resolution = try await hub.resolve(
            conflictID, choice: .pick(townshipValue), note: "按2026年提标标准, 复核属实", author: "county-admin",
            nowMillis: tick())
        say(L("demo.resolved", ["dot": resolution.dot]))
        try await sync([township, xinzhuang, hewan])
        let villageView = try xinzhuang.replica.view(enrollments[0], reveal: false)
        say(
            L(
                "demo.village_now",
                [
                    "amount": villageView.value("amount") ?? "",
                    "conflict": L(villageView.conflicts.contains("amount") ? "demo.yes" : "demo.no"),
                ]))

        say(L("demo.step7"))
        var converged = true
        for (name, node) in [
            (L("demo.township"), township), (L("demo.xinzhuang"), xinzhuang), (L("demo.hewan_name"), hewan),
        ] {
            var records = 0
            for type in RecordType.allCases {
                for id in try node.replica.list(type) {
                    records += 1
                    if try node.replica.state(of: id) != hub.replica.state(of: id) {
                        converged = false
                        say(L("demo.diverged", ["name": name, "id": id]))
                    }
                }
            }
            let hubCount = try RecordType.allCases.reduce(0) { total, type in
                try total
                    + hub.replica.list(type).filter { id in
                        guard let village = try hub.replica.state(of: id)?.resolution(of: "village").value.textValue
                        else {
                            return false
                        }
                        // County configuration (the names of places) reaches every node.
                        return village.hasPrefix(node.replica.info.scope.value)
                            || village == DivisionCode.countyWide(hub.info.scope.value)?.value
                    }.count
            }
            if hubCount != records { converged = false }
            say(
                L(
                    "demo.compared",
                    [
                        "name": name, "records": records, "all": L(records == hubCount ? "demo.all" : "demo.not_all"),
                        "same": L(converged ? "demo.yes" : "demo.no"),
                    ]))
        }
        let status = try hub.replica.status()
        say(L("demo.hub", ["ops": status.logSize, "conflicted": status.conflicted]))
        say(L(converged ? "demo.converged" : "demo.not_converged"))
        return converged
    }

    private func sync(_ nodes: [Node]) async throws {
        for node in nodes {
            let summary = try await node.client.sync()
            say(
                L(
                    "demo.synced",
                    ["name": node.replica.info.name, "pushed": summary.pushedOps, "pulled": summary.pulledOps]))
        }
    }
}
