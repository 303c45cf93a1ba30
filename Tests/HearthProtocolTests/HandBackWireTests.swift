import Foundation
import HearthCore
import HearthProtocol
import HearthStore
import Testing

/// The wire of a restored hub's hand-back (Protocol/sync.md, A restored hub): stamps and
/// retired writers in pull answers, returned ops in pushes, the count in push answers. What is
/// read back is what was sent; a malformed stamp or writer is refused, naming what is wrong.
@Suite("Handing ops back to a restored hub, on the wire")
struct HandBackWireTests {
    static let keys = KeyMaterial.generate()

    @Test("stamps, retired writers, returned ops and their count read back as sent, for seeded batches")
    func roundTrip() throws {
        for seed in UInt64(1)...20 {
            let ops = WireOpsTests.batch(seed: seed, count: 30)
            var random = SplitMix64(seed: seed)
            let stamper = Self.keys.stamper()
            let stamped = ops.filter { _ in random.next() % 2 == 0 }
            let stamps = Dictionary(
                uniqueKeysWithValues: stamped.map { ($0.dot, stamper.stamp($0.dot, hash: $0.hash)) })
            let retired = (0..<Int(random.next() % 3)).map { index in
                RetiredWriter(writer: ReplicaID.random(using: &random), after: UInt64(index) * 7)
            }
            let pull = PullResponse(
                hub: ops[0].dot.replica, ops: ops, cursor: 9, more: false, yourCounter: 0, yourHash: "",
                stamps: stamps, retired: retired)
            let read = try PullResponse(
                json: try JSON.parse(pull.json(version: 2, digests: Self.keys.opener()).canonicalBytes),
                digests: Self.keys.opener())
            #expect(read == pull)
            #expect(read.stamps.count == stamped.count)
            for op in stamped { #expect(stamper.verifies(read.stamps[op.dot]!, dot: op.dot, hash: op.hash)) }

            let push = PushRequest(
                replica: ReplicaID.random(using: &random), ops: [],
                chain: ChainHead(counter: 0, hash: "", signature: "c2ln"), returned: stamped, stamps: stamps)
            #expect(try PushRequest(json: try JSON.parse(push.json.canonicalBytes)) == push)
            let answer = PushResponse(
                acked: 0, ackedHash: "", applied: 1, duplicates: 0, waiting: 0, quarantined: [],
                returned: ReturnedCount(taken: 1, held: 2, refused: 3))
            #expect(try PushResponse(json: answer.json) == answer)
        }
    }

    @Test("an answer or a push without them reads as none, and writes no such key")
    func absent() throws {
        let pull = PullResponse(
            hub: ReplicaID("a81c5e0f2b97"), ops: [], cursor: 0, more: false, yourCounter: 0, yourHash: "")
        #expect(pull.json["stamps"] == nil && pull.json["retired"] == nil)
        #expect(try PullResponse(json: pull.json).retired.isEmpty)
        let answer = PushResponse(acked: 0, ackedHash: "", applied: 0, duplicates: 0, waiting: 0, quarantined: [])
        #expect(answer.json["returned"] == nil)
        #expect(try PushResponse(json: answer.json).returned == nil)
    }

    @Test("a stamp, a dot or a retired writer that is malformed is refused by name")
    func malformed() throws {
        let base = PullResponse(
            hub: ReplicaID("a81c5e0f2b97"), ops: [], cursor: 0, more: false, yourCounter: 0, yourHash: "")
        func with(_ key: String, _ value: JSON) -> JSON {
            guard case .object(var members) = base.json else { return base.json }
            members[key] = value
            return .object(members)
        }
        func refusal(_ json: JSON) -> String? {
            do {
                _ = try PullResponse(json: json)
                return nil
            } catch { return error.reason }
        }
        #expect(refusal(with("stamps", .array([])))?.contains("\"stamps\" must be an object") == true)
        #expect(
            refusal(with("stamps", .object(["nodot": .string(String(repeating: "A", count: 24))])))?.contains(
                "is not a dot") == true)
        #expect(
            refusal(with("stamps", .object(["a81c5e0f2b97:1": .string("short")])))?.contains("24 characters") == true)
        #expect(refusal(with("retired", .object([:])))?.contains("\"retired\" must be an array") == true)
        #expect(
            refusal(with("retired", .array([.object(["writer": .string("x"), "after": .integer(1)])])))?.contains(
                "replica id") == true)
        #expect(
            refusal(with("retired", .array([.object(["writer": .string("a81c5e0f2b97"), "after": .integer(-1)])])))?
                .contains("negative") == true)
        let many = JSON.array(
            Array(
                repeating: .object(["writer": .string("a81c5e0f2b97"), "after": .integer(1)]),
                count: PullResponse.maxRetired + 1))
        #expect(refusal(with("retired", many))?.contains("at most") == true)
    }

    @Test("a stamp verifies only for its own dot and hash, under the key that made it")
    func stampsBind() throws {
        let ops = WireOpsTests.batch(seed: 11, count: 4)
        let stamper = Self.keys.stamper()
        let stamp = stamper.stamp(ops[0].dot, hash: ops[0].hash)
        #expect(stamper.verifies(stamp, dot: ops[0].dot, hash: ops[0].hash))
        #expect(!stamper.verifies(stamp, dot: ops[1].dot, hash: ops[0].hash))
        #expect(!stamper.verifies(stamp, dot: ops[0].dot, hash: ops[1].hash))
        #expect(!KeyMaterial.generate().stamper().verifies(stamp, dot: ops[0].dot, hash: ops[0].hash))
        #expect(!stamper.verifies("not base64 at all!!!!!!!", dot: ops[0].dot, hash: ops[0].hash))
        // The same signing key stamps alike (a restored hub keeps its key file).
        let same = KeyMaterial(dataKey: Self.keys.dataKey, signingKey: Self.keys.signingKey)
        #expect(same.stamper().stamp(ops[0].dot, hash: ops[0].hash) == stamp)
    }
}
