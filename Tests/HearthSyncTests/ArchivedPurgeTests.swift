import Foundation
import HearthClient
import HearthCore
import HearthHub
import HearthLedger
import HearthStore
import Testing

/// Archived households leaving a node's disk (docs/compaction.md, "Archived households on a
/// node"): once archived the retention ago and their ops out of the log, a household, its
/// members, enrollments and visits leave; what changes at the hub later brings them back.
@Suite("Archived households leave a node's disk, and come back when the county brings them back")
struct ArchivedPurgeTests {
    static let day: Int64 = 86_400_000
    static let month = 30 * day

    /// A household with members, an enrollment and a visit; returns every record of it.
    static func householdWithRecords(_ node: Replica, address: String, name: String) throws -> [RecordID] {
        let home = try node.household(in: TestCounty.village1, address: address)
        let head = try node.member(of: home, name: name)
        let other = try node.member(of: home, name: name + "妻", relation: "spouse")
        let enrollment = try node.enroll(
            EnrollInput(member: head.value, program: "dibao_rural", amount: "560", start: "2026-01"), author: "w1",
            nowMillis: TestCounty.now)
        let visit = try node.addVisit(
            household: home.value, note: "入户核查", date: "2026-11-20", author: "w1", nowMillis: TestCounty.now)
        return [home, head, other] + enrollment + [visit]
    }

    /// Compacts as `hearth node compact` does: runs until nothing more leaves.
    static func compact(_ node: Replica, at nowMillis: Int64) throws -> NodeCompaction {
        var total = NodeCompaction()
        var report: NodeCompaction
        repeat {
            report = try node.compactLog(retentionMillis: month, nowMillis: nowMillis, limit: 3)
            total.removed += report.removed
            total.purged += report.purged
        } while report.more && (report.removed > 0 || report.purged > 0)
        return total
    }

    @Test(
        "an archived household leaves with its members, enrollments and visits once archived the retention ago and out of the log; duplicates of it are dropped; the county bringing it back brings it back whole",
        arguments: HubStoreKind.allCases)
    func archivedHouseholdsLeaveAndComeBack(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let twin = try await county.node(name: "village-001-twin", scope: TestCounty.village1, hubURL: url)
            let gone = try Self.householdWithRecords(village, address: "一组 1 号", name: "张伟")
            let alsoGone = try Self.householdWithRecords(village, address: "一组 2 号", name: "李强")
            let recent = try Self.householdWithRecords(village, address: "一组 3 号", name: "王芳")
            let unpushed = try Self.householdWithRecords(village, address: "一组 4 号", name: "赵敏")
            let live = try Self.householdWithRecords(village, address: "一组 5 号", name: "刘洋")
            // A member whose enrollment with the live household ended moves into a household that
            // is then archived: the ended enrollment stays the live household's (a move takes only
            // enrollments not exited), so the archived household stays with it.
            try village.exitEnrollment(
                live[3].value, reason: "收入超标", end: "2026-06", author: "w1", nowMillis: TestCounty.now)
            let joined = try village.household(in: TestCounty.village1, address: "一组 6 号")
            let joinedHead = try village.member(of: joined, name: "孙丽")
            try village.moveMember(live[1].value, toHousehold: joined.value, author: "w1", nowMillis: TestCounty.now)
            try await ConvergenceTests.syncUntilQuiet([village, twin], county: county, url: url)
            for home in [gone[0], alsoGone[0], joined] {
                try village.archiveHousehold(home.value, reason: "户绝", author: "w1", nowMillis: TestCounty.now)
            }
            try village.archiveHousehold(
                recent[0].value, reason: "迁出", author: "w1", nowMillis: TestCounty.now + 35 * Self.day)
            try await ConvergenceTests.syncUntilQuiet([village, twin], county: county, url: url)
            // Archived here and not pushed yet: its op stays in the log, and so does the household.
            try village.archiveHousehold(unpushed[0].value, reason: "户绝", author: "w1", nowMillis: TestCounty.now)

            // The first run notes the log's end; forty days later what it noted leaves the log.
            #expect(try Self.compact(village, at: TestCounty.now + Self.day).purged == 0)
            let report = try Self.compact(village, at: TestCounty.now + 40 * Self.day)
            #expect(report.removed > 0)
            let left = Set(gone + alsoGone)
            #expect(report.purged == left.count)
            let held = try village.states()
            let twins = try twin.states()
            #expect(Set(held.keys) == Set(twins.keys).subtracting(left), "exactly the two households' records left")
            for id in recent + unpushed + live + [joined, joinedHead] {
                #expect(held[id] != nil, "\(id) left, and should have stayed")
            }
            let purged = try village.purgedClocks()
            #expect(Set(purged.keys) == left)
            for (id, clock) in purged { #expect(twins[id]?.clock == clock, "\(id) left with another clock") }
            // `hearth show` says where they are kept.
            #expect(throws: ReplicaError.self) { try village.checkNotLetGo(gone[1]) }
            do {
                try village.checkNotLetGo(gone[1])
            } catch {
                #expect(
                    "\(error)".contains("left this node with household \(gone[0])")
                        || "\(error)".contains("已随户 \(gone[0]) 离开本节点"), "\(error)")
            }
            try village.checkNotLetGo(live[1])
            // The search index let go of them too.
            #expect(try village.find("张伟", limit: 10, nowMillis: TestCounty.now).hits.isEmpty)
            #expect(try village.find("刘洋", limit: 10, nowMillis: TestCounty.now).hits.contains { $0.id == live[1] })

            // Their ops arriving again are duplicates: dropped, nothing waits, no snapshot wanted.
            let again = try twin.allOps().filter { left.contains($0.record) }
            #expect(!again.isEmpty)
            let cursor = try village.syncState().pullCursor
            let redelivered = try village.applyPulled(again, cursor: cursor, nowMillis: TestCounty.now)
            #expect(redelivered.applied == 0 && redelivered.waiting == 0)
            #expect(try !village.snapshotWanted())
            #expect(try village.states() == held)

            // The node pushes what it had not, and holds what the hub holds but what it let go.
            try await county.sync(village, url: url)
            try await ConvergenceTests.expectSameAsHub(village, county: county)

            // The county brings the first household back: the next sync takes the scope's
            // snapshot, which brings it back whole; the other stays gone.
            _ = try await county.hub.storage.edit(author: "county", nowMillis: TestCounty.now + 41 * Self.day) { edit in
                try edit.update(gone[0], fields: ["status": .text("active")], cause: "恢复")
            }
            let summary = try await county.sync(village, url: url)
            #expect(summary.snapshotRecords != nil, "the change to a household that left brought the snapshot")
            #expect(try !village.snapshotWanted())
            #expect(try village.waitingOpCount() == 0, "the op that said it changed waits no more")
            let back = try village.states()
            for id in gone { #expect(back[id] != nil, "\(id) did not come back") }
            #expect(Set(try village.purgedClocks().keys) == Set(alsoGone))
            #expect(try village.view(gone[0], reveal: false).value("status") == "active")
            try await ConvergenceTests.expectSameAsHub(village, county: county)
            try await ConvergenceTests.syncUntilQuiet([village, twin], county: county, url: url)
            let twinsNow = try twin.states()
            for id in gone { #expect(try village.states()[id] == twinsNow[id]) }

            // A node set up from the snapshot holds no ops: the age of the archive alone decides.
            let fresh = try await county.node(name: "village-001-new", scope: TestCounty.village1, hubURL: url)
            try await county.sync(fresh, url: url, snapshot: true)
            let freshReport = try Self.compact(fresh, at: TestCounty.now + 40 * Self.day)
            #expect(freshReport.removed == 0)
            #expect(Set(try fresh.purgedClocks().keys) == Set(alsoGone))
            // The later archives read after the cutoff (the village's clock had passed the
            // recent one's when it archived the unpushed household): they stay.
            for id in recent + unpushed {
                #expect(try fresh.states()[id] != nil, "archived since the cutoff, \(id) stays")
            }
            try await ConvergenceTests.expectSameAsHub(fresh, county: county)
        }
    }

    @Test(
        "a node that syncs by files lets go of an archived household too; when the county brings it back, its bundle asks for the snapshot and the hub's next bundle carries it",
        arguments: HubStoreKind.allCases)
    func byBundles(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        let hub = county.service()
        let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: nil)
        let gone = try Self.householdWithRecords(village, address: "一组 1 号", name: "张伟")
        let kept = try Self.householdWithRecords(village, address: "一组 2 号", name: "李强")
        try village.archiveHousehold(gone[0].value, reason: "户绝", author: "w1", nowMillis: TestCounty.now)
        try await county.exchangeBundles(village, named: "village-001", with: hub, step: "first")
        #expect(try Self.compact(village, at: TestCounty.now + Self.day).purged == 0)
        #expect(try Self.compact(village, at: TestCounty.now + 40 * Self.day).purged == gone.count)
        #expect(Set(try village.purgedClocks().keys) == Set(gone))
        try await ConvergenceTests.expectSameAsHub(village, county: county)

        // The county brings the household back: the next bundle down brings the op, which the
        // node cannot apply without the household, so it asks for the snapshot.
        _ = try await county.hub.storage.edit(author: "county", nowMillis: TestCounty.now + 41 * Self.day) { edit in
            try edit.update(gone[0], fields: ["status": .text("active")], cause: "恢复")
        }
        try await county.exchangeBundles(village, named: "village-001", with: hub, step: "news")
        #expect(try village.snapshotWanted())
        #expect(try await !county.hub.storage.snapshotWanted(village.info.id), "the hub has not been asked yet")
        // Its bundle up asks; the hub's bundle down carries the snapshot, and the household is back.
        try await county.exchangeBundles(village, named: "village-001", with: hub, step: "asked")
        #expect(try !village.snapshotWanted())
        #expect(try village.waitingOpCount() == 0)
        #expect(try village.purgedClocks().isEmpty)
        let held = try village.states()
        for id in gone + kept { #expect(held[id] != nil, "\(id) is not back") }
        #expect(try village.view(gone[0], reveal: false).value("status") == "active")
        try await ConvergenceTests.expectSameAsHub(village, county: county)
        // The hub asked once: the node's next bundle says it has the snapshot, and the hub's
        // bundle after it carries none.
        #expect(try await county.hub.storage.snapshotWanted(village.info.id))
        let up = county.directory + "/after.hbundle"
        _ = try NodeBundles.export(village, to: up)
        _ = try await hub.importBundle(try BundleFile.read(up))
        #expect(try await !county.hub.storage.snapshotWanted(village.info.id))
        let down = county.directory + "/after.from-hub.hbundle"
        try BundleFile.write(try await hub.exportBundle(forNode: "village-001").bytes, to: down)
        #expect(try NodeBundles.import(village, from: down, nowMillis: TestCounty.now).snapshotRecords == nil)
    }
}
