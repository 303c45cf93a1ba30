import Foundation
import HearthClient
import HearthCore
import HearthLedger
import HearthProtocol
import HearthStore
import Testing

@Suite("A new node starts from the hub's snapshot of its scope")
struct SnapshotTests {
    /// A township's county: two villages' records made offline on three nodes, a household
    /// edited concurrently by the township and its village (a conflict), then synced.
    static func populatedCounty(_ county: TestCounty, url: String) async throws -> (
        nodes: [Replica], shared: RecordID, members: [RecordID]
    ) {
        let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
        let village1 = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
        let village2 = try await county.node(name: "village-002", scope: TestCounty.village2, hubURL: url)
        let nodes = [township, village1, village2]
        var members: [RecordID] = []
        for index in 0..<4 {
            let home = try village1.household(in: TestCounty.village1, address: "一组 \(index) 号")
            // With ID numbers: sealed values, whose keyed hashes a snapshot leaves out.
            members.append(
                try village1.member(
                    of: home, name: "张\(["伟", "芳", "娜", "敏"][index])",
                    idNumber: idNumber(born: "1960010\(index + 1)", sequence: "01\(index)")))
            let other = try village2.household(in: TestCounty.village2, address: "二组 \(index) 号")
            members.append(try village2.member(of: other, name: "李\(["强", "磊", "军", "洋"][index])"))
        }
        let shared = try village1.household(in: TestCounty.village1, address: "三组 1 号")
        _ = try village1.enroll(
            EnrollInput(
                member: try village1.member(of: shared, name: "王五").value, program: "dibao_rural",
                amount: "560", start: "2026-01"),
            author: "w1", nowMillis: TestCounty.now)
        try await ConvergenceTests.syncUntilQuiet(nodes, county: county, url: url)
        // Concurrent edits of one field: a conflict every replica must show alike.
        try village1.edit(shared) { $0.income = "1200" }
        try township.edit(shared) { $0.income = "1500" }
        try village2.edit(try #require(try village2.recordIDs().first { $0.type == .household })) {
            $0.phone = "13900000009"
        }
        try await ConvergenceTests.syncUntilQuiet(nodes, county: county, url: url)
        return (nodes, shared, members)
    }

    /// One `node sync`, from a snapshot when `snapshot`, over `transport` when given.
    @discardableResult
    static func sync(
        _ node: Replica, url: String, snapshot: Bool, pageSize: Int = 2_000, transport: (any SyncTransport)? = nil
    ) async throws -> SyncSummary {
        var client =
            if let transport {
                try SyncClient(replica: node, transport: transport, destination: url, clock: TestCounty.clock)
            } else {
                try SyncClient(replica: node, baseURL: url, clock: TestCounty.clock)
            }
        client.snapshotPageSize = pageSize
        do {
            let summary = try await client.sync(snapshot: snapshot)
            await client.shutdown()
            return summary
        } catch {
            await client.shutdown()
            throw error
        }
    }

    @Test(
        "a node from a snapshot holds, byte for byte, what a node that replayed the history holds, and syncs on both ways",
        arguments: HubStoreKind.allCases)
    func snapshotEqualsReplay(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let (nodes, shared, members) = try await Self.populatedCounty(county, url: url)
            let replayed = try await county.node(name: "town-101-replay", scope: TestCounty.township, hubURL: url)
            let fromSnapshot = try await county.node(name: "town-101-snap", scope: TestCounty.township, hubURL: url)
            let village = try await county.node(name: "village-001-snap", scope: TestCounty.village1, hubURL: url)
            // Made before the village's first sync: pushed first, then met again in the
            // snapshot, which is joined with what the node holds.
            let early = try village.household(in: TestCounty.village1, address: "六组")
            try await Self.sync(village, url: url, snapshot: true, pageSize: 3)
            #expect(try village.view(early, reveal: false).value("address") == "六组")
            #expect(try village.status().unsynced == 0)
            let replaySummary = try await Self.sync(replayed, url: url, snapshot: false)
            #expect(replaySummary.snapshotRecords == nil)
            // Two records a page: the pages cross from one table to the next and between villages.
            let summary = try await Self.sync(fromSnapshot, url: url, snapshot: true, pageSize: 2)
            let records = try replayed.recordIDs().count
            #expect(summary.snapshotRecords == records)
            #expect(summary.pulledOps == 0, "nothing was written after the snapshot")

            #expect(try fromSnapshot.stateDigest() == (try replayed.stateDigest()))
            #expect(
                try fromSnapshot.stateDigest() == (try await county.hubDigest()), "the township holds the whole hub")
            for node in [fromSnapshot, village] { try await ConvergenceTests.expectSameAsHub(node, county: county) }
            #expect(try village.recordIDs().allSatisfy { try village.state(of: $0)?.village == TestCounty.village1 })
            #expect(try fromSnapshot.state(of: shared)?.conflicts == ["income"])
            #expect(try fromSnapshot.opCount() == 0, "no history came with the snapshot")
            #expect(try fromSnapshot.syncState().pullCursor == (try await county.hub.logEnd()))
            #expect(try fromSnapshot.snapshotProgress() == nil, "the pages kept were dropped once installed")
            // What is derived from the states came too: the search index and the rule cases.
            for member in members {
                let name = try #require(try replayed.view(member, reveal: false).value("name"))
                #expect(
                    try fromSnapshot.find(name, limit: 5, nowMillis: TestCounty.now).hits.map(\.id)
                        == (try replayed.find(name, limit: 5, nowMillis: TestCounty.now).hits.map(\.id)))
            }
            #expect(try fromSnapshot.status().conflicted == (try replayed.status().conflicted))
            #expect(try fromSnapshot.status().vector == (try replayed.status().vector))
            #expect(
                try fromSnapshot.ruleCases(nowMillis: TestCounty.now)
                    == (try replayed.ruleCases(nowMillis: TestCounty.now)))

            // Sync goes on both ways: an edit made elsewhere arrives; the snapshot node's own
            // edit, made over a state it never replayed, is taken by the hub and reaches the others.
            try nodes[1].edit(shared) { $0.phone = "13800000077" }
            try await county.sync(nodes[1], url: url)
            #expect(try await Self.sync(fromSnapshot, url: url, snapshot: true).pulledOps == 1)
            #expect(try fromSnapshot.view(shared, reveal: false).value("phone") == "13800000077")
            try fromSnapshot.edit(shared) { $0.address = "三组 1 号（新）" }
            let pushed = try await Self.sync(fromSnapshot, url: url, snapshot: true)
            #expect(pushed.pushedOps == 1 && pushed.quarantined.isEmpty)
            try await ConvergenceTests.syncUntilQuiet(
                nodes + [replayed, fromSnapshot, village], county: county, url: url)
            #expect(try await county.hubText(shared, "address") == "三组 1 号（新）")
            for node in nodes + [replayed, fromSnapshot, village] {
                try await ConvergenceTests.expectSameAsHub(node, county: county)
            }
            #expect(try fromSnapshot.stateDigest() == (try replayed.stateDigest()))
        }
    }

    @Test(
        "a node started from a snapshot re-identifies without losing what it installed or what it had not pushed, and syncs on under its new id, by replay or from a new snapshot",
        arguments: [false, true])
    func reidentifyAfterSnapshot(snapshotAgain: Bool) async throws {
        let county = try await TestCounty(.sqlite)
        try await withRunningHub(county.service()) { url in
            let (nodes, shared, _) = try await Self.populatedCounty(county, url: url)
            let node = try await county.node(name: "town-101-snap", scope: TestCounty.township, hubURL: url)
            try await Self.sync(node, url: url, snapshot: true, pageSize: 4)
            let installed = try node.recordIDs()
            #expect(try node.opCount() == 0)
            // Not pushed: an edit of a record the snapshot installed, and a new household.
            try node.edit(shared) { $0.address = "三组 1 号（改）" }
            let added = try node.household(in: TestCounty.village2, address: "四组")

            let token = try await county.enrollmentToken(name: "town-101-snap-b", scope: TestCounty.township)
            let outcome = try Replica.reidentify(path: node.path, nowMillis: TestCounty.now)
            #expect(outcome.reissued == 2)
            let renamed = try #require(outcome.renamed[added])
            let reborn = try Replica.open(path: node.path)
            #expect(Set(try reborn.recordIDs()) == Set(installed + [renamed]), "the installed records are all there")
            #expect(try reborn.view(shared, reveal: false).value("address") == "三组 1 号（改）")
            try reborn.setHub(
                replica: token.hub, key: token.hubKey, url: url, pendingRegistration: token.secret + "\n" + token.name)
            // Under its new id it pulls the scope again from the start: by replay, what its floors
            // hold arrives as duplicates; from a snapshot (`node sync`'s default), each state is
            // joined with the node's, its re-issued changes pushed first.
            let again = try await Self.sync(reborn, url: url, snapshot: snapshotAgain)
            #expect((again.snapshotRecords != nil) == snapshotAgain)
            #expect(again.pushedOps == 2)
            #expect(try reborn.status().unsynced == 0)
            #expect(try reborn.status().waiting == 0)
            try await ConvergenceTests.syncUntilQuiet(nodes + [reborn], county: county, url: url)
            #expect(try await county.hubText(shared, "address") == "三组 1 号（改）")
            #expect(try await county.hubText(renamed, "address") == "四组")
            try await ConvergenceTests.expectSameAsHub(reborn, county: county)
        }
    }

    @Test(
        "a node that held records before its snapshot hands over those that left its scope meanwhile, with the snapshot's departed states",
        arguments: HubStoreKind.allCases)
    func departedRecords(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            let leaving = try village.household(in: TestCounty.village1, address: "一组")
            let member = try village.member(of: leaving, name: "王五")
            let staying = try village.household(in: TestCounty.village1, address: "二组")
            for node in [village, township] { try await county.sync(node, url: url) }

            // A copy of the village's laptop, made now, holds the household; the township then
            // moves it to the other village. The copy re-identifies: it pulls its scope again
            // from the start, from a snapshot, which does not list the household any more, and
            // the op that moved it lies below the snapshot's position.
            let copyPath = county.directory + "/village-copy.db"
            try village.backup(to: copyPath)
            try FileManager.default.copyItem(atPath: village.path + ".key", toPath: copyPath + ".key")
            _ = try township.moveHousehold(
                leaving.value, toVillage: TestCounty.village2, author: "zhen", nowMillis: TestCounty.now)
            try await county.sync(township, url: url)
            let token = try await county.enrollmentToken(name: "village-001-b", scope: TestCounty.village1)
            _ = try Replica.reidentify(path: copyPath, nowMillis: TestCounty.now)
            let copy = try Replica.open(path: copyPath)
            #expect(try copy.state(of: leaving) != nil)
            try copy.setHub(
                replica: token.hub, key: token.hubKey, url: url, pendingRegistration: token.secret + "\n" + token.name)
            let summary = try await Self.sync(copy, url: url, snapshot: true)
            #expect(summary.snapshotRecords != nil)
            for id in [leaving, member] {
                #expect(try copy.state(of: id) == nil, "\(id) handed over, as the village that replayed did")
            }
            #expect(try copy.state(of: staying) != nil)
            try await ConvergenceTests.expectSameAsHub(copy, county: county)

            // A page's departed states are read, and checked by its digest, with its records.
            let page = try await county.hub.snapshot(
                for: try #require(try await county.hub.node(copy.info.id)), after: nil, maxRecords: 100)
            #expect(page.departed.map(\.id) == [leaving, member].sorted { $0.value < $1.value })
            let response = SnapshotResponse(
                hub: county.hub.info.id, position: page.position, records: page.records, waiting: page.waiting,
                departed: page.departed, next: nil)
            #expect(try SnapshotResponse(json: response.json()) == response)
            var forged = response.json().objectValue ?? [:]
            forged["departed"] = .array(Array(forged["departed"]?.arrayValue?.prefix(1) ?? []))
            #expect(throws: MessageError.self) { try SnapshotResponse(json: .object(forged)) }
        }
    }

    @Test(
        "a node that re-identifies after the county discarded its refused creation holds the record as the hub does, from a snapshot as by replay",
        arguments: [(HubStoreKind.sqlite, true), (.sqlite, false), (.postgres, true)])
    func discardedCreationAfterReidentify(store: HubStoreKind, snapshot: Bool) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            let home = try village.household(in: TestCounty.village1, address: "一组")
            for node in [village, township] { try await county.sync(node, url: url) }
            // The township moves the household away; the village, not knowing, adds a member to
            // it. The hub refuses that creation (R14) and holds it at the desk.
            _ = try township.moveHousehold(
                home.value, toVillage: TestCounty.village2, author: "zhen", nowMillis: TestCounty.now)
            try await county.sync(township, url: url)
            let refused = try village.member(of: home, name: "王五")
            let summary = try await county.sync(village, url: url)
            #expect(summary.quarantined.map(\.reason).contains { $0.hasPrefix("R14") }, "\(summary.quarantined)")
            #expect(try village.state(of: refused) != nil, "the author holds what it made until the desk decides")
            // The county discards it: the compensation is addressed to the village's id, which
            // the village gives up before it pulls again (seed 932: a forked laptop).
            for entry in try await county.hub.quarantine() {
                try await county.hub.discardQuarantined(entry.dot, author: "admin", nowMillis: TestCounty.now)
            }
            // Every snapshot of a scope the creation was logged in lists the record as departed;
            // another village's does not.
            for (scope, listed) in [
                (TestCounty.township, true), (TestCounty.village1, true), (TestCounty.village2, false),
            ] {
                let reader = try await county.node(name: "reader-\(scope)", scope: scope, hubURL: url)
                let page = try await county.hub.snapshot(
                    for: try #require(try await county.hub.node(reader.info.id)), after: nil, maxRecords: 100)
                #expect(page.departed.map(\.id).contains(refused) == listed, "scope \(scope)")
            }
            let token = try await county.enrollmentToken(name: "village-001-b", scope: TestCounty.village1)
            _ = try Replica.reidentify(path: village.path, nowMillis: TestCounty.now)
            let reborn = try Replica.open(path: village.path)
            try reborn.setHub(
                replica: token.hub, key: token.hubKey, url: url, pendingRegistration: token.secret + "\n" + token.name)
            let again = try await Self.sync(reborn, url: url, snapshot: snapshot)
            #expect((again.snapshotRecords != nil) == snapshot)
            // The hub holds the refused member in no village, so in no node's scope: the node
            // lets it go, whichever way it pulled its scope again.
            #expect(try await county.hubState(of: refused)?.village == nil)
            #expect(try reborn.state(of: refused) == nil, "the node keeps no change the county refused")
            try await ConvergenceTests.expectSameAsHub(reborn, county: county)
        }
    }

    /// A transport that cuts the connection at the `cutAt`-th snapshot request, after running
    /// `meanwhile` (writes elsewhere between the pages).
    final class CuttingTransport: SyncTransport, @unchecked Sendable {
        let inner: HTTPTransport
        let cutAt: Int
        let meanwhile: @Sendable () async throws -> Void
        private let lock = NSLock()
        private var snapshots = 0

        init(url: String, cutAt: Int, meanwhile: @escaping @Sendable () async throws -> Void) throws {
            inner = try HTTPTransport(baseURL: url)
            self.cutAt = cutAt
            self.meanwhile = meanwhile
        }

        func exchange(_ request: WireRequest) async throws(TransportFailure) -> WireAnswer {
            if request.path == SyncPath.snapshot {
                let count = lock.withLock {
                    snapshots += 1
                    return snapshots
                }
                if count == cutAt {
                    do { try await meanwhile() } catch {
                        throw TransportFailure(destination: "test", reason: "meanwhile failed: \(error)")
                    }
                    throw TransportFailure(destination: "test", reason: "the connection was cut")
                }
            }
            return try await inner.exchange(request)
        }

        func shutdown() async { await inner.shutdown() }
    }

    /// A hub built before snapshots, as a node sees it: `/v1/snapshot` answered by a plain,
    /// unsigned 404 (or, with `signed`, by whatever this hub answers for a path it does not
    /// serve), the rest served.
    struct NoSnapshotsTransport: SyncTransport {
        let inner: HTTPTransport
        let signed: Bool

        func exchange(_ request: WireRequest) async throws(TransportFailure) -> WireAnswer {
            guard request.path == SyncPath.snapshot else { return try await inner.exchange(request) }
            guard signed else { return WireAnswer(status: 404, headers: [:], body: Array("Not Found".utf8)) }
            var moved = request
            moved.path = "/v1/no-such-path"
            return try await inner.exchange(moved)
        }
    }

    @Test("a new node whose hub gives no snapshots (built before them) replays its scope's history instead")
    func hubWithoutSnapshots() async throws {
        let county = try await TestCounty(.sqlite)
        try await withRunningHub(county.service()) { url in
            _ = try await Self.populatedCounty(county, url: url)
            for signed in [false, true] {
                let node = try await county.node(
                    name: "town-101-new-\(signed)", scope: TestCounty.township, hubURL: url)
                let transport = NoSnapshotsTransport(inner: try HTTPTransport(baseURL: url), signed: signed)
                let summary: SyncSummary
                do {
                    summary = try await Self.sync(node, url: url, snapshot: true, transport: transport)
                    await transport.inner.shutdown()
                } catch {
                    await transport.inner.shutdown()
                    throw error
                }
                #expect(summary.snapshotRecords == nil)
                #expect(summary.pulledOps > 0, "the history was replayed")
                #expect(try node.snapshotProgress() == nil)
                try await ConvergenceTests.expectSameAsHub(node, county: county)
            }
        }
    }

    @Test(
        "a snapshot cut half-way leaves the node as it was, resumes where it stopped, and what was written between its pages arrives once",
        arguments: HubStoreKind.allCases)
    func interruptedSnapshot(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let (nodes, shared, _) = try await Self.populatedCounty(county, url: url)
            let node = try await county.node(name: "town-101-snap", scope: TestCounty.township, hubURL: url)
            let village1 = nodes[1]
            let village2 = nodes[2]
            let transport = try CuttingTransport(url: url, cutAt: 4) {
                // Between the pages: records already sent and records still to come change.
                try village1.edit(shared) { $0.phone = "13800000055" }
                for id in try village1.recordIDs() where id.type == .household && id != shared {
                    try village1.edit(id) { $0.note = "复核" }
                }
                // Members come last in a snapshot: their new states arrive in its later pages,
                // and the pull from the first page's position brings these ops once more.
                for id in try village1.recordIDs() where id.type == .member {
                    var input = MemberInput()
                    input.note = "已走访"
                    try village1.editMember(id.value, input, author: "w1", nowMillis: TestCounty.now)
                }
                // A household made between the pages, in a village still to come.
                try village2.household(in: TestCounty.village2, address: "五组")
                try await county.sync(village1, url: url)
                try await county.sync(village2, url: url)
            }
            await #expect(throws: SyncError.self) {
                try await Self.sync(node, url: url, snapshot: true, pageSize: 3, transport: transport)
            }
            await transport.shutdown()
            // Nothing of it in the replica; the pages received are kept for the next sync.
            #expect(try node.recordIDs().isEmpty)
            #expect(try node.syncState().pullCursor == 0)
            let progress = try #require(try node.snapshotProgress())
            #expect(progress.records == 9 && progress.next != nil)

            // Taken up at the next sync, even without asking for a snapshot.
            let summary = try await Self.sync(node, url: url, snapshot: false, pageSize: 3)
            #expect(summary.snapshotRecords != nil)
            #expect(try node.status().waiting == 0)
            try await ConvergenceTests.expectSameAsHub(node, county: county)
            #expect(try node.stateDigest() == (try await county.hubDigest()))
            #expect(try node.view(shared, reveal: false).value("phone") == "13800000055")
            #expect(
                summary.pulledOps > 0 && summary.applied < summary.pulledOps,
                "ops under the installed states were pulled again")
            for id in try village1.recordIDs() where id.type == .member {
                #expect(try node.view(id, reveal: false).value("note") == "已走访")
            }
        }
    }

    @Test(
        "the hub refuses a snapshot request it cannot read, and a node refuses a page whose digest is not its records'")
    func refusals() async throws {
        let county = try await TestCounty(.sqlite)
        try await withRunningHub(county.service()) { url in
            _ = try await Self.populatedCounty(county, url: url)
            let node = try await county.node(name: "town-101-snap", scope: TestCounty.township, hubURL: url)
            let raw = RawClient(baseURL: url, hubKey: county.hub.info.publicKey)
            let bad: [JSON] = [
                "household 421281101001", "household 421281101001 M-0123456789ab-1", "x y z", "E-1-1",
            ].map { SnapshotRequest(replica: node.info.id, after: $0, maxRecords: 5).json }
            let zero: JSON = .object([
                "v": .integer(WireVersion.current), "replica": .string(node.info.id.value), "max_records": .integer(0),
            ])
            for document in bad + [zero] {
                let answer = try await raw.send(
                    try SignedRequest(path: SyncPath.snapshot, document: document, signedBy: node))
                #expect(answer.status == 400, "\(document.canonicalText)")
                #expect(answer.hubSigned)
            }
            let first = try await raw.send(
                try SignedRequest(
                    path: SyncPath.snapshot,
                    document: SnapshotRequest(replica: node.info.id, after: nil, maxRecords: 5).json, signedBy: node))
            #expect(first.status == 200)

            // A page as the hub wrote it reads; the same page with a record's state changed does not.
            let page = try await county.hub.snapshot(
                for: try #require(try await county.hub.node(node.info.id)), after: nil, maxRecords: 4)
            let response = SnapshotResponse(
                hub: county.hub.info.id, position: page.position, records: page.records, waiting: page.waiting,
                next: page.next?.text)
            #expect(try SnapshotResponse(json: response.json()) == response)
            guard case .object(var members) = response.json(), case .array(var records) = members["records"],
                case .object(var first) = records[0], let state = first["state"]?.stringValue,
                var bytes = Data(base64Encoded: state)
            else { throw TestFailure("the page has no records") }
            bytes[bytes.count - 1] ^= 1
            first["state"] = .string(bytes.base64EncodedString())
            records[0] = .object(first)
            members["records"] = .array(records)
            #expect(throws: MessageError.self) { try SnapshotResponse(json: .object(members)) }
        }
    }
}
