import GRDB
import HearthCore

extension Migrations {
    /// v26: what snapshots need (docs/snapshots.md).
    ///
    /// - Every record table by `(village, id)`: the hub reads a scope's records a page at a
    ///   time in that order, from the last one it sent, through the index (never a scan of the
    ///   county's table per page).
    /// - `snapshot_floors`: for each record a node installed from a snapshot, the state it
    ///   installed (joined with any installed before). The node holds none of the ops that
    ///   state covers, so an op the hub sends again under its clock (a pull from the snapshot's
    ///   position re-delivers what later pages already held) is a duplicate, not a break in its
    ///   author's history; and re-identification, which rebuilds the records from the log
    ///   without the node's unacknowledged ops, starts each such record from it.
    /// - `snapshot_staging`, `snapshot_waiting`, `snapshot_progress`: the pages of a snapshot
    ///   being received, kept apart from the replica until the last one arrived, so an
    ///   interrupted snapshot resumes where it stopped and leaves the replica as it was.
    static func snapshots(_ db: Database) throws {
        for type in RecordType.allCases {
            try db.execute(sql: "CREATE INDEX \(type.table)_by_village_id ON \(type.table) (village, id)")
        }
        try db.execute(
            sql: """
                CREATE TABLE snapshot_floors (id TEXT PRIMARY KEY NOT NULL, state BLOB NOT NULL) WITHOUT ROWID;
                CREATE TABLE snapshot_staging (id TEXT PRIMARY KEY NOT NULL, state BLOB NOT NULL) WITHOUT ROWID;
                CREATE TABLE snapshot_waiting (n INTEGER PRIMARY KEY, body BLOB NOT NULL);
                CREATE TABLE snapshot_progress (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    hub TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    next TEXT,
                    records INTEGER NOT NULL,
                    started_millis INTEGER NOT NULL
                );
                """)
    }
}
