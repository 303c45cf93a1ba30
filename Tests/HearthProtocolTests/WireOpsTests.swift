import Foundation
import HearthCore
import HearthProtocol
import HearthStore
import Testing

/// Ops in a message leave out what the receiver derives (Protocol/sync.md, Ops in a message):
/// what is read back is exactly what was sent, and nothing is left out that cannot be rebuilt.
@Suite("Ops on the wire")
struct WireOpsTests {
    static let keys = KeyMaterial.generate()

    /// A seeded batch as a pull answer holds it: several authors' chains interleaved, some
    /// starting mid-chain, records created and edited, members with sealed ID numbers, authors,
    /// origins and villages changing now and then; some ops hold a forged `hmac` or a box sealed
    /// under another county's key, which must travel whole.
    static func batch(seed: UInt64, count: Int) -> [Op] {
        var random = SplitMix64(seed: seed)
        let replicas = (0..<3).map { _ in ReplicaID.random(using: &random) }
        var counters = replicas.map { _ in 3 + random.next() % 5 }
        var heads = replicas.map { _ in String(repeating: "ab", count: 32) }
        let villages = ["421281101001", "421281101002", "421281102001"]
        let origins = ["421281101", "421281101001", "421281"]
        let stranger = KeyMaterial.generate()
        var records: [(id: RecordID, clock: VersionVector)] = []
        var ops: [Op] = []
        for index in 0..<count {
            let who = Int(random.next() % UInt64(replicas.count))
            counters[who] += 1
            let dot = Dot(replica: replicas[who], counter: counters[who])
            let village = try! DivisionCode.parse(villages[Int(random.next() % 3)], field: "village")
            let origin = try! ScopePrefix.parse(origins[who], field: "origin")
            let author = random.next() % 7 == 0 ? "w-other" : "w\(who)"
            let hlc = HLC(millis: 1_790_000_000_000 + Int64(index / 3), logical: UInt32(index % 3))
            var fields: [String: FieldValue] = [:]
            let record: RecordID
            let context: VersionVector
            if records.isEmpty || random.next() % 3 == 0 {
                record = RecordID(type: .member, creator: dot)
                context = .empty
                let number = "42128119\(50 + random.next() % 40)0101\(100 + random.next() % 800)"
                let id = number + String(IDNumber.checkDigit(of: number)!)
                var sealed = Self.keys.seal(id)
                switch random.next() % 6 {
                case 0: sealed = SealedValue(box: sealed.box, digest: String(repeating: "0", count: 64))
                case 1: sealed = stranger.seal(id)
                default: break
                }
                fields = ["id_number": .sealed(sealed), "name": .text("居民\(index)"), "village": .text(village.value)]
            } else {
                let target = Int(random.next() % UInt64(records.count))
                record = records[target].id
                context = records[target].clock
                fields = ["name": .text("改名\(index)")]
            }
            let op = Op(
                dot: dot, hlc: hlc, author: author, origin: origin, record: record, scope: village, fields: fields,
                context: context, previous: heads[who])
            heads[who] = random.next() % 10 == 0 ? String(repeating: "cd", count: 32) : op.hash
            if let position = records.firstIndex(where: { $0.id == record }) {
                var clock = records[position].clock
                clock.add(dot)
                records[position].clock = clock
            } else {
                var clock = VersionVector.empty
                clock.add(dot)
                records.append((record, clock))
            }
            ops.append(op)
        }
        return ops
    }

    static func bytes(_ json: JSON) -> Int { Gzip.compress(json.canonicalBytes).count }

    @Test("seeded batches read back exactly as sent, every hash unchanged, in fewer bytes", arguments: 1...12)
    func roundTrip(seed: UInt64) throws {
        let ops = Self.batch(seed: seed, count: 300)
        let compact = WireOps.json(ops, digests: Self.keys.opener())
        let items = try #require(compact.arrayValue)
        let read = try PullResponse(
            json: PullResponse(hub: ops[0].dot.replica, ops: ops, cursor: 9, more: false, yourCounter: 0, yourHash: "")
                .json(version: WireVersion.current, digests: Self.keys.opener()),
            digests: Self.keys.opener()
        ).ops
        #expect(read == ops)
        #expect(read.map(\.hash) == ops.map(\.hash))
        // Something was left out of most ops, and the message is smaller for it.
        #expect(items.filter { $0["prev"] == nil }.count > ops.count / 2)
        #expect(items.filter { $0["author"] == nil }.count > ops.count / 5)
        #expect(Self.bytes(compact) < Self.bytes(.array(ops.map(\.json))) * 3 / 4)
        // Only values the receiver rebuilds were left out: a forged hmac, or a box under
        // another county's key, travels whole.
        for (op, item) in zip(ops, items) {
            guard case .sealed(let sealed)? = op.fields["id_number"] else { continue }
            let derivable = Self.keys.opener().digest(ofBox: sealed.box) == sealed.digest
            #expect((item["fields"]?["id_number"]?["hmac"] == nil) == derivable)
        }
    }

    @Test("a push's ops read back exactly when the hub reads them; without the key, its sealed values do not read")
    func push() throws {
        let ops = Self.batch(seed: 99, count: 60)
        let last = try #require(ops.last)
        let request = PushRequest(
            replica: last.dot.replica, ops: ops,
            chain: ChainHead(counter: last.dot.counter, hash: last.hash, signature: ""))
        let sent = request.json(digests: Self.keys.opener())
        #expect(try PushRequest(json: sent, digests: Self.keys.opener()) == request)
        #expect(try PushRequest(json: request.json) == request)
        do {
            _ = try PushRequest(json: sent)
            Issue.record("sealed values without their hmac read without a key")
        } catch {
            #expect(error.reason.contains("\"id_number\" is sealed without its \"hmac\""))
        }
        do {
            _ = try PushRequest(json: sent, digests: KeyMaterial.generate().opener())
            Issue.record("sealed values without their hmac read under another county's key")
        } catch {
            #expect(error.reason.contains("does not open under this side's county key"))
        }
    }

    @Test("ops that leave out what cannot be derived are refused, naming the op and what is missing")
    func refusals() throws {
        let ops = Self.batch(seed: 5, count: 4)
        let items = try #require(WireOps.json(ops, digests: nil).arrayValue)
        func refusal(_ items: [JSON]) -> String? {
            let message = JSON.object([
                "v": .integer(WireVersion.current), "hub": .string(ops[0].dot.replica.value), "ops": .array(items),
                "cursor": .integer(1), "more": .bool(false), "your_counter": .integer(0), "your_hash": .string(""),
            ])
            do {
                _ = try PullResponse(json: message)
                return nil
            } catch { return error.reason }
        }
        #expect(refusal(items) == nil)
        func without(_ key: String, at index: Int) -> [JSON] {
            var edited = items
            guard case .object(var members) = edited[index] else { return edited }
            members[key] = nil
            edited[index] = .object(members)
            return edited
        }
        #expect(refusal(without("prev", at: 0))?.contains("op 0: \"prev\" may be left out only when") == true)
        #expect(refusal(without("dot", at: 0))?.contains("op 0: \"dot\"") == true)
        #expect(refusal(without("author", at: 0))?.contains("op 0: \"author\"") == true)
        var lettered = items
        if case .object(var members) = lettered[0] {
            members["record"] = .string("Z")
            lettered[0] = .object(members)
        }
        #expect(refusal(lettered)?.contains("op 0: \"record\" \"Z\" is not a record type's letter") == true)
        // A version this side does not read is named.
        let future = JSON.object([
            "v": .integer(WireVersion.readable.upperBound + 1), "hub": .string(ops[0].dot.replica.value),
            "ops": .array(items), "cursor": .integer(1), "more": .bool(false), "your_counter": .integer(0),
            "your_hash": .string(""),
        ])
        #expect(throws: MessageError.self) { try PullResponse(json: future) }
    }

    @Test("a version-1 answer carries every op whole; version 1 is still read")
    func versionOne() throws {
        let ops = Self.batch(seed: 3, count: 40)
        let response = PullResponse(
            hub: ops[0].dot.replica, ops: ops, cursor: 2, more: true, yourCounter: 0, yourHash: "")
        let old = response.json(version: 1, digests: Self.keys.opener())
        #expect(old["v"]?.integerValue == 1)
        #expect(old["ops"] == .array(ops.map(\.json)))
        #expect(try PullResponse(json: old) == response)
    }
}
