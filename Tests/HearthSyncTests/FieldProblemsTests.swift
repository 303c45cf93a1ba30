import HearthCore
import HearthHub
import Testing

/// The field rules judged before a push's transaction (``FieldProblems``): the transaction gets
/// exactly the verdict the rule gives the op it holds, never another op's.
@Suite("Field rules judged before the transaction")
struct FieldProblemsTests {
    static let author = ReplicaID("node-a")

    static func op(_ counter: UInt64, phone: String) throws -> Op {
        let dot = Dot(replica: author, counter: counter)
        return Op(
            dot: dot, hlc: HLC(millis: 1_000 + Int64(counter), logical: 0), author: "w1",
            origin: try ScopePrefix.parse("421281101001", field: "scope"),
            record: RecordID(type: .household, creator: dot),
            scope: try DivisionCode.parse("421281101001", field: "village"), fields: ["phone": .text(phone)],
            context: VersionVector(), previous: "")
    }

    @Test("each op's own verdict; an op not judged, or judged with other content, is judged now")
    func verdicts() throws {
        var judged = 0
        let rule: (Op) -> String? = { op in
            judged += 1
            return op.fields["phone"] == .text("bad") ? "phone: bad" : nil
        }
        let fine = try Self.op(1, phone: "13800000000")
        let refused = try Self.op(2, phone: "bad")
        let problems = FieldProblems([fine, refused], check: rule)
        #expect(judged == 2)

        let never: (Op) -> String? = { _ in
            Issue.record("judged again")
            return "judged again"
        }
        #expect(problems.problem(of: fine, otherwise: never) == nil)
        #expect(problems.problem(of: refused, otherwise: never) == "phone: bad")

        // The same dot with other content (another hash) takes its own verdict, not the
        // one judged for the op the push carried.
        let forged = try Self.op(1, phone: "bad")
        #expect(forged.dot == fine.dot && forged.hash != fine.hash)
        #expect(problems.problem(of: forged, otherwise: rule) == "phone: bad")
        // An op the push did not carry (a held op judged again after a restore).
        let other = try Self.op(3, phone: "13900000000")
        #expect(problems.problem(of: other, otherwise: { _ in "judged now" }) == "judged now")
    }
}
