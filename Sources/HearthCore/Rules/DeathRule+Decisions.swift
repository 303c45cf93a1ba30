extension DeathRule {
    /// The automatic decisions a member's death makes, in the order the hub writes them: first
    /// the end months that follow a settled date of death (``settledEndMonths(member:enrollments:rules:)``),
    /// then the enrollments the death ends (``endings(member:enrollments:rules:)``), each by
    /// enrollment id. `members` may hold anyone: only the deceased decide anything.
    public static func decisionsVerdict<Lookup: RuleLookup>(members: [RecordState], lookup: inout Lookup) throws
        -> RuleVerdict
    {
        let rules = try lookup.countyConfiguration().rules
        var settled: [RuleDecision] = []
        var ended: [RuleDecision] = []
        for member in members where member.id.type == .member && member.shows("vital_status", "deceased") {
            let enrollments = try lookup.enrollments(ofMember: member.id)
            settled += settledEndMonths(member: member, enrollments: enrollments, rules: rules)
            ended += endings(member: member, enrollments: enrollments, rules: rules)
        }
        return .deciding(
            settled.sorted { $0.record < $1.record } + ended.sorted { $0.record < $1.record })
    }

    /// One member's death: ``decisionsVerdict(members:lookup:)`` for that member alone.
    public static func decisionsVerdict<Lookup: RuleLookup>(member: RecordState, lookup: inout Lookup) throws
        -> RuleVerdict
    {
        try decisionsVerdict(members: [member], lookup: &lookup)
    }

    /// R1: a member recorded as deceased ends every enrollment of theirs that is not exited,
    /// including one approved or created concurrently on another replica: status `exited`,
    /// exit reason `death`, and the last month paid by the county's month-of-death rule (none
    /// when the date of death is unreadable). The trigger is the op(s) that wrote `deceased`.
    public static func endings(member: RecordState, enrollments: [RecordState], rules: CountyRules) -> [RuleDecision] {
        guard member.shows("vital_status", "deceased") else { return [] }
        let trigger =
            member.registers["vital_status"]?.entries.filter { $0.value == .text("deceased") }
            .map(\.dot.description).sorted().joined(separator: ",") ?? ""
        let death = member.text("death_date").flatMap { try? CivilDate.parse($0, field: "death") }
        var decisions: [RuleDecision] = []
        for enrollment in enrollments.sorted(by: { $0.id < $1.id })
        where enrollment.reference("member") == member.id && !enrollment.shows("status", "exited") {
            let start = enrollment.text("start_month").flatMap { try? Month.parse($0, field: "start") }
            var fields: [String: FieldValue] = ["status": .text("exited"), "exit_reason": .text("death")]
            if let death { fields["end_month"] = .text(rules.endMonth(death: death, start: start).description) }
            decisions.append(
                RuleDecision(
                    rule: .r1, record: enrollment.id, field: "status", changes: fields, choice: "exited",
                    note: "death of \(member.id)", trigger: trigger, worker: "rule R1",
                    cause: "rule R1 (rule set \(ConflictRules.ruleSetVersion)): death of \(member.id) "
                        + "ends the enrollment (trigger \(trigger))",
                    subject: nil))
        }
        return decisions
    }

    /// R1, continued: two replicas recording a death in different months also disagree on the
    /// last month paid of the enrollments the death ended. Once the date of death is settled
    /// (no longer in conflict), the end month follows it: once per settled date (the trigger is
    /// every op that wrote the date, prefixed `end:`).
    public static func settledEndMonths(member: RecordState, enrollments: [RecordState], rules: CountyRules)
        -> [RuleDecision]
    {
        guard member.shows("vital_status", "deceased"), !member.resolution(of: "death_date").inConflict,
            let died = member.text("death_date").flatMap({ try? CivilDate.parse($0, field: "death") })
        else { return [] }
        let trigger =
            "end:"
            + (member.registers["death_date"]?.entries.map(\.dot.description).sorted().joined(separator: ",") ?? "")
        var decisions: [RuleDecision] = []
        for enrollment in enrollments.sorted(by: { $0.id < $1.id })
        where enrollment.reference("member") == member.id && enrollment.shows("exit_reason", "death")
            && enrollment.resolution(of: "end_month").inConflict
        {
            let start = enrollment.text("start_month").flatMap { try? Month.parse($0, field: "start") }
            let end = rules.endMonth(death: died, start: start)
            decisions.append(
                RuleDecision(
                    rule: .r1, record: enrollment.id, field: "end_month",
                    changes: ["end_month": .text(end.description)],
                    choice: end.description, note: "end month follows the settled date of death of \(member.id)",
                    trigger: trigger, worker: "rule R1",
                    cause: "rule R1 (rule set \(ConflictRules.ruleSetVersion)): the end month follows the settled "
                        + "date of death of \(member.id)",
                    subject: nil))
        }
        return decisions
    }
}
