import Foundation
import HearthClient
import HearthCore
import HearthProtocol
import HearthLedger
import HearthStore
import Testing

@Suite("A sync cut mid-way resumes with no loss and no duplicate")
struct InterruptedSyncTests {
    @Test(
        "a connection cut after the hub committed a push batch, then a hub restart: the next sync resends from the ack, once",
        arguments: HubStoreKind.allCases)
    func pushCutMidBatchResumes(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        let village = try await withRunningHub(county.service()) { url in
            try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
        }
        // 5 households (1 op) with a head (3 ops: the member, the household's head, its population)
        // and a spouse (2 ops: the member, the population): 30 ops, pushed in batches of 4.
        for index in 1...5 {
            let home = try village.household(in: TestCounty.village1, address: "\(index) 组")
            try village.member(of: home, name: "户主\(index)")
            try village.member(of: home, name: "配偶\(index)", relation: "spouse")
        }
        let own = try village.ownOps()
        #expect(own.count == 30)

        // The third push is handled and committed by the hub, then the connection is cut before
        // the answer reaches the node; the hub then stops.
        let plan = CutPlan(cutAt: [SyncPath.push: 3])
        let outcome = try await withCuttingHub(county.service(), plan: plan) { url in
            do {
                try await county.sync(village, url: url, batchSize: 4)
                return "completed"
            } catch SyncError.unreachable {
                return "unreachable"
            } catch {
                return "failed: \(error)"
            }
        }
        #expect(outcome == "unreachable")
        #expect(plan.cuts == 1)
        #expect(plan.requests(SyncPath.push) == 3)
        #expect(plan.requests(SyncPath.pull) == 0)
        // The hub holds 12 of the node's ops; the node knows of only 8 being acknowledged.
        #expect(try await county.hubOpCount() == 12)
        #expect(try village.syncState().ackedCounter == 8)
        #expect(try await county.hub.node(village.info.id)?.ackedCounter == 12)

        // A new hub process on the same database; the node syncs again.
        let restarted = try await county.anotherHubProcess()
        let summary = try await withRunningHub(county.service(restarted)) { url in
            try await county.sync(village, url: url, batchSize: 4)
        }
        // It resent 9...30 (the hub already held 9...12 and counted them as duplicates).
        #expect(summary.pushedOps == 22)
        #expect(summary.quarantined.isEmpty)
        let hubOps = try await county.hubAllOps()
        #expect(hubOps.count == own.count)
        #expect(Set(hubOps.map(\.dot)).count == hubOps.count, "an op is in the hub's log twice")
        #expect(Set(hubOps.map(\.hash)) == Set(own.map(\.hash)), "the hub's ops differ from the node's own")
        #expect(try village.syncState().ackedCounter == 30)
        #expect(try await restarted.node(village.info.id)?.ackedCounter == 30)
        #expect(try village.stateDigest() == (try await county.hubDigest()))
        #expect(try village.opCount() == own.count)
    }

    @Test(
        "a push the hub applied but whose answer was lost is resent: its ops are duplicates, never judged again (R1c, R10)"
    )
    func resentPushIsNotJudgedAgain() async throws {
        // Found by KillTests (seed 8887210621648485628): a node killed after the hub committed its
        // batch resent the member it created, which the same batch had then recorded as deceased;
        // the hub judged the creating op again, against its new state, and quarantined it (R1c).
        let county = try TestCounty()
        let village = try await withRunningHub(county.service()) { url in
            try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
        }
        let home = try village.household(in: TestCounty.village1, address: "一组")
        let member = try village.member(of: home, name: "王五")
        _ = try village.recordDeath(member: member.value, date: "2026-11-02", author: "w1", nowMillis: TestCounty.now)
        try village.archiveHousehold(home.value, reason: "户绝", author: "w1", nowMillis: TestCounty.now)
        let own = try village.ownOps()
        #expect(own.count == 6)  // household, member, head, population, death, archive

        // The hub applies the whole batch; the answer is lost.
        let plan = CutPlan(cutAt: [SyncPath.push: 1])
        await #expect(throws: SyncError.self) {
            try await withCuttingHub(county.service(), plan: plan) { url in try await county.sync(village, url: url) }
        }
        #expect(try await county.hub.node(village.info.id)?.ackedCounter == 6)
        #expect(try village.syncState().ackedCounter == 0)

        let restarted = try await county.anotherHubProcess()
        let summary = try await withRunningHub(county.service(restarted)) { url in
            try await county.sync(village, url: url)
        }
        #expect(summary.pushedOps == 6)
        #expect(summary.quarantined.isEmpty, "\(summary.quarantined.map(\.reason))")
        #expect(try await restarted.quarantine(includeSettled: true).isEmpty)
        #expect(try await county.hubAllOps().count == own.count)
        #expect(try village.syncState().ackedCounter == 6)
        #expect(try village.stateDigest() == (try await county.hubDigest()))
    }

    @Test(
        "a connection cut while pulling leaves the cursor at the last applied batch; the next sync pulls the rest, once",
        arguments: HubStoreKind.allCases)
    func pullCutMidWayResumesFromCursor(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        let (author, reader) = try await withRunningHub(county.service()) { url in
            let author = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let reader = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            for index in 1...6 {
                let home = try author.household(in: TestCounty.village1, address: "\(index) 组")
                try author.member(of: home, name: "户主\(index)")
            }
            try await county.sync(author, url: url)
            return (author, reader)
        }
        let total = try author.ownOps().count
        #expect(total == 24)
        #expect(try await county.hubOpCount() == total)

        // The reader pulls 5 at a time; the second pull's answer is lost.
        let plan = CutPlan(cutAt: [SyncPath.pull: 2])
        let outcome = try await withCuttingHub(county.service(), plan: plan) { url in
            do {
                try await county.sync(reader, url: url, batchSize: 5)
                return "completed"
            } catch SyncError.unreachable {
                return "unreachable"
            } catch {
                return "failed: \(error)"
            }
        }
        #expect(outcome == "unreachable")
        #expect(plan.requests(SyncPath.pull) == 2)
        let cursorAfterCut = try reader.syncState().pullCursor
        #expect(cursorAfterCut > 0)
        #expect(try reader.opCount() == 5, "only the first batch was applied")

        let restarted = try await county.anotherHubProcess()
        let summary = try await withRunningHub(county.service(restarted)) { url in
            try await county.sync(reader, url: url, batchSize: 5)
        }
        // It asked from its cursor: the 19 ops it lacked, not the 5 it had.
        #expect(summary.pulledOps == total - 5)
        #expect(summary.applied == total - 5)
        #expect(summary.cursor > cursorAfterCut)
        let dots = try reader.loggedDots()
        #expect(dots.count == total)
        #expect(Set(dots).count == dots.count, "an op is in the reader's log twice")
        #expect(try reader.stateDigest() == (try await county.hubDigest()))
        #expect(try await restarted.node(reader.info.id)?.pullCursor ?? 0 <= summary.cursor)
    }
}
