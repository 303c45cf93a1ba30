import HearthCore
import Testing

/// An op's form judged in one pass (``Op/fitsSchemaAndBounds``) says what the two lists of
/// reasons say together, for every record type and every kind of field, and the field table
/// looked up by a switch holds what each type's list declares.
@Suite("An op's form, judged in one pass")
struct OpFormTests {
    /// Values of every shape, some fitting each kind of field, some not, some past the bounds.
    static let values: [FieldValue] = [
        .text("东街 3 号"), .text(""), .text("rural"), .text("urban"), .text("alive"), .text("deceased"),
        .text("421281101001"), .text("2026-05"), .text("1990-02-30"), .text("1984-07-01"),
        .text("M-0123456789ab-2"), .text("a\u{202E}b"), .text("bell\u{0007}"),
        .text(String(repeating: "村", count: 201)),
        .text("2026-01:38000"), .text("2026-01:999999999999999"), .integer(-1), .integer(0), .integer(3),
        .integer(56_000), .integer(Int64.max), .null, .set(["a", "b"]), .set([]),
        .sealed(SealedValue(box: "AAAA", digest: String(repeating: "b", count: 64))),
        .sealed(SealedValue(box: "AAAA", digest: "short")),
    ]

    func op(_ type: RecordType, _ fields: [String: FieldValue]) throws -> Op {
        let replica = ReplicaID("0123456789ab")
        return Op(
            dot: Dot(replica: replica, counter: 9), hlc: HLC(millis: 1_795_600_000_000, logical: 0), author: "w",
            origin: try ScopePrefix.parse("421281101001", field: "o"),
            record: RecordID(type: type, creator: Dot(replica: replica, counter: 1)),
            scope: try DivisionCode.parse("421281101001", field: "s"), fields: fields, context: .empty,
            previous: "")
    }

    @Test("one pass agrees with the schema's and the bounds' reasons", arguments: [UInt64(1), 2, 3])
    func agrees(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        var fitting = 0
        var unfit = 0
        for _ in 0..<1_500 {
            let type = RecordType.allCases[Int(random.next() % UInt64(RecordType.allCases.count))]
            var names = RecordSchema.fields(of: type).map(\.name) + ["colour", ""]
            names.shuffle(using: &random)
            var fields: [String: FieldValue] = [:]
            for name in names.prefix(1 + Int(random.next() % 4)) {
                // Mostly a value the field may hold, so that whole ops fit often enough.
                if random.next() % 3 != 0, let spec = RecordSchema.field(name, of: type),
                    let value = Self.values.filter({ spec.kind.problemMessage(with: $0) == nil }).randomElement(
                        using: &random)
                {
                    fields[name] = value
                } else {
                    fields[name] = Self.values[Int(random.next() % UInt64(Self.values.count))]
                }
            }
            let candidate = try op(type, fields)
            let fits = candidate.schemaProblems.isEmpty && candidate.boundProblems.isEmpty
            #expect(candidate.fitsSchemaAndBounds == fits, "\(type) \(fields)")
            #expect((OpForm.verdict(of: candidate) == .admit) == fits)
            if fits { fitting += 1 } else { unfit += 1 }
        }
        #expect(fitting > 100 && unfit > 100, "both sides were tried: \(fitting) fitting, \(unfit) not")
    }

    @Test("the refusal still lists every reason: the schema's first, then the bounds'")
    func reasons() throws {
        let bad = try op(
            .household, ["colour": .text("red"), "phone": .text("1\u{202E}3"), "income": .integer(-1)])
        guard case .refuse(let refusal) = OpForm.verdict(of: bad) else {
            Issue.record("a household with an unknown field was admitted")
            return
        }
        #expect(refusal.message == (bad.schemaProblems + bad.boundProblems).joined(separator: "; "))
        #expect(refusal.message.hasPrefix("colour: not a field"))
        #expect(refusal.message.contains("phone:"))
    }

    @Test("each type's field is found by name, and only its own")
    func fieldTable() {
        for type in RecordType.allCases {
            for spec in RecordSchema.fields(of: type) {
                #expect(RecordSchema.field(spec.name, of: type)?.name == spec.name)
            }
            #expect(RecordSchema.field("colour", of: type) == nil)
            for other in RecordType.allCases where other != type {
                for spec in RecordSchema.fields(of: other)
                where !RecordSchema.fields(of: type).contains(where: { $0.name == spec.name }) {
                    #expect(RecordSchema.field(spec.name, of: type) == nil, "\(spec.name) is not a \(type)'s")
                }
            }
        }
    }

    @Test("record types hash, compare and key dictionaries by their case, in the order of allCases")
    func recordTypeHashing() {
        let types = RecordType.allCases
        #expect(Set(types).count == types.count)
        #expect(types.sorted() == types)
        var table: [RecordType: String] = [:]
        for type in types { table[type] = type.rawValue }
        for type in types { #expect(table[type] == type.rawValue) }
        let ids = types.map { RecordID(type: $0, creator: Dot(replica: ReplicaID("0123456789ab"), counter: 1)) }
        #expect(Set(ids).count == types.count)
        #expect(Set(ids.map { RecordID($0.value)! }) == Set(ids))
    }
}
