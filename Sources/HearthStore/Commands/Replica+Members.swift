import GRDB
import HearthCore

extension ReplicaWriting {
    /// Registers a member (成员) in a household. Without an ID number the member is
    /// pending (a newborn not yet registered) and never payable.
    package func addMember(_ input: MemberInput, author: String, nowMillis: Int64) throws(ReplicaError) -> RecordID {
        try write(author: author, nowMillis: nowMillis) { changes in
            guard let householdText = input.household else {
                throw InputError(field: "household", "input.required")
            }
            let household = try Checks.recordID(householdText, field: "household", type: .household)
            let householdState = try changes.existing(household, field: "household")
            guard ChangeSet.text(householdState, "status") == "active" else {
                throw InputError(field: "household", "household.archived", ["id": "\(household)"])
            }
            guard let name = input.name else { throw InputError(field: "name", "input.required") }
            guard let relation = input.relation else {
                throw InputError(field: "relation", "member.relation_required")
            }
            var fields = try memberFields(input, changes: &changes, excluding: nil)
            fields["household"] = .text(household.value)
            fields["name"] = .text(try Checks.text(name, field: "name", maxLength: 50))
            fields["vital_status"] = .text("alive")
            let village = try DivisionCode.parse(ChangeSet.text(householdState, "village") ?? "", field: "village")
            let currentHead = ChangeSet.text(householdState, "head")
            if fields["relation"] == .text("head"), let currentHead {
                throw InputError(
                    field: "relation", "member.has_head", ["household": "\(household)", "head": currentHead])
            }
            _ = relation
            let member = try changes.create(
                .member, village: village, fields: fields, cause: try Self.cause(input.reason))
            if fields["relation"] == .text("head") {
                try changes.update(household, fields: ["head": .text(member.value)])
            }
            try changes.recountPopulation(household, change: 1)
            return member
        }.result
    }

    /// Changes fields of a member.
    package func editMember(_ id: String, _ input: MemberInput, author: String, nowMillis: Int64) throws(ReplicaError) {
        _ = try write(author: author, nowMillis: nowMillis) { changes in
            let member = try Checks.recordID(id, field: "member", type: .member)
            let state = try changes.existing(member, field: "member")
            guard input.household == nil else {
                throw InputError(field: "household", "member.move_is_separate")
            }
            if input.relation?.lowercased() == "head" {
                throw InputError(field: "relation", "member.head_by_household")
            }
            var fields = try memberFields(input, changes: &changes, excluding: member)
            if let name = input.name { fields["name"] = .text(try Checks.text(name, field: "name", maxLength: 50)) }
            guard !fields.isEmpty else { throw InputError(field: "member", "input.nothing_to_change") }
            _ = state
            try changes.refuseIfInConflict(state, fields)
            try changes.update(member, fields: fields, cause: try Self.cause(input.reason))
        }
    }

    private func memberFields(_ input: MemberInput, changes: inout ChangeSet, excluding: RecordID?) throws
        -> [String: FieldValue]
    {
        var fields: [String: FieldValue] = [:]
        if let raw = input.idNumber {
            let id = try IDNumber(parsing: raw, field: "id-number", today: changes.today())
            let sealed = keys.seal(id.value)
            if let holder = try changes.sql.value(
                "SELECT id FROM members WHERE id_number_hash = ? AND vital_status = 'alive' AND id != ?",
                [.text(sealed.digest), .text(excluding?.value ?? "")])?.text
            {
                throw InputError(field: "id-number", "member.id_taken", ["member": holder])
            }
            fields["id_number"] = .sealed(sealed)
            fields["sex"] = .text(id.sex.rawValue)
            fields["birth_date"] = .text(id.birthDate.description)
        }
        if let relation = input.relation {
            fields["relation"] = .text(
                try Checks.code(relation, field: "relation", allowed: ["head", "spouse", "child", "parent", "other"]))
        }
        if let grade = input.disabilityGrade {
            fields["disability_grade"] = try Checks.grade(grade, field: "disability-grade")
        }
        if let health = input.health {
            fields["health"] = .text(try Checks.text(health, field: "health", maxLength: 200))
        }
        if let work = input.workCapacity {
            fields["work_capacity"] = .text(try Checks.text(work, field: "work-capacity", maxLength: 200))
        }
        if let note = input.note { fields["note"] = .text(try Checks.text(note, field: "note", maxLength: 500)) }
        if let card = input.bankCard {
            fields["bank_card"] = .sealed(keys.seal(try BankCard.parse(card, field: "bank-card").value))
        }
        if let name = input.accountName {
            fields["account_name"] = .text(try Checks.text(name, field: "account-name", maxLength: 50))
        }
        return fields
    }

    /// Records a death: the member becomes deceased from that date and every active
    /// enrollment of theirs ends, in the same transaction (docs/rules.md R1).
    package func recordDeath(member id: String, date: String, author: String, nowMillis: Int64) throws(ReplicaError)
        -> [RecordID]
    {
        try write(author: author, nowMillis: nowMillis) { changes in
            try changes.recordDeath(of: try Checks.recordID(id, field: "member", type: .member), date: date)
        }.result
    }
}

extension ChangeSet {
    /// Records a death and ends every enrollment of the member that has not exited, in the
    /// command's transaction (`hearth death`, and a confirmed death lead).
    package mutating func recordDeath(of member: RecordID, date: String) throws -> [RecordID] {
        let state = try existing(member, field: "member")
        let death = try CivilDate.parse(date, field: "date")
        guard death <= today() else { throw InputError(field: "date", "input.future") }
        if let birth = ChangeSet.text(state, "birth_date"), let born = try? CivilDate.parse(birth, field: "birth"),
            death < born
        {
            throw InputError(field: "date", "member.death_before_birth")
        }
        guard ChangeSet.text(state, "vital_status") != "deceased" else {
            throw InputError(field: "member", "member.already_deceased", ["member": "\(member)"])
        }
        try update(
            member, fields: ["vital_status": .text("deceased"), "death_date": .text(death.description)])
        let enrollments = try sql.texts(
            "SELECT id FROM enrollments WHERE member = ? AND status != 'exited' ORDER BY id", [.text(member.value)])
        var ended: [RecordID] = []
        let rules = try ReplicaCore.countyRules(sql)
        for text in enrollments {
            guard let enrollment = RecordID(text) else { continue }
            let enrollmentState = try existing(enrollment, field: "enrollment")
            let start = ChangeSet.text(enrollmentState, "start_month").flatMap { try? Month.parse($0, field: "start") }
            let end = rules.endMonth(death: death, start: start)
            try update(
                enrollment,
                fields: [
                    "status": .text("exited"), "end_month": .text(end.description), "exit_reason": .text("death"),
                ],
                cause: "death of \(member)")
            ended.append(enrollment)
        }
        return ended
    }
}
