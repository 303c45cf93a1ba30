import Foundation
import GRDB
import HearthCore
@testable import HearthTools
import Testing

@testable import HearthStore

/// The merge bench compares the replica with a raw SQLite write and with pygeodiff: both must
/// write the rows the ops make, or the ratios compare different work.
@Suite("The merge bench's raw baseline and peer changesets")
struct MergeBenchInputsTests {
    static let village = try! DivisionCode.parse("421281101001", field: "village")
    static let origin = try! ScopePrefix.parse("421281101001", field: "origin")

    static func op(_ record: RecordID, counter: UInt64, _ fields: [String: FieldValue]) -> Op {
        let replica = ReplicaID("0123456789ab")
        return Op(
            dot: Dot(replica: replica, counter: counter), hlc: HLC(millis: 1_790_000_000_000, logical: 0),
            author: "w", origin: origin, record: record, scope: village, fields: fields, context: .empty,
            previous: "")
    }

    @Test("SQLite's varint: seven bits a byte, big-endian, the high bit on all bytes but the last")
    func varints() {
        let cases: [(UInt64, [UInt8])] = [
            (0, [0]), (9, [9]), (127, [0x7f]), (128, [0x81, 0x00]), (300, [0x82, 0x2c]),
            (16_383, [0xff, 0x7f]), (16_384, [0x81, 0x80, 0x00]),
        ]
        for (value, expected) in cases {
            var bytes: [UInt8] = []
            PeerChangeset.putVarint(value, into: &bytes)
            #expect(bytes == expected, "\(value)")
        }
    }

    @Test("a create is an INSERT of every column; a change an UPDATE of its fields with their values before")
    func changesetBytes() throws {
        let replica = ReplicaID("0123456789ab")
        let id = RecordID(type: .household, creator: Dot(replica: replica, counter: 1))
        let create = Self.op(id, counter: 1, ["village": .text("V"), "phone": .text("13")])
        let change = Self.op(id, counter: 2, ["phone": .text("14"), "income": .integer(258)])
        var changeset = PeerChangeset()
        let bytes = changeset.encode([create, change][...])
        let key = Array(id.value.utf8)
        var expected: [UInt8] = [0x54, 9, 1, 0, 0, 0, 0, 0, 0, 0, 0] + Array("households".utf8) + [0]
        // INSERT: id, village "V", address, type NULL, phone "13", status, income, population, note NULL.
        expected += [18, 0, 3, UInt8(key.count)] + key
        expected += [3, 1, UInt8(ascii: "V"), 5, 5, 3, 2, UInt8(ascii: "1"), UInt8(ascii: "3"), 5, 5, 5, 5]
        // UPDATE, old values: the key, phone "13", income NULL; the rest undefined.
        expected += [23, 0, 3, UInt8(key.count)] + key
        expected += [0, 0, 0, 3, 2, UInt8(ascii: "1"), UInt8(ascii: "3"), 0, 5, 0, 0]
        // New values: phone "14", income 258 as 8 big-endian bytes; the key and the rest undefined.
        expected += [0, 0, 0, 0, 3, 2, UInt8(ascii: "1"), UInt8(ascii: "4"), 0, 1, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0]
        #expect(bytes == expected)
        // The next batch's changes start from the rows this one left.
        let again = changeset.encode([Self.op(id, counter: 3, ["income": .integer(1)])][...])
        let header = 11 + "households".utf8.count + 1
        #expect(Array(again[header..<(header + 4 + key.count)]) == [23, 0, 3, UInt8(key.count)] + key)
        #expect(Array(again[(header + 4 + key.count)...].prefix(9)) == [0, 0, 0, 0, 0, 1, 0, 0, 0])
    }

    @Test("the raw baseline leaves each household with the last value of each field the ops wrote")
    func rawRows() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-raw-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ops = MergeBench(opCount: 600, batchSize: 100, peer: nil).generate()
        var expected: [String: [String: FieldValue]] = [:]
        for op in ops { expected[op.record.value, default: [:]].merge(op.fields) { $1 } }
        let seconds = try RawUpsertBaseline.seconds(ops, path: directory + "/raw.db", batchSize: 100)
        #expect(seconds > 0)
        let queue = try DatabaseQueue(path: directory + "/raw.db")
        let rows = try queue.read { db in try Row.fetchAll(db, sql: "SELECT * FROM households") }
        #expect(rows.count == expected.count)
        for row in rows {
            let id: String = row["id"]
            let fields = try #require(expected[id])
            for (name, _) in RawUpsertBaseline.columns {
                let stored: DatabaseValue = row[name]
                #expect(SQLValue(stored) == StateRow.sqlValue(fields[name] ?? .null), "\(name) of a household")
            }
        }
    }
}
