import Foundation
import HearthClient
import HearthCore
import HearthHub
import HearthLedger
import HearthProtocol
import HearthStore
import Testing

/// The hub's compaction (docs/compaction.md): what every active node holds, older than the
/// retention, leaves the log for the archive; nothing a node made is lost, and a node away
/// past the retention starts from a snapshot.
@Suite("Compaction moves the history every node holds out of the hub's log")
struct CompactionTests {
    static let day: Int64 = 86_400_000
    /// When the node that goes away last synced: two months before the others.
    static let away: Int64 = TestCounty.now - 60 * day

    @Test(
        "ops every active node holds leave the log; history, chains and duplicates still read the archive; a node back after the retention pushes, then starts from a snapshot",
        arguments: HubStoreKind.allCases)
    func compactAndComeBack(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        let awayClock: @Sendable () -> Int64 = { CompactionTests.away }
        let past = HubService(ledger: county.hub, logger: county.logger, clock: awayClock)
        // The laptop that goes away: registered and synced two months ago, then silent.
        let laptop = try await county.node(name: "village-001-laptop", scope: TestCounty.village1, hubURL: nil)
        let early = try await withRunningHub(past) { url in
            try laptop.setHubURL(url)
            let early = try laptop.household(in: TestCounty.village1, address: "一组 早")
            try await county.sync(laptop, url: url, clock: awayClock)
            return early
        }
        try await withRunningHub(county.service()) { url in
            try laptop.setHubURL(url)
            let (nodes, shared, _) = try await SnapshotTests.populatedCounty(county, url: url)
            let village1 = nodes[1]
            // Edits of the laptop's own household by its village: history the laptop lacks.
            try village1.edit(early) { $0.phone = "13800000001" }
            try await ConvergenceTests.syncUntilQuiet(nodes, county: county, url: url)
            let digest = try await county.hubDigest()
            let end = try await county.hub.logEnd()
            let history = try await county.hub.reading { try $0.log(record: shared) }.map(\.op.dot)
            #expect(history.count >= 3)

            // The first run notes the log's end, forty days ago: nothing is old enough yet.
            let first = try await county.hub.compact(
                CompactionPlan(retentionMonths: 1, nowMillis: TestCounty.now - 40 * Self.day))
            #expect(first.archived == 0 && first.agedThrough == 0)
            // A month later what it noted is past the retention.
            let report = try await county.hub.compact(
                CompactionPlan(retentionMonths: 1, nowMillis: TestCounty.now + Self.day, limit: 7))
            #expect(report.agedThrough == end)
            #expect(report.activeNodes == 3, "the township and its two villages synced within the month")
            #expect(report.inactiveNodes == 1, "the laptop did not")
            #expect(report.archived == 7 && report.more, "a run moves at most its limit")
            var total = report.archived
            var last = report
            while last.more {
                last = try await county.hub.compact(
                    CompactionPlan(retentionMonths: 1, nowMillis: TestCounty.now + Self.day, limit: 7))
                total += last.archived
            }
            #expect(last.logged == 0, "every op was pulled by every active node holding it")
            #expect(last.inArchive == total)
            #expect(try await county.hubDigest() == digest, "compaction changes no state")
            #expect(try await county.hub.logEnd() == end, "the log's end stays where it was")
            // A record's history, as `show --history` reads it, runs on across the archive.
            #expect(try await county.hub.reading { try $0.log(record: shared) }.map(\.op.dot) == history)

            // An op the hub archived, sent again by its author, is a duplicate, not a break.
            let nodeRecords = try await county.hub.nodes()
            let village1Record = try #require(nodeRecords.first { $0.replica == village1.info.id })
            let own = try village1.allOps().filter { $0.dot.replica == village1.info.id }
            let again = try await county.hub.acceptPush(
                from: village1Record, ops: Array(own.prefix(2)), nowMillis: TestCounty.now
            ) { _ in nil }
            #expect(again.report.duplicates == 2 && again.report.applied == 0)
            // The chain of the village's ops still reads its archived head.
            #expect(
                try await county.hub.chainHash(replica: village1.info.id, counter: own[0].dot.counter)
                    == own[0].hash)

            // Active nodes pull on as before.
            let summary = try await county.sync(village1, url: url)
            #expect(summary.snapshotRecords == nil && summary.pulledOps == 0)

            // The laptop comes back with an edit made while away: it pushes it, is told its
            // history was archived, starts from the snapshot, and holds what the hub holds.
            try laptop.edit(early) { $0.address = "一组 早 改" }
            let back = try await county.sync(laptop, url: url)
            #expect(back.pushedOps == 1)
            #expect(back.snapshotRecords != nil, "the laptop started from the snapshot")
            try await ConvergenceTests.expectSameAsHub(laptop, county: county)
            let state = try laptop.view(early, reveal: false)
            #expect(state.value("address") == "一组 早 改")
            #expect(state.value("phone") == "13800000001", "the village's edit it had not pulled")
            #expect(try laptop.syncState().pullCursor >= end)
            // And the village receives the laptop's edit as usual.
            try await county.sync(village1, url: url)
            #expect(try village1.view(early, reveal: false).value("address") == "一组 早 改")
        }
    }

    @Test(
        "a pull from below what was archived of the scope is answered 409 snapshot_required, and a replaying node takes the snapshot",
        arguments: HubStoreKind.allCases)
    func pullBelowTheArchive(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let other = try await county.node(name: "village-002", scope: TestCounty.village2, hubURL: url)
            let home = try village.household(in: TestCounty.village1, address: "一组")
            _ = try other.household(in: TestCounty.village2, address: "二组")
            try await ConvergenceTests.syncUntilQuiet([village, other], county: county, url: url)
            _ = try await county.hub.compact(
                CompactionPlan(retentionMonths: 1, nowMillis: TestCounty.now - 40 * Self.day))
            let report = try await county.hub.compact(
                CompactionPlan(retentionMonths: 1, nowMillis: TestCounty.now + Self.day))
            #expect(report.archived == 2 && report.logged == 0)
            let record = try #require(try await county.hub.nodes().first { $0.replica == village.info.id })
            do {
                _ = try await county.service().answer(
                    pull: PullRequest(replica: village.info.id, cursor: 0, maxOps: 100), for: record)
                Issue.record("a pull from 0 was answered")
            } catch let error as HubError {
                #expect(error.code == "snapshot_required")
                #expect(error.status == .conflict)
            }
            // From where the village stands, nothing is missing: its pulls go on.
            let cursor = try village.syncState().pullCursor
            let page = try await county.service().answer(
                pull: PullRequest(replica: village.info.id, cursor: cursor, maxOps: 100), for: record)
            #expect(page.ops.isEmpty)
            // A second laptop of the village that asks to replay is sent the snapshot instead.
            let second = try await county.node(name: "village-001-second", scope: TestCounty.village1, hubURL: url)
            let summary = try await county.sync(second, url: url, snapshot: false)
            #expect(summary.snapshotRecords == 1)
            #expect(try second.view(home, reveal: false).value("address") == "一组")
            try await ConvergenceTests.expectSameAsHub(second, county: county)
        }
    }
}
