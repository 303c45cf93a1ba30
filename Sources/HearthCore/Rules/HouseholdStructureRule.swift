/// R8, household structure: a person is in at most one live household, a household has
/// exactly one head, and a move between villages is two-sided.
///
/// Concurrent changes to a household's members, head or population are field conflicts for
/// the desk (``ConflictRules``); what crosses records is judged here: joining an archived
/// household, an edit made where a record was before it moved, and a live household left
/// without a living member or a living head.
public enum HouseholdStructureRule {
    /// A member op that sets `household` to an archived household is refused: nobody joins it.
    public static func joinVerdict<Lookup: AdmissionLookup>(of op: Op, lookup: inout Lookup) throws -> RuleVerdict {
        guard case .text(let target)? = op.fields["household"], op.record.type == .member,
            let household = RecordID(target),
            let state = try lookup.state(of: household), state.resolution(of: "status").value == .text("archived")
        else { return .admit }
        return .refuse(AdmissionRefusal(.r8, "R8: household \(household) is archived; a member cannot join it"))
    }

    /// An edit logged for a village the record has left (a township moved it elsewhere in its
    /// scope) goes to the desk: it would be logged where the record no longer is.
    public static func movedAwayVerdict(of op: Op, currentVillage: String) -> RuleVerdict {
        guard op.scope.value != currentVillage else { return .admit }
        return .refuse(
            AdmissionRefusal(
                .r8,
                "R8: \(op.record) moved to village \(currentVillage); an edit made for \(op.scope.value) goes to the desk"
            ))
    }

    /// A live household whose members are all deceased (it has members, none living) is a case
    /// for the desk, its live enrollments held; one with a living member but no head, or a
    /// deceased head, is a case too (nothing held: the desk chooses a head).
    public static func deskVerdict<Lookup: RuleLookup>(household: RecordState, lookup: inout Lookup) throws
        -> RuleVerdict
    {
        guard household.id.type == .household, household.shows("status", "active") else { return .admit }
        let id = household.id
        let members = try lookup.members(ofHousehold: id)
        let living = members.filter { $0.shows("vital_status", "alive") }.count
        let village = household.text("village")
        if living == 0, !members.isEmpty {
            let held = try lookup.enrollments(ofHousehold: id).filter(\.isLiveEnrollment).map(\.id).sorted()
            return .desk(
                DeskCase(
                    id: "H:\(id)/living", rule: .r8, kind: "no-living-member", village: village, records: [id],
                    detail: "\(id) has no living member: archive it or correct the record", holds: held))
        }
        guard living > 0 else { return .admit }
        let head = household.text("head")
        let headStatus = try head.flatMap { text in try RecordID(text).flatMap { try lookup.state(of: $0) } }
            .flatMap { $0.id.value == head ? $0.text("vital_status") : nil }
        guard head == nil || headStatus == "deceased" else { return .admit }
        return .desk(
            DeskCase(
                id: "H:\(id)/head", rule: .r8, kind: "no-head", village: village, records: [id],
                detail: "\(id) has no living head: choose one (`household edit --head`)", holds: []))
    }
}
