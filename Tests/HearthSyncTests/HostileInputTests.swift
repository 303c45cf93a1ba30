import Crypto
import Foundation
import HearthClient
import HearthCore
import HearthProtocol
import HearthLedger
import HearthStore
import Testing

/// One hostile push body, signed correctly by a registered node, and what the hub must answer.
struct HostileBody: Sendable, CustomTestStringConvertible {
    let name: String
    let status: Int
    let code: String
    /// A fragment the error message must hold: it names what was wrong.
    let says: String
    var encoding: String? = "gzip"
    /// The body as sent, built from the node's genuine push document.
    let build: @Sendable (_ genuine: JSON) -> [UInt8]

    var testDescription: String { name }

    /// The genuine push with `change` applied to its first op.
    static func withOp(_ genuine: JSON, _ change: (inout [String: JSON]) -> Void) -> JSON {
        guard var message = genuine.objectValue, var ops = message["ops"]?.arrayValue, var op = ops[0].objectValue
        else { return genuine }
        change(&op)
        ops[0] = .object(op)
        message["ops"] = .array(ops)
        return .object(message)
    }

    static let all: [HostileBody] = [
        HostileBody(name: "a truncated gzip body", status: 400, code: "bad_request", says: "truncated") { genuine in
            let gzip = Gzip.compress(genuine.canonicalBytes)
            return Array(gzip.prefix(gzip.count / 2))
        },
        HostileBody(name: "a gzip body with bytes after its end", status: 400, code: "bad_request", says: "gzip") {
            genuine in Gzip.compress(genuine.canonicalBytes) + Array("trailing".utf8)
        },
        HostileBody(name: "a truncated JSON body", status: 400, code: "bad_request", says: "body is not JSON") {
            genuine in
            let bytes = genuine.canonicalBytes
            return Gzip.compress(Array(bytes.prefix(bytes.count - 7)))
        },
        HostileBody(
            name: "a plain body that is not valid UTF-8", status: 400, code: "bad_request", says: "not valid UTF-8",
            encoding: nil
        ) { genuine in
            // The address "一组" (E4 B8 80 E7 BB 84) with its first character cut in half.
            var bytes = genuine.canonicalBytes
            let address: [UInt8] = [0xE4, 0xB8, 0x80, 0xE7, 0xBB, 0x84]
            if let at = (0...(bytes.count - address.count)).first(where: { Array(bytes[$0..<$0 + 6]) == address }) {
                bytes.replaceSubrange(at..<at + 6, with: [0xE4, 0xB8, 0xFF, 0xFE])
            }
            return bytes
        },
        HostileBody(name: "JSON arrays nested 10,000 deep", status: 400, code: "bad_request", says: "nested deeper") {
            _ in
            Gzip.compress(
                Array(repeating: UInt8(ascii: "["), count: 10_000) + Array(repeating: UInt8(ascii: "]"), count: 10_000))
        },
        HostileBody(name: "JSON objects nested 10,000 deep", status: 400, code: "bad_request", says: "nested deeper") {
            _ in
            Gzip.compress(
                Array(String(repeating: "{\"ops\":", count: 10_000).utf8) + Array("1".utf8)
                    + Array(repeating: UInt8(ascii: "}"), count: 10_000))
        },
        HostileBody(name: "an op for an unknown record type", status: 400, code: "bad_request", says: "record type") {
            genuine in
            withOp(genuine) { op in
                op["record"] = .string("X" + String(op["record"]!.stringValue!.dropFirst()))
            }.canonicalBytes.gzipped
        },
        HostileBody(name: "an op of format version 2", status: 400, code: "bad_request", says: "op format version") {
            genuine in withOp(genuine) { $0["v"] = .integer(2) }.canonicalBytes.gzipped
        },
        HostileBody(
            name: "a message of a future protocol version", status: 400, code: "bad_request", says: "protocol version"
        ) {
            genuine in
            guard var message = genuine.objectValue else { return [] }
            message["v"] = .integer(WireVersion.readable.upperBound + 1)
            return JSON.object(message).canonicalBytes.gzipped
        },
        HostileBody(
            name: "an op larger than WireLimits.maxOpBytes (a 100,000-character address)", status: 400,
            code: "bad_request", says: "bytes"
        ) { genuine in
            withOp(genuine) { $0["fields"] = .object(["address": .string(String(repeating: "长", count: 100_000))]) }
                .canonicalBytes.gzipped
        },
        HostileBody(
            name: "an op whose dot counter is beyond Int64.max", status: 400, code: "bad_request", says: "dot"
        ) { genuine in
            withOp(genuine) { op in
                let replica = op["dot"]!.stringValue!.prefix(12)
                op["dot"] = .string("\(replica):18446744073709551615")
                op["record"] = .string("H-\(replica)-18446744073709551615")
            }.canonicalBytes.gzipped
        },
        HostileBody(
            name: "a push of WireLimits.maxOpsPerMessage + 1 ops", status: 400, code: "bad_request",
            says: "more than \(WireLimits.maxOpsPerMessage) ops"
        ) { genuine in
            guard var message = genuine.objectValue, let op = message["ops"]?.arrayValue?.first else { return [] }
            message["ops"] = .array(Array(repeating: op, count: WireLimits.maxOpsPerMessage + 1))
            return JSON.object(message).canonicalBytes.gzipped
        },
        HostileBody(
            name: "a gzip bomb (a small body inflating past WireLimits.maxInflatedBytes)", status: 400,
            code: "bad_request", says: "inflates past"
        ) { genuine in
            // Valid JSON all the way: the document after 64 MiB and one byte of leading spaces.
            (Array(repeating: UInt8(ascii: " "), count: WireLimits.maxInflatedBytes + 1) + genuine.canonicalBytes)
                .gzipped
        },
    ]
}

extension [UInt8] {
    var gzipped: [UInt8] { Gzip.compress(self) }
}

@Suite("Hostile input over HTTP is refused with a clear 4xx, and the hub's database does not move")
struct HostileInputTests {
    typealias HubMark = RefusalTests.HubMark

    @Test(
        "a hostile push body signed by a registered node gets a 4xx naming what was wrong; nothing changes; the genuine push goes through after",
        arguments: HostileBody.all, HubStoreKind.allCases)
    func hostileBodyRefused(_ hostile: HostileBody, _ store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            try village.household(in: TestCounty.village1, address: "一组")
            let genuine = try village.pushRequest(try village.unpushedOps(limit: 100)).json
            let body = hostile.build(genuine)
            #expect(body.count < WireLimits.maxBodyBytes, "the body as sent is within the wire limit")
            let before = try await HubMark(county)
            let raw = RawClient(baseURL: url, hubKey: county.hub.info.publicKey)
            let answer = try await raw.send(
                try SignedRequest(
                    path: SyncPath.push, rawBody: body, contentEncoding: hostile.encoding, signedBy: village))
            #expect(answer.status == hostile.status)
            #expect(answer.errorCode == hostile.code)
            #expect(answer.message.contains(hostile.says), "the message was: \(answer.message)")
            #expect(answer.hubSigned)
            #expect(try await HubMark(county) == before)
            #expect(try await county.hub.node(village.info.id)?.ackedCounter == 0)
            // The hub still serves, and nothing of the refused body was half-applied.
            let summary = try await county.sync(village, url: url)
            #expect(summary.pushedOps == 1)
            #expect(try await county.hubOpCount() == before.ops + 1)
        }
    }

    @Test(
        "a body over WireLimits.maxBodyBytes is refused with 413 too_large and nothing changes",
        arguments: HubStoreKind.allCases)
    func oversizedBodyRefused(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let before = try await HubMark(county)
            let body = [UInt8](repeating: 0x41, count: WireLimits.maxBodyBytes + 1)
            let raw = RawClient(baseURL: url, hubKey: county.hub.info.publicKey)
            let answer = try await raw.send(try SignedRequest(path: SyncPath.push, rawBody: body, signedBy: village))
            #expect(answer.status == 413)
            #expect(answer.errorCode == "too_large")
            #expect(answer.message.contains("larger than \(WireLimits.maxBodyBytes) bytes"))
            #expect(try await HubMark(county) == before)
        }
    }

    @Test(
        "an op with a field over its schema length is quarantined with the field and the limit named, never applied",
        arguments: HubStoreKind.allCases)
    func overlongFieldQuarantined(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            // The node's own API refuses the value…
            #expect(throws: (any Error).self) {
                try village.household(in: TestCounty.village1, address: String(repeating: "长", count: 201))
            }
            // …so a tampered node builds the op by hand and signs its chain.
            let dot = Dot(replica: village.info.id, counter: 1)
            let op = Op(
                dot: dot, hlc: HLC(millis: TestCounty.now, logical: 0), author: "w1", origin: village.info.scope,
                record: RecordID(type: .household, creator: dot),
                scope: try DivisionCode.parse(TestCounty.village1, field: "scope"),
                fields: [
                    "village": .text(TestCounty.village1), "address": .text(String(repeating: "长", count: 201)),
                    "type": .text("rural"), "status": .text("active"),
                ],
                context: .empty, previous: "")
            let before = try await HubMark(county)
            let raw = RawClient(baseURL: url, hubKey: county.hub.info.publicKey)
            let answer = try await raw.send(
                try SignedRequest(path: SyncPath.push, document: try village.pushRequest([op]).json, signedBy: village))
            // The author has already applied it, so the hub keeps it in quarantine (docs/architecture.md,
            // Quarantine) and acknowledges it rather than refusing the batch for ever.
            #expect(answer.status == 200)
            let response = try PushResponse(json: answer.json)
            #expect(response.applied == 0)
            #expect(response.quarantined.map(\.dot) == [dot])
            #expect(response.quarantined.first?.reason.contains("address: longer than 200 characters") == true)
            #expect((try await county.hubState(of: op.record)) == nil)
            #expect(try await county.hubOpCount() == before.ops)
            #expect(try await county.hubDigest() == before.digest)
            #expect(try await county.hub.hubGauges().quarantined == before.quarantined + 1)
        }
    }

    @Test(
        "a request whose signed headers were changed, or whose signature is garbage, is refused with 401",
        arguments: HubStoreKind.allCases)
    func badSignaturesRefused(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            try village.household(in: TestCounty.village1, address: "一组")
            let push = try village.pushRequest(try village.unpushedOps(limit: 100)).json
            let raw = RawClient(baseURL: url, hubKey: county.hub.info.publicKey)
            let before = try await HubMark(county)
            var variants: [(String, SignedRequest)] = []
            var later = try SignedRequest(path: SyncPath.push, document: push, signedBy: village)
            later.timeMillis += 1
            variants.append(("time changed after signing", later))
            var moved = try SignedRequest(path: SyncPath.pull, document: push, signedBy: village)
            moved.path = SyncPath.push
            variants.append(("signed for /v1/pull, sent to /v1/push", moved))
            var renonced = try SignedRequest(path: SyncPath.push, document: push, signedBy: village)
            renonced.nonce = SignedRequest.freshNonce()
            variants.append(("nonce changed after signing", renonced))
            var garbage = try SignedRequest(path: SyncPath.push, document: push, signedBy: village)
            garbage.signature = "not base64 at all!"
            variants.append(("a signature that is not base64", garbage))
            var short = try SignedRequest(path: SyncPath.push, document: push, signedBy: village)
            short.signature = Data(repeating: 7, count: 12).base64EncodedString()
            variants.append(("a signature of 12 bytes", short))
            for (name, request) in variants {
                let answer = try await raw.send(request)
                #expect(answer.status == 401, "\(name)")
                #expect(answer.errorCode == "unauthorized", "\(name)")
                #expect(answer.message.contains("signature"), "\(name): \(answer.message)")
            }
            #expect(try await HubMark(county) == before)
            #expect(try await county.hub.node(village.info.id)?.ackedCounter == 0)
        }
    }

    @Test(
        "a nonce once used is refused on any later request, even a new one correctly signed; a non-hex nonce is refused",
        arguments: HubStoreKind.allCases)
    func reusedNonceRefused(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let raw = RawClient(baseURL: url, hubKey: county.hub.info.publicKey)
            let nonce = SignedRequest.freshNonce()
            let pull = PullRequest(replica: village.info.id, cursor: 0, maxOps: 10).json
            #expect(
                try await raw.send(
                    try SignedRequest(path: SyncPath.pull, document: pull, signedBy: village, nonce: nonce)
                ).status == 200)
            try village.household(in: TestCounty.village1, address: "一组")
            let push = try village.pushRequest(try village.unpushedOps(limit: 100)).json
            let before = try await HubMark(county)
            // Another path, another body, another time: a fresh signature over a used nonce.
            let reused = try SignedRequest(
                path: SyncPath.push, document: push, signedBy: village, timeMillis: TestCounty.now + 1, nonce: nonce)
            let answer = try await raw.send(reused)
            #expect(answer.status == 401)
            #expect(answer.message.contains("replayed"))
            for bad in [
                "zz" + String(repeating: "0", count: 30), String(repeating: "a", count: 15),
                String(repeating: "a", count: 66),
            ] {
                let refused = try await raw.send(
                    try SignedRequest(path: SyncPath.push, document: push, signedBy: village, nonce: bad))
                #expect(refused.status == 401, "nonce \(bad)")
                #expect(refused.message.contains("16 to 64 hex digits"), "nonce \(bad): \(refused.message)")
            }
            #expect(try await HubMark(county) == before)
        }
    }

    @Test(
        "a request time at the ends of Int64 is refused with 401, not a crash, even from a stranger registering",
        arguments: HubStoreKind.allCases)
    func extremeTimesRefused(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            // A stranger needs no token to reach the time check: a registration is verified with
            // the key in its own body.
            let stranger = try Replica.create(
                path: county.directory + "/stranger.db", name: "stranger",
                scope: try ScopePrefix.parse(TestCounty.village1, field: "scope"),
                nowMillis: TestCounty.now)
            let registration = RegisterRequest(
                secret: "no-such-secret", replica: stranger.info.id, publicKey: stranger.info.publicKey, name: "x")
            let raw = RawClient(baseURL: url, hubKey: county.hub.info.publicKey)
            let before = try await HubMark(county)
            for time in [Int64.min, Int64.min + 1, Int64.max] {
                let register = try await raw.send(
                    try SignedRequest(
                        path: SyncPath.register, document: registration.json, signedBy: stranger, timeMillis: time))
                #expect(register.status == 401, "time \(time)")
                #expect(register.message.contains("24 hours"), "time \(time): \(register.message)")
                let pull = try await raw.send(
                    try SignedRequest(
                        path: SyncPath.pull,
                        document: PullRequest(replica: village.info.id, cursor: 0, maxOps: 10).json,
                        signedBy: village, timeMillis: time))
                #expect(pull.status == 401, "time \(time)")
            }
            #expect(try await HubMark(county) == before)
            #expect(try await county.hub.node(stranger.info.id) == nil)
            #expect(try await county.sync(village, url: url).pulledOps == 0, "the hub still serves")
        }
    }
}
