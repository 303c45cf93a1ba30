import GRDB
import HearthCore
import HearthLedger
import HearthStore

/// The county's edits through a ``ChangeSet`` in one write transaction, and the decisions table.
extension SQLiteLedgerStorage {
    public func edit<T: Sendable>(
        author: String, nowMillis: Int64, _ body: @escaping @Sendable (CountyEditing) throws -> T
    ) async throws(ReplicaError) -> (result: T, ops: [Op]) {
        let replica = self.replica
        return try await replica.writeAsync { db in
            try replica.write(in: db, author: author, nowMillis: nowMillis) { changes in
                let editing = SQLiteCountyEditing(changes, db: db, author: author, nowMillis: nowMillis)
                defer { changes = editing.changes }
                return try body(editing)
            }
        }
    }

    public func decisions() async throws(ReplicaError) -> [Decision] {
        try await replica.readAsync { db in
            try Row.fetchAll(db, sql: "SELECT * FROM decisions ORDER BY seq").map { row in
                Decision(
                    atMillis: row["at_millis"], worker: row["worker"], kind: row["kind"], record: row["record"],
                    field: row["field"], rule: row["rule"], ruleSet: row["rule_set"], choice: row["choice"],
                    note: row["note"], op: row["op"])
            }
        }
    }
}

/// ``CountyEditing`` over the change set of the transaction it was made for, with the
/// lookups of ``SQLiteCountyReading`` on the same transaction; never kept beyond it.
final class SQLiteCountyEditing: SQLiteCountyReading, CountyEditing {
    var changes: ChangeSet
    let author: String
    let nowMillis: Int64

    init(_ changes: ChangeSet, db: Database, author: String, nowMillis: Int64) {
        self.changes = changes
        self.author = author
        self.nowMillis = nowMillis
        super.init(db)
    }

    func state(of id: RecordID) throws -> RecordState? {
        try changes.state(of: id)
    }

    func conflictedFields() throws -> [String] {
        var out: [String] = []
        for type in RecordType.allCases {
            for row in try Row.fetchAll(
                database, sql: "SELECT id, conflicts FROM \(type.table) WHERE conflicts IS NOT NULL ORDER BY id")
            {
                for field in (row["conflicts"] as String).split(separator: ",") {
                    out.append("\(row["id"] as String)/\(field)")
                }
            }
        }
        return out
    }

    @discardableResult
    func update(_ id: RecordID, fields: [String: FieldValue], cause: String?) throws -> Op {
        try changes.update(id, fields: fields, cause: cause)
        return changes.ops[changes.ops.count - 1]
    }

    func create(_ type: RecordType, village: DivisionCode, fields: [String: FieldValue], cause: String?) throws
        -> RecordID
    {
        try changes.create(type, village: village, fields: fields, cause: cause)
    }

    func standard(program: String, band: String, from: Month) throws -> RecordID? {
        try String.fetchOne(
            database,
            sql: """
                SELECT id FROM standards WHERE program = ? AND coalesce(band, '') = ? AND from_month = ?
                ORDER BY id LIMIT 1
                """,
            arguments: [program, band, from.description]
        ).flatMap(RecordID.init)
    }

    func setting(named name: String) throws -> RecordID? {
        try String.fetchOne(
            database, sql: "SELECT id FROM settings WHERE name = ? ORDER BY id LIMIT 1", arguments: [name]
        ).flatMap(RecordID.init)
    }

    func division(code: String) throws -> RecordID? {
        try String.fetchOne(
            database, sql: "SELECT id FROM divisions WHERE code = ? ORDER BY id LIMIT 1", arguments: [code]
        ).flatMap(RecordID.init)
    }

    func record(_ decision: DecisionDraft) throws {
        try database.execute(
            sql: """
                INSERT INTO decisions (at_millis, worker, kind, record, field, rule, rule_set, choice, note, op)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                nowMillis, author, decision.kind, decision.record, decision.field, decision.rule,
                ConflictRules.ruleSetVersion, decision.choice, decision.note, decision.op,
            ])
    }

    func recountPopulation(_ household: RecordID, change: Int) throws {
        try changes.recountPopulation(household, change: change)
    }

    func audit(_ event: AuditEvent) throws {
        try ReplicaCore.insertAudit(event, into: database)
    }

    func remember(_ key: String, record: RecordID, source: String, line: Int) throws {
        try database.execute(
            sql: "INSERT INTO import_keys (key, record, source, line, at_millis) VALUES (?, ?, ?, ?, ?)",
            arguments: [key, record.value, source, line, nowMillis])
    }
}
