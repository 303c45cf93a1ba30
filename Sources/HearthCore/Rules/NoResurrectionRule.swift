/// R10, no resurrection: an edit to an archived record is not applied; it goes to the desk.
///
/// An archived household is only ever set archived again (the archive concurrent with
/// another), or brought back by an op that sets its status (the county's decision).
public enum NoResurrectionRule {
    /// `current` is the record as the hub holds it (nil for a new record).
    public static func verdict(of op: Op, current: RecordState?) -> RuleVerdict {
        guard op.record.type == .household, let current, current.resolution(of: "status").value == .text("archived"),
            op.fields["status"] == nil || op.fields["status"] == .text("archived")
        else { return .admit }
        return .refuse(AdmissionRefusal(.r10, "R10: \(op.record) is archived; an edit to it goes to the desk"))
    }
}
