import HearthCore

/// Field values a user gave for a household; nil means "not given, leave as is".
public struct HouseholdInput: Sendable {
    public var village: String?
    public var address: String?
    public var type: String?
    public var phone: String?
    public var bankCard: String?
    public var income: String?
    public var population: Int?
    public var assets: String?
    public var head: String?
    /// The member paid for household programs (领款人); `head` names no one, so the head is paid.
    public var payee: String?
    /// The account holder's name on the household's card (户名).
    public var accountName: String?
    public var tags: [String]?
    public var note: String?
    /// Why the change is made: kept as the op's cause, shown at the desk beside the value.
    public var reason: String?
    public init() {}
}

/// Field values a user gave for a member; nil means "not given, leave as is".
public struct MemberInput: Sendable {
    public var household: String?
    public var name: String?
    public var idNumber: String?
    public var relation: String?
    /// 1 to 4; 0 clears the grade.
    public var disabilityGrade: Int?
    public var health: String?
    public var workCapacity: String?
    public var note: String?
    /// The person's own bank card, paid for their own programs.
    public var bankCard: String?
    /// The account holder's name on the person's own card (户名).
    public var accountName: String?
    /// Why the change is made: kept as the op's cause, shown at the desk beside the value.
    public var reason: String?
    public init() {}
}

/// What `hearth enroll` was asked to do.
public struct EnrollInput: Sendable {
    public var member: String?
    public var household: String?
    public var program: String
    /// Yuan per month; nil: the county's standard in force for the program (and the member's
    /// band) in the start month.
    public var amount: String?
    public var start: String
    /// Why a value the plausibility checks refuse (R6) is right; nil: none, the checks apply.
    public var override: String?
    public init(
        member: String? = nil, household: String? = nil, program: String, amount: String?, start: String,
        override: String? = nil
    ) {
        self.member = member
        self.household = household
        self.program = program
        self.amount = amount
        self.start = start
        self.override = override
    }
}

/// Status changes of an enrollment.
public enum EnrollmentAction: String, Sendable {
    case approve, reject, suspend, resume
}
