import HearthText

/// The county's ceilings on what one person may be granted a month, per program, from its
/// settings (`hearth hub setting set ceiling_<program> PERCENT`).
///
/// A ceiling is relative to the standard, so a raise (提标) lifts it with no edit: 100% of the
/// standard in force for the member's band for the programs that pay a standard, and 600% of
/// the household's dibao standard for temporary assistance (临时救助, commonly granted as up to
/// six months of the dibao standard at once). Where the county has no standard in force for
/// the program, one absolute ceiling applies (`ceiling_without_standard`, yuan).
public struct AmountCeilings: Hashable, Sendable {
    /// The percents a ceiling setting accepts.
    public static let percentRange = 1...10_000
    /// The yuan `ceiling_without_standard` accepts.
    public static let yuanRange = 1...1_000_000
    /// The absolute ceiling where no standard is in force: 3,000 yuan a month, about twice the
    /// highest urban dibao standard in the country, so only an amount no program pays is caught.
    public static let defaultWithoutStandard = Money(fen: 300_000)

    /// The default ceiling of a program, in percent of its standard (of the dibao standard,
    /// for temporary assistance).
    public static func defaultPercent(_ program: Program) -> Int { program == .temporary ? 600 : 100 }

    /// Percents the county set; a program missing here takes its default.
    public var percents: [Program: Int]
    public var withoutStandard: Money

    public init(percents: [Program: Int] = [:], withoutStandard: Money = AmountCeilings.defaultWithoutStandard) {
        self.percents = percents
        self.withoutStandard = withoutStandard
    }

    /// The defaults: every program at its default percent, 3,000 yuan without a standard.
    public static let standard = AmountCeilings()

    /// The ceiling of a program in percent of its reference standard.
    public func percent(for program: Program) -> Int { percents[program] ?? Self.defaultPercent(program) }

    /// The ceilings from the settings a replica holds (name → value); a value this code cannot
    /// read (from a newer hub) leaves the default, like ``CountyRules/init(settings:)``.
    public init(settings: [String: String]) {
        self.init()
        for program in Program.allCases {
            let setting = CountySetting.ceiling(for: program)
            if let raw = settings[setting.rawValue], let text = try? setting.parse(raw), let percent = Int(text) {
                percents[program] = percent
            }
        }
        if let raw = settings[CountySetting.ceilingWithoutStandard.rawValue],
            let text = try? CountySetting.ceilingWithoutStandard.parse(raw), let yuan = Int64(text)
        {
            withoutStandard = Money(fen: yuan * 100)
        }
    }
}

/// What the county has configured that decides which amounts are plausible: its standards,
/// its payment rules (how a top-up follows a raise), its ceilings and who each program is for.
/// Read by the writer from its replica and by the hub from its own state, never taken from an op.
public struct CountyConfiguration: Sendable {
    public var standards: StandardTable
    public var rules: CountyRules
    public var ceilings: AmountCeilings
    /// Who each program is for and which exclude each other (R6).
    public var programs: ProgramRules

    public init(
        standards: StandardTable, rules: CountyRules = .standard, ceilings: AmountCeilings = .standard,
        programs: ProgramRules = .standard
    ) {
        self.standards = standards
        self.rules = rules
        self.ceilings = ceilings
        self.programs = programs
    }
}

/// What the records say about the person and household an enrollment is for, as far as a
/// program's prerequisites go.
public struct MemberFacts: Hashable, Sendable {
    /// `rural` or `urban`; nil when the household's type is not recorded.
    public var householdType: String?
    public var birth: CivilDate?
    /// Disability grade 1 (most severe) to 4; nil when none is recorded.
    public var grade: Int?

    public init(householdType: String?, birth: CivilDate?, grade: Int?) {
        self.householdType = householdType
        self.birth = birth
        self.grade = grade
    }

    /// The facts from the member's and the household's merged states (their displayed values).
    public init(member: RecordState?, household: RecordState?) {
        householdType = household?.resolution(of: "type").value.textValue
        birth = member?.resolution(of: "birth_date").value.textValue.flatMap {
            try? CivilDate.parse($0, field: "birth")
        }
        grade = member?.resolution(of: "disability_grade").value.integerValue.map { Int($0) }
    }
}

/// One reason an enrollment's program or amount is implausible (docs/rules.md R6), in words for
/// the writer and the desk. Never repeats an ID number.
public struct PlausibilityProblem: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable {
        /// The amount is above the program's ceiling.
        case ceiling
        /// Urban dibao for a rural household, or the reverse.
        case householdType = "household_type"
        /// A child benefit past 18, an old-age allowance under 80.
        case age
        /// A disability program without the grade it needs.
        case grade
    }

    public let kind: Kind
    /// The month judged.
    public let month: Month
    /// The problem in English: what the hub's verdicts and the logs keep.
    public let message: String
    /// The problem in each language Hearth speaks, for the person who typed the value; worded
    /// once per language when found, as its parts (a program's name, a household type) are
    /// words of the language too.
    public let texts: [Language: String]

    public init(kind: Kind, month: Month, message: String) {
        self.kind = kind
        self.month = month
        self.message = message
        self.texts = [.en: message]
    }

    /// A problem worded by `words` in every language.
    init(kind: Kind, month: Month, words: (Language) -> String) {
        self.kind = kind
        self.month = month
        var texts: [Language: String] = [:]
        for language in Language.allCases { texts[language] = words(language) }
        self.texts = texts
        self.message = texts[.en] ?? ""
    }

    /// The input field the problem is about: `amount` for a ceiling, otherwise `program`.
    public var field: String { kind == .ceiling ? "amount" : "program" }

    /// The problem in `language` (in English where it has no wording in it).
    public func text(in language: Language) -> String { texts[language] ?? message }

    public var description: String { message }
}

/// Plausibility of what an enrollment grants (docs/rules.md R6, prerequisites): an amount within
/// the program's ceiling, urban dibao for urban households and rural for rural, child benefits
/// under 18, the old-age allowance from 80, disability programs with a grade (the care
/// subsidy, 重度残疾人护理补贴, grades 1-2 only).
///
/// A typing slip (56,000 yuan for 560) or the wrong program would otherwise be paid until an
/// auditor found it. A writer who knows the value is right gives an override reason: the op's
/// cause then carries it (``overrideMarker``), so the log and the hub's audit keep it. The
/// writer refuses an implausible value without one, and so does the hub (it trusts no node).
/// Pure: the same facts give the same problems on every replica.
public enum Plausibility {
    /// What an op's cause says when its writer overrode the checks: `plausibility override: <reason>`.
    public static let overrideMarker = "plausibility override: "
    /// The longest override reason accepted.
    public static let maxOverrideLength = 200

    /// The problems with granting `amount` (nil: not known, not judged) from `program` in
    /// `month` to a person with these facts; empty when it is plausible.
    public static func problems(
        program: Program, amount: Money?, in month: Month, facts: MemberFacts, configuration: CountyConfiguration
    ) -> [PlausibilityProblem] {
        var problems: [PlausibilityProblem] = []
        func add(_ kind: PlausibilityProblem.Kind, _ words: (Language) -> String) {
            problems.append(PlausibilityProblem(kind: kind, month: month, words: words))
        }
        let rules = configuration.programs
        if let needed = rules.householdTypes[program], facts.householdType != needed {
            add(.householdType) { language in
                let found =
                    facts.householdType.map {
                        Catalogue.text("plausibility.household_is", ["type": typeWord($0, language)], in: language)
                    } ?? Catalogue.text("plausibility.household_type_unknown", in: language)
                return Catalogue.text(
                    "plausibility.household_type",
                    ["name": name(program, language), "needed": typeWord(needed, language), "found": found],
                    in: language)
            }
        }
        if let limit = rules.ages[program] {
            for problem in ageProblems(limit, in: month, birth: facts.birth) {
                add(.age) { language in
                    var values = problem.values
                    values["name"] = name(program, language)
                    return Catalogue.text(problem.key, values, in: language)
                }
            }
        }
        if let grades = rules.grades[program], let problem = gradeProblem(grades, grade: facts.grade) {
            add(.grade) { language in
                var values = problem.values
                values["name"] = name(program, language)
                values["severe"] = grades.upperBound <= 2 ? Catalogue.text("plausibility.severe", in: language) : ""
                return Catalogue.text(problem.key, values, in: language)
            }
        }
        if let amount {
            let ceiling = ceiling(for: program, in: month, facts: facts, configuration: configuration)
            if amount > ceiling.amount {
                add(.ceiling) { language in
                    Catalogue.text(
                        "plausibility.ceiling",
                        [
                            "amount": amount.yuanText, "month": "\(month)", "program": programWord(program, language),
                            "ceiling": ceiling.amount.yuanText, "basis": ceiling.basis(in: language),
                        ], in: language)
                }
            }
        }
        return problems
    }

    /// How a problem names a program: `dibao_rural (农村低保)` in English, 农村低保 in Chinese.
    static func name(_ program: Program, _ language: Language) -> String {
        language == .zh ? program.chineseName : "\(program.rawValue) (\(program.chineseName))"
    }

    /// A program as a ceiling or standard names it: its code in English, its name in Chinese.
    static func programWord(_ program: Program, _ language: Language) -> String {
        language == .zh ? program.chineseName : program.rawValue
    }

    /// A household type (`rural`) in `language` (农村).
    static func typeWord(_ type: String, _ language: Language) -> String {
        Catalogue.valueName(type, field: "type", in: language)
    }

    /// What an age limit finds wrong with a member born on `birth` in `month`: under 18 on the
    /// month's first day for a child benefit, 80 by its last day for the old-age allowance. Each
    /// a catalogue key and its values but the program's `name`.
    static func ageProblems(_ limit: ProgramRules.AgeLimit, in month: Month, birth: CivilDate?)
        -> [(key: String, values: [String: String])]
    {
        var problems: [(key: String, values: [String: String])] = []
        if let below = limit.below {
            if let birth {
                let age = birth.age(on: month.firstDay)
                if age >= below {
                    problems.append(
                        ("plausibility.child_age", ["below": "\(below)", "age": "\(age)", "month": "\(month)"]))
                }
            } else {
                problems.append(("plausibility.child_no_birth", ["below": "\(below)"]))
            }
        }
        if let minimum = limit.minimum {
            if let birth {
                let age = birth.age(on: month.lastDay)
                if age < minimum {
                    problems.append(
                        ("plausibility.min_age", ["minimum": "\(minimum)", "age": "\(age)", "month": "\(month)"]))
                }
            } else {
                problems.append(("plausibility.min_age_no_birth", ["minimum": "\(minimum)"]))
            }
        }
        return problems
    }

    /// What a program's grades find wrong with a member's grade (nil: none recorded). A program
    /// for every grade only needs one; one for some grades (the care subsidy, 1-2) names them.
    /// A catalogue key and its values but the program's `name` and `severe` (重度, for grades 1-2).
    static func gradeProblem(_ grades: ClosedRange<Int>, grade: Int?) -> (key: String, values: [String: String])? {
        let every = grades.lowerBound <= 1 && grades.upperBound >= 4
        let bounds = ["low": "\(grades.lowerBound)", "high": "\(grades.upperBound)"]
        guard let grade else {
            if every { return ("plausibility.grade_missing", [:]) }
            return (grades.count == 2 ? "plausibility.grade_needed_pair" : "plausibility.grade_needed_range", bounds)
        }
        guard !grades.contains(grade) else { return nil }
        return ("plausibility.grade_wrong", bounds.merging(["grade": "\(grade)"]) { $1 })
    }

    /// The problems with an enrollment's schedule, judged at each of `months` (the months its
    /// entries begin, or those an op adds or changes) with the amount the month pays once the
    /// county's standards apply; each problem once.
    public static func problems(
        program: Program, schedule: AmountSchedule, months: [Month], facts: MemberFacts,
        configuration: CountyConfiguration
    ) -> [PlausibilityProblem] {
        var seen: Set<String> = []
        var result: [PlausibilityProblem] = []
        for month in months {
            let amount =
                configuration.standards.amount(
                    schedule, for: month, program: program, grade: facts.grade, birth: facts.birth,
                    rules: configuration.rules) ?? schedule.entry(for: month)?.amount.fixed
            for problem in problems(
                program: program, amount: amount, in: month, facts: facts, configuration: configuration)
            where seen.insert(problem.message).inserted {
                result.append(problem)
            }
        }
        return result
    }

    /// The months from which `new` says something `old` did not: the entries an amount change
    /// adds or alters. Entries it keeps were judged when they were written.
    public static func changedMonths(from old: AmountSchedule?, to new: AmountSchedule) -> [Month] {
        let before = Set((old?.entries ?? []).map { "\($0.from):\($0.amount.text)" })
        return new.entries.filter { !before.contains("\($0.from):\($0.amount.text)") }.map(\.from)
    }

    /// The most a program may pay a person in a month, and how it was reached.
    public struct Ceiling: Hashable, Sendable {
        public let amount: Money
        /// How it was reached: a catalogue key and its values but `program`.
        let basisKey: String
        let basisValues: [String: String]
        /// The programs the basis names, by code in English and by name in Chinese.
        let basisPrograms: [Program]

        /// In words: "100% of the dibao_rural standard 560.00 in force in 2026-01".
        public var basis: String { basis(in: .en) }

        /// How it was reached, in `language`.
        public func basis(in language: Language) -> String {
            let names = basisPrograms.map { Plausibility.programWord($0, language) }
            var values = basisValues
            values["program"] = names.joined(separator: Catalogue.text("plausibility.or", in: language))
            return Catalogue.text(basisKey, values, in: language)
        }
    }

    /// The program's ceiling in a month: its percent of the standard in force for the member's
    /// band (the highest band's when the records cannot tell the band), of the household's
    /// dibao standard for temporary assistance (the higher dibao standard when the household's
    /// type is unknown), or the absolute ceiling where no such standard is in force.
    public static func ceiling(
        for program: Program, in month: Month, facts: MemberFacts, configuration: CountyConfiguration
    ) -> Ceiling {
        let standards = configuration.standards
        let percent = configuration.ceilings.percent(for: program)
        let references: [Program]
        if program == .temporary {
            switch facts.householdType {
            case "urban": references = [.dibaoUrban]
            case "rural": references = [.dibaoRural]
            default: references = [.dibaoUrban, .dibaoRural]
            }
        } else {
            references = [program]
        }
        let found = references.compactMap { reference -> (program: Program, amount: Money)? in
            let single =
                reference == program
                ? standards.standard(for: program, grade: facts.grade, birth: facts.birth, in: month) : nil
            return (single ?? standards.highest(reference, in: month)).map { (reference, $0) }
        }.max { $0.amount < $1.amount }
        guard let found else {
            return Ceiling(
                amount: configuration.ceilings.withoutStandard, basisKey: "plausibility.basis_none",
                basisValues: ["month": "\(month)"], basisPrograms: references)
        }
        return Ceiling(
            amount: Money(fen: found.amount.fen * Int64(percent) / 100), basisKey: "plausibility.basis",
            basisValues: ["percent": "\(percent)", "amount": found.amount.yuanText, "month": "\(month)"],
            basisPrograms: [found.program])
    }

    /// The override reason an op's cause carries, or nil when its writer overrode nothing.
    public static func overrideReason(in cause: String?) -> String? {
        guard let cause, let range = cause.range(of: overrideMarker) else { return nil }
        let reason = cause[range.upperBound...].trimmingCharacters(in: .whitespaces)
        return reason.isEmpty ? nil : reason
    }

    /// An op's cause with an override reason after what it said before (if anything).
    public static func cause(_ base: String?, override reason: String) -> String {
        (base.map { $0 + "; " } ?? "") + overrideMarker + reason
    }

    /// The sentence a writer refuses an implausible value with, in English.
    public static func refusal(_ problems: [PlausibilityProblem]) -> String {
        refusal(problems, in: .en)
    }

    /// The sentence a writer refuses an implausible value with, in `language`.
    public static func refusal(_ problems: [PlausibilityProblem], in language: Language) -> String {
        let separator = Catalogue.text("plausibility.separator", in: language)
        return Catalogue.text(
            "plausibility.refusal",
            ["problems": problems.map { $0.text(in: language) }.joined(separator: separator)], in: language)
    }
}

extension StandardTable {
    /// The highest standard of any band of a program in force in a month, nil when none is.
    public func highest(_ program: Program, in month: Month) -> Money? {
        Set(all.filter { $0.program == program }.map(\.band)).compactMap { inForce(program, band: $0, in: month) }.max()
    }
}
