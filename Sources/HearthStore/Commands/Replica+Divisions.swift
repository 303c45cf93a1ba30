import HearthCore

/// One name of a place as the replica holds it, with the record that carries it.
public struct DivisionEntry: Sendable, Equatable {
    public let id: RecordID
    /// The township (9 digits) or village (12 digits) code.
    public let code: String
    public let name: String
    public let note: String?
}

extension ReplicaReading {
    /// Every name of a place this replica holds (every node of the county holds them all), by code.
    package func divisions() throws(ReplicaError) -> [DivisionEntry] {
        try withStatements { sql in try ReplicaCore.divisions(sql) }
    }

    /// The names by code, for showing beside codes; the hub's own name names the county's code.
    package func divisionNames() throws(ReplicaError) -> DivisionNames {
        let names = try withStatements { sql in try ReplicaCore.divisionNames(sql) }
        return info.scope.level == .county ? names.adding(info.scope.value, name: info.name) : names
    }
}

extension ReplicaCore {
    package static func divisions(_ sql: any SQLStatements) throws -> [DivisionEntry] {
        try sql.rows("SELECT id, code, name, note FROM divisions ORDER BY code, id", []).compactMap { row in
            guard let id = row[0].text.flatMap(RecordID.init), let code = row[1].text, let name = row[2].text
            else { return nil }
            return DivisionEntry(id: id, code: code, name: name, note: row[3].text)
        }
    }

    package static func divisionNames(_ sql: any SQLStatements) throws -> DivisionNames {
        var names: [String: String] = [:]
        // The oldest record of a code wins should two exist (two hubs' histories joined).
        for entry in try divisions(sql).reversed() { names[entry.code] = entry.name }
        return DivisionNames(names)
    }
}
