import GRDB
import HearthCore

extension Replica {
    /// Registers a household (户) in a village of this replica's scope.
    public func addHousehold(_ input: HouseholdInput, author: String, nowMillis: Int64) throws(ReplicaError) -> RecordID {
        try write(author: author, nowMillis: nowMillis) { changes in
            guard let villageText = input.village else { throw InputError(field: "village", reason: "is required") }
            let village = try DivisionCode.parse(villageText, field: "village")
            guard changes.info.scope.contains(village) else {
                throw InputError(
                    field: "village",
                    reason: "\(village.value) is outside this replica's scope \(changes.info.scope.value)")
            }
            guard input.address != nil else { throw InputError(field: "address", reason: "is required") }
            guard input.type != nil else { throw InputError(field: "type", reason: "is required (rural or urban)") }
            guard input.head == nil else {
                throw InputError(field: "head", reason: "add the household first, then its head with `member add --relation head`")
            }
            var fields = try householdFields(input)
            fields["status"] = .text("active")
            return try changes.create(.household, village: village, fields: fields)
        }.result
    }

    /// Changes fields of a household.
    public func editHousehold(_ id: String, _ input: HouseholdInput, author: String, nowMillis: Int64)
        throws(ReplicaError)
    {
        _ = try write(author: author, nowMillis: nowMillis) { changes in
            let household = try Checks.recordID(id, field: "household", type: .household)
            let state = try changes.existing(household, field: "household")
            guard ChangeSet.text(state, "status") == "active" else {
                throw InputError(field: "household", reason: "\(household) is archived; archived records are not edited")
            }
            guard input.village == nil else {
                throw InputError(field: "village", reason: "moving a household between villages is `household move`")
            }
            var fields = try householdFields(input)
            if let head = input.head {
                let member = try Checks.recordID(head, field: "head", type: .member)
                let memberState = try changes.existing(member, field: "head")
                guard ChangeSet.text(memberState, "household") == household.value else {
                    throw InputError(field: "head", reason: "\(member) is not a member of \(household)")
                }
                fields["head"] = .text(member.value)
            }
            guard !fields.isEmpty else { throw InputError(field: "household", reason: "nothing to change was given") }
            try changes.update(household, fields: fields)
        }
    }

    private func householdFields(_ input: HouseholdInput) throws(InputError) -> [String: FieldValue] {
        var fields: [String: FieldValue] = [:]
        if let address = input.address { fields["address"] = .text(try Checks.text(address, field: "address", maxLength: 200)) }
        if let type = input.type { fields["type"] = .text(try Checks.code(type, field: "type", allowed: ["rural", "urban"])) }
        if let phone = input.phone { fields["phone"] = .text(try Phone.parse(phone, field: "phone").value) }
        if let card = input.bankCard {
            let parsed = try BankCard.parse(card, field: "bank-card")
            fields["bank_card"] = .sealed(keys.seal(parsed.value))
        }
        if let income = input.income { fields["income"] = .integer(try Money.parse(yuan: income, field: "income").fen) }
        if let population = input.population {
            guard (0...99).contains(population) else {
                throw InputError(field: "population", reason: "must be 0 to 99")
            }
            fields["population"] = .integer(Int64(population))
        }
        if let assets = input.assets { fields["assets"] = .text(try Checks.text(assets, field: "assets", maxLength: 500)) }
        if let note = input.note { fields["note"] = .text(try Checks.text(note, field: "note", maxLength: 500)) }
        if let tags = input.tags {
            var clean: [String] = []
            for tag in tags {
                let text = try Checks.text(tag, field: "tags", maxLength: 64)
                guard !text.contains(",") else { throw InputError(field: "tags", reason: "a tag must not contain a comma") }
                clean.append(text)
            }
            fields["tags"] = FieldValue.makeSet(clean)
        }
        return fields
    }
}

extension Replica {
    /// Moves a household, with its members, enrollments and visits, to another village, in one
    /// transaction. The ops are logged under the new village: the hub then sends each record's
    /// whole history to the village it enters, and the move to the one it leaves.
    public func moveHousehold(_ id: String, toVillage village: String, author: String, nowMillis: Int64)
        throws(ReplicaError) -> [RecordID]
    {
        try write(author: author, nowMillis: nowMillis) { changes in
            let household = try Checks.recordID(id, field: "household", type: .household)
            let state = try changes.existing(household, field: "household")
            guard ChangeSet.text(state, "status") == "active" else {
                throw InputError(field: "household", reason: "\(household) is archived; archived records are not moved")
            }
            let target = try DivisionCode.parse(village, field: "village")
            guard ChangeSet.text(state, "village") != target.value else {
                throw InputError(field: "village", reason: "\(household) is already in \(target.value)")
            }
            guard changes.info.scope.contains(target) else {
                throw InputError(
                    field: "village",
                    reason: "\(target.value) is outside this replica's scope \(changes.info.scope.value): the township or county moves it")
            }
            var moved = [household]
            try changes.move(household, to: target, cause: "household moved to \(target.value)")
            for (table, column) in [("members", "household"), ("enrollments", "household"), ("visits", "household")] {
                for text in try String.fetchAll(
                    changes.database, sql: "SELECT id FROM \(table) WHERE \(column) = ? ORDER BY id", arguments: [household.value])
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
