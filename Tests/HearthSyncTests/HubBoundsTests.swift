import Foundation
import GRDB
import HearthClient
import HearthCore
import HearthProtocol
import HearthLedger
import HearthStore
import Testing

/// What the CLI refuses, the hub refuses too, from any node, over the wire; and what the hub
/// holds is added up without ever trapping.
@Suite("The hub's own bounds, money authority and what a node may leave waiting")
struct HubBoundsTests {
    @Test("an amount near 2^63 fen, an income out of bounds and text with a bidi override or escape are quarantined")
    func boundsOverTheWire() async throws {
        let county = try TestCounty()
        try await withRunningHub(county.service()) { url in
            let node = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let forger = try Forger(node, url: url, hubKey: county.hub.info.publicKey)
            let home = try forger.op(
                creates: .household, scope: TestCounty.village1,
                fields: ["village": .text(TestCounty.village1), "address": .text("一组"), "status": .text("active")])
            let member = try forger.op(
                creates: .member, scope: TestCounty.village1,
                fields: [
                    "village": .text(TestCounty.village1), "household": .text(home.record.value), "name": .text("王五"),
                    "vital_status": .text("alive"),
                ])
            let absurd = try forger.op(
                creates: .enrollment, scope: TestCounty.village1,
                fields: [
                    "village": .text(TestCounty.village1), "member": .text(member.record.value),
                    "household": .text(home.record.value), "program": .text("dibao_rural"), "status": .text("applied"),
                    "amount": .text("2026-01:9223372036854775000"), "start_month": .text("2026-01"),
                ])
            let income = try forger.op(
                record: home.record, scope: TestCounty.village1, fields: ["income": .integer(Int64.max / 2)],
                context: VersionVector([node.info.id: home.dot.counter]))
            let bidi = try forger.op(
                record: home.record, scope: TestCounty.village1, fields: ["address": .text("一组\u{202E}5.065")],
                context: VersionVector([node.info.id: home.dot.counter]))
            let escape = try forger.op(
                record: home.record, scope: TestCounty.village1, fields: ["note": .text("ok\u{1B}[2J\rforged line")],
                context: VersionVector([node.info.id: home.dot.counter]))
            let author = try forger.op(
                record: home.record, scope: TestCounty.village1, fields: ["phone": .text("1")],
                context: VersionVector([node.info.id: home.dot.counter]), author: "w\u{2066}1")
            let answer = try await forger.push([home, member, absurd, income, bidi, escape, author])
            let response = try PushResponse(json: answer.json)
            #expect(response.applied == 2)
            let reasons = Dictionary(uniqueKeysWithValues: response.quarantined.map { ($0.dot, $0.reason) })
            #expect(reasons[absurd.dot]?.contains("amount: each amount must be at most 100,000,000 yuan") == true)
            #expect(reasons[income.dot]?.contains("income: must be at most 100,000,000 yuan") == true)
            #expect(reasons[bidi.dot]?.contains("address: must not contain control or bidirectional-override") == true)
            #expect(reasons[escape.dot]?.contains("note: must not contain control") == true)
            #expect(reasons[author.dot]?.contains("author or cause contains control") == true)
            let roll = try county.hub.replica.payroll(
                for: try Month.parse("2026-11", field: "month"), nowMillis: TestCounty.now)
            #expect(roll.total == .zero)
        }
    }

    @Test("rolls and reports over absurd stored amounts fail with a clear error instead of trapping")
    func checkedTotals() async throws {
        let county = try TestCounty()
        let hub = county.hub
        var enrollments: [RecordID] = []
        for (index, id) in ["11010519491231002X", "110105195001010012"].enumerated() {
            enrollments.append(
                try hub.replica.approvedDibao(
                    in: TestCounty.village1, address: "组\(index)", name: "人\(index)", idNumber: id
                ).enrollment)
        }
        let month = try Month.parse("2026-11", field: "month")
        #expect(try hub.replica.payroll(for: month, nowMillis: TestCounty.now).total == Money(fen: 112_000))
        // Out-of-bounds amounts written behind the hub's back (an old hub, a damaged file).
        let other = try DatabaseQueue(path: hub.path)
        try await other.write { db in
            try db.execute(sql: "UPDATE enrollments SET amount = '2026-01:5000000000000000000'")
        }
        try other.close()
        #expect {
            _ = try hub.replica.payroll(for: month, nowMillis: TestCounty.now)
        } throws: { error in
            String(describing: error).contains("too large to add up")
        }
        #expect {
            _ = try hub.replica.report(from: month, to: month, by: .township, nowMillis: TestCounty.now)
        } throws: { error in
            String(describing: error).contains("too large to add up")
        }
    }

    @Test(
        "R7: a village raising the amount of a township-approved enrollment is held; the roll pays the old amount until the county releases it"
    )
    func moneyNeedsAuthority() async throws {
        let county = try TestCounty()
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            let home = try village.household(in: TestCounty.village1, address: "一组")
            let member = try village.member(of: home, name: "王五", idNumber: "11010519491231002X")
            let enrollment = try village.enroll(
                EnrollInput(member: member.value, program: "dibao_rural", amount: "560", start: "2026-01"),
                author: "w1",
                nowMillis: TestCounty.now)[0]
            try await county.syncRounds([village, township], url: url)
            try township.changeEnrollment(
                enrollment.value, .approve, note: nil, author: "zhen", nowMillis: TestCounty.now)
            try await county.syncRounds([township, village], url: url)
            try village.changeAmount(
                enrollment.value, amount: "600", from: "2026-11", reason: "提标", author: "w1", nowMillis: TestCounty.now)
            try await county.sync(village, url: url)
            let held = try await county.hub.quarantine()
            #expect(held.count == 1)
            #expect(held.first?.reason.hasPrefix("R7:") == true)
            let month = try Month.parse("2026-11", field: "month")
            #expect(try county.hub.replica.payroll(for: month, nowMillis: TestCounty.now).total == Money(fen: 56_000))
            // The county accepts the village's recommendation: the new amount is paid.
            try await county.hub.releaseQuarantined(held[0].dot, author: "admin", nowMillis: TestCounty.now)
            #expect(try county.hub.replica.payroll(for: month, nowMillis: TestCounty.now).total == Money(fen: 60_000))
        }
    }

    @Test("a node cannot leave more ops waiting at the hub than the bound: past it the push is refused whole")
    func waitingIsBounded() async throws {
        let county = try TestCounty()
        try await withRunningHub(county.service()) { url in
            let node = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let forger = try Forger(node, url: url, hubKey: county.hub.info.publicKey)
            let home = try forger.op(
                creates: .household, scope: TestCounty.village1,
                fields: ["village": .text(TestCounty.village1), "address": .text("一组"), "status": .text("active")])
            _ = try await forger.push([home])
            // Each edit's context covers an op of a replica the hub never heard of: it waits forever.
            let phantom = ReplicaID("0123456789ab")
            func batch(_ count: Int) throws -> [Op] {
                try (0..<count).map { index in
                    try forger.op(
                        record: home.record, scope: TestCounty.village1, fields: ["phone": .text("\(index)")],
                        context: VersionVector([node.info.id: home.dot.counter, phantom: 1]))
                }
            }
            let bound = HubLedger.maxWaitingOps
            for _ in 0..<(bound / 5_000) {
                let answer = try await forger.push(try batch(5_000))
                #expect(answer.status == 200)
            }
            let before = try county.hub.replica.opCount()
            let over = try await forger.push(try batch(1))
            #expect(over.status == 409)
            #expect(over.errorCode == "waiting")
            #expect(over.message.contains("at most \(bound) may wait"))
            #expect(try county.hub.replica.opCount() == before, "nothing of the refused push was applied")
        }
    }

    @Test(
        "a scope with more ops waiting at the hub than a snapshot page carries is refused a snapshot (409 replay), and a new node replays it instead, over HTTP and by file"
    )
    func tooManyWaitingForASnapshot() async throws {
        let county = try TestCounty()
        let service = county.service()
        try await withRunningHub(service) { url in
            let writer = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let forger = try Forger(writer, url: url, hubKey: county.hub.info.publicKey)
            let home = try forger.op(
                creates: .household, scope: TestCounty.village1,
                fields: ["village": .text(TestCounty.village1), "address": .text("一组"), "status": .text("active")])
            _ = try await forger.push([home])
            // One op more than a page carries waits at the hub, on a replica it never heard of.
            let phantom = ReplicaID("0123456789ab")
            let limit = WireLimits.maxOpsPerMessage
            let edits = try (0...limit).map { index in
                try forger.op(
                    record: home.record, scope: TestCounty.village1, fields: ["phone": .text("\(index)")],
                    context: VersionVector([writer.info.id: home.dot.counter, phantom: 1]))
            }
            #expect(try await forger.push(Array(edits.prefix(limit))).status == 200)
            #expect(try await forger.push(Array(edits.suffix(1))).status == 200)

            let raw = RawClient(baseURL: url, hubKey: county.hub.info.publicKey)
            let newcomer = try await county.node(name: "village-001-new", scope: TestCounty.village1, hubURL: url)
            let asked = try await raw.send(
                try SignedRequest(
                    path: SyncPath.snapshot,
                    document: SnapshotRequest(replica: newcomer.info.id, after: nil, maxRecords: 100).json,
                    signedBy: newcomer))
            #expect(asked.status == 409)
            #expect(asked.errorCode == "replay")
            #expect(asked.message.contains("\(limit + 1) ops of this scope wait at the hub"))

            // The node's first sync asks for the snapshot, is told to replay, and does.
            let summary = try await county.sync(newcomer, url: url, snapshot: true)
            #expect(summary.snapshotRecords == nil)
            #expect(try newcomer.snapshotProgress() == nil)
            #expect(try newcomer.status().waiting == limit + 1, "the waiting ops came with the history")
            #expect(try newcomer.state(of: home.record) == county.hub.replica.state(of: home.record))

            // By file: the hub's bundle leaves the snapshot out.
            let filed = try await county.node(name: "village-001-file", scope: TestCounty.village1, hubURL: nil)
            let registration = county.directory + "/register.hbundle"
            _ = try NodeBundles.export(filed, to: registration)
            _ = try await service.importBundle(try BundleFile.read(registration))
            let exported = try await service.exportBundle(forNode: "village-001-file")
            #expect(exported.snapshotRecords == nil && exported.ops == limit + 2)
        }
    }

    @Test(
        "a record whose history is longer than one message, once moved, arrives as its state; to a version-2 node whole in parts"
    )
    func longHistoryMoves() async throws {
        let county = try TestCounty()
        try await withRunningHub(county.service()) { url in
            let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            let home = try township.household(in: TestCounty.village1, address: "一组", author: "zhen")
            _ = try township.write(author: "zhen", nowMillis: TestCounty.now) { changes in
                for index in 0..<(WireLimits.maxOpsPerMessage + 100) {
                    try changes.update(home, fields: ["phone": .text("138\(index)")])
                }
            }
            try await county.sync(township, url: url)
            _ = try township.moveHousehold(
                home.value, toVillage: TestCounty.village2, author: "zhen", nowMillis: TestCounty.now)
            try await county.sync(township, url: url)
            let receiver = try await county.node(name: "village-002", scope: TestCounty.village2, hubURL: url)
            let summary = try await county.sync(receiver, url: url)
            #expect(summary.pulledOps < 10, "the state, not \(summary.pulledOps) ops of history")
            #expect(try receiver.state(of: home) == county.hub.replica.state(of: home))
            #expect(try receiver.status().waiting == 0)
            // And a later pull of the village still works.
            try await county.sync(receiver, url: url)

            // A node pulling in version 2 gets the history, in parts that each fit one answer.
            let record = try #require(try await county.hub.node(receiver.info.id))
            var cursor: Int64 = 0
            var history = 0
            var answers = 0
            while true {
                let request = try PullRequest(
                    json: .object([
                        "v": .integer(2), "replica": .string(receiver.info.id.value), "cursor": .integer(cursor),
                        "max_ops": .integer(Int64(WireLimits.maxOpsPerMessage)),
                    ]))
                let answer = try await county.service().answer(pull: request, for: record)
                #expect(answer.entered.isEmpty && answer.ops.count <= WireLimits.maxOpsPerMessage)
                history += answer.ops.filter { $0.record == home }.count
                answers += 1
                cursor = answer.cursor
                if !answer.more { break }
            }
            #expect(history > WireLimits.maxOpsPerMessage && answers >= 2, "\(history) ops in \(answers) answers")
        }
    }
}
