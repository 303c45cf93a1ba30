import Foundation
import HearthClient
import HearthCore
import HearthHub
import HearthLedger
import HearthLedgerSQLite
import HearthProtocol
import HearthStore
import Testing

/// The ops a restored hub made itself after its backup (a rule's decision, a county edit)
/// come back from the nodes that pulled them, under their own dots, and only when the hub's
/// stamp proves them its own. Real SQLite files, real HTTP on loopback.
extension RestoreTests {
    /// Every op any of `nodes` holds, the hub holds under the same dot with the same hash.
    func expectHubHoldsAll(_ nodes: [Replica], _ hub: HubLedger, sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        var held: [Dot: String] = [:]
        for op in try hub.replica.allOps() { held[op.dot] = op.hash }
        for node in nodes {
            for op in try node.allOps() {
                #expect(held[op.dot] == op.hash, "\(node.info.name) holds \(op.dot)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test(
        "a hub restored from a backup taken before it made ops that nodes pulled, and before nodes pushed more: everyone converges with nothing lost"
    )
    func hubOpsComeBack() async throws {
        let county = try TestCounty()
        let backup = county.directory + "/backup.db"
        var village: Replica!
        var township: Replica!
        var enrollment: RecordID!
        var countyMade: Op!
        var pushedLater: RecordID!
        try await withRunningHub(county.service()) { url in
            village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            let home = try village.household(in: TestCounty.village1, address: "一组")
            let member = try village.member(of: home, name: "王五")
            try await county.syncRounds([village, township], url: url)
            _ = try county.hub.backup(to: backup, worker: "admin", nowMillis: TestCounty.now)

            // After the backup: the township enrolls the member while the village records the
            // death, so the hub's rule R1 ends the enrollment (an op the hub makes); the county
            // adds a household at the desk; the village adds another.
            enrollment = try township.enroll(
                EnrollInput(member: member.value, program: "temporary", amount: "500", start: "2026-10"),
                author: "zhen", nowMillis: TestCounty.now)[0]
            try township.changeEnrollment(
                enrollment.value, .approve, note: nil, author: "zhen", nowMillis: TestCounty.now)
            _ = try village.recordDeath(
                member: member.value, date: "2026-11-02", author: "w1", nowMillis: TestCounty.now)
            let made = try county.hub.replica.household(in: TestCounty.village1, address: "中心录入")
            countyMade = try #require(try county.hub.replica.allOps().first { $0.record == made })
            pushedLater = try village.household(in: TestCounty.village1, address: "二组")
            try await county.syncRounds([village, township], url: url)
            #expect(try village.view(enrollment, reveal: false).value("status") == "exited")
            #expect(try township.state(of: made) != nil)
        }
        let hubWrote = try county.hub.replica.allOps().filter { $0.dot.replica == county.hub.info.id }
        #expect(hubWrote.contains { $0.cause?.hasPrefix("rule R1") == true }, "the rule's decision is the hub's op")

        let (hub, done) = try restore(county, from: backup)
        #expect(try hub.replica.state(of: countyMade.record) == nil, "the backup was taken before the county's edit")
        #expect(try hub.replica.state(of: pushedLater) == nil)
        try await withRunningHub(county.service(hub)) { url in
            let first = try await county.sync(village, url: url)
            #expect(first.handedBack > 0, "the village handed back the hub's lost ops")
            try await county.syncRounds([village, township], url: url)
            // The county's household is back under the dot it was made under.
            let back = try #require(try hub.replica.allOps().first { $0.record == countyMade.record })
            #expect(back.dot == countyMade.dot)
            #expect(back.dot.replica == done.retiredWriter)
            #expect(back.hash == countyMade.hash)
            #expect(try hub.replica.state(of: pushedLater) != nil)
            // The rule's decision is held once more: the enrollment is ended, the same everywhere.
            for replica in [try hub.replica, village as ReplicaCore, township as ReplicaCore] {
                let view = try replica.view(enrollment, reveal: false)
                #expect(view.value("status") == "exited")
                #expect(view.value("exit_reason") == "death")
                #expect(view.conflicts.isEmpty, "\(view.conflicts)")
            }
            try expectHubHoldsAll([village, township], hub)
            try expectSameRecords(village, hub)
            try expectSameRecords(township, hub)
            // Handed back once: a further sync sends nothing more.
            let again = try await county.sync(village, url: url)
            #expect(again.handedBack == 0)
        }
    }

    @Test("a handed-back op is taken only with the hub's own stamp, under a retired writer, above what the copy held")
    func forgedHandBackRefused() async throws {
        let county = try TestCounty()
        let backup = county.directory + "/backup.db"
        var village: Replica!
        var made: Op!
        var kept: Op!
        try await withRunningHub(county.service()) { url in
            village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            try village.household(in: TestCounty.village1, address: "一组")
            let kept1 = try county.hub.replica.household(in: TestCounty.village1, address: "备份前")
            kept = try #require(try county.hub.replica.allOps().first { $0.record == kept1 })
            try await county.sync(village, url: url)
            _ = try county.hub.backup(to: backup, worker: "admin", nowMillis: TestCounty.now)
            let lost = try county.hub.replica.household(in: TestCounty.village1, address: "备份后")
            made = try #require(try county.hub.replica.allOps().first { $0.record == lost })
            try await county.sync(village, url: url)
        }
        let stamper = county.hub.keys.stamper()
        let (hub, _) = try restore(county, from: backup)
        try await withRunningHub(county.service(hub)) { url in
            let raw = RawClient(baseURL: url, hubKey: hub.keys.publicKeyBase64)
            func handBack(_ ops: [Op], _ stamps: [Dot: String]) async throws -> ReturnedCount? {
                let head = try village.acknowledgedHead()
                let request = PushRequest(
                    replica: village.info.id, ops: [],
                    chain: ChainHead(
                        counter: head.counter, hash: head.hash,
                        signature: try village.signChainHead(counter: head.counter, hash: head.hash)),
                    returned: ops, stamps: stamps)
                let answer = try await raw.send(
                    try SignedRequest(path: SyncPath.push, document: request.json, signedBy: village))
                #expect(answer.status == 200, "\(answer.message)")
                return try PushResponse(json: answer.json).returned
            }
            let genuine = stamper.stamp(made.dot, hash: made.hash)
            // The same dot with other content, under the genuine op's stamp.
            let altered = Op(
                dot: made.dot, hlc: made.hlc, author: "forger", origin: made.origin, record: made.record,
                scope: made.scope, fields: made.fields, context: made.context, previous: made.previous)
            // A stamp made under a key that is not the hub's.
            let otherKey = KeyMaterial.generate().stamper().stamp(made.dot, hash: made.hash)
            // An op of the node's own id, and one the copy holds (at or below the retired counter).
            let own = try #require(try village.allOps().first { $0.dot.replica == village.info.id })
            for (op, stamp) in [
                (altered, genuine), (made!, otherKey), (own, stamper.stamp(own.dot, hash: own.hash)),
                (kept!, stamper.stamp(kept.dot, hash: kept.hash)),
            ] {
                #expect(try await handBack([op], [op.dot: stamp]) == ReturnedCount(taken: 0, held: 0, refused: 1))
            }
            #expect(try await handBack([made], [:]) == ReturnedCount(taken: 0, held: 0, refused: 1), "no stamp")
            #expect(try hub.replica.state(of: made.record) == nil, "nothing refused was kept")
            #expect(try await handBack([made], [made.dot: genuine]) == ReturnedCount(taken: 1, held: 0, refused: 0))
            #expect(try hub.replica.state(of: made.record) != nil)
            #expect(try await handBack([made], [made.dot: genuine]) == ReturnedCount(taken: 0, held: 1, refused: 0))
        }
    }

    @Test("a file-only node hands back the restored hub's lost ops in its next bundle")
    func bundlesHandBack() async throws {
        let county = try TestCounty()
        let service = county.service()
        let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: nil)
        try village.household(in: TestCounty.village1, address: "一组")
        func exchange(_ hub: HubService, _ step: String) async throws {
            try await county.exchangeBundles(village, named: "village-001", with: hub, step: step)
        }
        try await exchange(service, "first")
        let backup = county.directory + "/backup.db"
        _ = try county.hub.backup(to: backup, worker: "admin", nowMillis: TestCounty.now)
        let lost = try county.hub.replica.household(in: TestCounty.village1, address: "中心录入")
        try await exchange(service, "second")
        #expect(try village.state(of: lost) != nil)

        let (hub, _) = try restore(county, from: backup)
        let restored = county.service(hub)
        try await exchange(restored, "third")  // the node learns what the hub lost
        #expect(try hub.replica.state(of: lost) == nil)
        try await exchange(restored, "fourth")  // and hands it back
        #expect(try hub.replica.state(of: lost) == village.state(of: lost))
        try expectHubHoldsAll([village], hub)
        try expectSameRecords(village, hub)
    }
}

extension RestoreTests {
    @Test(
        "an edit of a record the restored hub lost, pushed before the record comes back, is judged again once it does"
    )
    func heldEditJudgedAgain() async throws {
        let county = try TestCounty()
        let backup = county.directory + "/backup.db"
        var village: Replica!
        var township: Replica!
        var home: RecordID!
        try await withRunningHub(county.service()) { url in
            village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            try village.household(in: TestCounty.village1, address: "一组")
            try await county.syncRounds([village, township], url: url)
            _ = try county.hub.backup(to: backup, worker: "admin", nowMillis: TestCounty.now)
            // After the backup: the village adds a household, and the township pulls it.
            home = try village.household(in: TestCounty.village1, address: "二组")
            try await county.syncRounds([village, township], url: url, rounds: 1)
            #expect(try township.state(of: home) != nil)
        }
        let (hub, _) = try restore(county, from: backup)
        try await withRunningHub(county.service(hub)) { url in
            // The township edits the household and syncs first: the hub does not hold it yet.
            try township.edit(home, author: "t1") { $0.address = "二组 改" }
            try await county.sync(township, url: url)
            let held = try await hub.quarantine().filter { $0.state == "held" }
            #expect(held.count == 1, "held under R14 while the record is away: \(held.map(\.reason))")
            // The village sends the household again: the held edit is judged anew and applied.
            try await county.syncRounds([village, township], url: url)
            #expect(try await hub.quarantine().filter { $0.state == "held" }.isEmpty)
            #expect(try hub.replica.view(home, reveal: false).value("address") == "二组 改")
            try expectHubHoldsAll([village, township], hub)
            try expectSameRecords(village, hub)
            try expectSameRecords(township, hub)
        }
    }
}

extension RestoreTests {
    @Test("a restore names the months whose rolls the replaced database locked and the backup did not")
    func locksLostAreNamed() async throws {
        let county = try TestCounty()
        let backup = county.directory + "/backup.db"
        let september = try #require(Month(year: 2026, month: 9))
        let october = try #require(Month(year: 2026, month: 10))
        try await county.hub.lock(
            try county.hub.replica.payroll(for: september, nowMillis: TestCounty.now), worker: "admin",
            nowMillis: TestCounty.now)
        _ = try county.hub.backup(to: backup, worker: "admin", nowMillis: TestCounty.now)
        try await county.hub.lock(
            try county.hub.replica.payroll(for: october, nowMillis: TestCounty.now), worker: "admin",
            nowMillis: TestCounty.now)
        let (hub, done) = try restore(county, from: backup)
        #expect(done.locksLost == [october])
        #expect(try await hub.storage.lockedMonths() == [september])
        let line = try await hub.audit(AuditQuery(action: AuditEvent.Action.restore), limit: 5, offset: 0).lines.first
        #expect(
            line?.detail.contains("rolls locked before and not in the copy: 2026-10") == true,
            "\(String(describing: line))")
    }
}
