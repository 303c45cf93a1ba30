import Foundation
import HearthClient
import HearthCore
import HearthHub
import HearthLedger
import HearthProtocol
import HearthStore
import Testing

/// A node's log compacted (docs/compaction.md, "On a node"): what the hub holds, older than
/// the retention, leaves the log; the records' states do not change, ops arriving again are
/// duplicates, the node syncs on and re-identifies as before, and holds what a twin that never
/// compacted holds.
@Suite("Compaction on a node: what the hub holds, older than the retention, leaves its log")
struct NodeCompactionTests {
    static let day: Int64 = 86_400_000
    static let month = 30 * day

    @Test(
        "a node's old ops leave its log and its states stay; ops arriving again are duplicates; it syncs on like a twin that never compacted"
    )
    func compactedNodeIsItsTwin() async throws {
        let county = try await TestCounty(.sqlite)
        try await withRunningHub(county.service()) { url in
            let (nodes, shared, _) = try await SnapshotTests.populatedCounty(county, url: url)
            let village1 = nodes[1]
            // A second laptop of the same village, which never compacts.
            let twin = try await county.node(name: "village-001-twin", scope: TestCounty.village1, hubURL: url)
            try await ConvergenceTests.syncUntilQuiet(nodes + [twin], county: county, url: url)
            let logged = try village1.allOps()
            let states = try village1.states()
            #expect(logged.count > 10)

            // The first run notes the log's end forty days ago: nothing is old enough yet.
            let first = try village1.compactLog(retentionMillis: Self.month, nowMillis: TestCounty.now - 40 * Self.day)
            #expect(first.removed == 0 && first.agedThrough == 0 && first.logged == logged.count)
            // An edit made since, not yet pushed: it is never old enough, and stays.
            try village1.edit(shared) { $0.phone = "13800000002" }
            var report = try village1.compactLog(
                retentionMillis: Self.month, nowMillis: TestCounty.now + Self.day, limit: 5)
            #expect(report.removed == 5 && report.more, "a run removes at most its limit")
            var removed = report.removed
            while report.more {
                report = try village1.compactLog(
                    retentionMillis: Self.month, nowMillis: TestCounty.now + Self.day, limit: 5)
                removed += report.removed
            }
            #expect(removed == logged.count, "every op the hub holds, noted forty days ago, left")
            #expect(report.logged == 1 && report.kept == 0, "only the unpushed edit stays")
            let after = try village1.states()
            #expect(after.count == states.count)
            for (id, state) in states where id != shared {
                #expect(after[id] == state, "\(id) changed when its ops left the log")
            }

            // Every op arriving again is a duplicate: the floors hold them.
            let again = try village1.integrate(logged, nowMillis: TestCounty.now)
            #expect(again.duplicates == logged.count && again.applied == 0 && again.waiting == 0)
            #expect(try village1.states() == after)

            // The node pushes its edit and syncs on; the twin and the hub hold the same.
            let summary = try await county.sync(village1, url: url)
            #expect(summary.pushedOps == 1)
            try await ConvergenceTests.syncUntilQuiet(nodes + [twin], county: county, url: url)
            try twin.edit(shared) { $0.address = "三组 1 号 改" }
            try await ConvergenceTests.syncUntilQuiet(nodes + [twin], county: county, url: url)
            try await ConvergenceTests.expectSameAsHub(village1, county: county)
            try await ConvergenceTests.expectSameAsHub(twin, county: county)
            #expect(try village1.states() == twin.states(), "the node that compacted holds what its twin holds")
            #expect(try village1.view(shared, reveal: false).value("address") == "三组 1 号 改")
            // The hub's acknowledgement of its own ops still checks against what it gave away.
            let own = try village1.syncState()
            try village1.checkHubHolds(counter: own.ackedCounter, hash: try village1.acknowledgedHead().hash)
        }
    }

    @Test("an op whose causal past stays in the log stays with it: a re-identified node rebuilds every record whole")
    func causalPastStays() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-nc-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let scope = try ScopePrefix.parse(TestCounty.village1, field: "scope")
        let keys = KeyMaterial.generate()
        let author = try Replica.create(
            path: directory + "/a.db", name: "a", scope: scope, nowMillis: TestCounty.now, keys: keys)
        let node = try Replica.create(
            path: directory + "/b.db", name: "b", scope: scope, nowMillis: TestCounty.now,
            keys: keys.withNewSigningKey())
        let home = try author.household(in: TestCounty.village1, address: "一组")
        try author.edit(home) { $0.phone = "13800000003" }
        let ops = try author.allOps()
        #expect(ops.count == 2 && ops[0].createsRecord)
        // The edit arrives first and waits for the creation; the log's end is noted between.
        #expect(try node.integrate([ops[1]], nowMillis: TestCounty.now).waiting == 1)
        _ = try node.compactLog(retentionMillis: Self.month, nowMillis: TestCounty.now - 40 * Self.day)
        let arrived = try node.integrate([ops[0]], nowMillis: TestCounty.now)
        #expect(arrived.released == 1 && arrived.waiting == 0, "\(arrived)")
        let whole = try node.states()
        #expect(whole[home]?.values["address"] == .text("一组"))
        // The edit is old enough and applied, but the creation it depends on is not: both stay.
        let report = try node.compactLog(retentionMillis: Self.month, nowMillis: TestCounty.now + Self.day)
        #expect(report.agedThrough == 1 && report.removed == 0 && report.kept == 1 && report.logged == 2)
        // Re-identified, the node rebuilds the household from its floor and its log: whole.
        let outcome = try Replica.reidentify(path: directory + "/b.db", nowMillis: TestCounty.now)
        #expect(outcome.reissued == 0)
        #expect(try Replica.open(path: directory + "/b.db").states() == whole)
        // Later, with the creation noted too, both leave together; the state stays whole.
        let reopened = try Replica.open(path: directory + "/b.db")
        _ = try reopened.compactLog(retentionMillis: Self.month, nowMillis: TestCounty.now + 2 * Self.day)
        let later = try reopened.compactLog(retentionMillis: Self.month, nowMillis: TestCounty.now + 40 * Self.day)
        #expect(later.removed == 2 && later.logged == 0)
        #expect(try reopened.states() == whole)
        #expect(try reopened.integrate(ops, nowMillis: TestCounty.now).duplicates == 2)
    }

    @Test(
        "a node's own op leaves only once the hub acknowledged it the retention ago, and stays while a restored hub lacks it"
    )
    func ownOpsWaitForTheirAcknowledgement() async throws {
        let county = try await TestCounty(.sqlite)
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let home = try village.household(in: TestCounty.village1, address: "一组")
            try await county.sync(village, url: url)
            let creation = try #require(try village.allOps().first)
            // Made while offline, noted in the log before the hub acknowledged it.
            try village.edit(home) { $0.phone = "13800000004" }
            _ = try village.compactLog(retentionMillis: Self.month, nowMillis: TestCounty.now - 40 * Self.day)
            try await county.sync(village, url: url)
            let acked = try village.syncState().ackedCounter
            // The creation, acknowledged before the note, leaves. The edit's place in the log is
            // old enough, its acknowledgement is not: it stays.
            let report = try village.compactLog(retentionMillis: Self.month, nowMillis: TestCounty.now + Self.day)
            #expect(report.removed == 1 && report.kept == 1 && report.logged == 1)
            #expect(try village.allOps().map(\.dot.counter) == [acked])
            // A hub restored from a backup without the edit takes the acknowledgement back (it
            // holds the creation, which the node checks by the hash it kept): the notes come
            // down with it, so the edit stays however old the notes grow.
            #expect(creation.dot.counter == acked - 1)
            #expect(try village.acceptHubHolds(counter: acked - 1, hash: creation.hash))
            let undone = try village.compactLog(retentionMillis: Self.month, nowMillis: TestCounty.now + 60 * Self.day)
            #expect(undone.removed == 0 && undone.logged == 1, "the edit stays")
            #expect(try village.unpushedOps(limit: 10).map(\.dot.counter) == [acked])
            // Acknowledged again, and that noted the retention ago: it leaves.
            try await county.sync(village, url: url)
            _ = try village.compactLog(retentionMillis: Self.month, nowMillis: TestCounty.now + 61 * Self.day)
            let later = try village.compactLog(retentionMillis: Self.month, nowMillis: TestCounty.now + 100 * Self.day)
            #expect(later.removed == 1 && later.logged == 0)
            try village.checkHubHolds(counter: acked, hash: try village.acknowledgedHead().hash)
        }
    }

    @Test("a record's ops leaving in two runs build one floor: the later ops never hide what the earlier ones wrote")
    func floorsAcrossRuns() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-nc-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let scope = try ScopePrefix.parse(TestCounty.village1, field: "scope")
        let keys = KeyMaterial.generate()
        let author = try Replica.create(
            path: directory + "/a.db", name: "a", scope: scope, nowMillis: TestCounty.now, keys: keys)
        let path = directory + "/b.db"
        let node = try Replica.create(
            path: path, name: "b", scope: scope, nowMillis: TestCounty.now, keys: keys.withNewSigningKey())
        let home = try author.household(in: TestCounty.village1, address: "一组")
        try author.edit(home) { $0.phone = "13800000005" }
        let ops = try author.allOps()
        _ = try node.integrate([ops[0]], nowMillis: TestCounty.now)
        _ = try node.compactLog(retentionMillis: Self.month, nowMillis: TestCounty.now - 80 * Self.day)
        _ = try node.integrate([ops[1]], nowMillis: TestCounty.now)
        let whole = try node.states()
        // The creation leaves in one run, the edit by the same author in the next.
        #expect(
            try node.compactLog(retentionMillis: Self.month, nowMillis: TestCounty.now - 40 * Self.day).removed == 1)
        #expect(try node.compactLog(retentionMillis: Self.month, nowMillis: TestCounty.now + Self.day).removed == 1)
        // Rebuilt from its floor alone, the household still has its village and address.
        _ = try Replica.reidentify(path: path, nowMillis: TestCounty.now)
        let rebuilt = try Replica.open(path: path).states()
        #expect(rebuilt == whole)
        #expect(rebuilt[home]?.values["village"] == .text(TestCounty.village1))
    }
}
