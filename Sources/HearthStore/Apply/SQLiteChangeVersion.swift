import GRDB

/// The SQLite backend's change version for the ``StateCache``: `PRAGMA data_version`, which
/// moves exactly when another connection to the database file has committed since this
/// connection last looked. Commits on this connection leave it as it is, and the cache takes
/// those states itself.
enum SQLiteChangeVersion {
    static func current(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0
    }
}
