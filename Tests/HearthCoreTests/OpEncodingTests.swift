import HearthCore
import Testing

@Suite("Op encoding")
struct OpEncodingTests {
    func sample(cause: String?, fields: [String: FieldValue], context: VersionVector) throws -> Op {
        let replica = ReplicaID("0123456789ab")
        return Op(
            dot: Dot(replica: replica, counter: 7), hlc: HLC(millis: 1_795_600_000_123, logical: 4), author: "w\"1\\",
            origin: try ScopePrefix.parse("421281101", field: "o"),
            record: RecordID(type: .household, creator: Dot(replica: replica, counter: 1)),
            scope: try DivisionCode.parse("421281101001", field: "s"), fields: fields, context: context,
            previous: String(repeating: "a", count: 64), cause: cause)
    }

    @Test("the direct canonical writer gives the same bytes as the JSON document, and decoding round-trips")
    func canonicalWriterMatchesJSON() throws {
        let variants: [(String?, [String: FieldValue], VersionVector)] = [
            (nil, ["address": .text("新庄村\n三组")], VersionVector([ReplicaID("0123456789ab"): 1])),
            (
                "death of M-0123456789ab-2", ["tags": .set(["a", "b"]), "income": .integer(56000), "phone": .null],
                VersionVector([
                    ReplicaID("0123456789ab"): 6, ReplicaID("ffffffffffff"): 2, ReplicaID("00000000000a"): 9,
                ])
            ),
            (
                nil, ["bank_card": .sealed(SealedValue(box: "AAAA", digest: String(repeating: "b", count: 64)))],
                VersionVector([ReplicaID("0123456789ab"): 3])
            ),
        ]
        for (cause, fields, context) in variants {
            let op = try sample(cause: cause, fields: fields, context: context)
            #expect(op.canonicalBytes == op.json.canonicalBytes)
            let decoded = try Op(bytes: op.canonicalBytes)
            #expect(decoded == op)
            #expect(decoded.hash == op.hash)
            #expect(Hex.isSHA256(op.hash))
        }
    }

    @Test("an op that remembers its hash is the same op: equal, hashed alike, and its hash is that of its bytes")
    func rememberedHash() throws {
        let op = try sample(cause: nil, fields: ["address": .text("东街")], context: .empty)
        let known = op.knowingHash(ofCanonical: op.canonicalBytes)
        #expect(known == op)
        #expect(Set([op, known]).count == 1)
        #expect(known.hash == op.hash, "the hash computed afresh from the same bytes")
        let other = try sample(cause: "x", fields: ["address": .text("东街")], context: .empty)
        #expect(other.knowingHash(ofCanonical: other.canonicalBytes) != known)
        // The hash a log holds for the op (32 bytes) is the hash it tells; any other length
        // leaves it to compute the hash from its bytes.
        let logged = op.knowingLoggedHash(Hex.decode(op.hash) ?? [])
        #expect(logged == op && logged.hash == op.hash)
        let stored = Array(repeating: UInt8(0xab), count: 32)
        #expect(op.knowingLoggedHash(stored).hash == String(repeating: "ab", count: 32))
        #expect(op.knowingLoggedHash(Array(stored.prefix(31))).hash == op.hash)
    }

    @Test("malformed ops are refused with a reason")
    func malformed() throws {
        let op = try sample(
            cause: nil, fields: ["address": .text("x")], context: VersionVector([ReplicaID("0123456789ab"): 1]))
        let good = op.json.canonicalText
        #expect(try Op(bytes: Array(good.utf8)) == op)
        let cases = [
            good.replacingOccurrences(of: "\"v\":1", with: "\"v\":2"),
            good.replacingOccurrences(of: "\"dot\":\"0123456789ab:7\"", with: "\"dot\":\"x:7\""),
            good.replacingOccurrences(of: "56000", with: "5.6e4"),
            String(good.dropLast()),
            good.replacingOccurrences(of: "\"fields\":{\"address\":\"x\"}", with: "\"fields\":{}"),
            good.replacingOccurrences(of: "\"author\"", with: "\"extra\":1,\"author\""),
            "[" + good + "]",
            good.replacingOccurrences(of: "\"v\":1}", with: "\"v\":1,\"voids\":[\"0123456789ab:1\"]}"),
            good.replacingOccurrences(of: "\"origin\":\"421281101\"", with: "\"origin\":\"421281\"")
                .replacingOccurrences(of: "\"v\":1}", with: "\"v\":1,\"voids\":[\"0123456789ab:5\"]}"),
            good.replacingOccurrences(of: "\"0123456789ab\":1}", with: "\"0123456789ab\":7}"),
            good.replacingOccurrences(of: "\"context\":{\"0123456789ab\":1}", with: "\"context\":{}"),
            good.replacingOccurrences(of: ",\"dot\"", with: ", \"dot\""),
            good.replacingOccurrences(of: "\"0123456789ab\":1}", with: "\"0123456789ab\":01}"),
            String(repeating: "[", count: 100) + String(repeating: "]", count: 100),
        ]
        for text in cases {
            #expect(throws: OpFormatError.self, "\(text)") { try Op(bytes: Array(text.utf8)) }
        }
    }

    @Test("schema problems name the field and never pass a value of the wrong shape")
    func schemaProblems() throws {
        let bad = try sample(
            cause: nil,
            fields: ["income": .integer(-1), "type": .text("suburban"), "colour": .text("red"), "phone": .integer(3)],
            context: .empty)
        let problems = bad.schemaProblems
        #expect(problems.count == 4)
        #expect(problems.contains { $0.hasPrefix("income:") })
        #expect(problems.contains { $0.hasPrefix("colour: not a field") })
        let good = try sample(cause: nil, fields: ["income": .integer(0), "type": .text("urban")], context: .empty)
        #expect(good.schemaProblems.isEmpty)
    }

    @Test("a text's length is counted in characters, whatever its bytes; the reasons come sorted by field")
    func textLengthsAndOrder() throws {
        // An address holds 200 characters: 200 of Chinese are 600 bytes and fit, 201 do not;
        // a phone holds 32, and "e" with a combining accent is one character of three bytes.
        let fits: [String: FieldValue] = [
            "address": .text(String(repeating: "村", count: 200)),
            "phone": .text(String(repeating: "e\u{301}", count: 32)),
        ]
        #expect(try sample(cause: nil, fields: fits, context: .empty).schemaProblems.isEmpty)
        let long = try sample(
            cause: nil,
            fields: [
                "phone": .text(String(repeating: "e\u{301}", count: 33)),
                "address": .text(String(repeating: "村", count: 201)), "income": .integer(-1),
            ], context: .empty)
        #expect(long.schemaProblems.map { String($0.prefix(while: { $0 != ":" })) } == ["address", "income", "phone"])
        let unsafe = try sample(
            cause: nil, fields: ["phone": .text("1\u{202E}3"), "address": .text("a\u{0007}"), "income": .integer(5)],
            context: .empty)
        #expect(unsafe.boundProblems.map { String($0.prefix(while: { $0 != ":" })) } == ["address", "phone"])
        #expect(try sample(cause: nil, fields: fits, context: .empty).boundProblems.isEmpty)
    }
}

@Suite("Record state encoding")
struct RecordStateEncodingTests {
    @Test("the stored register text equals the canonical JSON document and reads back to the same state")
    func registersText() throws {
        let a = ReplicaID("0123456789ab")
        let b = ReplicaID("ba9876543210")
        let id = RecordID(type: .household, creator: Dot(replica: a, counter: 1))
        var state = RecordState(id: id)
        let scope = try DivisionCode.parse("421281101001", field: "s")
        let village = try ScopePrefix.parse("421281101001", field: "o")
        let county = try ScopePrefix.parse("421281", field: "o")
        let create = Op(
            dot: Dot(replica: a, counter: 1), hlc: HLC(millis: 10, logical: 0), author: "w", origin: village,
            record: id,
            scope: scope, fields: ["address": .text("一\"组"), "tags": .set(["x"]), "income": .integer(5)],
            context: .empty, previous: "")
        state.apply(create)
        for (replica, origin, value) in [(a, village, "东"), (b, county, "西")] {
            state.apply(
                Op(
                    dot: Dot(replica: replica, counter: 2), hlc: HLC(millis: 20, logical: 1), author: "w",
                    origin: origin,
                    record: id, scope: scope, fields: ["address": .text(value)], context: VersionVector([a: 1]),
                    previous: ""))
        }
        #expect(state.registersText == state.registersJSON.canonicalText)
        #expect(state.clockText == state.clockJSON.canonicalText)
        let back = try #require(
            RecordState(id: id, clock: try JSON.parse(state.clockText), registers: try JSON.parse(state.registersText)))
        #expect(back == state)
        #expect(state.conflicts.isEmpty)
        #expect(state.resolution(of: "address").candidates.count == 2)
    }
}
