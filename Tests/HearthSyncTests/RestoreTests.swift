import Foundation
import HearthClient
import HearthCore
import HearthHub
import HearthLedger
import HearthLedgerSQLite
import HearthStore
import Testing

/// `hearth hub backup` and `hearth hub restore`: a hub put back from an older copy is behind
/// its nodes; it must never reuse a dot, its nodes must miss nothing it logs afterwards, and
/// they must send again what it lost of theirs. Real SQLite files, real HTTP on loopback.
@Suite("A hub restored from a backup: no dot reused, nothing of the nodes' lost")
struct RestoreTests {
    /// Replaces the county's hub database with `backup` the way `hearth hub restore` does
    /// (the serving handle closed first), and opens the restored hub.
    func restore(_ county: TestCounty, from backup: String) throws -> (HubLedger, HubRestore) {
        try county.hub.replica.pool.close()
        let done = try HubLedger.restore(
            from: backup, to: county.hub.path, worker: "admin", nowMillis: TestCounty.now + 1)
        return (try HubLedger.open(path: county.hub.path), done)
    }

    /// Every record a node holds is in the same state at the hub.
    func expectSameRecords(_ node: Replica, _ hub: HubLedger, sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        let ids = try node.recordIDs()
        #expect(!ids.isEmpty, sourceLocation: sourceLocation)
        for id in ids {
            #expect(try node.state(of: id) == hub.replica.state(of: id), "\(id)", sourceLocation: sourceLocation)
        }
    }

    @Test(
        "ops a node pushed after the backup are sent again, and a node that pulled past the backup gets every op logged after the restore"
    )
    func nodesRefillTheHub() async throws {
        let county = try TestCounty()
        let backup = county.directory + "/backup.db"
        var v1: Replica!
        var v2: Replica!
        var lost: RecordID!
        try await withRunningHub(county.service()) { url in
            v1 = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            v2 = try await county.node(name: "village-002", scope: TestCounty.township, hubURL: url)
            try v1.household(in: TestCounty.village1, address: "一组")
            try v2.household(in: TestCounty.village2, address: "二组")
            try await county.syncRounds([v1, v2], url: url)
            let copy = try county.hub.backup(to: backup, worker: "admin", nowMillis: TestCounty.now)
            #expect(copy.ops == Int64(try county.hub.replica.allOps().count))
            // After the backup: village 1 pushes a household, the township node pulls it.
            lost = try v1.household(in: TestCounty.village1, address: "三组")
            try await county.syncRounds([v1, v2], url: url, rounds: 1)
            #expect(try v2.state(of: lost) != nil)
        }
        let (hub, done) = try restore(county, from: backup)
        #expect(try hub.replica.state(of: lost) == nil, "the backup was taken before the household")
        #expect(done.nextPosition > done.logEnd + HubLedger.restoreGap)
        try await withRunningHub(county.service(hub)) { url in
            // The township node pulled past the backup's end; what the restored hub logs now
            // still reaches it.
            let later = try v2.household(in: TestCounty.village2, address: "四组")
            try await county.sync(v2, url: url)
            // Village 1 has nothing new: the pull says the hub holds less than it acknowledged,
            // and the same sync sends the lost household again.
            #expect(try v1.syncState().ackedCounter == v1.syncState().ownCounter)
            let summary = try await county.sync(v1, url: url)
            #expect(summary.pushedOps == 1)
            #expect(try hub.replica.state(of: lost) != nil, "the lost household came back")
            #expect(try v1.state(of: later) == nil, "village 1 does not hold village 2's records")
            try await county.sync(v2, url: url)
            #expect(try v2.state(of: lost) != nil)
            try expectSameRecords(v1, hub)
            try expectSameRecords(v2, hub)
            let acked = try await hub.node(v1.info.id)?.ackedCounter
            #expect(acked == (try v1.syncState().ownCounter))
            // The nodes' lag counts ops, not the positions the restore skipped.
            let log = try await hub.logExtent()
            #expect(log.end > done.logEnd + HubLedger.restoreGap)
            for node in try await hub.nodes() { #expect(log.lag(from: node.pullCursor) < 100, "\(node.name)") }
        }
    }

    @Test("a node whose next push meets the restored hub's gap pulls, sends the lost ops and its new one in one sync")
    func gapThenRefill() async throws {
        let county = try TestCounty()
        let backup = county.directory + "/backup.db"
        var v1: Replica!
        var lost: RecordID!
        try await withRunningHub(county.service()) { url in
            v1 = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            try v1.household(in: TestCounty.village1, address: "一组")
            try await county.sync(v1, url: url)
            _ = try county.hub.backup(to: backup, worker: "admin", nowMillis: TestCounty.now)
            lost = try v1.household(in: TestCounty.village1, address: "二组")
            try await county.sync(v1, url: url)
        }
        let (hub, _) = try restore(county, from: backup)
        try await withRunningHub(county.service(hub)) { url in
            let new = try v1.household(in: TestCounty.village1, address: "三组")
            let summary = try await county.sync(v1, url: url)
            #expect(summary.pushedOps >= 2)
            #expect(try hub.replica.state(of: lost) != nil)
            #expect(try hub.replica.state(of: new) != nil)
            #expect(try v1.status().unsynced == 0)
            try expectSameRecords(v1, hub)
        }
    }

    @Test(
        "the restored hub writes under a new id: an op it made after the backup and one made after the restore never share a dot"
    )
    func noDotReused() async throws {
        let county = try TestCounty()
        let backup = county.directory + "/backup.db"
        var v1: Replica!
        var before: Op!
        try await withRunningHub(county.service()) { url in
            v1 = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            try v1.household(in: TestCounty.village1, address: "一组")
            try await county.sync(v1, url: url)
            _ = try county.hub.backup(to: backup, worker: "admin", nowMillis: TestCounty.now)
            // The hub makes an op after the backup, and the node pulls it.
            let made = try county.hub.replica.household(in: TestCounty.village1, address: "中心录入一")
            before = try #require(try county.hub.replica.allOps().first { $0.record == made })
            try await county.sync(v1, url: url)
            #expect(try v1.state(of: made) != nil)
        }
        let (hub, done) = try restore(county, from: backup)
        #expect(done.retiredWriter == county.hub.info.id)
        #expect(done.retiredCounter == before.dot.counter - 1)
        #expect(hub.info.id == county.hub.info.id, "the hub keeps its identity")
        #expect(hub.info.writer == done.writer)
        #expect(done.writer != county.hub.info.id)
        let made = try hub.replica.household(in: TestCounty.village1, address: "中心录入二")
        let after = try #require(try hub.replica.allOps().first { $0.record == made })
        #expect(after.dot.replica == done.writer)
        #expect(after.dot != before.dot)
        try await withRunningHub(county.service(hub)) { url in
            #expect(try await hub.logEnd() == done.logEnd + HubLedger.restoreGap + 1, "the log went on past the gap")
            try await county.sync(v1, url: url)
            #expect(try v1.state(of: made) != nil, "the node applied the new op instead of taking it for one it held")
            // No dot is held with two different ops anywhere.
            var hashes: [Dot: String] = [:]
            for op in try v1.allOps() + hub.replica.allOps() {
                #expect(hashes.updateValue(op.hash, forKey: op.dot).map { $0 == op.hash } ?? true, "\(op.dot)")
            }
        }
    }

    @Test("a file-only node learns from the restored hub's bundle what it lost, and its next bundle carries it again")
    func bundlesRefillTheHub() async throws {
        let county = try TestCounty()
        let service = county.service()
        let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: nil)
        try village.household(in: TestCounty.village1, address: "一组")
        // One exchange of bundles each way: node → hub, hub → node (the acknowledgement).
        func exchange(_ hub: HubService, _ step: String) async throws -> (sent: Int, received: Int) {
            try await county.exchangeBundles(village, named: "village-001", with: hub, step: step)
        }
        _ = try await exchange(service, "first")
        let backup = county.directory + "/backup.db"
        _ = try county.hub.backup(to: backup, worker: "admin", nowMillis: TestCounty.now)
        let lost = try village.household(in: TestCounty.village1, address: "二组")
        _ = try await exchange(service, "second")
        #expect(try village.syncState().ackedCounter == village.syncState().ownCounter)

        let (hub, _) = try restore(county, from: backup)
        let restored = county.service(hub)
        // The restored hub's bundle says how far it holds the node's ops: the acknowledgement
        // comes down, and the next bundle carries the lost household again.
        let (sent, _) = try await exchange(restored, "third")
        #expect(sent == 0, "the node did not know yet")
        #expect(try village.syncState().ackedCounter < village.syncState().ownCounter)
        let (again, _) = try await exchange(restored, "fourth")
        #expect(again > 0)
        #expect(try hub.replica.state(of: lost) == village.state(of: lost))
        #expect(try village.syncState().ackedCounter == village.syncState().ownCounter)
        try expectSameRecords(village, hub)
    }

    @Test("a node cannot register under an id the restored hub writes or wrote its ops under")
    func writerIdsAreNotForNodes() async throws {
        let county = try TestCounty()
        let backup = county.directory + "/backup.db"
        _ = try county.hub.backup(to: backup, worker: "admin", nowMillis: TestCounty.now)
        let (hub, done) = try restore(county, from: backup)
        for id in [done.writer, done.retiredWriter] {
            let secret = try await hub.createEnrollment(
                name: "v-\(id.value.prefix(6))", scope: try ScopePrefix.parse(TestCounty.village1, field: "scope"),
                nowMillis: TestCounty.now)
            await #expect(throws: ReplicaError.self) {
                try await hub.register(
                    secret: secret, replica: id, publicKey: KeyMaterial.generate().publicKeyBase64,
                    nowMillis: TestCounty.now)
            }
        }
    }

    @Test("a backup is refused over an existing file, and another hub's backup is refused with nothing changed")
    func refusals() async throws {
        let county = try TestCounty()
        let taken = county.directory + "/taken.db"
        FileManager.default.createFile(atPath: taken, contents: Data("keep".utf8))
        #expect(throws: HubBackupError.exists(taken)) {
            try county.hub.backup(to: taken, worker: "admin", nowMillis: TestCounty.now)
        }
        #expect(FileManager.default.contents(atPath: taken) == Data("keep".utf8))
        // Another hub under the same county key (a second hub set up with it): its backup
        // opens with this hub's key file, and is refused for being another hub's.
        let other = try HubLedger.create(
            path: county.directory + "/other.db", name: "other",
            scope: try ScopePrefix.parse(TestCounty.county, field: "scope"),
            nowMillis: TestCounty.now, keys: county.hub.keys)
        let foreign = county.directory + "/foreign.db"
        _ = try other.backup(to: foreign, worker: "admin", nowMillis: TestCounty.now)
        let digest = try county.hub.replica.stateDigest()
        // While the hub's database is open (a hub still serving), nothing is restored over it.
        #expect(throws: HubBackupError.inUse(county.hub.path)) {
            try HubLedger.restore(from: foreign, to: county.hub.path, worker: "admin", nowMillis: TestCounty.now)
        }
        try county.hub.replica.pool.close()
        #expect(throws: HubBackupError.otherHub(backup: other.info.id.value, hub: county.hub.info.id.value)) {
            try HubLedger.restore(from: foreign, to: county.hub.path, worker: "admin", nowMillis: TestCounty.now)
        }
        #expect(try HubLedger.open(path: county.hub.path).replica.stateDigest() == digest)
        let left = try FileManager.default.contentsOfDirectory(atPath: county.directory)
        #expect(!left.contains { $0.contains("before-restore") || $0.contains("restoring") }, "\(left)")
        #expect(try HubLedger.open(path: county.hub.path).info.writer == county.hub.info.id)
    }
}
