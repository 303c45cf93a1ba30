/// R5, one person, one record: two live member records with the same ID number, anywhere in
/// the county, are a duplicate-person case; the later record's live enrollments are held.
///
/// A member counts as live when recorded alive in a household that is not archived (or in
/// none the replica holds). The later record is the greater id.
public enum DuplicatePersonRule {
    /// Whether a member holding the ID number counts: alive, in a household shown active or
    /// not held at all.
    static func isLive<Lookup: RuleLookup>(_ member: RecordState, lookup: inout Lookup) throws -> Bool {
        guard member.id.type == .member, member.shows("vital_status", "alive") else { return false }
        guard let household = member.reference("household"), let state = try lookup.state(of: household),
            state.id.type == .household
        else { return true }
        return (state.text("status") ?? "active") == "active"
    }

    /// The case for the ID number whose keyed hash is `hash`, when more than one live member
    /// holds it.
    public static func verdict<Lookup: RuleLookup>(idHash hash: String, lookup: inout Lookup) throws -> RuleVerdict {
        var live: [RecordState] = []
        for holder in try lookup.holders(ofIDHash: hash) where holder.idHash == hash {
            if try isLive(holder, lookup: &lookup) { live.append(holder) }
        }
        guard live.count > 1 else { return .admit }
        let ids = live.map(\.id).sorted()
        var held: [RecordID] = []
        for later in ids.dropFirst() {
            held += try lookup.enrollments(ofMember: later).filter(\.isLiveEnrollment).map(\.id)
        }
        return .desk(
            DeskCase(
                id: "R5:\(ids[0])", rule: .r5, kind: "duplicate-person",
                village: live.compactMap { $0.text("village") }.min(),
                records: ids,
                detail: "the same ID number is registered to \(ids.map(\.value).joined(separator: " and ")); "
                    + "the later record's enrollments are held",
                holds: held.sorted()))
    }
}
