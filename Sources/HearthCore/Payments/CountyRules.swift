import HearthText

/// The county's payment rules that local policy decides, held as replicated configuration.
///
/// Counties differ on these (docs/architecture.md, "Conflict rules are data"), so they are records written by the
/// hub under the county-wide code, like standards, and every replica computes the same roll
/// from them. A setting nobody wrote takes its default.
public struct CountyRules: Hashable, Sendable {
    /// Whether the month in which a person dies is paid.
    public enum DeathMonth: String, Hashable, Sendable, CaseIterable {
        /// Paid through the month of death; payment stops from the following month (次月停发).
        case paid
        /// Payment stops from the month of death itself (当月停发).
        case stopped

        public var chineseName: String { self == .paid ? "次月停发" : "当月停发" }
    }

    /// What a raise does to a top-up (补差) amount, the standard less a deduction.
    public enum TopUpRaise: String, Hashable, Sendable, CaseIterable {
        /// The standard rises and the difference with it (the deduction stays).
        case follows
        /// The top-up stays what it was until the household is reassessed.
        case stays
    }

    public var deathMonth: DeathMonth
    public var topUpRaise: TopUpRaise

    public init(deathMonth: DeathMonth = .paid, topUpRaise: TopUpRaise = .follows) {
        self.deathMonth = deathMonth
        self.topUpRaise = topUpRaise
    }

    /// The defaults: the month of death is paid, top-ups follow raises.
    public static let standard = CountyRules()

    /// The last month paid to a person who died on `death`.
    public func lastPaidMonth(death: CivilDate) -> Month {
        deathMonth == .paid ? death.month : death.month.adding(months: -1)
    }

    /// Whether a month is paid to a person who died on `death`.
    public func pays(_ month: Month, death: CivilDate) -> Bool { month <= lastPaidMonth(death: death) }

    /// The end month an enrollment takes when its member dies: the last month paid, and never
    /// before the start month (an enrollment that never paid ends where it starts; the roll still
    /// pays nothing after the death).
    public func endMonth(death: CivilDate, start: Month?) -> Month {
        let last = lastPaidMonth(death: death)
        if let start, start > last { return start }
        return last
    }
}

/// The settings a county can make (`hearth hub setting set NAME VALUE`), by name, with the
/// values each accepts. One place, so the CLI, the hub's checks and the docs agree.
public enum CountySetting: String, Hashable, Sendable, CaseIterable {
    case deathMonth = "death_month"
    case topUpRaise = "top_up_raise"
    // The plausibility ceilings (``AmountCeilings``): percent of the program's standard.
    case ceilingDibaoUrban = "ceiling_dibao_urban"
    case ceilingDibaoRural = "ceiling_dibao_rural"
    case ceilingTekunDispersed = "ceiling_tekun_dispersed"
    case ceilingTekunCentralized = "ceiling_tekun_centralized"
    case ceilingTemporary = "ceiling_temporary"
    case ceilingOrphan = "ceiling_orphan"
    case ceilingUnsupportedChild = "ceiling_unsupported_child"
    case ceilingDisabilityLiving = "ceiling_disability_living"
    case ceilingDisabilityCare = "ceiling_disability_care"
    case ceilingElderly = "ceiling_elderly"
    /// Yuan a month, where no standard of the program is in force.
    case ceilingWithoutStandard = "ceiling_without_standard"
    /// Months an op stays in the hub's log before compaction may archive it (docs/compaction.md).
    case retentionMonths = "retention_months"

    /// The months ``retentionMonths`` accepts: one month to fifty years.
    public static let retentionRange = 1...600

    /// The ceiling setting of a program.
    public static func ceiling(for program: Program) -> CountySetting {
        CountySetting(rawValue: "ceiling_" + program.rawValue)!
    }

    /// The program a ceiling setting is for; nil for every other setting.
    public var ceilingProgram: Program? {
        rawValue.hasPrefix("ceiling_") ? Program(rawValue: String(rawValue.dropFirst("ceiling_".count))) : nil
    }

    /// The values the setting accepts, the default first; empty for a number.
    public var values: [String] {
        switch self {
        case .deathMonth: return CountyRules.DeathMonth.allCases.map(\.rawValue)
        case .topUpRaise: return CountyRules.TopUpRaise.allCases.map(\.rawValue)
        default: return []
        }
    }

    /// The value a county that never set it has.
    public var defaultValue: String {
        if let program = ceilingProgram { return String(AmountCeilings.defaultPercent(program)) }
        if self == .ceilingWithoutStandard { return String(AmountCeilings.defaultWithoutStandard.fen / 100) }
        if self == .retentionMonths { return "12" }
        return values[0]
    }

    /// What the setting decides, in the process's language.
    public var meaning: String { meaning(in: .current) }

    /// What the setting decides, in `language`.
    public func meaning(in language: Language) -> String {
        switch self {
        case .deathMonth: return Catalogue.text("setting.meaning.death_month", in: language)
        case .topUpRaise: return Catalogue.text("setting.meaning.top_up_raise", in: language)
        case .ceilingTemporary: return Catalogue.text("setting.meaning.ceiling_temporary", in: language)
        case .ceilingWithoutStandard: return Catalogue.text("setting.meaning.ceiling_without_standard", in: language)
        case .retentionMonths: return Catalogue.text("setting.meaning.retention_months", in: language)
        default:
            let program = ceilingProgram.map { language == .zh ? $0.chineseName : $0.rawValue } ?? rawValue
            return Catalogue.text("setting.meaning.ceiling", ["program": program], in: language)
        }
    }

    /// Checks a value for the setting; a number comes back without its unit (`150%` → `150`).
    public func parse(_ raw: String) throws(InputError) -> String {
        let text = raw.trimmingCharacters(in: .whitespaces).lowercased()
        if ceilingProgram != nil {
            let digits = text.hasSuffix("%") ? String(text.dropLast()) : text
            let range = AmountCeilings.percentRange
            guard let percent = Int(digits), range.contains(percent) else {
                throw InputError(
                    field: "value", "setting.percent",
                    ["name": rawValue, "low": "\(range.lowerBound)", "high": "\(range.upperBound)"])
            }
            return String(percent)
        }
        if self == .ceilingWithoutStandard {
            let digits = text.hasSuffix("元") ? String(text.dropLast()) : text
            let range = AmountCeilings.yuanRange
            guard let yuan = Int(digits), range.contains(yuan) else {
                throw InputError(
                    field: "value", "setting.yuan",
                    ["name": rawValue, "low": "\(range.lowerBound)", "high": "\(range.upperBound)"])
            }
            return String(yuan)
        }
        if self == .retentionMonths {
            let digits = text.hasSuffix("个月") ? String(text.dropLast(2)) : text
            let range = Self.retentionRange
            guard let months = Int(digits), range.contains(months) else {
                throw InputError(
                    field: "value", "setting.months",
                    ["name": rawValue, "low": "\(range.lowerBound)", "high": "\(range.upperBound)"])
            }
            return String(months)
        }
        guard values.contains(text) else {
            throw InputError(
                field: "value", "setting.one_of", ["name": rawValue, "values": values.joined(separator: ", ")])
        }
        return text
    }

    /// Parses a setting's name as people type it.
    public static func parse(_ raw: String) throws(InputError) -> CountySetting {
        let text = String(raw.trimmingCharacters(in: .whitespaces).lowercased().map { $0 == "-" ? "_" : $0 })
        guard let setting = CountySetting(rawValue: text) else {
            throw InputError(
                field: "name", "setting.unknown",
                ["typed": raw, "settings": allCases.map(\.rawValue).joined(separator: ", ")])
        }
        return setting
    }
}

extension CountyRules {
    /// The rules from the settings a replica holds (name → value); unknown names and values
    /// (from a newer hub) are ignored, leaving the default.
    public init(settings: [String: String]) {
        self.init()
        if let value = settings[CountySetting.deathMonth.rawValue], let rule = DeathMonth(rawValue: value) {
            deathMonth = rule
        }
        if let value = settings[CountySetting.topUpRaise.rawValue], let rule = TopUpRaise(rawValue: value) {
            topUpRaise = rule
        }
    }
}
