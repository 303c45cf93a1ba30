import Foundation
import HearthClient
import HearthCore
import HearthProtocol
import HearthLedger
import HearthStore
import Testing

@Suite("The hub refuses what it must, and changes nothing when it does")
struct RefusalTests {
    /// What must not move on the hub when it refuses: its log, its state and its quarantine.
    struct HubMark: Equatable {
        let ops: Int
        let digest: String
        let quarantined: Int

        init(_ county: TestCounty) async throws {
            ops = try await county.hubOpCount()
            digest = try await county.hubDigest()
            quarantined = try await county.hub.hubGauges().quarantined
        }
    }

    @Test(
        "an op for a village outside the node's scope, or claiming a higher origin, is quarantined with a reason, not applied",
        arguments: HubStoreKind.allCases)
    func outOfScopeQuarantined(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            // The node's own API refuses to write outside its scope…
            #expect(throws: ReplicaError.self) { try village.household(in: TestCounty.village2, address: "越界") }
            // …so a tampered node builds the ops by hand and signs its chain.
            let dot1 = Dot(replica: village.info.id, counter: 1)
            let outside = Op(
                dot: dot1, hlc: HLC(millis: TestCounty.now, logical: 0), author: "w1",
                origin: village.info.scope, record: RecordID(type: .household, creator: dot1),
                scope: try DivisionCode.parse(TestCounty.village2, field: "scope"),
                fields: [
                    "village": .text(TestCounty.village2), "address": .text("越界"), "type": .text("rural"),
                    "status": .text("active"),
                ],
                context: .empty, previous: "")
            let dot2 = Dot(replica: village.info.id, counter: 2)
            let claimsTownship = Op(
                dot: dot2, hlc: HLC(millis: TestCounty.now, logical: 1), author: "w1",
                origin: try ScopePrefix.parse(TestCounty.township, field: "origin"),
                record: RecordID(type: .household, creator: dot2),
                scope: try DivisionCode.parse(TestCounty.village1, field: "scope"),
                fields: [
                    "village": .text(TestCounty.village1), "address": .text("冒充乡镇"), "type": .text("rural"),
                    "status": .text("active"),
                ],
                context: .empty, previous: outside.hash)
            let before = try await HubMark(county)
            let raw = RawClient(baseURL: url, hubKey: county.hub.info.publicKey)
            let answer = try await raw.send(
                try SignedRequest(
                    path: SyncPath.push, document: try village.pushRequest([outside, claimsTownship]).json,
                    signedBy: village))
            #expect(answer.status == 200)
            #expect(answer.hubSigned)
            let response = try PushResponse(json: answer.json)
            #expect(response.acked == 2, "a quarantined op is still acknowledged: the author never resends it")
            #expect(response.applied == 0)
            #expect(response.quarantined.map(\.dot) == [dot1, dot2])
            #expect(response.quarantined[0].reason.contains("outside the node's scope"))
            #expect(response.quarantined[0].reason.contains(TestCounty.village2))
            #expect(response.quarantined[1].reason.contains("origin"))
            // Nothing applied: no record, no logged op, the state unchanged; both held in quarantine.
            #expect((try await county.hubState(of: outside.record)) == nil)
            #expect((try await county.hubState(of: claimsTownship.record)) == nil)
            #expect(try await county.hubOpCount() == before.ops)
            #expect(try await county.hubDigest() == before.digest)
            #expect(try await county.hub.hubGauges().quarantined == before.quarantined + 2)
            // Nor does anyone else get them.
            let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            let pulled = try await county.sync(township, url: url)
            #expect(pulled.pulledOps == 0)
        }
    }

    @Test(
        "an unregistered replica is refused with 401 and nothing it sends is applied", arguments: HubStoreKind.allCases)
    func unregisteredRefused(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            // A replica with the county key and the hub's identity that never registered (its token unused).
            let token = try await county.enrollmentToken(name: "village-001", scope: TestCounty.village1)
            let stranger = try await county.node(token: token, hubURL: nil)
            try stranger.clearPendingRegistration()
            try stranger.household(in: TestCounty.village1, address: "无名")
            let before = try await HubMark(county)
            let refusal = await county.refusal(of: stranger, url: url)
            #expect(refusal?.status == 401)
            #expect(refusal?.code == "unauthorized")
            #expect(refusal?.message.contains("not registered") == true)
            #expect(try await HubMark(county) == before)
            #expect(try await county.hub.node(stranger.info.id) == nil)
            #expect(try stranger.syncState().ackedCounter == 0)
        }
    }

    @Test(
        "a revoked node is refused with 403, for pushes and pulls, and nothing changes on the hub",
        arguments: HubStoreKind.allCases)
    func revokedRefused(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            try village.household(in: TestCounty.village1, address: "一组")
            try await county.sync(village, url: url)
            try await county.hub.revoke(name: "village-001", nowMillis: TestCounty.now)
            try village.household(in: TestCounty.village1, address: "二组")
            let before = try await HubMark(county)
            let refusal = await county.refusal(of: village, url: url)
            #expect(refusal?.status == 403)
            #expect(refusal?.code == "forbidden")
            // A pull alone is refused too.
            let raw = RawClient(baseURL: url, hubKey: county.hub.info.publicKey)
            let pull = try await raw.send(
                try SignedRequest(
                    path: SyncPath.pull, document: PullRequest(replica: village.info.id, cursor: 0, maxOps: 100).json,
                    signedBy: village))
            #expect(pull.status == 403)
            #expect(pull.errorCode == "forbidden")
            #expect(try await HubMark(county) == before)
            #expect(try await county.hub.node(village.info.id)?.ackedCounter == 1)
        }
    }

    @Test(
        "a request whose body was changed after signing is refused with 401 and nothing is applied",
        arguments: HubStoreKind.allCases)
    func tamperedBodyRefused(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let home = try village.household(in: TestCounty.village1, address: "一组")
            let ops = try village.unpushedOps(limit: 100)
            let signed = try SignedRequest(
                path: SyncPath.push, document: try village.pushRequest(ops).json, signedBy: village)
            // Replace the body with another valid push (other content, its own valid chain head).
            try village.edit(home) { $0.phone = "13800000009" }
            let other = try village.pushRequest(try village.unpushedOps(limit: 100))
            let before = try await HubMark(county)
            let raw = RawClient(baseURL: url, hubKey: county.hub.info.publicKey)
            let answer = try await raw.send(signed.withBody(other.json))
            #expect(answer.status == 401)
            #expect(answer.errorCode == "unauthorized")
            #expect(answer.message.contains("signature"))
            #expect(answer.hubSigned, "refusals are signed by the hub too")
            // A request signed by another key (a stranger claiming the node's id) is refused the same way.
            let impostor = try Replica.create(
                path: county.directory + "/impostor.db", name: "impostor", scope: village.info.scope,
                nowMillis: TestCounty.now, keys: village.keys.withNewSigningKey())
            let forged = try SignedRequest(
                path: SyncPath.push, document: other.json, signedBy: impostor, claiming: village.info.id)
            let forgedAnswer = try await raw.send(forged)
            #expect(forgedAnswer.status == 401)
            #expect(forgedAnswer.message.contains("signature"))
            #expect(try await HubMark(county) == before)
            #expect(try await county.hub.node(village.info.id)?.ackedCounter == 0)
        }
    }

    @Test(
        "a replayed request (same nonce) is refused with 401 and applies nothing the second time",
        arguments: HubStoreKind.allCases)
    func replayRefused(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            try village.household(in: TestCounty.village1, address: "一组")
            let request = try SignedRequest(
                path: SyncPath.push, document: try village.pushRequest(try village.unpushedOps(limit: 100)).json,
                signedBy: village)
            let raw = RawClient(baseURL: url, hubKey: county.hub.info.publicKey)
            let first = try await raw.send(request)
            #expect(first.status == 200)
            #expect(try PushResponse(json: first.json).applied == 1)
            let after = try await HubMark(county)
            let replay = try await raw.send(request)
            #expect(replay.status == 401)
            #expect(replay.errorCode == "unauthorized")
            #expect(replay.message.contains("replayed"))
            #expect(try await HubMark(county) == after)
            // A pull replayed is refused too, even though it changes nothing by itself.
            let pull = try SignedRequest(
                path: SyncPath.pull, document: PullRequest(replica: village.info.id, cursor: 0, maxOps: 10).json,
                signedBy: village)
            #expect(try await raw.send(pull).status == 200)
            #expect(try await raw.send(pull).status == 401)
            // A request stamped more than a day away from the hub's clock is refused as a possible replay.
            let stale = try SignedRequest(
                path: SyncPath.pull, document: PullRequest(replica: village.info.id, cursor: 0, maxOps: 10).json,
                signedBy: village,
                timeMillis: TestCounty.now - 2 * 86_400_000)
            #expect(try await raw.send(stale).status == 401)
        }
    }

    @Test(
        "ops changed after their chain was signed are refused (400 chain) and nothing of the batch is applied",
        arguments: HubStoreKind.allCases)
    func tamperedChainRefused(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let home = try village.household(in: TestCounty.village1, address: "一组")
            try village.edit(home) { $0.phone = "13800000001" }
            try village.edit(home) { $0.note = "核查完毕" }
            let ops = try village.unpushedOps(limit: 100)
            #expect(ops.count == 3)
            let genuine = try village.pushRequest(ops)
            func altered(_ op: Op) -> Op {
                var fields = op.fields
                fields["address"] = .text("篡改")
                return Op(
                    dot: op.dot, hlc: op.hlc, author: op.author, origin: op.origin, record: op.record, scope: op.scope,
                    fields: fields, context: op.context, previous: op.previous, cause: op.cause)
            }
            let raw = RawClient(baseURL: url, hubKey: county.hub.info.publicKey)
            let before = try await HubMark(county)
            // A middle op changed: the next op no longer chains to it.
            let middle = PushRequest(
                replica: village.info.id, ops: [ops[0], altered(ops[1]), ops[2]], chain: genuine.chain)
            let first = try await raw.send(
                try SignedRequest(path: SyncPath.push, document: middle.json, signedBy: village))
            #expect(first.status == 400)
            #expect(first.message.contains("chain"))
            #expect(first.message.contains("does not chain"))
            // The last op changed: the signed head no longer matches it.
            let last = PushRequest(
                replica: village.info.id, ops: [ops[0], ops[1], altered(ops[2])], chain: genuine.chain)
            let second = try await raw.send(
                try SignedRequest(path: SyncPath.push, document: last.json, signedBy: village))
            #expect(second.status == 400)
            #expect(second.message.contains("chain"))
            // Changed and re-hashed consistently, but the head signature was made over the genuine chain.
            let rechained = PushRequest(
                replica: village.info.id, ops: [altered(ops[0])],
                chain: ChainHead(counter: 1, hash: altered(ops[0]).hash, signature: genuine.chain.signature))
            let third = try await raw.send(
                try SignedRequest(path: SyncPath.push, document: rechained.json, signedBy: village))
            #expect(third.status == 400)
            #expect(third.message.contains("signature"))
            #expect(try await HubMark(county) == before)
            #expect(try await county.hub.node(village.info.id)?.ackedCounter == 0)
            // The genuine batch still goes through afterwards.
            let summary = try await county.sync(village, url: url)
            #expect(summary.pushedOps == 3)
            #expect((try await county.hubState(of: home)) == (try village.state(of: home)))
        }
    }
}
