import HearthCore
import HearthStore
import HearthText

/// County configuration is the hub's to set: program standards (提标) and county settings are
/// replicated records under the county-wide code, written here and read by every replica.
extension HubLedger {
    /// Sets a program standard from a month (the yearly raise, 提标), as a replicated record
    /// under the county-wide code. Only the county hub sets standards. Setting the same
    /// program, band and month again changes that standard's amount; the result is the
    /// standard's record id.
    public func setStandard(
        program rawProgram: String, band rawBand: String?, from rawFrom: String, amount rawAmount: String,
        note: String?,
        author: String, nowMillis: Int64
    ) async throws(ReplicaError) -> RecordID {
        guard info.scope.level == .county else {
            throw .refused(Catalogue.text("hub.standards_on_hub"))
        }
        let scope = info.scope
        return try await storage.edit(author: author, nowMillis: nowMillis) { edit in
            let program = try Program.parse(rawProgram)
            let band = try StandardBand.parse(rawBand, program: program)
            let from = try Month.parse(rawFrom, field: "from")
            let amount = try Money.parse(yuan: rawAmount, field: "amount")
            guard amount.fen > 0 else {
                throw InputError(field: "amount", "standard.positive")
            }
            var fields: [String: FieldValue] = [
                "program": .text(program.rawValue), "band": .text(band), "from_month": .text(from.description),
                "amount": .integer(amount.fen),
            ]
            if let note { fields["note"] = .text(try Checks.text(note, field: "note", maxLength: 500)) }
            let cause =
                "standard \(program.rawValue)\(band.isEmpty ? "" : " " + band) from \(from): \(amount.yuanText) yuan"
            if let existing = try edit.standard(program: program.rawValue, band: band, from: from) {
                var changed: [String: FieldValue] = ["amount": .integer(amount.fen)]
                changed["note"] = fields["note"]
                try edit.update(existing, fields: changed, cause: cause)
                return existing
            }
            guard let county = DivisionCode.countyWide(scope.value) else {
                throw ReplicaError.database(Catalogue.text("hub.no_county_code", ["scope": scope.value]))
            }
            return try edit.create(.standard, village: county, fields: fields, cause: cause)
        }.result
    }

    /// Sets a county setting (`hearth hub setting set`), as a replicated record under the
    /// county-wide code: only the county hub sets them, and every node computes its roll by
    /// them. Setting it again changes the same record; the result is its id.
    public func setSetting(
        name rawName: String, value rawValue: String, note: String?, author: String, nowMillis: Int64
    )
        async throws(ReplicaError) -> RecordID
    {
        guard info.scope.level == .county else {
            throw .refused(Catalogue.text("hub.settings_on_hub"))
        }
        let scope = info.scope
        return try await storage.edit(author: author, nowMillis: nowMillis) { edit in
            let setting = try CountySetting.parse(rawName)
            let value = try setting.parse(rawValue)
            var fields: [String: FieldValue] = ["value": .text(value)]
            if let note { fields["note"] = .text(try Checks.text(note, field: "note", maxLength: 500)) }
            let cause = "setting \(setting.rawValue): \(value)"
            if let existing = try edit.setting(named: setting.rawValue) {
                try edit.update(existing, fields: fields, cause: cause)
                return existing
            }
            guard let county = DivisionCode.countyWide(scope.value) else {
                throw ReplicaError.database(Catalogue.text("hub.no_county_code", ["scope": scope.value]))
            }
            fields["name"] = .text(setting.rawValue)
            return try edit.create(.setting, village: county, fields: fields, cause: cause)
        }.result
    }
}
