import HearthCore
import HearthLedger
import HearthStore

/// The size and mix of a synthetic county, from the real figures in docs/domain.md.
public struct CountyProfile: Sendable {
    public let name: String
    public let townships: Int
    public let villages: Int
    public let households: Int
    public let people: Int
    /// Persons enrolled and paid in each program in the named month.
    public let programs: [Program: Int]
    /// Households paid in each household program (dibao) in the named month: a dibao household
    /// is small (a widow, an old couple), far below the county's mean, so its count is its own
    /// figure, not persons divided by the mean household size.
    public let programHouseholds: [Program: Int]

    /// Persons per dibao household: the large district's rural dibao, 56,790 persons in 29,456
    /// households (1.93). Used for every dibao figure a profile has no household count for.
    public static let dibaoPersonsPerHousehold = 56_790.0 / 29_456.0

    /// What dibao pays on average, in yuan per person per month, once each household's income
    /// is deducted (补差): the city's figures (12.42 million yuan over six months for 7,394 urban
    /// persons: 280; rural: 234). The generator draws incomes that average to these.
    public static let dibaoMeanPaid: [Program: Int64] = [.dibaoUrban: 280, .dibaoRural: 234]

    /// The least a dibao household is paid per person, as a percentage of the standard:
    /// counties pay a minimum however close the income comes to the standard.
    public static let dibaoFloorPercent: Int64 = 10

    /// The household programs: every member of an enrolled household is enrolled.
    public static let householdPrograms: [Program] = [.dibaoUrban, .dibaoRural]

    public init(
        name: String, townships: Int, villages: Int, households: Int, people: Int, programs: [Program: Int],
        programHouseholds: [Program: Int] = [:]
    ) {
        self.name = name
        self.townships = townships
        self.villages = villages
        self.households = households
        self.people = people
        self.programs = programs
        var homes = programHouseholds
        for program in Self.householdPrograms where homes[program] == nil {
            if let persons = programs[program] {
                homes[program] = Int((Double(persons) / Self.dibaoPersonsPerHousehold).rounded())
            }
        }
        self.programHouseholds = homes
    }

    public static let all: [String: CountyProfile] = [
        "small-county": CountyProfile(
            name: "small-county", townships: 5, villages: 84, households: 18_657, people: 63_208,
            programs: [
                .dibaoUrban: 1_088, .dibaoRural: 4_371, .tekunDispersed: 120, .tekunCentralized: 21, .orphan: 27,
                .unsupportedChild: 152, .elderly: 2_284, .disabilityLiving: 1_600, .disabilityCare: 1_442,
            ]),
        "city": CountyProfile(
            name: "city", townships: 16, villages: 187, households: 80_000, people: 250_000,
            programs: [
                .dibaoUrban: 7_394, .dibaoRural: 13_762, .tekunDispersed: 1_300, .tekunCentralized: 193, .orphan: 60,
                .unsupportedChild: 300, .elderly: 6_000, .disabilityLiving: 1_100, .disabilityCare: 802,
            ]),
        "large-district": CountyProfile(
            name: "large-district", townships: 20, villages: 260, households: 120_000, people: 380_000,
            programs: [
                .dibaoRural: 56_790, .dibaoUrban: 4_000, .tekunDispersed: 5_940, .tekunCentralized: 1_099, .orphan: 80,
                .unsupportedChild: 400, .elderly: 9_000, .disabilityLiving: 5_000, .disabilityCare: 3_000,
            ],
            programHouseholds: [.dibaoRural: 29_456]),
    ]

    /// The profile a user named, at `scale` (1: its real size): what `hub generate` and
    /// `bench county` build. Refuses an unknown name or a scale outside (0, 1].
    public static func named(_ name: String, scale: Double) throws(InputError) -> CountyProfile {
        guard let base = all[name] else {
            throw InputError(
                field: "profile", "input.one_of_codes", ["allowed": all.keys.sorted().joined(separator: ", ")])
        }
        guard scale > 0, scale <= 1 else { throw InputError(field: "scale", "input.scale_range") }
        return scale < 1 ? base.scaled(scale) : base
    }

    /// The same townships, villages and mix at a fraction of the people (tests and quick demos).
    public func scaled(_ factor: Double) -> CountyProfile {
        func scale(_ value: Int) -> Int { max(1, Int((Double(value) * factor).rounded())) }
        let persons = programs.mapValues(scale)
        return CountyProfile(
            name: name, townships: townships, villages: villages, households: scale(households), people: scale(people),
            programs: persons,
            programHouseholds: programHouseholds.reduce(into: [:]) {
                $0[$1.key] = min(scale($1.value), persons[$1.key] ?? 1)
            })
    }

    /// Splits `total` over `parts` equal shares by the largest-remainder method: each share gets
    /// `total / parts`, and the remainder goes one each to the shares from `start` on (wrapping),
    /// so the shares add up to `total` exactly and a small program does not round to nothing.
    /// Callers pass a start that moves on from figure to figure, so no share gets every remainder.
    public static func apportion(_ total: Int, over parts: Int, from start: Int) -> [Int] {
        guard parts > 0 else { return [] }
        var shares = Array(repeating: total / parts, count: parts)
        for step in 0..<(total % parts) { shares[(start + step) % parts] += 1 }
        return shares
    }

    /// The standards the generated county records (program, band, yuan per month), in force
    /// from before any generated enrollment starts, so a raise (`hub standard set`) applies.
    /// Centralized tekun support (集中供养) is never below the dispersed standard: an institution
    /// costs more than support at home.
    public static let standards: [(program: Program, band: String, yuan: Int64)] = [
        (.dibaoUrban, "", 650), (.dibaoRural, "", 560), (.tekunDispersed, "", 838), (.tekunCentralized, "", 1_000),
        (.orphan, "scattered", 1_300), (.unsupportedChild, "scattered", 1_300), (.disabilityLiving, "1-2", 80),
        (.disabilityLiving, "3-4", 40), (.disabilityCare, "", 75), (.elderly, "80-89", 100), (.elderly, "90-150", 200),
    ]

    /// The standard monthly amount, in yuan, the generator pays in each program: the entry of
    /// ``standards`` for the person's band (500 for temporary assistance, which has none).
    public static func standard(_ program: Program, grade: Int? = nil, age: Int? = nil) -> Int64 {
        let band: String
        switch program {
        case .orphan, .unsupportedChild: band = "scattered"
        case .disabilityLiving: band = (grade ?? 3) <= 2 ? "1-2" : "3-4"
        case .elderly: band = (age ?? 80) >= 90 ? "90-150" : "80-89"
        default: band = ""
        }
        return standards.first { $0.program == program && $0.band == band }?.yuan ?? 500
    }
}
