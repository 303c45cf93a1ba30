import GRDB
import HearthCore

/// One county setting as the replica holds it, with the record that carries it.
public struct SettingEntry: Sendable {
    public let id: RecordID
    public let setting: CountySetting
    public let value: String
    public let note: String?
}

extension Replica {
    /// Sets a county setting (`hearth hub setting set`), as a replicated record under the
    /// county-wide code: only the county hub sets them, and every node computes its roll by
    /// them. Setting it again changes the same record; the result is its id.
    public func setSetting(
        name rawName: String, value rawValue: String, note: String?, author: String, nowMillis: Int64
    )
        throws(ReplicaError) -> RecordID
    {
        guard info.role == .hub, info.scope.level == .county else {
            throw .refused("county settings are county configuration: set them on the county hub")
        }
        return try write(author: author, nowMillis: nowMillis) { changes in
            let setting = try CountySetting.parse(rawName)
            let value = try setting.parse(rawValue)
            var fields: [String: FieldValue] = ["value": .text(value)]
            if let note { fields["note"] = .text(try Checks.text(note, field: "note", maxLength: 500)) }
            let cause = "setting \(setting.rawValue): \(value)"
            if let existing = try String.fetchOne(
                changes.database, sql: "SELECT id FROM settings WHERE name = ? ORDER BY id LIMIT 1",
                arguments: [setting.rawValue]
            ).flatMap(RecordID.init) {
                try changes.update(existing, fields: fields, cause: cause)
                return existing
            }
            guard let county = DivisionCode.countyWide(info.scope.value) else {
                throw ReplicaError.database("the hub's scope \(info.scope.value) has no county-wide code")
            }
            fields["name"] = .text(setting.rawValue)
            return try changes.create(.setting, village: county, fields: fields, cause: cause)
        }.result
    }

    /// The county settings this replica holds (every node of the county holds them all).
    public func settings() throws(ReplicaError) -> [SettingEntry] {
        try read { db in try Replica.settings(db) }
    }

    /// The county's payment rules from the settings held, defaults for the rest.
    public func countyRules() throws(ReplicaError) -> CountyRules {
        try read { db in try Replica.countyRules(db) }
    }

    static func settings(_ db: Database) throws -> [SettingEntry] {
        try Row.fetchAll(db, sql: "SELECT id, name, value, note FROM settings ORDER BY name, id").compactMap { row in
            guard let id = RecordID(row["id"] as String),
                let setting = CountySetting(rawValue: row["name"] as String? ?? ""),
                let value = row["value"] as String?
            else { return nil }
            return SettingEntry(id: id, setting: setting, value: value, note: row["note"])
        }
    }

    static func countyRules(_ db: Database) throws -> CountyRules {
        var values: [String: String] = [:]
        // The oldest record of a name wins should two exist (two hubs' histories joined).
        for entry in try settings(db).reversed() { values[entry.setting.rawValue] = entry.value }
        return CountyRules(settings: values)
    }
}
