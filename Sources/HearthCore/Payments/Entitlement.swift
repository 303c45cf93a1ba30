/// Everything the merged state says about one enrollment that decides what it is owed.
///
/// A plain value read from the enrollment, its member and the county's configuration, so
/// what a month owes is a pure function: the roll, its adjustments, the report and recovery
/// all ask ``Entitlement`` and cannot disagree.
public struct EnrollmentFacts: Hashable, Sendable {
    public var program: Program?
    public var status: String?
    public var decision: String?
    public var exitReason: String?
    public var start: Month?
    public var end: Month?
    public var schedule: AmountSchedule?
    /// The first month a suspension withholds; nil on a suspension written before the month
    /// was recorded, which then withholds every month.
    public var suspendedFrom: Month?
    public var grade: Int?
    public var birth: CivilDate?
    public var deceased: Bool
    public var deathDate: CivilDate?

    public init(
        program: Program?, status: String?, decision: String?, exitReason: String? = nil, start: Month?,
        end: Month? = nil,
        schedule: AmountSchedule?, suspendedFrom: Month? = nil, grade: Int? = nil, birth: CivilDate? = nil,
        deceased: Bool = false, deathDate: CivilDate? = nil
    ) {
        self.program = program
        self.status = status
        self.decision = decision
        self.exitReason = exitReason
        self.start = start
        self.end = end
        self.schedule = schedule
        self.suspendedFrom = suspendedFrom
        self.grade = grade
        self.birth = birth
        self.deceased = deceased
        self.deathDate = deathDate
    }
}

/// What one month of one enrollment comes to.
public enum MonthOutcome: Hashable, Sendable {
    /// Owed: this much is due for the month.
    case owed(Money)
    /// Nothing is due for the month, for this reason (deceased, not approved, …); money paid
    /// for it is recovered.
    case nothing(String)
    /// Whether anything is due cannot be settled yet (a suspension, a death without a date):
    /// the month is neither paid nor adjusted until it can.
    case withheld(String)

    /// The amount due, zero when nothing is; nil when withheld.
    public var due: Money? {
        switch self {
        case .owed(let money): return money
        case .nothing: return .zero
        case .withheld: return nil
        }
    }
}

/// What the final state says is due to an enrollment for a month, under the county's rules.
///
/// The rules, in the order they apply (README, "What the roll pays"):
/// 1. A month outside start…end owes nothing, and so does an exited enrollment without an
///    end month or a rejected application.
/// 2. A person recorded as deceased is owed the months the county's death-month rule pays;
///    a death without a date withholds every month (recovery needs a date).
/// 3. Only an approved decision owes anything; a pending application owes nothing yet, and
///    its approval later brings back pay for the locked months it covers.
/// 4. A suspension withholds the months from the one it took effect in; earlier months are
///    owed as before (a suspension never reaches into paid months). Resuming releases the
///    withheld months, which the next roll pays as back pay.
/// 5. The amount is the schedule's, with the county's standards applied.
public enum Entitlement {
    public static func outcome(
        _ facts: EnrollmentFacts, in month: Month, standards: StandardTable, rules: CountyRules
    ) -> MonthOutcome {
        if let start = facts.start, month < start { return .nothing("not started") }
        if facts.start == nil { return .nothing("no start month") }
        if let end = facts.end, month > end { return .nothing("ended") }
        if facts.status == "exited", facts.end == nil { return .nothing("ended") }
        if facts.deceased {
            guard let died = facts.deathDate else { return .withheld("deceased, no date of death") }
            if !rules.pays(month, death: died) { return .nothing("deceased") }
        }
        guard facts.decision == "approved" else { return .nothing("not approved") }
        if facts.status == "exited", facts.exitReason == "application rejected" { return .nothing("not approved") }
        switch facts.status {
        case "approved", "exited":
            break
        case "suspended":
            if facts.suspendedFrom.map({ month >= $0 }) ?? true { return .withheld("suspended") }
        default:
            return .nothing("not approved")
        }
        guard let program = facts.program, let schedule = facts.schedule,
            let amount = standards.amount(
                schedule, for: month, program: program, grade: facts.grade, birth: facts.birth, rules: rules)
        else { return .nothing("no amount for the month") }
        return .owed(amount)
    }

    /// The months of `months` on which alternative readings of a record disagree: with a
    /// field in conflict, each competing value gives its own facts, and only a month whose
    /// outcome differs between them is disputed. The others are paid (or adjusted) as every
    /// value agrees.
    public static func disputedMonths(
        _ alternatives: [EnrollmentFacts], months: [Month], standards: StandardTable, rules: CountyRules
    ) -> Set<Month> {
        guard let first = alternatives.first, alternatives.count > 1 else { return [] }
        var disputed: Set<Month> = []
        for month in months {
            let due = Self.outcome(first, in: month, standards: standards, rules: rules).due
            if alternatives.dropFirst().contains(where: {
                Self.outcome($0, in: month, standards: standards, rules: rules).due != due
            }) {
                disputed.insert(month)
            }
        }
        return disputed
    }
}
