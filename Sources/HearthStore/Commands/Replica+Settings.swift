import HearthCore

/// One county setting as the replica holds it, with the record that carries it.
public struct SettingEntry: Sendable {
    public let id: RecordID
    public let setting: CountySetting
    public let value: String
    public let note: String?
}

extension ReplicaReading {
    /// The county settings this replica holds (every node of the county holds them all).
    package func settings() throws(ReplicaError) -> [SettingEntry] {
        try withStatements { sql in try ReplicaCore.settings(sql) }
    }

    /// The county's payment rules from the settings held, defaults for the rest.
    package func countyRules() throws(ReplicaError) -> CountyRules {
        try withStatements { sql in try ReplicaCore.countyRules(sql) }
    }
}

extension ReplicaCore {
    package static func settings(_ sql: any SQLStatements) throws -> [SettingEntry] {
        try sql.rows("SELECT id, name, value, note FROM settings ORDER BY name, id", []).compactMap { row in
            guard let id = row[0].text.flatMap(RecordID.init),
                let setting = row[1].text.flatMap({ CountySetting(rawValue: $0) }),
                let value = row[2].text
            else { return nil }
            return SettingEntry(id: id, setting: setting, value: value, note: row[3].text)
        }
    }

    package static func countyRules(_ sql: any SQLStatements) throws -> CountyRules {
        var values: [String: String] = [:]
        // The oldest record of a name wins should two exist (two hubs' histories joined).
        for entry in try settings(sql).reversed() { values[entry.setting.rawValue] = entry.value }
        return CountyRules(settings: values)
    }
}
