/// R7, approval authority: an approval or rejection counts when its writer holds the authority
/// for the program (townships by default, the county above them, ``ApprovalAuthority``);
/// below it, it is a recommendation, queued for the approver. Money on an approved enrollment
/// needs the same authority.
public enum ApprovalAuthorityRule {
    /// Whether a writer of `level` only recommends for `program` (below its approving rank).
    public static func recommends(_ level: ScopePrefix.Level, for program: Program) -> Bool {
        level < ApprovalAuthority.approver(for: program)
    }

    /// A decision or an amount change on an enrollment from below the program's approving rank
    /// is refused at the hub: it is held as a recommendation for the approver. `current` is the
    /// enrollment as the hub holds it (nil for a new one).
    public static func verdict(of op: Op, writer: ScopePrefix, current: RecordState?) -> RuleVerdict {
        guard op.record.type == .enrollment else { return .admit }
        let programText = op.fields["program"]?.textValue ?? current?.resolution(of: "program").value.textValue
        guard let programText, let program = Program(rawValue: programText) else { return .admit }
        let approver = ApprovalAuthority.approver(for: program)
        guard recommends(writer.level, for: program) else { return .admit }
        if case .text(let decision)? = op.fields["decision"], decision == "approved" || decision == "rejected" {
            return .refuse(
                AdmissionRefusal(
                    .r7,
                    "R7: a \(writer.level.rawValue) cannot \(decision == "approved" ? "approve" : "reject") "
                        + "\(program.rawValue); it counts as a recommendation for the \(approver.rawValue)"))
        }
        if op.fields["amount"] != nil, let current, isApproved(current) {
            return .refuse(
                AdmissionRefusal(
                    .r7,
                    "R7: a \(writer.level.rawValue) cannot change the amount of an approved \(program.rawValue) "
                        + "enrollment; the change is a recommendation for the \(approver.rawValue), held until "
                        + "it is released, and the old amount is paid meanwhile"))
        }
        return .admit
    }

    /// Whether someone with authority approved the enrollment: money on it then needs the same authority.
    public static func isApproved(_ state: RecordState) -> Bool {
        if state.resolution(of: "decision").value == .text("approved") { return true }
        let status = state.resolution(of: "status").value
        return status == .text("approved") || status == .text("suspended")
    }
}
