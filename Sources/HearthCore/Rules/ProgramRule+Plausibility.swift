extension ProgramRule {
    /// R6 at the hub: an op that creates an enrollment, or changes its program or amount, to a
    /// value ``Plausibility`` finds out of range is refused unless its cause carries its
    /// writer's override reason. Judged on the hub's own state (the member's birth date and
    /// grade, the household's type, the county's standards and settings), never on what the
    /// op's author believed: the hub trusts no node.
    ///
    /// A creation or a change of program is judged at every entry of the schedule; an amount
    /// change at the entries it adds or alters (the rest were judged when they were written).
    /// The state is the hub's as the batch's earlier ops left it.
    public static func admissionVerdict<Lookup: AdmissionLookup>(of op: Op, lookup: inout Lookup) throws
        -> RuleVerdict
    {
        guard op.record.type == .enrollment,
            op.createsRecord || op.fields["amount"] != nil || op.fields["program"] != nil,
            Plausibility.overrideReason(in: op.cause) == nil
        else { return .admit }
        let current = op.createsRecord ? nil : try lookup.state(of: op.record)
        func text(_ field: String) -> String? {
            op.fields[field]?.textValue ?? current?.resolution(of: field).value.textValue
        }
        guard let program = text("program").flatMap(Program.init(rawValue:)),
            let schedule = text("amount").flatMap(AmountSchedule.init(text:))
        else { return .admit }
        let months: [Month]
        if op.createsRecord || op.fields["program"] != nil {
            months = schedule.entries.map(\.from)
        } else {
            let old = current?.resolution(of: "amount").value.textValue.flatMap(AmountSchedule.init(text:))
            months = Plausibility.changedMonths(from: old, to: schedule)
        }
        guard !months.isEmpty else { return .admit }
        let member = try text("member").flatMap(RecordID.init).map { try lookup.state(of: $0) } ?? nil
        let householdID = text("household") ?? member?.resolution(of: "household").value.textValue
        let household = try householdID.flatMap(RecordID.init).map { try lookup.state(of: $0) } ?? nil
        var problems = Plausibility.problems(
            program: program, schedule: schedule, months: months,
            facts: MemberFacts(member: member, household: household), configuration: try lookup.countyConfiguration())
        // A member or household whose creation waits at the desk says nothing yet: its facts are
        // not judged (the desk decides on it first), the amount still is.
        if member == nil || household == nil { problems.removeAll { $0.kind != .ceiling } }
        guard !problems.isEmpty else { return .admit }
        return .refuse(
            AdmissionRefusal(
                .r6,
                "R6: \(op.record) is implausible: \(problems.map(\.message).joined(separator: "; ")); "
                    + "a writer who means it records an override reason"))
    }

    /// R6: an enrollment op whose writer overrode the plausibility checks enters the audit trail
    /// with the writer and the reason, once per op (the trigger is the op). The hub records it
    /// for the ops it logged; one it refused waits in quarantine with its own reason.
    public static func overrideVerdict(of op: Op) -> RuleVerdict {
        guard op.record.type == .enrollment, let reason = Plausibility.overrideReason(in: op.cause) else {
            return .admit
        }
        return .decide([
            RuleDecision(
                rule: .r6, record: op.record, field: op.fields["amount"] != nil ? "amount" : "program", changes: [:],
                choice: "override", note: "plausibility override: \(reason)", trigger: op.dot.description,
                worker: op.author, cause: nil, subject: op.dot)
        ])
    }
}
