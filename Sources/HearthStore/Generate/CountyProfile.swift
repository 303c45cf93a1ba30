import HearthCore

/// The size and mix of a synthetic county, from the real figures in DOMAIN.md.
public struct CountyProfile: Sendable {
    public let name: String
    public let townships: Int
    public let villages: Int
    public let households: Int
    public let people: Int
    /// Persons enrolled and paid in each program in the named month.
    public let programs: [Program: Int]

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
            ]),
    ]

    /// The same townships, villages and mix at a fraction of the people (tests and quick demos).
    public func scaled(_ factor: Double) -> CountyProfile {
        func scale(_ value: Int) -> Int { max(1, Int((Double(value) * factor).rounded())) }
        return CountyProfile(
            name: name, townships: townships, villages: villages, households: scale(households), people: scale(people),
            programs: programs.mapValues(scale))
    }

    /// The standards the generated county records (program, band, yuan per month), in force
    /// from before any generated enrollment starts, so a raise (`hub standard set`) applies.
    public static let standards: [(program: Program, band: String, yuan: Int64)] = [
        (.dibaoUrban, "", 650), (.dibaoRural, "", 560), (.tekunDispersed, "", 838), (.tekunCentralized, "", 440),
        (.orphan, "scattered", 1_300), (.unsupportedChild, "scattered", 1_300), (.disabilityLiving, "1-2", 80),
        (.disabilityLiving, "3-4", 40), (.disabilityCare, "", 75), (.elderly, "80-89", 100), (.elderly, "90-150", 200),
    ]

    /// The standard monthly amount, in yuan, the generator pays in each program.
    public static func standard(_ program: Program, grade: Int? = nil, age: Int? = nil) -> Int64 {
        switch program {
        case .dibaoUrban: return 650
        case .dibaoRural: return 560
        case .tekunDispersed: return 838
        case .tekunCentralized: return 440
        case .temporary: return 500
        case .orphan, .unsupportedChild: return 1_300
        case .disabilityLiving: return (grade ?? 3) <= 2 ? 80 : 40
        case .disabilityCare: return 75
        case .elderly: return (age ?? 80) >= 90 ? 200 : 100
        }
    }
}
