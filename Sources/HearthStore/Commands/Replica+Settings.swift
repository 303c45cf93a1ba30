import GRDB
import HearthCore

/// One county setting as the replica holds it, with the record that carries it.
public struct SettingEntry: Sendable {
    public let id: RecordID
    public let setting: CountySetting
    public let value: String
    public let note: String?
}

extension ReplicaCore {
    /// The county settings this replica holds (every node of the county holds them all).
    public func settings() throws(ReplicaError) -> [SettingEntry] {
        try read { db in try ReplicaCore.settings(db) }
    }

    /// The county's payment rules from the settings held, defaults for the rest.
    public func countyRules() throws(ReplicaError) -> CountyRules {
        try read { db in try ReplicaCore.countyRules(db) }
    }

    package static func settings(_ db: Database) throws -> [SettingEntry] {
        try Row.fetchAll(db, sql: "SELECT id, name, value, note FROM settings ORDER BY name, id").compactMap { row in
            guard let id = RecordID(row["id"] as String),
                let setting = CountySetting(rawValue: row["name"] as String? ?? ""),
                let value = row["value"] as String?
            else { return nil }
            return SettingEntry(id: id, setting: setting, value: value, note: row["note"])
        }
    }

    package static func countyRules(_ db: Database) throws -> CountyRules {
        var values: [String: String] = [:]
        // The oldest record of a name wins should two exist (two hubs' histories joined).
        for entry in try settings(db).reversed() { values[entry.setting.rawValue] = entry.value }
        return CountyRules(settings: values)
    }
}
