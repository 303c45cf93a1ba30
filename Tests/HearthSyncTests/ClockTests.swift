import Foundation
import HearthClient
import HearthCore
import HearthHub
import HearthProtocol
import HearthLedger
import HearthStore
import Synchronization
import Testing

/// A hub clock that a test moves forward, as days pass.
final class MovableClock: Sendable {
    private let millis: Mutex<Int64>

    init(_ start: Int64) { millis = Mutex(start) }

    var now: Int64 { millis.withLock { $0 } }
    func advance(by delta: Int64) { millis.withLock { $0 += delta } }
    var clock: @Sendable () -> Int64 { { self.now } }
}

private let day: Int64 = 86_400_000

@Suite("A node whose clock is wrong still syncs, and replay protection rests on the hub's clock")
struct ClockTests {
    @Test(
        "a node whose clock is a year ahead, a year behind or 3 days behind syncs, and the hub records its skew",
        arguments: [365 * day, -365 * day, -3 * day])
    func wrongClockSyncs(skew: Int64) async throws {
        let county = try TestCounty()
        let hubClock = MovableClock(TestCounty.now)
        try await withRunningHub(HubService(ledger: county.hub, logger: county.logger, clock: hubClock.clock)) { url in
            // The laptop's clock is wrong, and stays wrong: every stamp it makes comes from it.
            let laptop: @Sendable () -> Int64 = { TestCounty.now + skew }
            let village = try await county.node(
                name: "village-001", scope: TestCounty.village1, hubURL: url, clock: laptop)
            #expect(try await county.hub.node(village.info.id) != nil, "registered")
            let home = try village.household(in: TestCounty.village1, address: "一组", nowMillis: laptop())
            // Another office of the village, its clock right, has written something to pull.
            let other = try await county.node(name: "village-001-b", scope: TestCounty.village1, hubURL: url)
            let theirs = try other.household(in: TestCounty.village1, address: "二组")
            try await county.sync(other, url: url)

            let summary = try await county.sync(village, url: url, clock: laptop)
            #expect(summary.pushedOps == 1)
            #expect(try county.hub.replica.state(of: home) == village.state(of: home), "the hub applied the push")
            #expect(try village.state(of: theirs) == county.hub.replica.state(of: theirs), "the node pulled")
            // The op keeps the node's own clock (HLC); only requests are corrected.
            let pushed = try #require(try county.hub.replica.allOps().first { $0.dot.replica == village.info.id })
            #expect(pushed.hlc.millis == laptop())
            // The desk sees the clock as it is (R15), not as corrected.
            #expect(try await county.hub.node(village.info.id)?.skewMillis == skew)
            #expect(try village.hubClockOffset() == -skew, "the offset is kept for the next sync")

            // Days pass at the hub while the laptop's clock stands still: the kept offset is now
            // three days stale; the node learns the hub's time from its refusal and syncs.
            hubClock.advance(by: 3 * day)
            let later = try other.household(in: TestCounty.village1, address: "三组", nowMillis: hubClock.now)
            try await county.sync(other, url: url, clock: hubClock.clock)
            try await county.sync(village, url: url, clock: laptop)
            #expect(try village.state(of: later) == county.hub.replica.state(of: later))
            #expect(try village.hubClockOffset() == -skew + 3 * day)
            #expect(try await county.hub.node(village.info.id)?.skewMillis == skew - 3 * day)
        }
    }

    @Test("a replayed request is still refused, and so is an old request replayed later, offset or not")
    func replayStillRefused() async throws {
        let county = try TestCounty()
        let hubClock = MovableClock(TestCounty.now)
        try await withRunningHub(HubService(ledger: county.hub, logger: county.logger, clock: hubClock.clock)) { url in
            let skew = 365 * day
            let laptop = TestCounty.now + skew
            let village = try await county.node(
                name: "village-001", scope: TestCounty.village1, hubURL: url, clock: { laptop })
            try village.household(in: TestCounty.village1, address: "一组", nowMillis: laptop)
            let push = try village.pushRequest(try village.unpushedOps(limit: 100)).json
            let raw = RawClient(baseURL: url, hubKey: county.hub.info.publicKey)

            // Uncorrected, the wrong clock is refused, in a signed answer carrying the hub's time.
            let refused = try await raw.send(
                try SignedRequest(path: SyncPath.push, document: push, signedBy: village, timeMillis: laptop))
            #expect(refused.status == 401)
            #expect(refused.errorCode == "time_window")
            #expect(refused.hubSigned)
            #expect(refused.hubTime == TestCounty.now)
            #expect(try await county.hub.node(village.info.id)?.ackedCounter == 0)

            // Corrected by that time, it is accepted; sent again (same nonce) it is a replay.
            let offset = try #require(refused.hubTime) - laptop
            let corrected = try SignedRequest(
                path: SyncPath.push, document: push, signedBy: village, timeMillis: laptop, offsetMillis: offset)
            let accepted = try await raw.send(corrected)
            #expect(accepted.status == 200)
            #expect(accepted.hubSigned)
            let replay = try await raw.send(corrected)
            #expect(replay.status == 401)
            #expect(replay.message.contains("replayed"))

            // The offset is signed: changed or removed in transit, the request does not verify.
            var shifted = try SignedRequest(
                path: SyncPath.pull, document: PullRequest(replica: village.info.id, cursor: 0, maxOps: 10).json,
                signedBy: village, timeMillis: laptop, offsetMillis: offset)
            shifted.offsetMillis = offset + day
            #expect(try await raw.send(shifted).errorCode == "unauthorized")
            shifted.offsetMillis = nil
            #expect(try await raw.send(shifted).errorCode == "unauthorized")

            // A request captured now and replayed later: accepted once, then refused for as long
            // as its nonce is kept, then refused by the window once the hub's clock has moved on.
            let captured = try SignedRequest(
                path: SyncPath.pull, document: PullRequest(replica: village.info.id, cursor: 0, maxOps: 10).json,
                signedBy: village, timeMillis: laptop, offsetMillis: offset)
            #expect(try await raw.send(captured).status == 200)
            hubClock.advance(by: day - 1)
            #expect(try await raw.send(captured).message.contains("replayed"))
            hubClock.advance(by: 2)
            #expect(try await raw.send(captured).errorCode == "time_window")
            hubClock.advance(by: 2 * day)
            #expect(try await raw.send(captured).errorCode == "time_window", "after its nonce was forgotten")
            // One captured before it was ever delivered, sent more than a day later, is refused too.
            let intercepted = try SignedRequest(
                path: SyncPath.pull, document: PullRequest(replica: village.info.id, cursor: 0, maxOps: 10).json,
                signedBy: village, timeMillis: laptop + 3 * day, offsetMillis: offset)
            hubClock.advance(by: 2 * day)
            #expect(try await raw.send(intercepted).errorCode == "time_window")
        }
    }
}
