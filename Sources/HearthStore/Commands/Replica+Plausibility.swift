import HearthCore
import HearthText

extension ReplicaReading {
    /// The county's standards, payment rules and plausibility ceilings as this replica holds
    /// them (every replica of the county holds them all).
    package func countyConfiguration() throws(ReplicaError) -> CountyConfiguration {
        try withStatements { sql in try ReplicaCore.countyConfiguration(sql) }
    }
}

extension ReplicaCore {
    package static func countyConfiguration(_ sql: any SQLStatements) throws -> CountyConfiguration {
        var values: [String: String] = [:]
        // The oldest record of a name wins should two exist, as in ``countyRules(_:)``.
        for entry in try settings(sql).reversed() { values[entry.setting.rawValue] = entry.value }
        return CountyConfiguration(
            standards: StandardTable(try standards(sql).map(\.standard)), rules: CountyRules(settings: values),
            ceilings: AmountCeilings(settings: values))
    }
}

extension Checks {
    /// An override reason as the writer typed it (nil: none given).
    package static func overrideReason(_ raw: String?) throws(InputError) -> String? {
        try raw.map { text throws(InputError) in
            try Checks.text(text, field: "override", maxLength: Plausibility.maxOverrideLength)
        }
    }
}

extension ChangeSet {
    /// R6 at the writer: judges what an enrollment of `member` would grant at `months`, and
    /// refuses an implausible value (an ``InputError`` naming the field and every problem)
    /// unless the writer gave an override reason. Returns the problems overridden (empty when
    /// there were none), so the caller records the reason in the op's cause only when it was used.
    package mutating func judgePlausibility(
        program: Program, schedule: AmountSchedule?, months: [Month], member: RecordState?,
        configuration: CountyConfiguration, override: String?
    ) throws -> [PlausibilityProblem] {
        let household =
            try member.flatMap { ChangeSet.text($0, "household") }.flatMap(RecordID.init).map {
                try state(of: $0)
            } ?? nil
        let facts = MemberFacts(member: member, household: household)
        let problems: [PlausibilityProblem]
        if let schedule {
            problems = Plausibility.problems(
                program: program, schedule: schedule, months: months, facts: facts, configuration: configuration)
        } else {
            problems = months.flatMap {
                Plausibility.problems(program: program, amount: nil, in: $0, facts: facts, configuration: configuration)
            }
        }
        guard !problems.isEmpty, override == nil else { return problems }
        // Worded in the process's language: each problem's parts are words of it too.
        let refusal = Plausibility.refusal(problems, in: .current)
        guard let member else {
            throw InputError(field: problems[0].field, "plausibility.refused", ["refusal": refusal])
        }
        throw InputError(
            field: problems[0].field, "plausibility.refused_member", ["id": "\(member.id)", "refusal": refusal])
    }
}
