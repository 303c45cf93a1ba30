import HearthCore
import Testing

@Suite("R3, R4, R4a-c, R9: concurrent values of one field, by the field's policy")
struct FieldConflictRuleTests {
    @Test("concurrent edits of different fields merge; of a descriptive field, the latest is kept for review")
    func descriptive() {
        var book = RecordBook()
        let home = book.household()
        let seen = book[home].clock
        book.write(home, ["phone": .text("13800000001")])
        book.write(home, ["address": .text("二组")], by: Writer.township, seen: seen)
        #expect(FieldConflictRule.outcome(of: book[home], field: "phone") == .merged)
        #expect(FieldConflictRule.outcome(of: book[home], field: "address") == .merged)
        let again = book[home].clock
        book.write(home, ["phone": .text("13800000002")])
        book.write(home, ["phone": .text("13800000003")], by: Writer.township, seen: again)
        #expect(FieldConflictRule.outcome(of: book[home], field: "phone") == .settled(.r4a))
        #expect(FieldConflictRule.verdict(of: book[home], field: "phone") == .admit)
    }

    @Test("identity and money fields written concurrently go to the desk under R4c and R4b")
    func hard() {
        var book = RecordBook()
        let home = book.household()
        let member = book.member(of: home)
        let seen = book[member].clock
        book.write(member, ["name": .text("王五")])
        book.write(member, ["name": .text("王伍")], by: Writer.township, seen: seen)
        #expect(FieldConflictRule.outcome(of: book[member], field: "name") == .open(.r4c))
        let found = FieldConflictRule.verdict(of: book[member], field: "name").deskCase
        #expect(found?.id == "\(member)/name")
        #expect(found?.rule == .r4c)
        #expect(found?.detail == ConflictRules.rule(for: .member, field: "name").reason)
        let incomeSeen = book[home].clock
        book.write(home, ["income": .integer(30_000)])
        book.write(home, ["income": .integer(40_000)], by: Writer.township, seen: incomeSeen)
        #expect(FieldConflictRule.outcome(of: book[home], field: "income") == .open(.r4b))
        // The same value written twice is no conflict.
        let sameSeen = book[home].clock
        book.write(home, ["income": .integer(50_000)])
        book.write(home, ["income": .integer(50_000)], by: Writer.township, seen: sameSeen)
        #expect(FieldConflictRule.outcome(of: book[home], field: "income") == .merged)
    }

    @Test("a status keeps the safer value (R3) and tags unite (R9), both soft")
    func soft() {
        var book = RecordBook()
        let home = book.household(status: "active", ["tags": .set(["a"])])
        let seen = book[home].clock
        book.write(home, ["status": .text("archived"), "tags": .set(["b"])])
        book.write(home, ["status": .text("active"), "tags": .set(["c"])], by: Writer.township, seen: seen)
        #expect(FieldConflictRule.outcome(of: book[home], field: "status") == .settled(.r3))
        #expect(book[home].resolution(of: "status").value == .text("archived"))
        #expect(FieldConflictRule.outcome(of: book[home], field: "tags") == .settled(.r9))
        #expect(FieldConflictRule.rule(for: .member, field: "death_date") == .r1)
        #expect(FieldConflictRule.rule(for: .household, field: "head") == .r8)
    }
}
