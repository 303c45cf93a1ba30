import Foundation
import HearthClient
import HearthCore
import HearthHub
import HearthProtocol
import HearthStore
import Synchronization
import Testing

/// The sync loop and the hub's endpoint as values over a transport (issue 12, point 4): the
/// production client and endpoint meet without HTTP, and a transport that alters, swaps or
/// loses answers cannot make a node apply anything its hub did not sign for that request.
@Suite("Sync over a transport")
struct TransportTests {
    /// A transport to the hub in this process that lets a test change each answer on its way.
    struct Tampering: SyncTransport {
        let inner: InProcessTransport
        let change: @Sendable (WireRequest, WireAnswer) -> WireAnswer

        func exchange(_ request: WireRequest) async throws(TransportFailure) -> WireAnswer {
            change(request, try await inner.exchange(request))
        }
    }

    func client(_ node: Replica, _ transport: any SyncTransport) throws -> SyncClient {
        try SyncClient(
            replica: node, transport: transport, destination: "the hub in this process", clock: TestCounty.clock)
    }

    @Test("the production client and endpoint sync two nodes without HTTP, registration included")
    func inProcess() async throws {
        let county = try TestCounty()
        let transport = InProcessTransport(service: county.service())
        // Enrolled without a hub address: the first sync registers (the pending registration).
        let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: nil)
        let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: nil)
        let home = try township.household(in: TestCounty.village1, address: "一组")
        let elsewhere = try township.household(in: TestCounty.village2, address: "二组")

        let pushed = try await client(township, transport).sync()
        #expect(pushed.pushedOps == (try township.ownOps().count))
        #expect(try township.syncState().pendingRegistration == nil)
        #expect(try await county.hub.node(township.info.id)?.name == "town-101")
        #expect(try county.hub.replica.state(of: home) == township.state(of: home))

        let pulled = try await client(village, transport).sync()
        #expect(pulled.applied == 1, "the household in village 001, not the one in 002")
        #expect(try village.state(of: home) == township.state(of: home))
        #expect(try village.state(of: elsewhere) == nil)
        #expect(try township.syncState().ackedCounter == UInt64(try township.ownOps().count))
    }

    @Test("an answer altered on its way is refused as forged, and nothing of it is applied")
    func alteredAnswer() async throws {
        let county = try TestCounty()
        let service = county.service()
        let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: nil)
        _ = try township.household(in: TestCounty.village1, address: "一组")
        try await client(township, InProcessTransport(service: service)).sync()
        let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: nil)
        try await client(village, InProcessTransport(service: service)).sync()
        let before = try village.syncState().pullCursor

        // A second household, and a pull answer with one byte of its body changed.
        let second = try township.household(in: TestCounty.village1, address: "二组")
        try await client(township, InProcessTransport(service: service)).sync()
        let altering = Tampering(inner: InProcessTransport(service: service)) { request, answer in
            guard request.path == SyncPath.pull, !answer.body.isEmpty else { return answer }
            var changed = answer
            changed.body[changed.body.count / 2] ^= 0x01
            return changed
        }
        do {
            _ = try await client(village, altering).sync()
            Issue.record("an altered answer was taken")
        } catch SyncError.forgedResponse {
            // Refused before anything was applied.
        }
        #expect(try village.syncState().pullCursor == before)
        #expect(try village.state(of: second) == nil)

        // The honest answer then applies.
        try await client(village, InProcessTransport(service: service)).sync()
        #expect(try village.state(of: second) == township.state(of: second))
    }

    @Test("the hub's answer to one request is no answer to another: a replayed answer is refused")
    func replayedAnswer() async throws {
        let county = try TestCounty()
        let service = county.service()
        let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: nil)
        try await client(village, InProcessTransport(service: service)).sync()
        // Keeps the first pull answer it sees and gives it back for every later pull.
        let kept = Mutex<WireAnswer?>(nil)
        let replaying = Tampering(inner: InProcessTransport(service: service)) { request, answer in
            guard request.path == SyncPath.pull else { return answer }
            return kept.withLock { kept in
                if let old = kept { return old }
                kept = answer
                return answer
            }
        }
        try await client(village, replaying).sync()
        do {
            try await client(village, replaying).sync()
            Issue.record("a replayed answer was taken")
        } catch SyncError.forgedResponse {
            // Signed by the hub, but for the first request's nonce.
        }
    }

    @Test("the endpoint signs its refusals: an unknown path, a body over the bound, unsigned headers")
    func refusalsAreSigned() async throws {
        let county = try TestCounty()
        let service = county.service()
        let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: nil)
        try await client(village, InProcessTransport(service: service)).sync()
        let session = try SyncSession(replica: village)
        let nonce = String(repeating: "ab", count: 16)

        var unknown = try session.pullRequest(maxOps: 10, nonce: nonce, timeMillis: TestCounty.now)
        unknown.path = "/v1/nothing"
        var large = try session.pullRequest(maxOps: 10, nonce: nonce, timeMillis: TestCounty.now)
        large.body = [UInt8](repeating: 0x20, count: WireLimits.maxBodyBytes + 1)
        var unsigned = try session.pullRequest(maxOps: 10, nonce: nonce, timeMillis: TestCounty.now)
        unsigned.headers[SyncHeader.signature] = nil

        for (request, status, code) in [
            (unknown, 404, "not_found"), (large, 413, "too_large"), (unsigned, 401, "unauthorized"),
        ] {
            let answer = await service.answer(request)
            #expect(answer.status == status)
            do {
                _ = try session.open(answer, to: request, receivedMillis: TestCounty.now)
                Issue.record("a \(status) was opened as an answer")
            } catch SyncError.refused(let refused, let refusedCode, _) {
                // Refused, not forged: the hub signed the refusal for this request's nonce.
                #expect(refused == status)
                #expect(refusedCode == code)
            }
        }
    }
}
