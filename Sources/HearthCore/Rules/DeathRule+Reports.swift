extension DeathRule {
    /// R1, a death reported by another department's list (a lead) that nobody has verified yet,
    /// or whose confirmation and refutation clash, while the member is still recorded alive: a
    /// desk case holding every live enrollment of the person until the township verifies it.
    public static func reportedVerdict<Lookup: RuleLookup>(lead: RecordState, lookup: inout Lookup) throws
        -> RuleVerdict
    {
        guard lead.id.type == .lead, lead.shows("source", "death"),
            lead.shows("status", "open") || lead.resolution(of: "status").inConflict,
            let memberID = lead.reference("member"), memberID.type == .member,
            let member = try lookup.state(of: memberID), member.shows("vital_status", "alive")
        else { return .admit }
        let held = try lookup.enrollments(ofMember: memberID).filter(\.isLiveEnrollment).map(\.id).sorted()
        let when = lead.text("reported_date").map { " on \($0)" } ?? ""
        return .desk(
            DeskCase(
                id: "R1:\(lead.id)", rule: .r1, kind: "death-reported", village: lead.text("village"),
                records: [lead.id, memberID],
                detail: "a death list reports \(memberID) died\(when) (lead \(lead.id)): the township verifies it "
                    + "(`hearth lead confirm|refute \(lead.id)`); payments are held meanwhile",
                holds: held))
    }
}
