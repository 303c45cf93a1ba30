import Foundation
import HearthCore
import HearthHub
import HearthLedger
import HearthProtocol
import HearthStore
import Testing

/// The hub's endpoint without HTTP (``HubService/handle(_:)``), as the simulation's network
/// reaches it: the same refusals, in the same order, as over HTTP, and the same answers.
@Suite("The hub's endpoint without HTTP")
struct EndpointTests {
    /// A request signed as the sync client signs it, for `node` at `path` with `body`.
    static func envelope(
        _ node: Replica, _ endpoint: HubService.Endpoint, body: [UInt8], nonce: String,
        time: Int64 = TestCounty.now, signer: Replica? = nil
    ) throws -> HubService.Envelope {
        let signature = try (signer ?? node).sign(
            Signer.requestMessage(
                method: "POST", path: endpoint.path, replica: node.info.id.value, timeMillis: time, nonce: nonce,
                body: body, offsetMillis: nil))
        let fields = [
            SyncHeader.replica: node.info.id.value, SyncHeader.time: String(time), SyncHeader.nonce: nonce,
            SyncHeader.signature: signature,
        ]
        return HubService.Envelope(
            headers: try HubService.SignedHeaders { fields[$0] }, path: endpoint.path, raw: body, gzipped: false,
            endpoint: endpoint, offsetMillis: nil)
    }

    static func refusal(_ service: HubService, _ envelope: HubService.Envelope) async -> HubError? {
        do {
            _ = try await service.handle(envelope)
            return nil
        } catch {
            return error as? HubError
        }
    }

    /// A node enrolled and registered at the hub directly, as its first sync would register it.
    static func registeredNode(_ county: TestCounty, name: String, scope: String) async throws -> Replica {
        let token = try await county.enrollmentToken(name: name, scope: scope)
        let node = try await county.node(token: token, hubURL: nil)
        _ = try await county.hub.register(
            secret: token.secret, replica: node.info.id, publicKey: node.info.publicKey, nowMillis: TestCounty.now)
        return node
    }

    /// The node's unpushed ops as a push, with its chain head signed at the last of them.
    static func signedPush(_ node: Replica) throws -> PushRequest {
        let ops = try node.unpushedOps(limit: 100)
        let last = try #require(ops.last)
        return PushRequest(
            replica: node.info.id, ops: ops,
            chain: ChainHead(
                counter: last.dot.counter, hash: last.hash,
                signature: try node.signChainHead(counter: last.dot.counter, hash: last.hash)))
    }

    @Test(
        "a signed push applies; replayed, forged, revoked and forked requests are refused as over HTTP",
        arguments: HubStoreKind.allCases)
    func refusals(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        let service = county.service()
        let village = try await Self.registeredNode(county, name: "village-001", scope: TestCounty.village1)
        try village.household(in: TestCounty.village1, address: "一组")
        let push = try Self.signedPush(village)
        let ops = push.ops
        let last = try #require(ops.last)
        let body = push.json.canonicalBytes
        let signed = try Self.envelope(village, .push, body: body, nonce: "00112233445566778899aabbccddeeff")
        let answer = try PushResponse(json: try JSON.parse(try await service.handle(signed)))
        #expect(answer.acked == last.dot.counter && answer.applied == ops.count)

        // The same request again: its nonce was used.
        #expect(await Self.refusal(service, signed)?.status.code == 401)
        // Signed by another key.
        let stranger = try await county.node(name: "stranger", scope: TestCounty.village2, hubURL: nil)
        let forged = try Self.envelope(
            village, .push, body: body, nonce: "10112233445566778899aabbccddeeff", signer: stranger)
        #expect(await Self.refusal(service, forged)?.status.code == 401)
        // A day and more off the hub's clock.
        let late = try Self.envelope(
            village, .pull, body: PullRequest(replica: village.info.id, cursor: 0, maxOps: 10).json.canonicalBytes,
            nonce: "20112233445566778899aabbccddeeff", time: TestCounty.now - 2 * HubLedger.requestWindowMillis)
        #expect(await Self.refusal(service, late)?.code == "time_window")
        // Forked, then revoked: 409, then 403 (revocation is checked first).
        let pull = PullRequest(replica: village.info.id, cursor: 0, maxOps: 10).json.canonicalBytes
        try await county.hub.markForked(node: village.info.id, nowMillis: TestCounty.now)
        let forkedRefusal = await Self.refusal(
            service, try Self.envelope(village, .pull, body: pull, nonce: "30112233445566778899aabbccddeeff"))
        #expect(forkedRefusal?.status.code == 409 && forkedRefusal?.code == "forked")
        let name = try #require(try await county.hub.node(village.info.id)).name
        try await county.hub.revoke(name: name, nowMillis: TestCounty.now)
        let revokedRefusal = await Self.refusal(
            service, try Self.envelope(village, .pull, body: pull, nonce: "40112233445566778899aabbccddeeff"))
        #expect(revokedRefusal?.status.code == 403)
        // Not registered at all.
        let unregistered = await Self.refusal(
            service, try Self.envelope(stranger, .pull, body: pull, nonce: "50112233445566778899aabbccddeeff"))
        #expect(unregistered?.status.code == 401)
    }

    @Test(
        "a node still speaking protocol version 1 pushes whole ops and is answered in version 1, its pulls whole",
        arguments: HubStoreKind.allCases)
    func versionOne(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        let service = county.service()
        let village = try await Self.registeredNode(county, name: "village-001", scope: TestCounty.village1)
        let township = try await Self.registeredNode(county, name: "township", scope: TestCounty.township)
        let home = try village.household(in: TestCounty.village1, address: "一组")
        try village.member(of: home, name: "王五", idNumber: "11010519491231002X")
        let push = try Self.signedPush(village)
        let ops = push.ops
        let pushed = try JSON.parse(
            try await service.handle(
                try Self.envelope(
                    village, .push, body: push.json.answering(version: 1).canonicalBytes,
                    nonce: "60112233445566778899aabbccddeeff")))
        #expect(pushed["v"]?.integerValue == 1)
        #expect(try PushResponse(json: pushed).applied == ops.count)

        func pull(version: Int64, nonce: String) async throws -> JSON {
            let request = PullRequest(replica: township.info.id, cursor: 0, maxOps: 100).json
            return try JSON.parse(
                try await service.handle(
                    try Self.envelope(
                        township, .pull, body: request.answering(version: version).canonicalBytes, nonce: nonce)))
        }
        let old = try await pull(version: 1, nonce: "70112233445566778899aabbccddeeff")
        #expect(old["v"]?.integerValue == 1)
        let oldOps = try #require(old["ops"]?.arrayValue)
        #expect(oldOps.count == ops.count)
        // Whole: every op reads on its own, as a version-1 node reads it.
        #expect(try oldOps.map { try Op(json: $0) } == ops)
        let new = try await pull(version: WireVersion.current, nonce: "80112233445566778899aabbccddeeff")
        #expect(new["v"]?.integerValue == WireVersion.current)
        #expect(new["ops"]?.arrayValue?.contains { $0["prev"] == nil } == true)
        #expect(try PullResponse(json: new, digests: township.keys.opener()).ops == ops)
    }
}
