import Foundation
import GRDB
import HearthCore

/// The merge bench's baseline (`hearth bench merge`): the ops' rows written through one
/// prepared upsert into a plain table, no merge, no log, in transactions of the bench's batch size.
///
/// Why it lives here: it measures plain SQLite under the replica's own configuration
/// (``ReplicaCore/configuration()``, the same pragmas), so the ratio of the replica's apply rate to
/// it is the cost of the replica alone; it needs GRDB, which only the SQLite implementations
/// import, and the bench (HearthTools) does not.
package enum RawUpsertBaseline {
    /// The columns the bench's ops write: a household's.
    static let columns = ["village", "address", "type", "phone", "status", "income", "population", "note"]

    /// Creates a database at `path` and writes the ops' fields into its `households` table,
    /// `batchSize` ops per transaction; returns the seconds the writes took.
    package static func seconds(_ ops: [Op], path: String, batchSize: Int) throws -> Double {
        let pool = try DatabasePool(path: path, configuration: ReplicaCore.configuration())
        try pool.write { db in
            try db.execute(
                sql: "CREATE TABLE households (id TEXT PRIMARY KEY NOT NULL, "
                    + columns.map { "\($0) TEXT" }.joined(separator: ", ") + ")")
        }
        let sql =
            "INSERT INTO households (id, \(columns.joined(separator: ", "))) VALUES (?"
            + String(repeating: ", ?", count: columns.count) + ") ON CONFLICT (id) DO UPDATE SET "
            + columns.map { "\($0) = coalesce(excluded.\($0), \($0))" }.joined(separator: ", ")
        let start = Date()
        var index = 0
        while index < ops.count {
            let end = min(index + batchSize, ops.count)
            try pool.write { db in
                let statement = try db.cachedStatement(sql: sql)
                for op in ops[index..<end] {
                    var arguments: [DatabaseValue] = [op.record.value.databaseValue]
                    for column in columns { arguments.append(StateRow.databaseValue(op.fields[column] ?? .null)) }
                    try statement.execute(arguments: StatementArguments(arguments))
                }
            }
            index = end
        }
        return Date().timeIntervalSince(start)
    }
}
