/// R14, jurisdiction: a change from outside the record's owning area is refused with a reason.
///
/// Judged on the hub's own state and the writer's registered scope, never on what the op
/// claims (SECURITY.md, "Jurisdiction"). An op names its origin (the writer's scope) and the
/// village it is logged under; both are claims. A node could otherwise edit another village's
/// household and set `village` to its own, take the record over and pull its history, ID
/// numbers included. So the record's *current* village decides whether the writer may touch
/// it; only a township (within itself) or the county moves a record; a new record lies where
/// its op is logged, and what it references lies there too.
public enum JurisdictionRule {
    /// Where an existing record lies for an op, once the writer may touch it: the village the
    /// op leaves it in, or the refusal.
    public enum Placement: Equatable, Sendable {
        case village(String)
        case refused(AdmissionRefusal)
    }

    /// The op's origin must be the writer's registered scope.
    public static func originVerdict(of op: Op, writer: ScopePrefix) -> RuleVerdict {
        guard op.origin == writer else {
            return .refuse(
                AdmissionRefusal(
                    .r14, "the op claims origin \(op.origin.value) but the node's scope is \(writer.value) (R14)"))
        }
        return .admit
    }

    /// A new record lies in the village its op is logged under, which lies in the writer's scope.
    public static func creationVerdict(of op: Op, writer: ScopePrefix) -> RuleVerdict {
        guard op.createsRecord else { return .admit }
        guard op.fields["village"] == .text(op.scope.value) else {
            return .refuse(
                AdmissionRefusal(
                    .r14, "R14: a new record's village must be the village its op is logged under (\(op.scope.value))"))
        }
        guard !op.scope.isCountyWide else { return .refuse(countyConfiguration(op.scope.value)) }
        guard writer.contains(op.scope) else {
            return .refuse(
                AdmissionRefusal(.r14, "village \(op.scope.value) is outside the node's scope \(writer.value) (R14)"))
        }
        return .admit
    }

    /// The county's configuration (standards, settings, the names of places) lives under the
    /// county-wide code `<county>000000` and is the county hub's alone to write: no node, of
    /// whatever scope, creates or changes a record there. Judged on the code, not on a scope
    /// that might contain it (a township scope `<county>000` would).
    static func countyConfiguration(_ code: String) -> AdmissionRefusal {
        AdmissionRefusal(.r14, "R14: records under the county-wide code \(code) are written by the county hub only")
    }

    /// An existing record: its village as the hub holds it must lie in the writer's scope, and
    /// a move between villages is a township's or the county's, within its scope. A record
    /// whose creation waits at the desk is not moved (R11); an edit made where the record was,
    /// after a township moved it, goes to the desk (R8).
    public static func placement<Lookup: AdmissionLookup>(
        of op: Op, writer: ScopePrefix, lookup: inout Lookup
    ) throws -> Placement {
        // One answer whether the record exists elsewhere or not at all: a refusal must not let
        // a node enumerate the county's records by id, nor learn where one lives.
        let foreign = AdmissionRefusal(.r14, "R14: \(op.record) is not a record of this node's scope \(writer.value)")
        let held: String?
        let accepted: Bool
        if let state = try lookup.state(of: op.record) {
            held = state.resolution(of: "village").value.textValue
            accepted = true
        } else {
            held = try lookup.quarantinedVillage(of: op.record)
            accepted = false
        }
        guard let current = held, let code = try? DivisionCode.parse(current, field: "village") else {
            return .refused(foreign)
        }
        guard !code.isCountyWide else { return .refused(countyConfiguration(current)) }
        guard writer.contains(code) else { return .refused(foreign) }
        if case .text(let target)? = op.fields["village"], target != current {
            if let refusal = CausalOrderRule.moveVerdict(of: op, creationAccepted: accepted).refusal {
                return .refused(refusal)
            }
            guard writer.level != .village else {
                return .refused(
                    AdmissionRefusal(
                        .r14,
                        "R14: a village node does not move records between villages; "
                            + "the township or the county moves \(op.record)"))
            }
            guard let destination = try? DivisionCode.parse(target, field: "village"), writer.contains(destination)
            else {
                return .refused(
                    AdmissionRefusal(
                        .r14, "R14: \(op.record) cannot move to \(target), outside the node's scope \(writer.value)"))
            }
            guard op.scope.value == target else {
                return .refused(
                    AdmissionRefusal(
                        .r14, "R14: the op moves \(op.record) to \(target) but is logged under \(op.scope.value)"))
            }
            return .village(target)
        }
        if let refusal = HouseholdStructureRule.movedAwayVerdict(of: op, currentVillage: current).refusal {
            return .refused(refusal)
        }
        return .village(current)
    }

    /// A reference an op sets (a member's household, an enrollment's member) names a record
    /// the hub holds in the same village as the record will be in: a node cannot attach its
    /// records to, or learn about, another village's people through a reference.
    public static func referenceVerdict<Lookup: AdmissionLookup>(
        of op: Op, village: String, lookup: inout Lookup
    ) throws -> RuleVerdict {
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
                return .refuse(
                    AdmissionRefusal(.r14, "R14: \(name) names \(target), which is not a record of village \(village)"))
            }
        }
        return .admit
    }

    /// Whether a quarantine reason is a jurisdiction refusal: the desk may discard such an op
    /// but never release it, since releasing would let a writer act outside its area.
    public static func isJurisdiction(_ reason: String) -> Bool {
        reason.hasPrefix("R14:") || reason.hasSuffix("(R14)")
    }
}
