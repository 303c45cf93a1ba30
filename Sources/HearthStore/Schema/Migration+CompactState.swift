import Foundation
import GRDB
import HearthCore

extension Migrations {
    /// v19: each record's merge state in compact binary (``RecordState/compactBytes``) instead
    /// of two JSON texts, in a table keyed by the record id alone (`WITHOUT ROWID`: the id was
    /// stored twice, in the rows and in their primary-key index); and the op log loses
    /// `ops_by_record`, which `ops_by_record_seq` (record, seq) already answers.
    ///
    /// Every logged op's body is rewritten from its canonical JSON into the compact form
    /// (``Op/loggedBytes``); its hash stays, as the canonical bytes rebuilt from either form are
    /// the same. (The file keeps its size until a `VACUUM`: the freed pages are reused as the
    /// log grows.)
    ///
    /// Every stored state is read with the JSON decoder (kept for this alone) and rewritten in
    /// id order, so the new table's pages are filled. A state that does not read fails the
    /// migration: the database is damaged, and opening it must say so rather than drop a record.
    static func compactRecordState(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE record_meta_compact (
                    id TEXT PRIMARY KEY NOT NULL,
                    type TEXT NOT NULL,
                    state BLOB NOT NULL
                ) WITHOUT ROWID
                """)
        let insert = try db.makeStatement(sql: "INSERT INTO record_meta_compact (id, type, state) VALUES (?, ?, ?)")
        let rows = try Row.fetchCursor(db, sql: "SELECT id, clock, registers FROM record_meta ORDER BY id")
        while let row = try rows.next() {
            let text: String = row[0]
            guard let id = RecordID(text), let clock = try? JSON.parse(row[1] as String),
                let registers = try? JSON.parse(row[2] as String),
                let state = RecordState(id: id, clock: clock, registers: registers)
            else { throw ReplicaError.database("stored merge state of \(text) is unreadable") }
            try insert.execute(arguments: [id.value, id.type.rawValue, Data(state.compactBytes)])
        }
        try compactLoggedOps(db)
        try db.execute(
            sql: """
                DROP TABLE record_meta;
                ALTER TABLE record_meta_compact RENAME TO record_meta;
                DROP INDEX ops_by_record;
                """)
    }

    /// Rewrites the log's bodies in chunks by log position (a table is not changed under an open
    /// cursor over it). A body that does not read fails the migration.
    static func compactLoggedOps(_ db: Database) throws {
        let update = try db.makeStatement(sql: "UPDATE ops SET body = ? WHERE seq = ?")
        var last: Int64 = -1
        while true {
            let rows = try Row.fetchAll(
                db, sql: "SELECT seq, body FROM ops WHERE seq > ? ORDER BY seq LIMIT 5000", arguments: [last])
            guard let end = rows.last else { return }
            for row in rows {
                let seq: Int64 = row[0]
                let bytes = (row[1] as DatabaseValue).storage.asBytes
                guard let op = try? Op(logged: bytes) else {
                    throw ReplicaError.database("the logged op at position \(seq) is unreadable")
                }
                let logged = op.loggedBytes
                if logged != bytes { try update.execute(arguments: [Data(logged), seq]) }
            }
            last = end[0]
        }
    }
}
