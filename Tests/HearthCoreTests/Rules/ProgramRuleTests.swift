import HearthCore
import Testing

@Suite("R6 programme exclusivity and prerequisites, read from the county's ProgramRules")
struct ProgramRuleTests {
    @Test("live dibao and tekun for one person are one case holding both; an exited one closes it")
    func exclusive() throws {
        var book = RecordBook()
        let home = book.household(in: Place.village2)
        let member = book.member(of: home)
        let dibao = book.enrollment(of: member, .dibaoRural)
        let tekun = book.enrollment(of: member, .tekunDispersed, status: "applied")
        let elderly = book.enrollment(of: member, .elderly)
        var lookup = book.lookup()
        let found = try ProgramRule.exclusivityVerdict(member: member, lookup: &lookup).deskCase
        #expect(found?.id == "R6:\(member)")
        #expect(found?.kind == "exclusive-programs")
        #expect(found?.records == [member] + [dibao, tekun].sorted())
        #expect(found?.holds == [dibao, tekun].sorted())
        #expect(found?.village == Place.village2)
        #expect(found?.detail == "dibao and tekun for the same person exclude each other: exit one")
        #expect(found?.holds.contains(elderly) == false)
        book.write(tekun, ["status": .text("exited")])
        lookup = book.lookup()
        #expect(try ProgramRule.exclusivityVerdict(member: member, lookup: &lookup) == .admit)
    }

    @Test("exclusions are configuration: a county may add one, and the rule reads it")
    func configuredExclusion() throws {
        var book = RecordBook()
        let home = book.household()
        let member = book.member(of: home, grade: 1)
        let living = book.enrollment(of: member, .disabilityLiving)
        let care = book.enrollment(of: member, .disabilityCare)
        var standard = book.lookup()
        #expect(try ProgramRule.exclusivityVerdict(member: member, lookup: &standard) == .admit)
        var programs = ProgramRules.standard
        programs.exclusions.append(
            ProgramRules.Exclusion(
                first: [.disabilityLiving], second: [.disabilityCare], detail: "one disability subsidy a person"))
        var configured = book.lookup(
            configuration: CountyConfiguration(standards: StandardTable([]), programs: programs))
        let found = try ProgramRule.exclusivityVerdict(member: member, lookup: &configured).deskCase
        #expect(found?.holds == [living, care].sorted())
        #expect(found?.detail == "one disability subsidy a person")
        #expect(programs.exclusivePrograms.contains(.disabilityCare))
    }

    @Test("a disability subsidy needs a grade and the old-age allowance 80 by the start month")
    func prerequisites() throws {
        var book = RecordBook()
        let home = book.household()
        let ungraded = book.member(of: home, born: "1950-03-01")
        let graded = book.member(of: home, born: "1950-03-01", grade: 3)
        let young = book.member(of: home, born: "1946-05-31")
        let unborn = book.member(of: home)
        let needsGrade = book.enrollment(of: ungraded, .disabilityLiving)
        let hasGrade = book.enrollment(of: graded, .disabilityCare)
        let tooYoung = book.enrollment(of: young, .elderly, start: "2026-04")
        let justEighty = book.enrollment(of: young, .elderly, start: "2026-05")
        let noBirth = book.enrollment(of: unborn, .elderly)
        let exited = book.enrollment(of: ungraded, .disabilityCare, status: "exited")
        var lookup = book.lookup()
        func verdict(_ id: RecordID) throws -> RuleVerdict {
            try ProgramRule.prerequisiteVerdict(enrollment: book[id], lookup: &lookup)
        }
        let grade = try verdict(needsGrade).deskCase
        #expect(grade?.id == "R6:\(needsGrade)")
        #expect(grade?.kind == "prerequisite")
        #expect(grade?.records == [needsGrade, ungraded])
        #expect(grade?.holds == [needsGrade])
        #expect(grade?.detail == "disability_living needs a disability grade on \(ungraded)")
        // The desk asks for a grade; which grades a program takes is the writer's and the hub's check.
        #expect(try verdict(hasGrade) == .admit)
        #expect(
            try verdict(tooYoung).deskCase?.detail
                == "the old-age allowance needs age 80 by the start month; \(young) is 79")
        #expect(try verdict(justEighty) == .admit)
        #expect(try verdict(noBirth).deskCase?.detail == "the old-age allowance needs a birth date on \(unborn)")
        #expect(try verdict(exited) == .admit)
    }

    @Test("a child benefit past 18 is a scheduled end, not a desk case; the writer's check still refuses it")
    func childAge() throws {
        var book = RecordBook()
        let home = book.household()
        let adult = book.member(of: home, born: "2000-01-01")
        let orphan = book.enrollment(of: adult, .orphan)
        var lookup = book.lookup()
        #expect(try ProgramRule.prerequisiteVerdict(enrollment: book[orphan], lookup: &lookup) == .admit)
        #expect(!ProgramRules.standard.prerequisitePrograms.contains(.orphan))
        let problems = Plausibility.problems(
            program: .orphan, amount: nil, in: month("2026-01"),
            facts: MemberFacts(householdType: "rural", birth: date("2000-01-01"), grade: nil),
            configuration: .testCounty)
        #expect(problems.map(\.message) == ["orphan (孤儿) is for children under 18; the member is 26 in 2026-01"])
    }

    @Test("age limits and grades are configuration the plausibility checks read")
    func configuredLimits() {
        var programs = ProgramRules.standard
        programs.ages[.elderly] = ProgramRules.AgeLimit(minimum: 70)
        programs.grades[.disabilityCare] = 1...3
        let county = CountyConfiguration(standards: StandardTable([]), programs: programs)
        let seventyFive = MemberFacts(householdType: "rural", birth: date("1951-01-01"), grade: 3)
        #expect(
            Plausibility.problems(
                program: .elderly, amount: nil, in: month("2026-01"), facts: seventyFive, configuration: .testCounty
            ).map(\.message) == ["elderly (高龄津贴) needs age 80; the member is 75 in 2026-01"])
        #expect(
            Plausibility.problems(
                program: .elderly, amount: nil, in: month("2026-01"), facts: seventyFive, configuration: county
            ).isEmpty)
        #expect(
            Plausibility.problems(
                program: .disabilityCare, amount: nil, in: month("2026-01"), facts: seventyFive, configuration: county
            ).isEmpty)
        let ungraded = MemberFacts(householdType: "rural", birth: nil, grade: nil)
        #expect(
            Plausibility.problems(
                program: .disabilityCare, amount: nil, in: month("2026-01"), facts: ungraded, configuration: county
            ).map(\.message) == ["disability_care (重度残疾人护理补贴) needs a disability grade 1 to 3 on the member"])
    }

    @Test("an implausible enrollment is refused at the hub unless its cause carries an override, which is audited")
    func plausibilityAtTheHub() throws {
        var book = RecordBook()
        let home = book.household()
        let member = book.member(of: home)
        let fields: [String: FieldValue] = [
            "village": .text(Place.village1), "member": .text(member.value), "household": .text(home.value),
            "program": .text("dibao_rural"), "status": .text("applied"), "amount": .text("2026-01:5600000"),
            "start_month": .text("2026-01"),
        ]
        var lookup = book.lookup()
        let slip = book.op(.enrollment, village: Place.village1, fields: fields)
        let refusal = try ProgramRule.admissionVerdict(of: slip, lookup: &lookup).refusal
        #expect(refusal?.ruleID == .r6)
        #expect(refusal?.message.hasPrefix("R6: \(slip.record) is implausible: 56000.00 yuan a month") == true)
        #expect(ProgramRule.overrideVerdict(of: slip) == .admit)
        let meant = book.op(
            .enrollment, village: Place.village1, fields: fields,
            cause: Plausibility.cause(nil, override: "county decision 2026-3"))
        #expect(try ProgramRule.admissionVerdict(of: meant, lookup: &lookup) == .admit)
        let audit = ProgramRule.overrideVerdict(of: meant).decisions
        #expect(audit.count == 1)
        #expect(audit.first?.field == "amount")
        #expect(audit.first?.choice == "override")
        #expect(audit.first?.note == "plausibility override: county decision 2026-3")
        #expect(audit.first?.trigger == meant.dot.description)
        #expect(audit.first?.worker == meant.author)
        var plausible = fields
        plausible["amount"] = .text("2026-01:56000")
        let fine = book.op(.enrollment, village: Place.village1, fields: plausible)
        #expect(try ProgramRule.admissionVerdict(of: fine, lookup: &lookup) == .admit)
    }
}
