/// Every program standard a replica holds, and what an enrollment pays once they apply.
///
/// The decision is a pure function of the enrollment's own amount schedule, the member's
/// grade and birth date, and the standards: every replica computes the same amounts, and
/// nothing is written to the enrollments when the county raises a standard.
public struct StandardTable: Sendable {
    /// Standards by program, each sorted by band then month.
    private let byProgram: [Program: [ProgramStandard]]

    public init(_ standards: [ProgramStandard]) {
        var grouped: [Program: [ProgramStandard]] = [:]
        for standard in standards { grouped[standard.program, default: []].append(standard) }
        byProgram = grouped.mapValues { list in
            list.sorted { ($0.band, $0.from) < ($1.band, $1.from) }
        }
    }

    public var isEmpty: Bool { byProgram.isEmpty }

    /// All standards, by program order, band and month.
    public var all: [ProgramStandard] {
        Program.allCases.flatMap { byProgram[$0] ?? [] }
    }

    /// The standard of a program and band in force in a month (nil before the first one).
    public func inForce(_ program: Program, band: String, in month: Month) -> Money? {
        byProgram[program]?.last { $0.band == band && $0.from <= month }?.amount
    }

    /// The standard a new enrollment of a member would get in a month: the one band (or the
    /// program's single standard) the member falls in. Nil when none is in force, or when the
    /// records cannot tell the band (placement bands of orphans: scattered or institutional).
    public func standard(for program: Program, grade: Int?, birth: CivilDate?, in month: Month) -> Money? {
        let bands = Set((byProgram[program] ?? []).map(\.band)).filter {
            StandardBand.includes($0, program: program, grade: grade, birth: birth, in: month)
        }
        let amounts = bands.compactMap { inForce(program, band: $0, in: month) }
        guard Set(amounts).count == 1 else { return nil }
        return amounts[0]
    }

    /// The enrollment's schedule with the standards applied: at each month where a standard of
    /// its program changes (and the member is in the standard's band), an enrollment whose
    /// amount the month before equals the standard then in force follows the new standard.
    /// An amount the enrollment's own schedule sets from a month always wins from that month.
    public func effective(
        _ schedule: AmountSchedule, program: Program, grade: Int?, birth: CivilDate?
    ) -> AmountSchedule {
        guard let standards = byProgram[program], !standards.isEmpty, let first = schedule.entries.first else {
            return schedule
        }
        let own = Dictionary(schedule.entries.map { ($0.from, $0.amount) }, uniquingKeysWith: { _, last in last })
        let changes = Dictionary(grouping: standards.filter { $0.from > first.from }, by: \.from)
        let months = Set(own.keys).union(changes.keys).sorted()
        var result = AmountSchedule()
        var current: Money?
        for month in months {
            if let amount = own[month] {
                current = amount
                result = result.setting(amount, from: month)
                continue
            }
            let before = month.adding(months: -1)
            for change in (changes[month] ?? []).sorted(by: { $0.band < $1.band }) {
                guard let amount = current, change.amount != amount,
                    StandardBand.includes(change.band, program: program, grade: grade, birth: birth, in: before),
                    inForce(program, band: change.band, in: before) == amount
                else { continue }
                current = change.amount
                result = result.setting(change.amount, from: month)
                break
            }
        }
        return result
    }
}
