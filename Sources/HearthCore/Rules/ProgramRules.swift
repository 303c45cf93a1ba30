/// Who each program is for and which programs exclude each other (docs/rules.md R6), as data the
/// rules read: county policy, never strings inside code or SQL.
///
/// The defaults are the national rules the county applies today: urban dibao for urban
/// households and rural for rural; orphans and unsupported children under 18; the old-age
/// allowance (高龄津贴) from 80; the disability living subsidy with any grade and the care
/// subsidy (重度残疾人护理补贴) for grades 1-2; dibao and tekun (特困) never for one person.
public struct ProgramRules: Hashable, Sendable {
    /// The ages a program is for, in whole years.
    public struct AgeLimit: Hashable, Sendable {
        /// The least age, reached by the last day of the month judged (the old-age allowance
        /// is paid from the month of the 80th birthday).
        public var minimum: Int?
        /// The age from which the program no longer pays, reached by the first day of the
        /// month judged (a child benefit is paid for the months begun under 18).
        public var below: Int?

        public init(minimum: Int? = nil, below: Int? = nil) {
            self.minimum = minimum
            self.below = below
        }
    }

    /// Two groups of programs one person may not hold at once: a live enrollment in each
    /// group goes to the desk, both held.
    public struct Exclusion: Hashable, Sendable {
        public var first: Set<Program>
        public var second: Set<Program>
        /// What the desk reads about the case.
        public var detail: String

        public init(first: Set<Program>, second: Set<Program>, detail: String) {
            self.first = first
            self.second = second
            self.detail = detail
        }

        /// Both groups' programs.
        public var programs: Set<Program> { first.union(second) }
    }

    /// The household type (`urban`, `rural`) a program is for; a program missing here is for any.
    public var householdTypes: [Program: String]
    /// The ages a program is for; a program missing here is for any age.
    public var ages: [Program: AgeLimit]
    /// The disability grades a program is for (1 most severe, 4 least); a program missing here
    /// needs no grade.
    public var grades: [Program: ClosedRange<Int>]
    public var exclusions: [Exclusion]
    /// How the desk names a program in its sentences ("the old-age allowance"); its code otherwise.
    public var deskNames: [Program: String]

    public init(
        householdTypes: [Program: String], ages: [Program: AgeLimit], grades: [Program: ClosedRange<Int>],
        exclusions: [Exclusion], deskNames: [Program: String] = [:]
    ) {
        self.householdTypes = householdTypes
        self.ages = ages
        self.grades = grades
        self.exclusions = exclusions
        self.deskNames = deskNames
    }

    /// Today's rules.
    public static let standard = ProgramRules(
        householdTypes: [.dibaoUrban: "urban", .dibaoRural: "rural"],
        ages: [
            .orphan: AgeLimit(below: 18), .unsupportedChild: AgeLimit(below: 18), .elderly: AgeLimit(minimum: 80),
        ],
        grades: [.disabilityLiving: 1...4, .disabilityCare: 1...2],
        exclusions: [
            Exclusion(
                first: [.dibaoUrban, .dibaoRural], second: [.tekunDispersed, .tekunCentralized],
                detail: "dibao and tekun for the same person exclude each other: exit one")
        ],
        deskNames: [.elderly: "the old-age allowance"])

    /// The programs whose live enrollments the desk checks for their prerequisites: those that
    /// need a grade, or a least age (an age a program stops at is a scheduled end, not a case).
    /// In ``Program`` order, to bind to a query.
    public var prerequisitePrograms: [Program] {
        Program.allCases.filter { grades[$0] != nil || ages[$0]?.minimum != nil }
    }

    /// The programs some exclusion names, in ``Program`` order.
    public var exclusivePrograms: [Program] {
        let named = exclusions.reduce(into: Set<Program>()) { $0.formUnion($1.programs) }
        return Program.allCases.filter(named.contains)
    }

    /// The desk's name of a program.
    public func deskName(_ program: Program) -> String { deskNames[program] ?? program.rawValue }
}
