import HearthCore
import Testing

@Suite("R2 exit beats increase, R2a exit against re-approval")
struct ExitRuleTests {
    @Test("an amount change concurrent with an exit is superseded by it: a note, nothing written")
    func amountAgainstExit() {
        var book = RecordBook()
        let home = book.household()
        let member = book.member(of: home)
        let enrollment = book.enrollment(of: member, .dibaoRural)
        let seen = book[enrollment].clock
        let exit = book.write(enrollment, ["status": .text("exited"), "exit_reason": .text("moved away")])
        let raise = book.write(enrollment, ["amount": .text("2026-01:60000")], by: Writer.township, seen: seen)
        let history = [exit, raise]
        for op in history {
            let decisions = ExitRule.supersessionVerdict(of: op, history: history, recordExists: true).decisions
            #expect(decisions.count == 1)
            #expect(decisions.first?.rule == .r2)
            #expect(decisions.first?.changes.isEmpty == true)
            #expect(decisions.first?.choice == "superseded")
            #expect(decisions.first?.subject == raise.dot)
            #expect(decisions.first?.trigger == "\(raise.dot),\(exit.dot)")
            #expect(decisions.first?.note == "amount change \(raise.dot) superseded by exited \(exit.dot)")
        }
        #expect(ExitRule.supersessionVerdict(of: raise, history: history, recordExists: false) == .admit)
    }

    @Test("a change made after seeing the exit, and an exit from a death, supersede nothing")
    func notConcurrent() {
        var book = RecordBook()
        let home = book.household()
        let member = book.member(of: home)
        let enrollment = book.enrollment(of: member, .dibaoRural, status: "suspended")
        let seen = book[enrollment].clock
        let stop = book.write(enrollment, ["status": .text("suspended")])
        let after = book.write(enrollment, ["amount": .text("2026-01:50000")])
        #expect(ExitRule.supersessionVerdict(of: after, history: [stop, after], recordExists: true) == .admit)
        let death = book.write(
            enrollment, ["status": .text("exited"), "exit_reason": .text("death")], by: Writer.county, seen: seen)
        let resume = book.write(enrollment, ["status": .text("approved")], by: Writer.township, seen: seen)
        #expect(ExitRule.supersessionVerdict(of: resume, history: [death, resume], recordExists: true) == .admit)
        #expect(ExitRule.supersessionVerdict(of: death, history: [death, resume], recordExists: true) == .admit)
        // The same resume against a suspension that is not a death's is superseded.
        let decisions = ExitRule.supersessionVerdict(of: resume, history: [stop, death, resume], recordExists: true)
        #expect(decisions.decisions.map(\.note) == ["resume \(resume.dot) superseded by suspended \(stop.dot)"])
    }

    @Test("an exit and an approval written concurrently go to the county, payment held (R2a)")
    func exitAgainstApproval() {
        var book = RecordBook()
        let home = book.household()
        let member = book.member(of: home)
        let enrollment = book.enrollment(of: member, .dibaoRural, status: "applied")
        let seen = book[enrollment].clock
        book.write(enrollment, ["status": .text("exited"), "exit_reason": .text("income too high")])
        book.write(
            enrollment, ["status": .text("approved"), "decision": .text("approved")], by: Writer.township, seen: seen)
        let found = ExitRule.approvalVerdict(enrollment: book[enrollment]).deskCase
        #expect(found?.id == "R2a:\(enrollment)")
        #expect(found?.rule == .r2a)
        #expect(found?.holds == [enrollment])
        #expect(found?.village == Place.village1)
    }

    @Test("an exit after the approval, or a death's exit against it, is no R2a case")
    func notExitAgainstApproval() {
        var book = RecordBook()
        let home = book.household()
        let member = book.member(of: home)
        let sequential = book.enrollment(of: member, .dibaoRural, status: "approved")
        book.write(sequential, ["status": .text("exited"), "exit_reason": .text("income too high")])
        #expect(ExitRule.approvalVerdict(enrollment: book[sequential]) == .admit)
        let byDeath = book.enrollment(of: member, .elderly, status: "applied")
        let seen = book[byDeath].clock
        book.write(byDeath, ["status": .text("exited"), "exit_reason": .text("death")])
        book.write(byDeath, ["status": .text("approved")], by: Writer.township, seen: seen)
        #expect(ExitRule.approvalVerdict(enrollment: book[byDeath]) == .admit)
    }
}
