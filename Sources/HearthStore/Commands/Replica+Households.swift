import GRDB
import HearthCore

extension ReplicaWriting {
    /// Registers a household (户) in a village of this replica's scope.
    package func addHousehold(_ input: HouseholdInput, author: String, nowMillis: Int64) throws(ReplicaError)
        -> RecordID
    {
        try write(author: author, nowMillis: nowMillis) { changes in
            guard let villageText = input.village else { throw InputError(field: "village", "input.required") }
            let village = try DivisionCode.parse(villageText, field: "village")
            guard changes.info.scope.contains(village) else {
                throw InputError(
                    field: "village", "input.outside_scope",
                    ["village": village.value, "scope": changes.info.scope.value])
            }
            guard input.address != nil else { throw InputError(field: "address", "input.required") }
            guard input.type != nil else { throw InputError(field: "type", "input.type_required") }
            guard input.head == nil else {
                throw InputError(field: "head", "household.head_later")
            }
            guard input.payee == nil else {
                throw InputError(field: "payee", "household.payee_later")
            }
            var fields = try householdFields(input)
            fields["status"] = .text("active")
            return try changes.create(.household, village: village, fields: fields, cause: try Self.cause(input.reason))
        }.result
    }

    /// Changes fields of a household.
    package func editHousehold(_ id: String, _ input: HouseholdInput, author: String, nowMillis: Int64)
        throws(ReplicaError)
    {
        _ = try write(author: author, nowMillis: nowMillis) { changes in
            let household = try Checks.recordID(id, field: "household", type: .household)
            let state = try changes.existing(household, field: "household")
            guard ChangeSet.text(state, "status") == "active" else {
                throw InputError(field: "household", "household.archived_not_edited", ["id": "\(household)"])
            }
            guard input.village == nil else {
                throw InputError(field: "village", "household.move_is_separate")
            }
            var fields = try householdFields(input)
            if let head = input.head {
                let member = try Checks.recordID(head, field: "head", type: .member)
                let memberState = try changes.existing(member, field: "head")
                guard ChangeSet.text(memberState, "household") == household.value else {
                    throw InputError(
                        field: "head", "household.not_member", ["member": "\(member)", "household": "\(household)"])
                }
                fields["head"] = .text(member.value)
            }
            if let payee = input.payee {
                fields["payee"] = try Self.payee(payee, of: household, changes: &changes)
            }
            guard !fields.isEmpty else { throw InputError(field: "household", "input.nothing_to_change") }
            try changes.refuseIfInConflict(state, fields)
            try changes.update(household, fields: fields, cause: try Self.cause(input.reason))
        }
    }

    /// The payee a worker named: `head` (or an empty value) names no one, so the head is paid;
    /// otherwise a living member of this household.
    private static func payee(_ raw: String, of household: RecordID, changes: inout ChangeSet) throws -> FieldValue {
        let text = raw.trimmingCharacters(in: .whitespaces)
        if text.isEmpty || text.lowercased() == "head" { return .null }
        let member = try Checks.recordID(text, field: "payee", type: .member)
        let state = try changes.existing(member, field: "payee")
        guard ChangeSet.text(state, "household") == household.value else {
            throw InputError(
                field: "payee", "household.not_member", ["member": "\(member)", "household": "\(household)"])
        }
        guard ChangeSet.text(state, "vital_status") != "deceased" else {
            throw InputError(field: "payee", "member.deceased", ["member": "\(member)"])
        }
        return .text(member.value)
    }

    /// A worker's reason for a change, as the op's cause (nil when none was given).
    package static func cause(_ reason: String?) throws(InputError) -> String? {
        try reason.map { raw throws(InputError) in try Checks.text(raw, field: "reason", maxLength: 200) }
    }

    private func householdFields(_ input: HouseholdInput) throws(InputError) -> [String: FieldValue] {
        var fields: [String: FieldValue] = [:]
        if let address = input.address {
            fields["address"] = .text(try Checks.text(address, field: "address", maxLength: 200))
        }
        if let type = input.type {
            fields["type"] = .text(try Checks.code(type, field: "type", allowed: ["rural", "urban"]))
        }
        if let phone = input.phone { fields["phone"] = .text(try Phone.parse(phone, field: "phone").value) }
        if let card = input.bankCard {
            let parsed = try BankCard.parse(card, field: "bank-card")
            fields["bank_card"] = .sealed(keys.seal(parsed.value))
        }
        if let name = input.accountName {
            fields["account_name"] = .text(try Checks.text(name, field: "account-name", maxLength: 50))
        }
        if let income = input.income { fields["income"] = .integer(try Money.parse(yuan: income, field: "income").fen) }
        if let population = input.population {
            guard (0...99).contains(population) else {
                throw InputError(field: "population", "input.range", ["low": "0", "high": "99"])
            }
            fields["population"] = .integer(Int64(population))
        }
        if let assets = input.assets {
            fields["assets"] = .text(try Checks.text(assets, field: "assets", maxLength: 500))
        }
        if let note = input.note { fields["note"] = .text(try Checks.text(note, field: "note", maxLength: 500)) }
        if let tags = input.tags {
            var clean: [String] = []
            for tag in tags {
                let text = try Checks.text(tag, field: "tags", maxLength: 64)
                guard !text.contains(",") else {
                    throw InputError(field: "tags", "input.tag_comma")
                }
                clean.append(text)
            }
            fields["tags"] = FieldValue.makeSet(clean)
        }
        return fields
    }
}

extension ReplicaWriting {
    /// Moves a household, with its members, enrollments and visits, to another village, in one
    /// transaction. The ops are logged under the new village: the hub then sends each record's
    /// whole history to the village it enters, and the move to the one it leaves.
    package func moveHousehold(_ id: String, toVillage village: String, author: String, nowMillis: Int64)
        throws(ReplicaError) -> [RecordID]
    {
        try write(author: author, nowMillis: nowMillis) { changes in
            let household = try Checks.recordID(id, field: "household", type: .household)
            let state = try changes.existing(household, field: "household")
            guard ChangeSet.text(state, "status") == "active" else {
                throw InputError(field: "household", "household.archived_not_moved", ["id": "\(household)"])
            }
            let target = try DivisionCode.parse(village, field: "village")
            guard ChangeSet.text(state, "village") != target.value else {
                throw InputError(
                    field: "village", "household.already_in", ["id": "\(household)", "village": target.value])
            }
            guard changes.info.scope.contains(target) else {
                throw InputError(
                    field: "village", "household.move_outside_scope",
                    ["village": target.value, "scope": changes.info.scope.value])
            }
            var moved = [household]
            try changes.move(household, to: target, cause: "household moved to \(target.value)")
            for (table, column) in [("members", "household"), ("enrollments", "household"), ("visits", "household")] {
                for text in try changes.sql.texts(
                    "SELECT id FROM \(table) WHERE \(column) = ? ORDER BY id", [.text(household.value)])
                {
                    guard let record = RecordID(text) else { continue }
                    try changes.move(record, to: target, cause: "household \(household) moved to \(target.value)")
                    moved.append(record)
                }
            }
            return moved
        }.result
    }
}

extension ReplicaWriting {
    /// Archives a household (its members leave the live register with it). Archived records
    /// are not edited any more; an edit made concurrently elsewhere goes to the desk (R10).
    package func archiveHousehold(_ id: String, reason: String, author: String, nowMillis: Int64) throws(ReplicaError) {
        _ = try write(author: author, nowMillis: nowMillis) { changes in
            let household = try Checks.recordID(id, field: "household", type: .household)
            let state = try changes.existing(household, field: "household")
            guard ChangeSet.text(state, "status") == "active" else {
                throw InputError(field: "household", "household.already_archived", ["id": "\(household)"])
            }
            let why = try Checks.text(reason, field: "reason", maxLength: 200)
            let live = try changes.sql.value(
                """
                SELECT e.id FROM enrollments e WHERE e.household = ? AND e.status IN ('approved', 'suspended') LIMIT 1
                """, [.text(household.value)])?.text
            if let live {
                throw InputError(
                    field: "household", "household.live_enrollment", ["id": "\(household)", "enrollment": live])
            }
            try changes.update(
                household, fields: ["status": .text("archived"), "note": .text(why)], cause: "archived: \(why)")
        }
    }

    /// Moves a member to another household of the same village (R8: one live household).
    package func moveMember(_ id: String, toHousehold target: String, author: String, nowMillis: Int64)
        throws(ReplicaError)
    {
        _ = try write(author: author, nowMillis: nowMillis) { changes in
            let member = try Checks.recordID(id, field: "member", type: .member)
            let state = try changes.existing(member, field: "member")
            let household = try Checks.recordID(target, field: "household", type: .household)
            let destination = try changes.existing(household, field: "household")
            guard ChangeSet.text(destination, "status") == "active" else {
                throw InputError(field: "household", "household.archived", ["id": "\(household)"])
            }
            guard let from = ChangeSet.text(state, "household").flatMap(RecordID.init), from != household else {
                throw InputError(
                    field: "household", "member.already_in", ["member": "\(member)", "household": "\(household)"])
            }
            guard ChangeSet.text(state, "village") == ChangeSet.text(destination, "village") else {
                throw InputError(field: "household", "member.other_village", ["household": "\(household)"])
            }
            var fields: [String: FieldValue] = ["household": .text(household.value)]
            if ChangeSet.text(state, "relation") == "head" { fields["relation"] = .text("other") }
            try changes.update(member, fields: fields, cause: "moved from \(from) to \(household)")
            if let source = try changes.state(of: from) {
                // The household it leaves no longer pays to it: neither as head nor as payee.
                var cleared: [String: FieldValue] = [:]
                for field in ["head", "payee"] where ChangeSet.text(source, field) == member.value {
                    cleared[field] = .null
                }
                if !cleared.isEmpty {
                    let roles = cleared.keys.sorted().joined(separator: " and ")
                    try changes.update(from, fields: cleared, cause: "\(roles) \(member) moved to \(household)")
                }
            }
            for text in try changes.sql.texts(
                "SELECT id FROM enrollments WHERE member = ? AND status != 'exited' ORDER BY id", [.text(member.value)])
            {
                guard let enrollment = RecordID(text) else { continue }
                try changes.update(
                    enrollment, fields: ["household": .text(household.value)], cause: "member moved to \(household)")
            }
            try changes.recountPopulation(from, change: -1)
            try changes.recountPopulation(household, change: 1)
        }
    }

    /// Splits a household: a new household in the same village with the given members
    /// (分户), one of them its head. Returns the new household's id.
    package func splitHousehold(_ id: String, members: [String], head: String?, author: String, nowMillis: Int64)
        throws(ReplicaError) -> RecordID
    {
        try write(author: author, nowMillis: nowMillis) { changes in
            let household = try Checks.recordID(id, field: "household", type: .household)
            let state = try changes.existing(household, field: "household")
            guard ChangeSet.text(state, "status") == "active" else {
                throw InputError(field: "household", "household.archived", ["id": "\(household)"])
            }
            guard !members.isEmpty else {
                throw InputError(field: "members", "household.split_none")
            }
            var moving: [RecordID] = []
            for text in members {
                let member = try Checks.recordID(text, field: "members", type: .member)
                let memberState = try changes.existing(member, field: "members")
                guard ChangeSet.text(memberState, "household") == household.value else {
                    throw InputError(
                        field: "members", "household.not_member", ["member": "\(member)", "household": "\(household)"])
                }
                moving.append(member)
            }
            let newHead =
                try head.map { text throws in try Checks.recordID(text, field: "head", type: .member) } ?? moving[0]
            guard moving.contains(newHead) else {
                throw InputError(field: "head", "household.split_head", ["member": "\(newHead)"])
            }
            guard let villageText = ChangeSet.text(state, "village") else {
                throw InputError(field: "household", "household.no_village")
            }
            var fields: [String: FieldValue] = [
                "status": .text("active"), "address": state.resolution(of: "address").value,
            ]
            if let type = ChangeSet.text(state, "type") { fields["type"] = .text(type) }
            let created = try changes.create(
                .household, village: try DivisionCode.parse(villageText, field: "village"), fields: fields,
                cause: "split from \(household)")
            for member in moving {
                try changes.update(
                    member,
                    fields: [
                        "household": .text(created.value), "relation": .text(member == newHead ? "head" : "other"),
                    ],
                    cause: "split from \(household) into \(created)")
                for text in try changes.sql.texts(
                    "SELECT id FROM enrollments WHERE member = ? AND status != 'exited' ORDER BY id",
                    [.text(member.value)])
                {
                    guard let enrollment = RecordID(text) else { continue }
                    try changes.update(
                        enrollment, fields: ["household": .text(created.value)], cause: "split into \(created)")
                }
            }
            try changes.update(
                created, fields: ["head": .text(newHead.value), "population": .integer(Int64(moving.count))])
            try changes.recountPopulation(household, change: -moving.count)
            var cleared: [String: FieldValue] = [:]
            for field in ["head", "payee"] {
                if let named = ChangeSet.text(state, field).flatMap(RecordID.init), moving.contains(named) {
                    cleared[field] = .null
                }
            }
            if !cleared.isEmpty {
                let who = cleared.keys.sorted().map { "\($0) \(ChangeSet.text(state, $0) ?? "")" }
                    .joined(separator: ", ")
                try changes.update(household, fields: cleared, cause: "\(who) split into \(created)")
            }
            return created
        }.result
    }
}
