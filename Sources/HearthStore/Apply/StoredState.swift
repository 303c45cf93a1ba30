import HearthCore

/// Reads and writes a record's merge state in `record_meta` (`id`, `type`, `state`): the
/// compact binary form of ``RecordState/compactBytes``, one row per record.
///
/// Why one place: the applier, the rule lookup, record views and inspection all load states,
/// and all must refuse the same damaged bytes the same way.
package enum StoredState {
    /// Loads a record's state; nil when the replica holds no such record.
    package static func load(_ sql: any SQLStatements, _ id: RecordID) throws -> RecordState? {
        guard let value = try sql.value("SELECT state FROM record_meta WHERE id = ?", [.text(id.value)]) else {
            return nil
        }
        return try decode(id, value)
    }

    /// The state a stored `state` value holds; throws when the bytes are not a state's. The
    /// replica wrote them itself (``RecordState/init(id:storedBytes:)``).
    package static func decode(_ id: RecordID, _ value: SQLValue) throws -> RecordState {
        guard case .blob(let bytes) = value, let state = RecordState(id: id, storedBytes: bytes) else {
            throw ReplicaError.database("stored merge state of \(id) is unreadable")
        }
        return state
    }

    /// Writes a record's state, replacing what was stored; `bytes`, when given, are its
    /// ``RecordState/compactBytes`` already (a snapshot's, installed as they came).
    package static func save(_ sql: any SQLStatements, _ state: RecordState, bytes: [UInt8]? = nil) throws {
        try sql.write(upsert(rows: 1), values(state, bytes: bytes))
    }

    /// The three values ``upsert(rows:)`` binds for a state, in its order.
    package static func values(_ state: RecordState, bytes: [UInt8]? = nil) -> [SQLValue] {
        [.text(state.id.value), .text(state.id.type.rawValue), .blob(bytes ?? state.compactBytes)]
    }

    /// The upsert of `rows` states at once, three values each (``values(_:bytes:)``); no two
    /// of them may be one record's (a statement may change a row once).
    package static func upsert(rows: Int) -> String {
        rows == 1
            ? singleUpsert
            : "INSERT INTO record_meta (id, type, state) VALUES "
                + Array(repeating: "(?, ?, ?)", count: rows).joined(separator: ", ") + conflictClause
    }

    private static let conflictClause = " ON CONFLICT (id) DO UPDATE SET type = excluded.type, state = excluded.state"
    private static let singleUpsert = "INSERT INTO record_meta (id, type, state) VALUES (?, ?, ?)" + conflictClause
}
