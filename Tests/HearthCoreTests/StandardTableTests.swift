import HearthCore
import Testing

@Suite("Standard table: which enrollments follow a raise")
struct StandardTableTests {
    private func month(_ text: String) -> Month { try! Month.parse(text, field: "m") }
    private func schedule(_ text: String) -> AmountSchedule { AmountSchedule(text: text)! }

    @Test("an amount equal to the old standard follows each raise; another amount does not")
    func followsRaises() {
        let table = StandardTable([
            ProgramStandard(program: .dibaoRural, band: "", from: month("2025-01"), amount: Money(fen: 53_000)),
            ProgramStandard(program: .dibaoRural, band: "", from: month("2026-01"), amount: Money(fen: 56_000)),
            ProgramStandard(program: .dibaoRural, band: "", from: month("2027-01"), amount: Money(fen: 60_000)),
        ])
        #expect(
            table.effective(schedule("2025-03:53000"), program: .dibaoRural, grade: nil, birth: nil).description
                == "2025-03:53000;2026-01:56000;2027-01:60000")
        #expect(
            table.effective(schedule("2025-03:40000"), program: .dibaoRural, grade: nil, birth: nil).description
                == "2025-03:40000")
        // Started after a raise at the new standard: follows the next one only.
        #expect(
            table.effective(schedule("2026-05:56000"), program: .dibaoRural, grade: nil, birth: nil).description
                == "2026-05:56000;2027-01:60000")
        // Its own change from mid-2026 sets it apart; the 2027 raise no longer applies.
        #expect(
            table.effective(schedule("2025-03:53000;2026-07:50000"), program: .dibaoRural, grade: nil, birth: nil)
                .description == "2025-03:53000;2026-01:56000;2026-07:50000")
        // Another program's standards change nothing.
        #expect(
            table.effective(schedule("2025-03:53000"), program: .dibaoUrban, grade: nil, birth: nil).description
                == "2025-03:53000")
    }

    @Test("bands: disability by grade, old age by age in the month before the raise")
    func bands() throws {
        let table = StandardTable([
            ProgramStandard(program: .disabilityLiving, band: "1-2", from: month("2025-01"), amount: Money(fen: 8_000)),
            ProgramStandard(program: .disabilityLiving, band: "3-4", from: month("2025-01"), amount: Money(fen: 4_000)),
            ProgramStandard(program: .disabilityLiving, band: "1-2", from: month("2026-01"), amount: Money(fen: 9_000)),
            ProgramStandard(program: .disabilityLiving, band: "3-4", from: month("2026-01"), amount: Money(fen: 5_000)),
            ProgramStandard(program: .elderly, band: "80-89", from: month("2025-01"), amount: Money(fen: 5_000)),
            ProgramStandard(program: .elderly, band: "90-99", from: month("2025-01"), amount: Money(fen: 10_000)),
            ProgramStandard(program: .elderly, band: "80-89", from: month("2026-01"), amount: Money(fen: 6_000)),
        ])
        #expect(
            table.effective(schedule("2025-01:8000"), program: .disabilityLiving, grade: 2, birth: nil).description
                == "2025-01:8000;2026-01:9000")
        #expect(
            table.effective(schedule("2025-01:4000"), program: .disabilityLiving, grade: 4, birth: nil).description
                == "2025-01:4000;2026-01:5000")
        // A grade 4 member paid the grade 1-2 amount (a mistake the desk must look at) does not follow either band.
        #expect(
            table.effective(schedule("2025-01:8000"), program: .disabilityLiving, grade: 4, birth: nil).description
                == "2025-01:8000")
        let eightyFive = try CivilDate.parse("1940-06-01", field: "b")
        let ninetyOne = try CivilDate.parse("1934-06-01", field: "b")
        #expect(
            table.effective(schedule("2025-01:5000"), program: .elderly, grade: nil, birth: eightyFive).description
                == "2025-01:5000;2026-01:6000")
        #expect(
            table.effective(schedule("2025-01:10000"), program: .elderly, grade: nil, birth: ninetyOne).description
                == "2025-01:10000")
        #expect(table.inForce(.elderly, band: "90-99", in: month("2026-06")) == Money(fen: 10_000))
        #expect(table.inForce(.elderly, band: "90-99", in: month("2024-12")) == nil)
    }

    @Test("bands are checked per program, with reasons")
    func bandParsing() throws {
        #expect(try StandardBand.parse(" 1-2 ", program: .disabilityLiving) == "1-2")
        #expect(try StandardBand.parse("Scattered", program: .orphan) == "scattered")
        #expect(try StandardBand.parse("90-99", program: .elderly) == "90-99")
        #expect(try StandardBand.parse(nil, program: .dibaoRural) == "")
        #expect(throws: InputError.self) { try StandardBand.parse("1-2", program: .dibaoRural) }
        #expect(throws: InputError.self) { try StandardBand.parse("70-79", program: .elderly) }
        #expect(throws: InputError.self) { try StandardBand.parse("2-3", program: .disabilityLiving) }
    }
}
