import HearthCore
import Testing

/// ``StandardTable`` against the way it worked before it read each band's text once
/// (``FormerStandardTable``, kept here as the oracle): the same standard, amount, standard in
/// force and effective schedule for seeded random standards, members and schedules.
@Suite("Standard table: the same answers as its former, text-reading self")
struct StandardTableOracleTests {
    /// The table as it was: each ask read the band's text and scanned the program's standards.
    struct FormerStandardTable {
        let byProgram: [Program: [ProgramStandard]]
        let bands: [Program: [String]]
        let months: [Program: [Month]]

        init(_ standards: [ProgramStandard]) {
            var grouped: [Program: [ProgramStandard]] = [:]
            for standard in standards { grouped[standard.program, default: []].append(standard) }
            byProgram = grouped.mapValues { list in list.sorted { ($0.band, $0.from) < ($1.band, $1.from) } }
            bands = grouped.mapValues { Set($0.map(\.band)).sorted() }
            months = grouped.mapValues { Set($0.map(\.from)).sorted() }
        }

        func inForce(_ program: Program, band: String, in month: Month) -> Money? {
            byProgram[program]?.last { $0.band == band && $0.from <= month }?.amount
        }

        func standard(for program: Program, grade: Int?, birth: CivilDate?, in month: Month) -> Money? {
            var found: Money?
            for band in bands[program] ?? []
            where StandardBand.includes(band, program: program, grade: grade, birth: birth, in: month) {
                guard let amount = inForce(program, band: band, in: month) else { continue }
                if let found, found != amount { return nil }
                found = amount
            }
            return found
        }

        func amount(
            _ schedule: AmountSchedule, for month: Month, program: Program, grade: Int?, birth: CivilDate?,
            rules: CountyRules
        ) -> Money? {
            guard let (from, value) = schedule.entry(for: month) else { return nil }
            switch value {
            case .standard(let less):
                let at = less.fen > 0 && rules.topUpRaise == .stays ? from : month
                guard let standard = self.standard(for: program, grade: grade, birth: birth, in: at) else {
                    return nil
                }
                return standard.fen > less.fen ? Money(fen: standard.fen - less.fen) : .zero
            case .fixed(var current):
                let isFirst = schedule.entries.first?.from == from
                guard let standards = byProgram[program] else { return current }
                for raise in months[program] ?? [] {
                    if raise > month { break }
                    guard raise > from || (isFirst && raise == from) else { continue }
                    let before = raise.adding(months: -1)
                    for change in standards where change.from == raise {
                        guard change.amount != current,
                            StandardBand.includes(
                                change.band, program: program, grade: grade, birth: birth, in: before),
                            inForce(program, band: change.band, in: before) == current
                        else { continue }
                        current = change.amount
                        break
                    }
                }
                return current
            }
        }
    }

    /// The valid bands of each program the table splits, and "" for one standard.
    static let bandChoices: [Program: [String]] = [
        .disabilityLiving: ["", "1-2", "3-4"],
        .elderly: ["", "80-89", "90-99", "100-120", "85-94"],
        .orphan: ["", "scattered", "institutional"],
        .dibaoRural: [""],
        .dibaoUrban: [""],
    ]

    static func month(_ index: Int) -> Month { Month(year: 2023 + index / 12, month: 1 + index % 12)! }

    @Test(
        "the standard, the amount and the standard in force agree for 200 seeded tables",
        arguments: [UInt64(3), 17, 2026])
    func agrees(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        func pick<T>(_ list: [T]) -> T { list[Int(random.next() % UInt64(list.count))] }
        // A handful of amounts, so raises meet schedules that paid the old standard.
        let amounts = [4_000, 5_000, 6_000, 8_000, 9_000, 10_000].map { Money(fen: $0) }
        let programs = Array(Self.bandChoices.keys).sorted { $0.rawValue < $1.rawValue }
        var compared = 0
        for _ in 0..<200 {
            var standards: [ProgramStandard] = []
            var keys: Set<String> = []
            for _ in 0..<Int(random.next() % 12) {
                let program = pick(programs)
                let band = pick(Self.bandChoices[program]!)
                let from = Self.month(Int(random.next() % 48))
                // One standard per program, band and month, as the store keeps them.
                guard keys.insert("\(program.rawValue)/\(band)/\(from)").inserted else { continue }
                standards.append(ProgramStandard(program: program, band: band, from: from, amount: pick(amounts)))
            }
            let table = StandardTable(standards)
            let former = FormerStandardTable(standards)
            for _ in 0..<40 {
                let program = pick(programs)
                let grade: Int? = random.next() % 4 == 0 ? nil : Int(random.next() % 5)
                let birth: CivilDate? =
                    random.next() % 4 == 0
                    ? nil : CivilDate(year: 1900 + Int(random.next() % 60), month: 1 + Int(random.next() % 12), day: 1)
                var schedule = AmountSchedule()
                var at = Int(random.next() % 30)
                for _ in 0...Int(random.next() % 3) {
                    let value: ScheduledAmount =
                        random.next() % 2 == 0
                        ? .fixed(pick(amounts)) : .standard(less: Money(fen: pick([0, 0, 500, 20_000])))
                    schedule = schedule.setting(value, from: Self.month(at))
                    at += 1 + Int(random.next() % 12)
                }
                let rules = CountyRules(topUpRaise: pick(CountyRules.TopUpRaise.allCases))
                for index in stride(from: 0, to: 60, by: 1 + Int(random.next() % 5)) {
                    let month = Self.month(index)
                    #expect(
                        table.standard(for: program, grade: grade, birth: birth, in: month)
                            == former.standard(for: program, grade: grade, birth: birth, in: month))
                    #expect(
                        table.amount(schedule, for: month, program: program, grade: grade, birth: birth, rules: rules)
                            == former.amount(
                                schedule, for: month, program: program, grade: grade, birth: birth, rules: rules))
                    let band = pick(Self.bandChoices[program]! + ["70-79", "nonsense"])
                    #expect(
                        table.inForce(program, band: band, in: month) == former.inForce(program, band: band, in: month))
                    compared += 1
                }
            }
        }
        #expect(compared > 20_000)
    }
}
