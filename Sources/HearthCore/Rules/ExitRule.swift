/// R2, exit beats increase, and R2a, exit against re-approval.
///
/// An exit or suspension concurrent with an amount change or a resume wins (the status order
/// already keeps the safer state); the other change is listed as superseded, in the audit
/// trail, for optional review: nothing is written to the records (soft). An exit concurrent
/// with an approval is the county's to decide, both held (hard), unless the exit came from a
/// death (R1 takes precedence).
public enum ExitRule {
    /// Whether an op stops payments: it sets the status exited or suspended.
    static func stops(_ op: Op) -> Bool {
        op.fields["status"] == .text("exited") || op.fields["status"] == .text("suspended")
    }

    /// A resume sets the status back to approved without a decision (an approval is R2a's business).
    static func resumes(_ op: Op) -> Bool {
        op.fields["status"] == .text("approved") && op.fields["decision"] == nil
    }

    /// Whether R2 can say anything about an op: it stops payments, changes an amount or resumes.
    static func concernsSupersession(_ op: Op) -> Bool {
        op.fields["amount"] != nil || resumes(op) || stops(op)
    }

    /// Neither op saw the other.
    static func concurrent(_ a: Op, _ b: Op) -> Bool {
        !a.context.covers(b.dot) && !b.context.covers(a.dot) && a.dot != b.dot
    }

    /// R2 for one op of a batch on an enrollment the hub holds, against the record's logged
    /// history (in log order): each amount change or resume concurrent with a stop that is not
    /// a death is superseded by it, and so is each one concurrent with this op if it stops.
    /// The decisions are notes for the audit trail, keyed by the pair of ops.
    public static func supersessionVerdict(of op: Op, history: [Op], recordExists: Bool) -> RuleVerdict {
        guard op.record.type == .enrollment else { return .admit }
        let setsAmountOrResume = op.fields["amount"] != nil || resumes(op)
        let setsStop = stops(op)
        guard concernsSupersession(op), recordExists else { return .admit }
        var pairs: [(superseded: Op, by: Op)] = []
        if setsAmountOrResume {
            for stop in history where stops(stop) {
                if concurrent(op, stop), stop.fields["exit_reason"] != .text("death") { pairs.append((op, stop)) }
            }
        }
        if setsStop, op.fields["exit_reason"] != .text("death") {
            for change in history where change.fields["amount"] != nil || resumes(change) {
                if concurrent(op, change) { pairs.append((change, op)) }
            }
        }
        return .deciding(
            pairs.map { pair in
                RuleDecision(
                    rule: .r2, record: op.record, field: nil, changes: [:], choice: "superseded",
                    note:
                        "\(pair.superseded.fields["amount"] != nil ? "amount change" : "resume") \(pair.superseded.dot) "
                        + "superseded by \(pair.by.fields["status"]?.textValue ?? "exit") \(pair.by.dot)",
                    trigger: "\(pair.superseded.dot),\(pair.by.dot)", worker: "rule R2", cause: nil,
                    subject: pair.superseded.dot)
            })
    }

    /// R2a: an enrollment whose status holds both an exit and an approval written concurrently,
    /// the exit not a death's, is a desk case: the county decides, and payment is held.
    public static func approvalVerdict(enrollment: RecordState) -> RuleVerdict {
        guard enrollment.id.type == .enrollment else { return .admit }
        let statuses = enrollment.resolution(of: "status").candidates.map(\.value)
        guard statuses.contains(.text("exited")), statuses.contains(.text("approved")),
            enrollment.resolution(of: "exit_reason").value != .text("death")
        else { return .admit }
        return .desk(
            DeskCase(
                id: "R2a:\(enrollment.id)", rule: .r2a, kind: "exit-against-approval",
                village: enrollment.text("village"), records: [enrollment.id],
                detail: "an exit and an approval were made concurrently: the county decides; payment is held",
                holds: [enrollment.id]))
    }
}
