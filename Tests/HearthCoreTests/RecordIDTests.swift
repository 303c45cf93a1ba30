import Foundation
import HearthCore
import Testing

@Suite("Record ids and hex read fast, and read as before")
struct RecordIDTests {
    static let replica = ReplicaID("3f9a2c71b0d4")

    @Test("an id in the form ids are written in parses to itself, of its type, for every type")
    func canonical() throws {
        for type in RecordType.allCases {
            for counter: UInt64 in [1, 9, 10, 42, 1_000_000, Dot.maxCounter] {
                let written = RecordID(type: type, creator: Dot(replica: Self.replica, counter: counter))
                let parsed = try #require(RecordID(written.value), "\(written.value)")
                #expect(parsed == written)
                #expect(parsed.type == type)
                #expect(parsed.value == written.value)
                #expect(parsed.creator == Dot(replica: Self.replica, counter: counter))
            }
        }
    }

    @Test("the creating dot is read from any id as splitting it read it, random replicas and counters")
    func creatorAsSplit() {
        let seed = UInt64.random(in: 1...UInt64.max)
        var generator = SplitMix64(seed: seed)
        func split(_ id: RecordID) -> Dot {
            let parts = id.value.split(separator: "-")
            return Dot(replica: ReplicaID(String(parts[1])), counter: UInt64(parts[2])!)
        }
        // Replicas of 12 hex digits (every stored id), and ones no valid replica has, which
        // take the general path: shorter, longer, and one of 12 characters holding no digit.
        var replicas = (0..<50).map { _ in ReplicaID.random(using: &generator) }
        replicas += [ReplicaID("hub"), ReplicaID("a"), ReplicaID("0123456789abcdef0"), ReplicaID("node_village")]
        for replica in replicas {
            for counter in [1, 9, 10, Dot.maxCounter, UInt64.random(in: 1...Dot.maxCounter, using: &generator)] {
                let type = RecordType.allCases.randomElement(using: &generator)!
                let id = RecordID(type: type, creator: Dot(replica: replica, counter: counter))
                #expect(id.creator == Dot(replica: replica, counter: counter), "seed \(seed): \(id.value)")
                #expect(id.creator == split(id), "seed \(seed): \(id.value)")
            }
        }
    }

    @Test("a dot's text reads as splitting it read it: written dots, near misses and random texts")
    func dotTextAsSplit() {
        let seed = UInt64.random(in: 1...UInt64.max)
        var generator = SplitMix64(seed: seed)
        func split(_ text: String) -> Dot? {
            let parts = text.split(separator: ":")
            guard parts.count == 2, let replica = ReplicaID(validating: String(parts[0])),
                let counter = UInt64(parts[1]), counter > 0, counter <= Dot.maxCounter
            else { return nil }
            return Dot(replica: replica, counter: counter)
        }
        var texts = [
            "3f9a2c71b0d4:1", "3f9a2c71b0d4:0", "3f9a2c71b0d4:007", "3f9a2c71b0d4:+7", "3f9a2c71b0d4:-7",
            "3f9a2c71b0d4:", ":5", "3F9A2C71B0D4:5", "3f9a2c71b0d:5", "3f9a2c71b0d45:5", "3f9a2c71b0d4::5",
            "3f9a2c71b0d4:5:", "3f9a2c71b0d4:5a", "3f9a2c71b0d4: 5", "3f9a2c71b0d4:\(Dot.maxCounter)",
            "3f9a2c71b0d4:\(Dot.maxCounter + 1)", "3f9a2c71b0d4:\(UInt64.max)", "3f9a2c71b0d4:99999999999999999999",
            "3f9a2c71b0d4:0000000000000000000001", "3f9a2c71b0d4:１", "",
        ]
        let alphabet = Array("0123456789abcdefAF:+- ")
        for _ in 0..<2_000 {
            texts.append(
                String(
                    (0..<Int.random(in: 10...24, using: &generator)).map { _ in
                        alphabet.randomElement(using: &generator)!
                    }))
            let dot = Dot(
                replica: ReplicaID.random(using: &generator),
                counter: UInt64.random(in: 1...Dot.maxCounter, using: &generator))
            texts.append(dot.description)
        }
        for text in texts {
            #expect(Dot(text: text) == split(text), "seed \(seed): \(text.debugDescription)")
        }
    }

    @Test(
        "packed ids are equal exactly when their texts are, random replicas, counters and types; other texts have none")
    func packedIDs() throws {
        let seed = UInt64.random(in: 1...UInt64.max)
        var generator = SplitMix64(seed: seed)
        var ids: [RecordID] = []
        for _ in 0..<400 {
            let replica = ReplicaID.random(using: &generator)
            for type in RecordType.allCases {
                for counter in [1, 9, 10, Dot.maxCounter, UInt64.random(in: 1...1_000_000, using: &generator)] {
                    ids.append(RecordID(type: type, creator: Dot(replica: replica, counter: counter)))
                }
            }
        }
        // Near neighbours: the same replica and counter under every type, counters one apart.
        let near = RecordID(type: .enrollment, creator: Dot(replica: Self.replica, counter: 42))
        ids += RecordType.allCases.map { RecordID(type: $0, creator: Dot(replica: Self.replica, counter: 42)) }
        ids += [41, 43, 420, 4].map { RecordID(type: .enrollment, creator: Dot(replica: Self.replica, counter: $0)) }
        var byPacked: [PackedRecordID: String] = [:]
        for id in ids {
            let packed = try #require(PackedRecordID(id.value), "seed \(seed): \(id.value)")
            if let earlier = byPacked[packed] {
                #expect(earlier == id.value, "seed \(seed): \(earlier) and \(id.value) packed alike")
            }
            byPacked[packed] = id.value
        }
        #expect(byPacked.count == Set(ids.map(\.value)).count)
        #expect(PackedRecordID(near.value) == PackedRecordID("E-3f9a2c71b0d4-42"))
        #expect(PackedRecordID(near.value) != PackedRecordID("H-3f9a2c71b0d4-42"))
        // What is not an id as ids are stored has no numbers (it is kept by its text).
        for text in [
            "", "E-3f9a2c71b0d4-0", "E-3f9a2c71b0d4-042", "E-3F9A2C71B0D4-1", "e-3f9a2c71b0d4-1", "E-hub-1",
            "E-3f9a2c71b0d4-" + String(Dot.maxCounter + 1), "X-3f9a2c71b0d4-1", "E-3f9a2c71b0d4-1 ",
        ] {
            #expect(PackedRecordID(text) == nil, "\(text.debugDescription)")
        }
    }

    @Test("a lower-case type letter still parses, to the upper-case form")
    func lowerCaseLetter() throws {
        let parsed = try #require(RecordID("h-3f9a2c71b0d4-42"))
        #expect(parsed.value == "H-3f9a2c71b0d4-42")
        #expect(parsed.type == .household)
    }

    @Test("what is no id is refused, however close it comes")
    func refused() {
        let overMax = String(Dot.maxCounter + 1)
        for text in [
            "", "H", "H-", "H-3f9a2c71b0d4", "H-3f9a2c71b0d4-", "H-3f9a2c71b0d4-0", "H-3f9a2c71b0d4-042",
            "H-3f9a2c71b0d4-" + overMax, "H-3f9a2c71b0d4-99999999999999999999999", "H-3F9A2C71B0D4-1",
            "H-3f9a2c71b0d-1", "H-3f9a2c71b0d45-1", "X-3f9a2c71b0d4-1", "H_3f9a2c71b0d4-1", "H-3f9a2c71b0d4_1",
            "H-3f9a2c71b0d4-1a", "H-3f9a2c71b0d4--1", "H-3f9a2c71b0d4-+1", " H-3f9a2c71b0d4-1", "H-3f9a2c71b0d4-1 ",
            "HH-3f9a2c71b0d4-1", "H-3f9a2c71b0d4-1-1", "Ｈ-3f9a2c71b0d4-1", "H-3f9a2c71b0d4-１",
        ] {
            #expect(RecordID(text) == nil, "\(text.debugDescription)")
        }
    }

    @Test("hex of bytes in an array, in Data, in a raw buffer and from a lazy sequence is the same text")
    func hex() {
        let bytes: [UInt8] = [0x00, 0x01, 0x0f, 0x10, 0x7f, 0x80, 0xab, 0xff]
        let expected = "00010f107f80abff"
        #expect(Hex.encode(bytes) == expected)
        #expect(Hex.encode(Data(bytes)) == expected)
        #expect(bytes.withUnsafeBytes { Hex.encode($0) } == expected)
        #expect(Hex.encode(bytes.lazy.map { $0 }) == expected)
        #expect(Hex.encode([UInt8]()) == "")
        #expect(Hex.decode(expected) == bytes)
    }
}
