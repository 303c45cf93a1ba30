import Foundation
import HearthCore
import HearthLedger
import HearthStore
import Testing

/// What every ledger storage must do, written against ``LedgerStorage`` alone and run once per
/// backend (``LedgerBackend/all``).
@Suite("Ledger storage conformance")
struct LedgerStorageConformanceTests {
    @Test(
        "A token registers its node once; repeating it with the same key answers again", arguments: LedgerBackend.all
    )
    func registration(backend: LedgerBackend) async throws {
        let county = try await Fixture(backend)
        let village = try county.node(Fixture.villageA)
        let token = StoredEnrollment(
            secretHash: "h1", name: "east", scope: village.info.scope, createdMillis: Fixture.start)
        try await county.storage.addEnrollment(token)
        await #expect(throws: ReplicaError.self) { try await county.storage.addEnrollment(token) }
        let registration = NodeRegistration(
            secretHash: "h1", replica: village.info.id, publicKey: village.info.publicKey, nowMillis: Fixture.start + 5)
        let node = try await county.storage.register(registration)
        #expect(node.name == "east" && node.scope == village.info.scope && node.registeredMillis == Fixture.start + 5)
        #expect(node.ackedCounter == 0 && node.pullCursor == 0 && node.revokedMillis == nil)
        #expect(try await county.storage.register(registration) == node)
        // Another key on the same token, an unknown token, the hub's own id: refused.
        let other = try county.node(Fixture.villageA)
        await #expect(throws: ReplicaError.self) {
            try await county.storage.register(
                NodeRegistration(
                    secretHash: "h1", replica: village.info.id, publicKey: other.info.publicKey, nowMillis: 0))
        }
        await #expect(throws: ReplicaError.self) {
            try await county.storage.register(
                NodeRegistration(
                    secretHash: "nope", replica: other.info.id, publicKey: other.info.publicKey, nowMillis: 0))
        }
        try await county.storage.addEnrollment(
            StoredEnrollment(secretHash: "h2", name: "hubby", scope: village.info.scope, createdMillis: 0))
        let hub = try await county.storage.info.id
        await #expect(throws: ReplicaError.self) {
            try await county.storage.register(
                NodeRegistration(secretHash: "h2", replica: hub, publicKey: other.info.publicKey, nowMillis: 0))
        }
        // A registered name takes no second token.
        await #expect(throws: ReplicaError.self) {
            try await county.storage.addEnrollment(
                StoredEnrollment(secretHash: "h3", name: "east", scope: village.info.scope, createdMillis: 0))
        }
        #expect(try await county.storage.nodes().map(\.name) == ["east"])
        #expect(try await county.storage.node(village.info.id) == node)
        #expect(try await county.storage.node(other.info.id) == nil)
    }

    @Test("Revocation and fork marks keep their first time", arguments: LedgerBackend.all)
    func revocationAndForks(backend: LedgerBackend) async throws {
        let county = try await Fixture(backend)
        let village = try county.node(Fixture.villageA)
        let node = try await county.register(village, name: "east")
        #expect(try await county.storage.revoke(name: "east", atMillis: 100))
        #expect(try await county.storage.revoke(name: "east", atMillis: 200))
        #expect(try await county.storage.revoke(name: "west", atMillis: 200) == false)
        try await county.storage.markForked(node.replica, atMillis: 300)
        try await county.storage.markForked(node.replica, atMillis: 400)
        let stored = try #require(try await county.storage.node(node.replica))
        #expect(stored.revokedMillis == 100 && stored.forkedMillis == 300)
        // A revoked node's repeated registration is refused.
        await #expect(throws: ReplicaError.self) {
            try await county.storage.register(
                NodeRegistration(
                    secretHash: "secret-of-east", replica: village.info.id, publicKey: village.info.publicKey,
                    nowMillis: 0))
        }
    }

    @Test("A nonce is taken once, forgotten after its window, and the skew is kept", arguments: LedgerBackend.all)
    func nonces(backend: LedgerBackend) async throws {
        let county = try await Fixture(backend)
        let node = try await county.register(try county.node(Fixture.villageA), name: "east")
        let nonce = "0123456789abcdef"
        #expect(
            try await county.storage.recordNonce(
                nonce, from: node.replica, skewMillis: -42, nowMillis: 1_000, forgetBefore: 0))
        #expect(
            try await county.storage.recordNonce(
                nonce, from: node.replica, skewMillis: 7, nowMillis: 2_000, forgetBefore: 0) == false)
        #expect(try await county.storage.node(node.replica)?.skewMillis == -42)
        // Past its window the nonce is forgotten, and taken again.
        #expect(
            try await county.storage.recordNonce(
                nonce, from: node.replica, skewMillis: 7, nowMillis: 9_000, forgetBefore: 1_001))
        #expect(try await county.storage.node(node.replica)?.skewMillis == 7)
    }

    @Test("A batch appends once: resent it is duplicates, changed it is a fork", arguments: LedgerBackend.all)
    func appendDuplicatesAndForks(backend: LedgerBackend) async throws {
        let county = try await Fixture(backend)
        let (node, ops) = try await county.eastWithTwoHouseholds()
        #expect(ops.count == 2)
        #expect(try await county.storage.chainHash(replica: node.replica, counter: 0) == "")
        #expect(try await county.storage.chainHash(replica: node.replica, counter: 1) == nil)
        let batch = PushBatch(node: node, ops: ops, nowMillis: Fixture.start + 10, maxWaiting: 100)
        let first = try await county.storage.append(batch, admission: .rules(for: node))
        #expect(first.acked == 2 && first.report.applied == 2 && first.quarantined.isEmpty)
        #expect(try await county.storage.chainHash(replica: node.replica, counter: 2) == ops[1].hash)
        let stored = try #require(try await county.storage.node(node.replica))
        #expect(stored.ackedCounter == 2 && stored.chainHead == ops[1].hash)
        #expect(stored.lastSyncMillis == Fixture.start + 10)
        let end = try await county.storage.logEnd()
        #expect(end >= 2)

        let again = try await county.storage.append(batch, admission: .rules(for: node))
        #expect(again.acked == 2 && again.report.applied == 0 && again.report.duplicates == 2)
        #expect(try await county.storage.logEnd() == end)

        // The same dot with other content: a copied database. Nothing of the batch is kept.
        let copy = try county.node(Fixture.villageA)
        try copy.household(in: Fixture.villageA, address: "3 Copy Lane")
        let foreign = try copy.ownOps()[0]
        let forged = Op(
            dot: ops[0].dot, hlc: foreign.hlc, author: foreign.author, origin: foreign.origin, record: foreign.record,
            scope: foreign.scope, fields: foreign.fields, context: foreign.context, previous: ops[0].previous)
        let fork = await #expect(throws: ReplicaError.self) {
            try await county.storage.append(
                PushBatch(node: node, ops: [forged], nowMillis: Fixture.start, maxWaiting: 100),
                admission: .rules(for: node))
        }
        guard case .fork(let dot)? = fork else {
            Issue.record("expected a fork, got \(String(describing: fork))")
            return
        }
        #expect(dot == ops[0].dot)
        #expect(try await county.storage.logEnd() == end)
    }

    @Test("An op the admission refuses is held with its reason, still acknowledged", arguments: LedgerBackend.all)
    func quarantine(backend: LedgerBackend) async throws {
        let county = try await Fixture(backend)
        let (node, ops) = try await county.eastWithTwoHouseholds()
        let refused = ops[1].dot
        let admission = PushAdmission(writer: node.scope) { op in op.dot == refused ? "test: refused" : nil }
        let outcome = try await county.storage.append(
            PushBatch(node: node, ops: ops, nowMillis: Fixture.start, maxWaiting: 100), admission: admission)
        #expect(outcome.acked == 2 && outcome.report.applied == 1)
        #expect(outcome.quarantined.map(\.dot) == [refused])
        #expect(outcome.quarantined.map(\.reason) == ["test: refused"])
        // The held op still links the node's chain, and counts in the gauges.
        #expect(try await county.storage.chainHash(replica: node.replica, counter: 2) == ops[1].hash)
        #expect(try await county.storage.gauges() == LedgerGauges(conflicts: 0, nodes: 1, quarantined: 1))
        // Held again (a fork's second op kept beside the first): nothing changes.
        try await county.storage.hold(ops[1], reason: "again", nowMillis: Fixture.start)
        #expect(try await county.storage.gauges().quarantined == 1)
        // An op the rules refuse: a village writing into another village's record (R14).
        let other = try county.node(Fixture.villageB)
        try other.household(in: Fixture.villageB, address: "9 Far Road")
        let outsider = try await county.register(other, name: "west")
        let foreign = try other.ownOps()
        let wrongWriter = PushBatch(node: outsider, ops: foreign, nowMillis: Fixture.start, maxWaiting: 100)
        let judged = try await county.storage.append(
            wrongWriter, admission: PushAdmission(writer: node.scope) { _ in nil })
        #expect(judged.report.applied == 0 && judged.quarantined.count == 1)
        #expect(AdmissionRefusal.isJurisdiction(judged.quarantined[0].reason))
    }

    @Test(
        "An op whose fields do not fit is held with every reason; the others of its batch apply",
        arguments: LedgerBackend.all)
    func malformedFieldsHeld(backend: LedgerBackend) async throws {
        let county = try await Fixture(backend)
        let (node, ops) = try await county.eastWithTwoHouseholds()
        // The second household's op, its fields made unfit: an unknown field and an income of
        // the wrong shape. The admission judges its form once; nothing of it may reach the records.
        var fields = ops[1].fields
        fields["colour"] = .text("red")
        fields["income"] = .text("lots")
        let unfit = Op(
            dot: ops[1].dot, hlc: ops[1].hlc, author: ops[1].author, origin: ops[1].origin, record: ops[1].record,
            scope: ops[1].scope, fields: fields, context: ops[1].context, previous: ops[1].previous)
        let outcome = try await county.storage.append(
            PushBatch(node: node, ops: [ops[0], unfit], nowMillis: Fixture.start, maxWaiting: 100),
            admission: .rules(for: node))
        #expect(outcome.acked == 2 && outcome.report.applied == 1)
        #expect(outcome.quarantined.map(\.dot) == [unfit.dot])
        let reason = outcome.quarantined.first?.reason ?? ""
        #expect(reason.contains("colour: not a field") && reason.contains("income:"), "\(reason)")
        #expect(try await county.storage.gauges().quarantined == 1)
    }

    @Test("Ops waiting for ops the hub lacks are bounded per node", arguments: LedgerBackend.all)
    func waitingBound(backend: LedgerBackend) async throws {
        let county = try await Fixture(backend)
        let first = try county.node(Fixture.villageA)
        let second = try county.node(Fixture.villageA)
        let firstNode = try await county.register(first, name: "east")
        let secondNode = try await county.register(second, name: "east desk")
        // The first node makes a household and edits it; the hub gets only the creation.
        let household = try first.household(in: Fixture.villageA, address: "1 Well Lane")
        var input = HouseholdInput()
        input.address = "1 Well Lane, upstairs"
        try first.editHousehold(household.value, input, author: "w1", nowMillis: Fixture.start)
        let firstOps = try first.ownOps()
        _ = try await county.storage.append(
            PushBatch(node: firstNode, ops: [firstOps[0]], nowMillis: Fixture.start, maxWaiting: 10),
            admission: .rules(for: firstNode))
        // The second node saw both (a hand-carried copy) and edits after them: its edit waits
        // at the hub for the first node's edit.
        try second.integrate(firstOps, nowMillis: Fixture.start)
        input.address = "1 Well Lane, ground floor"
        try second.editHousehold(household.value, input, author: "w2", nowMillis: Fixture.start + 1)
        let edit = try second.ownOps()
        let bounded = await #expect(throws: ReplicaError.self) {
            try await county.storage.append(
                PushBatch(node: secondNode, ops: edit, nowMillis: Fixture.start, maxWaiting: 0),
                admission: .rules(for: secondNode))
        }
        guard case .tooManyWaiting(let count, let bound)? = bounded else {
            Issue.record("expected too many waiting, got \(String(describing: bounded))")
            return
        }
        #expect(count == 1 && bound == 0)
        #expect(try await county.storage.node(secondNode.replica)?.ackedCounter == 0)
        let waiting = try await county.storage.append(
            PushBatch(node: secondNode, ops: edit, nowMillis: Fixture.start, maxWaiting: 1),
            admission: .rules(for: secondNode))
        #expect(waiting.report.waiting == 1 && waiting.report.applied == 0 && waiting.acked == 1)
        let released = try await county.storage.append(
            PushBatch(node: firstNode, ops: [firstOps[1]], nowMillis: Fixture.start, maxWaiting: 1),
            admission: .rules(for: firstNode))
        #expect(released.report.applied == 2 && released.report.released == 1)
    }

    @Test(
        "A scoped read gives a node its village's ops by cursor, never its own or another's",
        arguments: LedgerBackend.all)
    func scopedRead(backend: LedgerBackend) async throws {
        let county = try await Fixture(backend)
        let east = try county.node(Fixture.villageA)
        let eastDesk = try county.node(Fixture.villageA)
        let west = try county.node(Fixture.villageB)
        let eastNode = try await county.register(east, name: "east")
        let deskNode = try await county.register(eastDesk, name: "east desk")
        let westNode = try await county.register(west, name: "west")
        for index in 1...5 { try eastDesk.household(in: Fixture.villageA, address: "\(index) Desk Row") }
        try west.household(in: Fixture.villageB, address: "9 Far Road")
        try east.household(in: Fixture.villageA, address: "1 Own Lane")
        for (node, replica) in [(deskNode, eastDesk), (westNode, west), (eastNode, east)] {
            _ = try await county.storage.append(
                PushBatch(node: node, ops: try replica.ownOps(), nowMillis: Fixture.start, maxWaiting: 100),
                admission: .rules(for: node))
        }
        let expected = try eastDesk.ownOps().map(\.dot)
        var cursor: Int64 = 0
        var seen: [Dot] = []
        var pages = 0
        while true {
            let page = try await county.storage.read(
                ScopedRead(node: eastNode.replica, scope: eastNode.scope, cursor: cursor, limit: 2))
            #expect(page.ops.count <= 2)
            #expect(page.cursor >= cursor)
            // Each op knows the hash its log holds, which is its canonical bytes' hash.
            for op in page.ops { #expect(op.hash == (try Op(bytes: op.canonicalBytes)).hash) }
            seen += page.ops.map(\.dot)
            cursor = page.cursor
            pages += 1
            if !page.more { break }
            #expect(pages < 10)
        }
        #expect(seen == expected)
        #expect(cursor == (try await county.storage.logEnd()))
        // From the end, nothing; the west village sees only the west's ops none of them its own.
        let empty = try await county.storage.read(
            ScopedRead(node: eastNode.replica, scope: eastNode.scope, cursor: cursor, limit: 10))
        #expect(empty.ops.isEmpty && !empty.more)
        let westPage = try await county.storage.read(
            ScopedRead(node: westNode.replica, scope: westNode.scope, cursor: 0, limit: 100))
        #expect(westPage.ops.isEmpty)

        try await county.storage.confirmPulled(eastNode.replica, cursor: cursor, nowMillis: Fixture.start + 99)
        try await county.storage.confirmPulled(eastNode.replica, cursor: 1, nowMillis: Fixture.start + 100)
        let confirmed = try #require(try await county.storage.node(eastNode.replica))
        #expect(confirmed.pullCursor == cursor && confirmed.lastSyncMillis == Fixture.start + 100)
    }
}
