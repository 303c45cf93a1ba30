/// What the hub needs to read, beyond the op itself, to judge a pushed op: the records as it
/// holds them at the moment the op would apply.
///
/// The hub implements it over the transaction that applies the batch, so an earlier op of the
/// same batch (a household created, then a member added to it) is seen, and nothing another
/// transaction commits in between can change the verdict.
public protocol AdmissionLookup {
    /// The record's merged state as the hub holds it now; nil when it holds no such record.
    mutating func state(of id: RecordID) throws -> RecordState?
    /// The village named by the op that created `id`, when the hub holds that op in
    /// quarantine (the record does not exist yet; ops on it wait for the desk's decision).
    mutating func quarantinedVillage(of id: RecordID) throws -> String?
    /// The county's standards, payment rules and ceilings as the hub holds them, to judge an
    /// enrollment's plausibility (R6).
    mutating func countyConfiguration() throws -> CountyConfiguration
}

/// Why the hub refused a pushed op: the rule it breaks and a sentence for the field worker
/// and the desk. The op is quarantined with this reason, never silently applied or dropped.
public struct AdmissionRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    /// The rule of docs/rules.md the op breaks, or `nil` for a malformed op.
    public let rule: String?
    public let message: String

    public init(rule: String?, _ message: String) {
        self.rule = rule
        self.message = message
    }

    public var description: String { message }

    /// Whether a quarantine reason is a jurisdiction refusal (R14): the desk may discard such
    /// an op but never release it, since releasing would let a writer act outside its area.
    public static func isJurisdiction(_ reason: String) -> Bool {
        reason.hasPrefix("R14:") || reason.hasSuffix("(R14)")
    }
}

/// The hub's admission of a node's op, judged on the hub's own state and the writer's rank as
/// the hub knows them, never on what the op claims (SECURITY.md, "Jurisdiction").
///
/// An op names its origin (the writer's scope) and the village it is logged under; both are
/// claims. A node could otherwise edit another village's household and set `village` to its
/// own, take the record over and pull its history, ID numbers included. So the record's
/// *current* village decides whether the writer may touch it; only a township (within
/// itself) or the county moves a record; a new record lies where its op is logged, and what
/// it references lies there too. Rules are checked in the precedence of docs/rules.md (R14 before
/// R7, R7 before an enrollment's plausibility, R6), and the first that refuses gives the reason.
public enum Admission {
    /// The reason the hub refuses `op` from a replica whose registered scope is `writer`, or
    /// nil when it may apply. Throws only when the lookup fails: a storage error must fail
    /// the request, never let the op skip a check.
    public static func refusal<Lookup: AdmissionLookup>(
        of op: Op, writer: ScopePrefix, lookup: inout Lookup
    ) throws -> AdmissionRefusal? {
        if let refusal = claimRefusal(of: op, writer: writer) { return refusal }
        let village: String
        if op.createsRecord {
            village = op.scope.value
        } else {
            switch try jurisdiction(of: op, writer: writer, lookup: &lookup) {
            case .refused(let refusal): return refusal
            case .village(let current): village = current
            }
        }
        if let refusal = try referenceRefusal(of: op, village: village, lookup: &lookup) { return refusal }
        if let refusal = try recordRuleRefusal(of: op, writer: writer, lookup: &lookup) { return refusal }
        return try plausibilityRefusal(of: op, lookup: &lookup)
    }

    /// What the op says about itself: its origin, voids, texts and field shapes.
    static func claimRefusal(of op: Op, writer: ScopePrefix) -> AdmissionRefusal? {
        guard op.origin == writer else {
            return AdmissionRefusal(
                rule: "R14", "the op claims origin \(op.origin.value) but the node's scope is \(writer.value) (R14)")
        }
        guard op.voids.isEmpty else {
            return AdmissionRefusal(rule: nil, "only the hub voids ops; an op from a node may not carry \"voids\"")
        }
        guard !DisplaySafety.isUnsafe(op.author), !(op.cause.map(DisplaySafety.isUnsafe) ?? false) else {
            return AdmissionRefusal(
                rule: nil, "author or cause contains control or bidirectional-override characters")
        }
        let problems = op.schemaProblems + op.boundProblems
        guard problems.isEmpty else { return AdmissionRefusal(rule: nil, problems.joined(separator: "; ")) }
        if op.createsRecord {
            guard op.fields["village"] == .text(op.scope.value) else {
                return AdmissionRefusal(
                    rule: "R14",
                    "R14: a new record's village must be the village its op is logged under (\(op.scope.value))")
            }
            guard writer.contains(op.scope) else {
                return AdmissionRefusal(
                    rule: "R14", "village \(op.scope.value) is outside the node's scope \(writer.value) (R14)")
            }
        }
        return nil
    }

    enum Jurisdiction {
        case village(String)
        case refused(AdmissionRefusal)
    }

    /// R14 on an existing record: its village as the hub holds it must lie in the writer's
    /// scope, and a move between villages is a township's or the county's, within its scope.
    static func jurisdiction<Lookup: AdmissionLookup>(
        of op: Op, writer: ScopePrefix, lookup: inout Lookup
    ) throws -> Jurisdiction {
        // One answer whether the record exists elsewhere or not at all: a refusal must not let
        // a node enumerate the county's records by id, nor learn where one lives.
        let foreign = AdmissionRefusal(
            rule: "R14", "R14: \(op.record) is not a record of this node's scope \(writer.value)")
        let held: String?
        let accepted: Bool
        if let state = try lookup.state(of: op.record) {
            held = state.resolution(of: "village").value.textValue
            accepted = true
        } else {
            held = try lookup.quarantinedVillage(of: op.record)
            accepted = false
        }
        guard let current = held, let code = try? DivisionCode.parse(current, field: "village"), writer.contains(code)
        else { return .refused(foreign) }
        if case .text(let target)? = op.fields["village"], target != current {
            // A record whose creation waits at the desk is not moved: the move would be logged
            // in the new village while its past stays held in the old one, and should the desk
            // discard the creation, the new village's nodes would wait for it forever (found by
            // the simulation, seed 90195). Once the creation is released, so can the move be.
            guard accepted else {
                return .refused(
                    AdmissionRefusal(
                        rule: "R11",
                        "R11: \(op.record) is not accepted yet (its creating op is held at the desk); "
                            + "it moves once the desk has released it"))
            }
            guard writer.level != .village else {
                return .refused(
                    AdmissionRefusal(
                        rule: "R14",
                        "R14: a village node does not move records between villages; "
                            + "the township or the county moves \(op.record)"))
            }
            guard let destination = try? DivisionCode.parse(target, field: "village"), writer.contains(destination)
            else {
                return .refused(
                    AdmissionRefusal(
                        rule: "R14",
                        "R14: \(op.record) cannot move to \(target), outside the node's scope \(writer.value)"))
            }
            guard op.scope.value == target else {
                return .refused(
                    AdmissionRefusal(
                        rule: "R14",
                        "R14: the op moves \(op.record) to \(target) but is logged under \(op.scope.value)"))
            }
            return .village(target)
        }
        guard op.scope.value == current else {
            // An edit made where the record was, after the township moved it elsewhere in its scope.
            return .refused(
                AdmissionRefusal(
                    rule: "R8",
                    "R8: \(op.record) moved to village \(current); an edit made for \(op.scope.value) goes to the desk")
            )
        }
        return .village(current)
    }

    /// A reference an op sets (a member's household, an enrollment's member) names a record
    /// the hub holds in the same village as the record will be in: a node cannot attach its
    /// records to, or learn about, another village's people through a reference.
    static func referenceRefusal<Lookup: AdmissionLookup>(
        of op: Op, village: String, lookup: inout Lookup
    ) throws -> AdmissionRefusal? {
        for (name, value) in op.fields.sorted(by: { $0.key < $1.key }) {
            guard case .reference = RecordSchema.field(name, of: op.record.type)?.kind, case .text(let text) = value,
                let target = RecordID(text)
            else { continue }
            let targetVillage: String?
            if let state = try lookup.state(of: target) {
                targetVillage = state.resolution(of: "village").value.textValue
            } else {
                targetVillage = try lookup.quarantinedVillage(of: target)
            }
            // The same answer whether the target exists elsewhere or not at all (no enumeration).
            guard targetVillage == village else {
                return AdmissionRefusal(
                    rule: "R14", "R14: \(name) names \(target), which is not a record of village \(village)")
            }
        }
        return nil
    }

    /// The record rules an op must pass once its writer may touch the record: no resurrection
    /// (R10), no joining an archived household (R8), no undoing a death below the county
    /// (R1c), and approval and money authority (R7).
    static func recordRuleRefusal<Lookup: AdmissionLookup>(
        of op: Op, writer: ScopePrefix, lookup: inout Lookup
    ) throws -> AdmissionRefusal? {
        let current = op.createsRecord ? nil : try lookup.state(of: op.record)
        if op.record.type == .household, let current, current.resolution(of: "status").value == .text("archived"),
            op.fields["status"] == nil || op.fields["status"] == .text("archived")
        {
            return AdmissionRefusal(rule: "R10", "R10: \(op.record) is archived; an edit to it goes to the desk")
        }
        if case .text(let target)? = op.fields["household"], op.record.type == .member,
            let household = RecordID(target),
            let state = try lookup.state(of: household), state.resolution(of: "status").value == .text("archived")
        {
            return AdmissionRefusal(rule: "R8", "R8: household \(household) is archived; a member cannot join it")
        }
        if op.record.type == .member, op.fields["vital_status"] == .text("alive"), writer.level != .county, let current,
            current.resolution(of: "vital_status").value == .text("deceased")
        {
            return AdmissionRefusal(
                rule: "R1c", "R1c: \(op.record) is recorded as deceased; only the county can undo a death")
        }
        guard op.record.type == .enrollment else { return nil }
        let programText = op.fields["program"]?.textValue ?? current?.resolution(of: "program").value.textValue
        guard let programText, let program = Program(rawValue: programText) else { return nil }
        let approver = ApprovalAuthority.approver(for: program)
        guard writer.level < approver else { return nil }
        if case .text(let decision)? = op.fields["decision"], decision == "approved" || decision == "rejected" {
            return AdmissionRefusal(
                rule: "R7",
                "R7: a \(writer.level.rawValue) cannot \(decision == "approved" ? "approve" : "reject") "
                    + "\(program.rawValue); it counts as a recommendation for the \(approver.rawValue)")
        }
        if op.fields["amount"] != nil, let current, isApproved(current) {
            return AdmissionRefusal(
                rule: "R7",
                "R7: a \(writer.level.rawValue) cannot change the amount of an approved \(program.rawValue) "
                    + "enrollment; the change is a recommendation for the \(approver.rawValue), held until "
                    + "it is released, and the old amount is paid meanwhile")
        }
        return nil
    }

    /// Whether someone with authority approved the enrollment: money on it then needs the same authority.
    public static func isApproved(_ state: RecordState) -> Bool {
        if state.resolution(of: "decision").value == .text("approved") { return true }
        let status = state.resolution(of: "status").value
        return status == .text("approved") || status == .text("suspended")
    }
}
