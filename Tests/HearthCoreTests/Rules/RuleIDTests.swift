import HearthCore
import Testing

@Suite("RuleID: every rule of docs/rules.md, typed, with the ids stored in databases")
struct RuleIDTests {
    @Test("the raw ids are the strings decisions, quarantine reasons and desk cases carry, in docs/rules.md's order")
    func rawIDs() {
        #expect(
            RuleID.allCases.map(\.rawValue) == [
                "R1", "R1a", "R1b", "R1c", "R2", "R2a", "R3", "R4", "R4a", "R4b", "R4c", "R5", "R5a", "R6", "R7", "R8",
                "R9", "R10", "R11", "R12", "R13", "R14", "R15",
            ])
        #expect(RuleID(rawValue: "R2a") == .r2a)
        #expect(RuleID(rawValue: "r2a") == nil)
        #expect(RuleID.allCases.sorted() == RuleID.allCases)
        #expect(RuleID.r10 > RuleID.r9)
        #expect(RuleID.allCases.allSatisfy { !$0.title.isEmpty })
    }

    @Test("severities are docs/rules.md's: auto, soft or hard, with R3 and R6 carrying a second one")
    func severities() {
        #expect(RuleID.r1.severity == .auto)
        #expect(RuleID.r1a.severity == .hard)
        #expect(RuleID.r2.severity == .soft)
        #expect(RuleID.r2a.severity == .hard)
        #expect(RuleID.r4a.severity == .soft)
        #expect(RuleID.r4b.severity == .hard)
        #expect(RuleID.r5a.severity == .auto)
        #expect(RuleID.r11.severity == .soft)
        #expect(RuleID.r14.severity == .hard)
        #expect(RuleID.r15.severity == .soft)
        #expect(RuleID.r3.severity == .soft && RuleID.r3.otherSeverity == .hard)
        #expect(RuleID.r6.severity == .hard && RuleID.r6.otherSeverity == .auto)
        #expect(RuleID.allCases.filter { $0.otherSeverity != nil } == [.r3, .r6])
    }

    @Test("precedence: R1 > R14 > R7 > R2a > R2 > R3 > the field policies; other rules are not ordered")
    func precedence() {
        let shuffled: [RuleID] = [.r3, .r4, .r2a, .r14, .r2, .r1, .r7]
        let ordered = shuffled.sorted { $0.precedence! < $1.precedence! }
        #expect(ordered == [.r1, .r14, .r7, .r2a, .r2, .r3, .r4])
        #expect(RuleID.r1.takesPrecedence(over: .r14))
        #expect(!RuleID.r14.takesPrecedence(over: .r1))
        #expect(RuleID.r2a.takesPrecedence(over: .r2))
        #expect(RuleID.r3.takesPrecedence(over: .r4b))
        #expect(RuleID.r1c.takesPrecedence(over: .r7))
        #expect(!RuleID.r5.takesPrecedence(over: .r15))
        #expect(!RuleID.r14.takesPrecedence(over: .r6))
        #expect(RuleID.r4c.family == .r4 && RuleID.r5a.family == .r5 && RuleID.r10.family == .r10)
    }

    @Test("the field policies name their rule typed, and the stored id is the raw value")
    func conflictRulesAreTyped() {
        let rule = ConflictRules.rule(for: .member, field: "name")
        #expect(rule.ruleID == .r4c)
        #expect(rule.id == "R4c")
        #expect(ConflictRules.rule(for: .household, field: "phone").ruleID == .r4a)
        #expect(ConflictRules.rule(for: .enrollment, field: "status").ruleID == .r3)
        #expect(ConflictRules.rule(for: .household, field: "tags").ruleID == .r9)
        #expect(ConflictRules.rule(for: .enrollment, field: "amount").ruleID == .r4b)
        #expect(AdmissionRefusal(.r14, "x").rule == "R14")
        #expect(AdmissionRefusal(rule: "R2a", "x").ruleID == .r2a)
        #expect(AdmissionRefusal(rule: nil, "x").ruleID == nil)
    }
}
