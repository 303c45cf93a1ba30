import GRDB
import HearthCore

extension ReplicaWriting {
    /// Enrolls a member in a program, or every living member of a household.
    package func enroll(_ input: EnrollInput, author: String, nowMillis: Int64) throws(ReplicaError) -> [RecordID] {
        try write(author: author, nowMillis: nowMillis) { changes in
            // The code or the Chinese name (农村低保), as Program.parse takes them.
            let program = try Program.parse(input.program)
            let given = try input.amount.map { text throws(InputError) in
                try ScheduledAmount.parse(text, field: "amount")
            }
            let start = try Month.parse(input.start, field: "start")
            let override = try Checks.overrideReason(input.override)
            let configuration = try ReplicaCore.countyConfiguration(changes.sql)
            var members: [RecordID] = []
            switch (input.member, input.household) {
            case (let member?, nil):
                members = [try Checks.recordID(member, field: "member", type: .member)]
            case (nil, let household?):
                let id = try Checks.recordID(household, field: "household", type: .household)
                _ = try changes.existing(id, field: "household")
                members = try changes.sql.texts(
                    "SELECT id FROM members WHERE household = ? AND vital_status = 'alive' ORDER BY id",
                    [.text(id.value)]
                ).compactMap(RecordID.init)
                guard !members.isEmpty else {
                    throw InputError(field: "household", "enrollment.no_living_member", ["household": "\(id)"])
                }
            default:
                throw InputError(field: "member", "enrollment.member_or_household")
            }
            var created: [RecordID] = []
            for member in members {
                let state = try changes.existing(member, field: "member")
                guard ChangeSet.text(state, "vital_status") == "alive" else {
                    throw InputError(field: "member", "member.deceased", ["member": "\(member)"])
                }
                if let live = try changes.sql.value(
                    "SELECT id FROM enrollments WHERE member = ? AND program = ? AND status != 'exited'",
                    [.text(member.value), .text(program.rawValue)])?.text
                {
                    throw InputError(
                        field: "program", "enrollment.already_live",
                        ["member": "\(member)", "program": Checks.programWord(program), "enrollment": live])
                }
                guard let household = ChangeSet.text(state, "household"), let village = ChangeSet.text(state, "village")
                else { throw InputError(field: "member", "member.no_household", ["member": "\(member)"]) }
                let facts = MemberFacts(member: state, household: nil)
                // Without an amount, the enrollment pays the standard and follows it through raises.
                let amount = given ?? .standard(less: .zero)
                // R6: the program's prerequisites and ceiling, before the amount is settled (a
                // missing grade or age is the better answer than a missing standard).
                let overridden = try changes.judgePlausibility(
                    program: program, schedule: AmountSchedule(from: start, amount), months: [start],
                    member: state, configuration: configuration, override: override)
                if amount.fixed == nil,
                    configuration.standards.standard(for: program, grade: facts.grade, birth: facts.birth, in: start)
                        == nil
                {
                    throw InputError(
                        field: "amount", "enrollment.no_standard",
                        ["program": Checks.programWord(program), "month": "\(start)", "member": "\(member)"])
                }
                let id = try changes.create(
                    .enrollment, village: try DivisionCode.parse(village, field: "village"),
                    fields: [
                        "member": .text(member.value), "household": .text(household),
                        "program": .text(program.rawValue),
                        "status": .text("applied"), "decision": .text("pending"),
                        "amount": .text(AmountSchedule(from: start, amount).description),
                        "start_month": .text(start.description),
                    ], cause: overridden.isEmpty ? nil : Plausibility.cause(nil, override: override ?? ""))
                created.append(id)
            }
            return created
        }.result
    }

    /// Approves, rejects, suspends or resumes an enrollment. Below the program's approving
    /// rank (a village, by default) an approval or rejection is recorded as a recommendation
    /// (R7) and the result is `true`.
    @discardableResult
    package func changeEnrollment(
        _ id: String, _ action: EnrollmentAction, note: String?, author: String, nowMillis: Int64
    )
        throws(ReplicaError) -> Bool
    {
        try write(author: author, nowMillis: nowMillis) { changes in
            let enrollment = try Checks.recordID(id, field: "enrollment", type: .enrollment)
            let state = try changes.existing(enrollment, field: "enrollment")
            let status = ChangeSet.text(state, "status") ?? "applied"
            var fields: [String: FieldValue] = [:]
            if action == .approve || action == .reject,
                let program = ChangeSet.text(state, "program").flatMap(Program.init(rawValue:)),
                changes.info.scope.level < ApprovalAuthority.approver(for: program)
            {
                guard status == "applied" else {
                    throw InputError(
                        field: "enrollment", "enrollment.only_application_decided",
                        ["id": "\(enrollment)", "status": Checks.statusWord(status)])
                }
                fields = ["recommendation": .text(action == .approve ? "approve" : "reject")]
                if let note { fields["note"] = .text(try Checks.text(note, field: "note", maxLength: 500)) }
                try changes.update(enrollment, fields: fields, cause: "recommendation by \(changes.author) (R7)")
                return true
            }
            switch action {
            case .approve:
                guard status == "applied" else {
                    throw InputError(
                        field: "enrollment", "enrollment.only_application_approved",
                        ["id": "\(enrollment)", "status": Checks.statusWord(status)])
                }
                fields = ["status": .text("approved"), "decision": .text("approved"), "approver": .text(author)]
            case .reject:
                guard status == "applied" else {
                    throw InputError(
                        field: "enrollment", "enrollment.only_application_rejected",
                        ["id": "\(enrollment)", "status": Checks.statusWord(status)])
                }
                fields = [
                    "status": .text("exited"), "decision": .text("rejected"), "approver": .text(author),
                    "exit_reason": .text("application rejected"),
                ]
            case .suspend:
                guard status == "approved" else {
                    throw InputError(
                        field: "enrollment", "enrollment.only_approved_suspended",
                        ["id": "\(enrollment)", "status": Checks.statusWord(status)])
                }
                // Withheld from this month on; months before it stay as paid (never recovered).
                fields = ["status": .text("suspended"), "suspended_from": .text(changes.today().month.description)]
            case .resume:
                guard status == "suspended" else {
                    throw InputError(
                        field: "enrollment", "enrollment.only_suspended_resumed",
                        ["id": "\(enrollment)", "status": Checks.statusWord(status)])
                }
                fields = ["status": .text("approved"), "suspended_from": .null]
            }
            if let note { fields["note"] = .text(try Checks.text(note, field: "note", maxLength: 500)) }
            try changes.refuseIfInConflict(state, fields)
            try changes.update(enrollment, fields: fields)
            return false
        }.result
    }

    /// Ends an enrollment (退出) with a reason and a last month.
    package func exitEnrollment(_ id: String, reason: String, end: String, author: String, nowMillis: Int64)
        throws(ReplicaError)
    {
        _ = try write(author: author, nowMillis: nowMillis) { changes in
            try changes.exitEnrollment(id, reason: reason, end: end)
        }
    }

    /// Changes the monthly amount from a month on; earlier months keep their amounts. An amount
    /// out of the program's range (R6, ``Plausibility``) is refused unless `override` gives the
    /// reason it is right, which the op's cause then keeps.
    package func changeAmount(
        _ id: String, amount: String, from: String, reason: String, override: String? = nil, author: String,
        nowMillis: Int64
    ) throws(ReplicaError) {
        _ = try write(author: author, nowMillis: nowMillis) { changes in
            let enrollment = try Checks.recordID(id, field: "enrollment", type: .enrollment)
            let state = try changes.existing(enrollment, field: "enrollment")
            guard ChangeSet.text(state, "status") != "exited" else {
                throw InputError(field: "enrollment", "enrollment.exited_history", ["id": "\(enrollment)"])
            }
            let money = try ScheduledAmount.parse(amount, field: "amount")
            let month = try Month.parse(from, field: "from")
            let why = try Checks.text(reason, field: "reason", maxLength: 200)
            let schedule = ChangeSet.text(state, "amount").flatMap(AmountSchedule.init(text:)) ?? AmountSchedule()
            if let start = ChangeSet.text(state, "start_month"),
                let startMonth = try? Month.parse(start, field: "start"),
                month < startMonth
            {
                throw InputError(
                    field: "from", "enrollment.before_start", ["month": "\(month)", "start": "\(startMonth)"])
            }
            try changes.refuseIfInConflict(state, ["amount": .null])
            let changed = schedule.setting(money, from: month)
            let overrideReason = try Checks.overrideReason(override)
            var overridden: [PlausibilityProblem] = []
            if let program = ChangeSet.text(state, "program").flatMap(Program.init(rawValue:)) {
                let member =
                    try ChangeSet.text(state, "member").flatMap(RecordID.init).map { try changes.state(of: $0) } ?? nil
                overridden = try changes.judgePlausibility(
                    program: program, schedule: changed, months: [month], member: member,
                    configuration: try ReplicaCore.countyConfiguration(changes.sql), override: overrideReason)
            }
            let cause = "amount change: \(why)"
            try changes.update(
                enrollment, fields: ["amount": .text(changed.description)],
                cause: overridden.isEmpty ? cause : Plausibility.cause(cause, override: overrideReason ?? ""))
        }
    }

    /// Records a home visit or verification (入户核查); visits are append-only.
    package func addVisit(household id: String, note: String, date: String?, author: String, nowMillis: Int64)
        throws(ReplicaError) -> RecordID
    {
        try write(author: author, nowMillis: nowMillis) { changes in
            let household = try Checks.recordID(id, field: "household", type: .household)
            let state = try changes.existing(household, field: "household")
            let day =
                try date.map { raw throws(InputError) in try CivilDate.parse(raw, field: "date") } ?? changes.today()
            guard day <= changes.today() else { throw InputError(field: "date", "input.future") }
            let village = try DivisionCode.parse(ChangeSet.text(state, "village") ?? "", field: "village")
            return try changes.create(
                .visit, village: village,
                fields: [
                    "household": .text(household.value), "date": .text(day.description),
                    "worker": .text(changes.author),
                    "note": .text(try Checks.text(note, field: "note", maxLength: 2000)),
                ])
        }.result
    }
}

extension ChangeSet {
    /// Ends an enrollment (退出) with a reason and a last month, in this command's changes:
    /// what ``ReplicaCore/exitEnrollment(_:reason:end:author:nowMillis:)`` writes, and what
    /// the hub writes for a rule case in its storage's transaction.
    package mutating func exitEnrollment(_ id: String, reason: String, end: String) throws {
        let enrollment = try Checks.recordID(id, field: "enrollment", type: .enrollment)
        let state = try existing(enrollment, field: "enrollment")
        guard ChangeSet.text(state, "status") != "exited" else {
            throw InputError(field: "enrollment", "enrollment.already_exited", ["id": "\(enrollment)"])
        }
        let endMonth = try Month.parse(end, field: "end")
        if let start = ChangeSet.text(state, "start_month"),
            let startMonth = try? Month.parse(start, field: "start"),
            endMonth < startMonth
        {
            throw InputError(
                field: "end", "enrollment.before_start", ["month": "\(endMonth)", "start": "\(startMonth)"])
        }
        try refuseIfInConflict(state, ["end_month": .null])
        try update(
            enrollment,
            fields: [
                "status": .text("exited"), "end_month": .text(endMonth.description),
                "exit_reason": .text(try Checks.text(reason, field: "reason", maxLength: 200)),
            ])
    }
}
