import Foundation
import GRDB
import HearthCore

/// Reads and writes a record's merge state in `record_meta` (`id`, `type`, `state`): the
/// compact binary form of ``RecordState/compactBytes``, one row per record.
///
/// Why one place: the applier, the rule lookup, record views and inspection all load states,
/// and all must refuse the same damaged bytes the same way.
package enum StoredState {
    /// Loads a record's state; nil when the replica holds no such record.
    package static func load(_ db: Database, _ id: RecordID) throws -> RecordState? {
        guard
            let value = try DatabaseValue.fetchOne(
                db.cachedStatement(sql: "SELECT state FROM record_meta WHERE id = ?"), arguments: [id.value])
        else { return nil }
        return try decode(id, value)
    }

    /// The state a stored `state` value holds; throws when the bytes are not a state's.
    package static func decode(_ id: RecordID, _ value: DatabaseValue) throws -> RecordState {
        guard case .blob(let data) = value.storage, let state = RecordState(id: id, compactBytes: Array(data)) else {
            throw ReplicaError.database("stored merge state of \(id) is unreadable")
        }
        return state
    }

    /// Writes a record's state, replacing what was stored.
    package static func save(_ db: Database, _ state: RecordState) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO record_meta (id, type, state) VALUES (?, ?, ?)")
            .execute(arguments: [state.id.value, state.id.type.rawValue, Data(state.compactBytes)])
    }
}
