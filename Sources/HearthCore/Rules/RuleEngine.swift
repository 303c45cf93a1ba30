/// The rule set (docs/rules.md) in one place: which rule judges what, in which order. Each rule is
/// a pure function of its own (``JurisdictionRule``, ``DeathRule``, ``ProgramRule``, …) over
/// record states and a read-only lookup; the engine composes them for the three moments the
/// hub asks: an op pushed (admission), a batch applied (automatic decisions) and the desk
/// (cases). Nothing here reads storage, a clock or the network.
public enum RuleEngine {
    /// The hub's admission of `op` from a replica whose registered scope is `writer`: the first
    /// refusal in the order of docs/rules.md's precedence (R14 before R7, R7 before the program's
    /// plausibility, R6), or `admit`. Judged on the state as `lookup` holds it: the hub's, in
    /// the transaction that applies the op. Throws only when the lookup fails.
    public static func admissionVerdict<Lookup: AdmissionLookup>(
        of op: Op, writer: ScopePrefix, lookup: inout Lookup
    ) throws -> RuleVerdict {
        for verdict in [
            JurisdictionRule.originVerdict(of: op, writer: writer), OpForm.verdict(of: op),
            JurisdictionRule.creationVerdict(of: op, writer: writer),
        ] where verdict != .admit {
            return verdict
        }
        let village: String
        if op.createsRecord {
            village = op.scope.value
        } else {
            switch try JurisdictionRule.placement(of: op, writer: writer, lookup: &lookup) {
            case .refused(let refusal): return .refuse(refusal)
            case .village(let current): village = current
            }
        }
        let references = try JurisdictionRule.referenceVerdict(of: op, village: village, lookup: &lookup)
        guard references == .admit else { return references }
        let current = op.createsRecord ? nil : try lookup.state(of: op.record)
        for verdict in [
            NoResurrectionRule.verdict(of: op, current: current),
            try HouseholdStructureRule.joinVerdict(of: op, lookup: &lookup),
            DeathRule.undoVerdict(of: op, writer: writer, current: current),
            ApprovalAuthorityRule.verdict(of: op, writer: writer, current: current),
        ] where verdict != .admit {
            return verdict
        }
        return try ProgramRule.admissionVerdict(of: op, lookup: &lookup)
    }

    /// The field problems the hub refuses an op for beyond the schema and admission: a sealed
    /// ID number that does not open with the county's key or is not a valid number (R5a), a
    /// date of death after `today` (R1). `open` opens a sealed value with the county's key.
    public static func fieldProblem(of op: Op, today: CivilDate, open: (SealedValue) -> String?) -> String? {
        IDNumberRule.problem(of: op, today: today, open: open) ?? DeathRule.futureDateProblem(of: op, today: today)
    }

    /// The automatic decisions after a batch is applied, in the order the hub writes them:
    /// override notes for the batch's enrollment ops the hub logged (R6), the decisions deaths
    /// make (R1, over `deceased`, the members whose death may end something), and the changes
    /// an exit supersedes (R2, against each record's logged history). The hub writes each
    /// unless one with the same rule, record and trigger is recorded.
    public static func batchDecisions<Lookup: RuleLookup>(
        after batch: [Op], logged: (Op) throws -> Bool, deceased: [RecordState], history: (RecordID) throws -> [Op],
        lookup: inout Lookup
    ) throws -> [RuleDecision] {
        var decisions: [RuleDecision] = []
        // Both passes look at each op where it lies and copy only the enrollments' ops they
        // judge: `for op in batch` copied every op of a night's batch, all its texts retained.
        for index in batch.indices where batch[index].record.type == .enrollment {
            let op = batch[index]
            let overrides = ProgramRule.overrideVerdict(of: op).decisions
            if !overrides.isEmpty, try logged(op) { decisions += overrides }
        }
        decisions += try DeathRule.decisionsVerdict(members: deceased, lookup: &lookup).decisions
        // Only an op that stops payments, changes an amount or resumes can supersede or be
        // superseded: the record's history is read for those alone.
        for index in batch.indices where batch[index].record.type == .enrollment {
            let op = batch[index]
            guard ExitRule.concernsSupersession(op) else { continue }
            let exists = try lookup.state(of: op.record) != nil
            guard exists else { continue }
            decisions +=
                ExitRule.supersessionVerdict(of: op, history: try history(op.record), recordExists: exists)
                .decisions
        }
        return decisions
    }

    /// What the desk's cases are drawn from: the candidates the store finds cheaply (ID hashes
    /// held more than once, members with several enrollments, live enrollments in the programs
    /// with prerequisites, live households, enrollments written concurrently, death leads,
    /// waiting ops). A candidate that is not a case costs a look and nothing else.
    public struct Subjects: Sendable {
        public var idHashes: [String]
        public var members: [RecordID]
        public var enrollments: [RecordState]
        public var households: [RecordState]
        public var leads: [RecordState]
        public var waits: [CausalOrderRule.WaitingOp]

        public init(
            idHashes: [String] = [], members: [RecordID] = [], enrollments: [RecordState] = [],
            households: [RecordState] = [], leads: [RecordState] = [], waits: [CausalOrderRule.WaitingOp] = []
        ) {
            self.idHashes = idHashes
            self.members = members
            self.enrollments = enrollments
            self.households = households
            self.leads = leads
            self.waits = waits
        }
    }

    /// Every open desk case among the subjects, each once, in the order the desk lists them:
    /// duplicate persons (R5, by ID hash), exclusive programs (R6, by member), prerequisites
    /// (R6, by enrollment), household structure (R8, by household), exits against approvals
    /// (R2a), reported deaths (R1, by lead), ops waiting too long (R11, oldest first).
    public static func deskCases<Lookup: RuleLookup>(
        _ subjects: Subjects, nowMillis: Int64, waitLimitMillis: Int64 = CausalOrderRule.defaultWaitLimitMillis,
        lookup: inout Lookup
    ) throws -> [DeskCase] {
        var found: [(position: Int, key: String, found: DeskCase)] = []
        var all: [CaseSubject] = Set(subjects.idHashes).map(CaseSubject.idHash)
        all += Set(subjects.members).map(CaseSubject.member)
        all += subjects.enrollments.map { CaseSubject.enrollment($0.id) }
        all += subjects.households.map { CaseSubject.household($0.id) }
        all += subjects.leads.map { CaseSubject.lead($0.id) }
        var states: [RecordID: RecordState] = [:]
        for state in subjects.enrollments + subjects.households + subjects.leads { states[state.id] = state }
        var seen: Set<String> = []
        for subject in all {
            for desk in try deskCases(of: subject, given: states, lookup: &lookup) where seen.insert(desk.id).inserted {
                found.append((desk.deskPosition, subject.sortKey, desk))
            }
        }
        var cases = found.sorted { ($0.position, $0.key) < ($1.position, $1.key) }.map(\.found)
        let waits = subjects.waits.sorted { ($0.sinceMillis, $0.dot) < ($1.sinceMillis, $1.dot) }
        for wait in waits {
            if let desk = CausalOrderRule.waitingVerdict(wait, nowMillis: nowMillis, waitLimitMillis: waitLimitMillis)
                .deskCase, seen.insert(desk.id).inserted
            {
                cases.append(desk)
            }
        }
        return cases
    }

    /// The open desk cases of one subject (at most two: an enrollment can miss a prerequisite
    /// and carry an exit against an approval). What each reads: an ID hash its holders, their
    /// households and the later holders' enrollments (R5); a member its enrollments (R6); an
    /// enrollment itself and its member (R6, R2a); a household itself, its members, its head and
    /// its enrollments (R8); a lead itself, its member and the member's enrollments (R1). A
    /// store that keeps cases judges a subject again whenever one of those records changes.
    public static func deskCases<Lookup: RuleLookup>(of subject: CaseSubject, lookup: inout Lookup) throws
        -> [DeskCase]
    {
        try deskCases(of: subject, given: [:], lookup: &lookup)
    }

    private static func deskCases<Lookup: RuleLookup>(
        of subject: CaseSubject, given states: [RecordID: RecordState], lookup: inout Lookup
    ) throws -> [DeskCase] {
        func state(_ id: RecordID) throws -> RecordState? { try states[id] ?? lookup.state(of: id) }
        var verdicts: [RuleVerdict] = []
        switch subject {
        case .idHash(let hash):
            verdicts = [try DuplicatePersonRule.verdict(idHash: hash, lookup: &lookup)]
        case .member(let member):
            verdicts = [try ProgramRule.exclusivityVerdict(member: member, lookup: &lookup)]
        case .enrollment(let id):
            guard let enrollment = try state(id) else { return [] }
            verdicts = [
                try ProgramRule.prerequisiteVerdict(enrollment: enrollment, lookup: &lookup),
                ExitRule.approvalVerdict(enrollment: enrollment),
            ]
        case .household(let id):
            guard let household = try state(id) else { return [] }
            verdicts = [try HouseholdStructureRule.deskVerdict(household: household, lookup: &lookup)]
        case .lead(let id):
            guard let lead = try state(id) else { return [] }
            verdicts = [try DeathRule.reportedVerdict(lead: lead, lookup: &lookup)]
        }
        return verdicts.compactMap(\.deskCase)
    }
}
