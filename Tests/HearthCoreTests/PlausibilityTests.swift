import HearthCore
import Testing

@Suite("Plausibility (R6): ceilings and prerequisites per program")
struct PlausibilityTests {
    private func month(_ text: String) -> Month { try! Month.parse(text, field: "m") }
    private func date(_ text: String) -> CivilDate { try! CivilDate.parse(text, field: "d") }
    private func yuan(_ value: Int64) -> Money { Money(fen: value * 100) }

    /// Rural dibao 560, urban 700; disability living 90 (grades 1-2) and 60 (3-4); orphans
    /// 1,200 scattered and 1,800 institutional; elderly 100 (80-89).
    private let county = CountyConfiguration(
        standards: StandardTable(
            [
                (Program.dibaoRural, "", 56_000), (.dibaoUrban, "", 70_000), (.disabilityLiving, "1-2", 9_000),
                (.disabilityLiving, "3-4", 6_000), (.orphan, "scattered", 120_000), (.orphan, "institutional", 180_000),
                (.elderly, "80-89", 10_000),
            ].map { program, band, fen in
                ProgramStandard(
                    program: program, band: band, from: Month(year: 2026, month: 1)!, amount: Money(fen: fen))
            }))

    private let rural = MemberFacts(householdType: "rural", birth: nil, grade: nil)
    private let urban = MemberFacts(householdType: "urban", birth: nil, grade: nil)

    private func problems(
        _ program: Program, _ amount: Money?, in text: String = "2026-03", facts: MemberFacts,
        configuration: CountyConfiguration? = nil
    ) -> [PlausibilityProblem] {
        Plausibility.problems(
            program: program, amount: amount, in: month(text), facts: facts, configuration: configuration ?? county)
    }

    @Test("56,000 yuan a month of rural dibao is above the ceiling, which names the standard; the standard is not")
    func dibaoCeiling() {
        let found = problems(.dibaoRural, yuan(56_000), facts: rural)
        #expect(found.map(\.kind) == [.ceiling])
        #expect(found.first?.field == "amount")
        #expect(found.first?.message.contains("56000.00") == true)
        #expect(found.first?.message.contains("100% of the dibao_rural standard 560.00") == true)
        #expect(problems(.dibaoRural, yuan(560), facts: rural).isEmpty)
        #expect(problems(.dibaoRural, Money(fen: 56_001), facts: rural).map(\.kind) == [.ceiling])
        // Before the standard is in force: the county's absolute ceiling, 3,000 yuan by default.
        #expect(problems(.dibaoRural, yuan(3_000), in: "2025-12", facts: rural).isEmpty)
        let early = problems(.dibaoRural, yuan(3_001), in: "2025-12", facts: rural)
        #expect(early.map(\.kind) == [.ceiling])
        #expect(early.first?.message.contains("no dibao_rural standard is in force in 2025-12") == true)
    }

    @Test("a schedule is judged as it pays: std and a top-up never exceed the standard; a fixed sum is judged as given")
    func schedules() {
        let start = month("2026-01")
        for text in ["2026-01:std", "2026-01:std-32600", "2026-01:56000"] {
            #expect(
                Plausibility.problems(
                    program: .dibaoRural, schedule: AmountSchedule(text: text)!, months: [start], facts: rural,
                    configuration: county
                ).isEmpty, "\(text)")
        }
        let slip = AmountSchedule(text: "2026-01:56000;2026-07:5600000")!
        let found = Plausibility.problems(
            program: .dibaoRural, schedule: slip, months: slip.entries.map(\.from), facts: rural, configuration: county)
        #expect(found.map(\.month) == [month("2026-07")])
        // Only what an amount change adds or alters is judged again.
        let before = AmountSchedule(text: "2026-01:56000")!
        #expect(Plausibility.changedMonths(from: before, to: slip) == [month("2026-07")])
        #expect(Plausibility.changedMonths(from: slip, to: before).isEmpty)
        #expect(Plausibility.changedMonths(from: nil, to: slip) == [month("2026-01"), month("2026-07")])
    }

    @Test("ceilings are county settings, in percent of the standard; unreadable values keep the default")
    func settings() throws {
        let generous = CountyConfiguration(
            standards: county.standards, ceilings: AmountCeilings(settings: ["ceiling_dibao_rural": "150"]))
        #expect(problems(.dibaoRural, yuan(840), facts: rural, configuration: generous).isEmpty)
        let above = problems(.dibaoRural, Money(fen: 84_001), facts: rural, configuration: generous)
        #expect(above.map(\.kind) == [.ceiling])
        let odd = AmountCeilings(settings: [
            "ceiling_dibao_rural": "lots", "ceiling_elderly": "0", "ceiling_from_the_future": "5",
            "ceiling_without_standard": "800",
        ])
        #expect(odd.percent(for: .dibaoRural) == 100)
        #expect(odd.percent(for: .elderly) == 100)
        #expect(odd.percent(for: .temporary) == 600)
        #expect(odd.withoutStandard == yuan(800))
        // The setting names and values as `hearth hub setting set` takes them.
        #expect(try CountySetting.parse("ceiling-dibao-rural") == .ceilingDibaoRural)
        #expect(try CountySetting.ceilingDibaoRural.parse(" 150% ") == "150")
        #expect(throws: InputError.self) { try CountySetting.ceilingDibaoRural.parse("0") }
        #expect(throws: InputError.self) { try CountySetting.ceilingWithoutStandard.parse("3000.5") }
        #expect(try CountySetting.ceilingWithoutStandard.parse("3000元") == "3000")
        for program in Program.allCases {
            #expect(CountySetting.ceiling(for: program).ceilingProgram == program)
            #expect(CountySetting.allCases.contains(CountySetting.ceiling(for: program)))
        }
        #expect(CountySetting.ceilingTemporary.defaultValue == "600")
        #expect(CountySetting.ceilingWithoutStandard.defaultValue == "3000")
        #expect(CountySetting.deathMonth.defaultValue == "paid")
    }

    @Test("temporary assistance: up to six times the household's own dibao standard")
    func temporary() {
        #expect(problems(.temporary, yuan(3_360), facts: rural).isEmpty)
        #expect(problems(.temporary, Money(fen: 336_001), facts: rural).map(\.kind) == [.ceiling])
        #expect(problems(.temporary, yuan(4_200), facts: urban).isEmpty)
        #expect(problems(.temporary, Money(fen: 420_001), facts: urban).map(\.kind) == [.ceiling])
        // The household's type unknown: the higher dibao standard.
        let unknown = MemberFacts(householdType: nil, birth: nil, grade: nil)
        #expect(problems(.temporary, yuan(4_200), facts: unknown).isEmpty)
    }

    @Test("urban dibao needs an urban household, rural dibao a rural one")
    func householdType() {
        let found = problems(.dibaoUrban, yuan(560), facts: rural)
        #expect(found.map(\.kind) == [.householdType])
        #expect(found.first?.field == "program")
        #expect(found.first?.message.contains("for urban households; this household is rural") == true)
        #expect(problems(.dibaoRural, yuan(560), facts: urban).map(\.kind) == [.householdType])
        #expect(
            problems(.dibaoRural, yuan(560), facts: MemberFacts(householdType: nil, birth: nil, grade: nil)).map(\.kind)
                == [.householdType])
        #expect(problems(.dibaoUrban, yuan(700), facts: urban).isEmpty)
    }

    @Test("child benefits end at 18, the old-age allowance starts at 80, and both need a birth date")
    func ages() {
        let seventeen = MemberFacts(householdType: "rural", birth: date("2008-04-01"), grade: nil)
        #expect(problems(.orphan, yuan(1_200), in: "2026-03", facts: seventeen).isEmpty)
        let eighteen = problems(.orphan, yuan(1_200), in: "2026-04", facts: seventeen)
        #expect(eighteen.map(\.kind) == [.age])
        #expect(eighteen.first?.message.contains("the member is 18 in 2026-04") == true)
        #expect(problems(.unsupportedChild, yuan(1_200), in: "2026-05", facts: seventeen).map(\.kind) == [.age])
        // An orphan's placement is not in the records: the highest band's standard is the ceiling.
        #expect(problems(.orphan, yuan(1_800), facts: seventeen).isEmpty)
        #expect(problems(.orphan, Money(fen: 180_001), facts: seventeen).map(\.kind) == [.ceiling])
        let seventyNine = MemberFacts(householdType: "rural", birth: date("1946-05-10"), grade: nil)
        #expect(problems(.elderly, yuan(100), in: "2026-04", facts: seventyNine).map(\.kind) == [.age])
        #expect(problems(.elderly, yuan(100), in: "2026-05", facts: seventyNine).isEmpty)
        let unborn = MemberFacts(householdType: "rural", birth: nil, grade: nil)
        #expect(problems(.elderly, yuan(100), facts: unborn).map(\.kind) == [.age])
        #expect(problems(.orphan, yuan(100), facts: unborn).map(\.kind) == [.age])
    }

    @Test("disability programs need a grade; the care subsidy grades 1-2; the ceiling follows the grade's band")
    func grades() {
        let none = MemberFacts(householdType: "rural", birth: nil, grade: nil)
        #expect(problems(.disabilityLiving, yuan(60), facts: none).map(\.kind) == [.grade])
        #expect(problems(.disabilityCare, yuan(60), facts: none).map(\.kind) == [.grade])
        let three = MemberFacts(householdType: "rural", birth: nil, grade: 3)
        #expect(problems(.disabilityLiving, yuan(60), facts: three).isEmpty)
        #expect(problems(.disabilityLiving, yuan(90), facts: three).map(\.kind) == [.ceiling])
        let care = problems(.disabilityCare, yuan(60), facts: three)
        #expect(care.map(\.kind) == [.grade])
        #expect(care.first?.message.contains("grades 1-2") == true)
        let two = MemberFacts(householdType: "rural", birth: nil, grade: 2)
        #expect(problems(.disabilityCare, yuan(60), facts: two).isEmpty)
        #expect(problems(.disabilityLiving, yuan(90), facts: two).isEmpty)
    }

    @Test("an override reason travels in the op's cause and is read back; one without text is none")
    func overrideCause() {
        let cause = Plausibility.cause("amount change: 大病", override: "县局特批")
        #expect(cause == "amount change: 大病; plausibility override: 县局特批")
        #expect(Plausibility.overrideReason(in: cause) == "县局特批")
        #expect(Plausibility.overrideReason(in: Plausibility.cause(nil, override: "特批")) == "特批")
        #expect(Plausibility.overrideReason(in: "plausibility override:  ") == nil)
        #expect(Plausibility.overrideReason(in: "amount change: 提标") == nil)
        #expect(Plausibility.overrideReason(in: nil) == nil)
    }
}
