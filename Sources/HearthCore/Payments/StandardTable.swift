/// Every program standard a replica holds, and what an enrollment pays once they apply.
///
/// The decision is a pure function of the enrollment's own amount schedule, the member's
/// grade and birth date, and the standards: every replica computes the same amounts, and
/// nothing is written to the enrollments when the county raises a standard.
public struct StandardTable: Sendable {
    /// Standards by program, each sorted by band then month.
    private let byProgram: [Program: [ProgramStandard]]
    /// Each program's bands, sorted, and the months at which any of its standards starts,
    /// ascending: a roll asks these for every enrollment and month, so they are kept ready.
    private let bands: [Program: [Band]]
    private let months: [Program: [Month]]

    /// One band of a program, its text read once, with its standards by month.
    ///
    /// Why: a year's report asks for the standard of every enrollment in every month, about a
    /// million times on a large district, and reading the band's text ("80-89") and scanning
    /// the program's standards for its name at each ask was a twelfth of the report's time.
    private struct Band: Sendable {
        let name: String
        /// The grades or ages of a grade or age band; nil for any other band.
        let range: ClosedRange<Int>?
        /// The band's standards, ascending by month.
        let standards: [ProgramStandard]

        /// ``StandardBand/includes(_:program:grade:birth:in:)``, the band's text already read;
        /// `age` is the member's age at the month's end, worked out by the first band that needs it.
        func includes(program: Program, grade: Int?, birth: CivilDate?, in month: Month, age: inout Int?) -> Bool {
            guard !name.isEmpty else { return true }
            switch program {
            case .disabilityLiving:
                guard let grade, let range else { return false }
                return range.contains(grade)
            case .elderly:
                guard let birth, let range else { return false }
                let years = age ?? birth.age(on: month.lastDay)
                age = years
                return range.contains(years)
            default:
                return true
            }
        }

        /// The standard in force in a month (nil before the first).
        func inForce(in month: Month) -> Money? {
            standards.last { $0.from <= month }?.amount
        }
    }

    public init(_ standards: [ProgramStandard]) {
        var grouped: [Program: [ProgramStandard]] = [:]
        for standard in standards { grouped[standard.program, default: []].append(standard) }
        let sorted = grouped.mapValues { list in
            list.sorted { ($0.band, $0.from) < ($1.band, $1.from) }
        }
        byProgram = sorted
        bands = sorted.mapValues { list in
            Set(list.map(\.band)).sorted().map { name in
                Band(
                    name: name, range: StandardBand.range(name),
                    standards: list.filter { $0.band == name })
            }
        }
        months = grouped.mapValues { Set($0.map(\.from)).sorted() }
    }

    public var isEmpty: Bool { byProgram.isEmpty }

    /// All standards, by program order, band and month.
    public var all: [ProgramStandard] {
        Program.allCases.flatMap { byProgram[$0] ?? [] }
    }

    /// The standard of a program and band in force in a month (nil before the first one).
    public func inForce(_ program: Program, band: String, in month: Month) -> Money? {
        bands[program]?.first { $0.name == band }?.inForce(in: month)
    }

    /// The standard a new enrollment of a member would get in a month: the one band (or the
    /// program's single standard) the member falls in. Nil when none is in force, or when the
    /// records cannot tell the band (placement bands of orphans: scattered or institutional).
    public func standard(for program: Program, grade: Int?, birth: CivilDate?, in month: Month) -> Money? {
        var found: Money?
        var age: Int?
        for band in bands[program] ?? []
        where band.includes(program: program, grade: grade, birth: birth, in: month, age: &age) {
            guard let amount = band.inForce(in: month) else { continue }
            if let found, found != amount { return nil }
            found = amount
        }
        return found
    }

    /// What an enrollment's schedule pays in a month once the county's standards apply, or nil
    /// when it names no amount for the month (before its first entry, or a standard that is
    /// not in force or not single for the member).
    ///
    /// - An entry that follows the standard (``ScheduledAmount/standard(less:)``) pays the
    ///   standard in force that month for the member's band, less its deduction; a top-up
    ///   (补差) keeps the standard of its own month when the county's rule is that raises
    ///   leave top-ups alone.
    /// - A fixed entry follows each raise at whose month the enrollment pays the standard in
    ///   force the month before, as long as the member is in the raised band: however the
    ///   enrollment was created, paying the old standard means it follows the new one. This
    ///   holds at the enrollment's first month too (a raise set later for the month it
    ///   started). A fixed sum set from a later month wins from that month.
    public func amount(
        _ schedule: AmountSchedule, for month: Month, program: Program, grade: Int?, birth: CivilDate?,
        rules: CountyRules = .standard
    ) -> Money? {
        guard let (from, value) = schedule.entry(for: month) else { return nil }
        switch value {
        case .standard(let less):
            let at = less.fen > 0 && rules.topUpRaise == .stays ? from : month
            guard let standard = self.standard(for: program, grade: grade, birth: birth, in: at) else { return nil }
            return standard.fen > less.fen ? Money(fen: standard.fen - less.fen) : .zero
        case .fixed(var current):
            let isFirst = schedule.entries.first?.from == from
            guard let programBands = bands[program] else { return current }
            for raise in months[program] ?? [] {
                if raise > month { break }
                guard raise > from || (isFirst && raise == from) else { continue }
                let before = raise.adding(months: -1)
                var age: Int?
                // Bands are sorted, so the first band that matches wins, as before.
                raised: for band in programBands {
                    for change in band.standards where change.from == raise {
                        guard change.amount != current,
                            band.includes(program: program, grade: grade, birth: birth, in: before, age: &age),
                            band.inForce(in: before) == current
                        else { continue }
                        current = change.amount
                        break raised
                    }
                }
            }
            return current
        }
    }

    /// The enrollment's schedule as it pays, in fixed sums: ``amount(_:for:program:grade:birth:rules:)``
    /// at every month where it may change (its own entries, the program's standards, the
    /// months an elderly member enters an age band). Months with no amount are left out.
    public func effective(
        _ schedule: AmountSchedule, program: Program, grade: Int?, birth: CivilDate?, rules: CountyRules = .standard
    ) -> AmountSchedule {
        guard let first = schedule.entries.first?.from else { return schedule }
        let standards = byProgram[program] ?? []
        var months = Set(schedule.entries.map(\.from))
        for standard in standards where standard.from > first { months.insert(standard.from) }
        if program == .elderly, let birth {
            for standard in standards {
                if let low = standard.band.split(separator: "-").first.flatMap({ Int($0) }),
                    let turning = Month(year: birth.year + low, month: birth.monthNumber), turning > first
                {
                    months.insert(turning)
                }
            }
        }
        var result = AmountSchedule()
        for month in months.sorted() {
            guard let amount = amount(schedule, for: month, program: program, grade: grade, birth: birth, rules: rules),
                result.amount(for: month) != amount
            else { continue }
            result = result.setting(amount, from: month)
        }
        return result
    }
}
