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
        for op in batch {
            let overrides = ProgramRule.overrideVerdict(of: op).decisions
            if !overrides.isEmpty, try logged(op) { decisions += overrides }
        }
        decisions += try DeathRule.decisionsVerdict(members: deceased, lookup: &lookup).decisions
        // Only an op that stops payments, changes an amount or resumes can supersede or be
        // superseded: the record's history is read for those alone.
        for op in batch where op.record.type == .enrollment && ExitRule.concernsSupersession(op) {
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
        var cases: [DeskCase] = []
        var seen: Set<String> = []
        func add(_ verdict: RuleVerdict) {
            if let found = verdict.deskCase, seen.insert(found.id).inserted { cases.append(found) }
        }
        for hash in Set(subjects.idHashes).sorted() {
            add(try DuplicatePersonRule.verdict(idHash: hash, lookup: &lookup))
        }
        for member in Set(subjects.members).sorted() {
            add(try ProgramRule.exclusivityVerdict(member: member, lookup: &lookup))
        }
        let enrollments = subjects.enrollments.sorted { $0.id < $1.id }
        for enrollment in enrollments {
            add(try ProgramRule.prerequisiteVerdict(enrollment: enrollment, lookup: &lookup))
        }
        for household in subjects.households.sorted(by: { $0.id < $1.id }) {
            add(try HouseholdStructureRule.deskVerdict(household: household, lookup: &lookup))
        }
        for enrollment in enrollments { add(ExitRule.approvalVerdict(enrollment: enrollment)) }
        for lead in subjects.leads.sorted(by: { $0.id < $1.id }) {
            add(try DeathRule.reportedVerdict(lead: lead, lookup: &lookup))
        }
        let waits = subjects.waits.sorted { ($0.sinceMillis, $0.dot) < ($1.sinceMillis, $1.dot) }
        for wait in waits {
            add(CausalOrderRule.waitingVerdict(wait, nowMillis: nowMillis, waitLimitMillis: waitLimitMillis))
        }
        return cases
    }
}
