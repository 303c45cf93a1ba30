import HearthCore
import HearthStore

/// Rules the hub checks on each pushed op against its merged state, before applying it. An
/// op that breaks one is quarantined with the rule's id and a reason: it reaches the desk
/// (`hearth hub quarantine`), never silently applied or dropped.
extension HubService {
    func ruleProblem(_ op: Op) -> String? {
        let current: RecordState? = (try? replica.state(of: op.record)) ?? nil
        // R10: no resurrection: an archived household is not edited (unless the op restores it).
        if op.record.type == .household, let current, current.resolution(of: "status").value == .text("archived"),
            op.fields["status"] == nil || op.fields["status"] == .text("archived")
        {
            return "R10: \(op.record) is archived; an edit to it goes to the desk"
        }
        // R8: an edit made where the record was, after it moved to another village.
        if op.fields["village"] == nil, !op.createsRecord, let current,
            let village = current.resolution(of: "village").value.textValue, village != op.scope.value
        {
            return "R8: \(op.record) moved to village \(village); an edit made for \(op.scope.value) goes to the desk"
        }
        // R8 / R10: a member added to, or moved into, an archived household.
        if case .text(let target)? = op.fields["household"], op.record.type == .member, let household = RecordID(target),
            let state = try? replica.state(of: household), state.resolution(of: "status").value == .text("archived")
        {
            return "R8: household \(household) is archived; a member cannot join it"
        }
        // R1c: making a deceased person alive again takes the county.
        if op.record.type == .member, op.fields["vital_status"] == .text("alive"), op.origin.level != .county, let current,
            current.resolution(of: "vital_status").value == .text("deceased")
        {
            return "R1c: \(op.record) is recorded as deceased; only the county can undo a death"
        }
        // R7: approval authority per program; a lower rank's approval is a recommendation.
        if case .text(let decision)? = op.fields["decision"], decision == "approved" || decision == "rejected" {
            let programText = op.fields["program"]?.textValue ?? current?.resolution(of: "program").value.textValue
            if let programText, let program = Program(rawValue: programText),
                op.origin.level < ApprovalAuthority.approver(for: program)
            {
                return "R7: a \(op.origin.level.rawValue) cannot \(decision == "approved" ? "approve" : "reject") "
                    + "\(program.rawValue); it counts as a recommendation for the \(ApprovalAuthority.approver(for: program).rawValue)"
            }
        }
        return nil
    }
}
