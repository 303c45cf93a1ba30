import Foundation
import GRDB
import HearthCore
import Testing

@testable import HearthStore

/// The op log's compact bodies rebuild each op exactly: the same canonical bytes, so the same hash.
@Suite("Logged op bodies")
struct LoggedOpTests {
    func ops() throws -> [Op] {
        var random = SplitMix64(seed: 41)
        let replicas = (0..<4).map { _ in ReplicaID.random(using: &random) }
        let scope = try DivisionCode.parse("421281101001", field: "s")
        let origins = [
            try ScopePrefix.parse("421281101001", field: "o"), try ScopePrefix.parse("421281101", field: "o"),
            try ScopePrefix.parse("421281", field: "o"),
        ]
        var ops: [Op] = []
        for index in 0..<300 {
            let who = replicas[index % replicas.count]
            let dot = Dot(replica: who, counter: UInt64(1 + index * 7_919))
            let creates = index % 3 == 0
            let creator = creates ? dot : Dot(replica: replicas[(index + 1) % replicas.count], counter: 1)
            let type = RecordType.allCases[index % RecordType.allCases.count]
            var fields: [String: FieldValue] = [
                "note": .text(index % 2 == 0 ? "核查 \(index)" : "a\"b\\\n"), "population": .integer(-Int64(index)),
            ]
            if index % 4 == 1 { fields["tags"] = FieldValue.makeSet(["x", "乙", "a,b"]) }
            if index % 5 == 2 {
                fields["id_number"] = .sealed(SealedValue(box: "Ym94", digest: Hex.encode((0..<32).map { UInt8($0) })))
            }
            if index % 7 == 3 { fields["not_a_field"] = .null }
            let context =
                creates ? VersionVector.empty : VersionVector([creator.replica: 1, who: dot.counter - 1])
            let voids = origins[index % 3].level == .county && !creates && index % 2 == 0 ? [creator] : []
            ops.append(
                Op(
                    dot: dot, hlc: HLC(millis: 1_795_000_000_000 + Int64(index), logical: UInt32(index % 3)),
                    author: "w\(index)", origin: origins[index % 3], record: RecordID(type: type, creator: creator),
                    scope: scope, fields: fields, context: context,
                    previous: index % 2 == 0 ? "" : Hex.encode((0..<32).map { UInt8(truncatingIfNeeded: $0 * index) }),
                    cause: index % 6 == 1 ? "death of M-1" : nil, voids: voids))
        }
        return ops
    }

    @Test("every op reads back from its logged bytes with the same canonical bytes and hash, in fewer bytes")
    func roundTrip() throws {
        var logged = 0
        var canonical = 0
        for op in try ops() {
            let bytes = op.loggedBytes
            #expect(bytes.first == 1)
            let read = try Op(logged: bytes)
            #expect(read == op)
            #expect(read.canonicalBytes == op.canonicalBytes)
            #expect(read.hash == op.hash)
            logged += bytes.count
            canonical += op.canonicalBytes.count
        }
        #expect(logged * 2 < canonical, "\(logged) logged bytes against \(canonical) canonical")
    }

    @Test("canonical JSON bodies (logged before v19, and the quarantine's) still read")
    func jsonBodies() throws {
        for op in try ops().prefix(20) {
            #expect(try Op(logged: op.canonicalBytes) == op)
            #expect(Data(op.canonicalBytes).databaseValue.loggedOp == op)
        }
    }

    @Test("an op whose replica id the compact form cannot hold is logged as its canonical JSON")
    func fallsBackToJSON() throws {
        let odd = ReplicaID("not-hex-id")
        let op = Op(
            dot: Dot(replica: odd, counter: 1), hlc: HLC(millis: 1, logical: 0), author: "w",
            origin: try ScopePrefix.parse("421281", field: "o"),
            record: RecordID(type: .visit, creator: Dot(replica: odd, counter: 1)),
            scope: try DivisionCode.parse("421281101001", field: "s"), fields: ["note": .text("x")], context: .empty,
            previous: "")
        #expect(op.loggedBytes == op.canonicalBytes)
    }

    @Test("logged bytes cut short, extended or altered are refused or read as what they say, never as the op")
    func refusesDamage() throws {
        var random = SplitMix64(seed: 43)
        for op in try ops().prefix(40) {
            let bytes = op.loggedBytes
            for length in 0..<bytes.count {
                #expect((try? Op(logged: Array(bytes[0..<length]))) == nil, "cut at \(length)")
            }
            #expect((try? Op(logged: bytes + [0])) == nil)
            for _ in 0..<40 {
                var altered = bytes
                let position = 1 + Int(random.next() % UInt64(bytes.count - 1))
                altered[position] ^= UInt8(truncatingIfNeeded: 1 + random.next() % 255)
                if let read = try? Op(logged: altered) {
                    #expect(read.loggedBytes == altered)
                    #expect(read != op)
                }
            }
        }
    }
}
