import GRDB
import HearthCore

/// One name of a place as the replica holds it, with the record that carries it.
public struct DivisionEntry: Sendable, Equatable {
    public let id: RecordID
    /// The township (9 digits) or village (12 digits) code.
    public let code: String
    public let name: String
    public let note: String?
}

extension ReplicaCore {
    /// Every name of a place this replica holds (every node of the county holds them all), by code.
    public func divisions() throws(ReplicaError) -> [DivisionEntry] {
        try read { db in try ReplicaCore.divisions(db) }
    }

    /// The names by code, for showing beside codes; the hub's own name names the county's code.
    public func divisionNames() throws(ReplicaError) -> DivisionNames {
        let names = try read { db in try ReplicaCore.divisionNames(db) }
        return info.scope.level == .county ? names.adding(info.scope.value, name: info.name) : names
    }

    package static func divisions(_ db: Database) throws -> [DivisionEntry] {
        try Row.fetchAll(db, sql: "SELECT id, code, name, note FROM divisions ORDER BY code, id").compactMap { row in
            guard let id = RecordID(row["id"] as String), let code = row["code"] as String?,
                let name = row["name"] as String?
            else { return nil }
            return DivisionEntry(id: id, code: code, name: name, note: row["note"])
        }
    }

    package static func divisionNames(_ db: Database) throws -> DivisionNames {
        var names: [String: String] = [:]
        // The oldest record of a code wins should two exist (two hubs' histories joined).
        for entry in try divisions(db).reversed() { names[entry.code] = entry.name }
        return DivisionNames(names)
    }
}
