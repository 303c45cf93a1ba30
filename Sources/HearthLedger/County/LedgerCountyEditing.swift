import HearthCore
import HearthStore

/// ``CountyEditing`` over the change set of the write transaction it was made for, with the
/// lookups of ``LedgerCountyReading`` on the same statements; never kept beyond it. Both
/// backends run an edit through ``run(_:engine:author:nowMillis:_:)``.
package final class LedgerCountyEditing: LedgerCountyReading, CountyEditing {
    var changes: ChangeSet
    let engine: ApplyEngine
    let author: String
    let nowMillis: Int64

    init(_ changes: ChangeSet, engine: ApplyEngine, author: String, nowMillis: Int64) {
        self.changes = changes
        self.engine = engine
        self.author = author
        self.nowMillis = nowMillis
        super.init(changes.sql)
    }

    /// The body of ``LedgerStorage/edit(author:nowMillis:_:)`` in the caller's write
    /// transaction: `body`'s changes logged, merged and judged by the county's rules.
    package static func run<T>(
        _ sql: any SQLStatements, engine: ApplyEngine, author: String, nowMillis: Int64,
        _ body: (CountyEditing) throws -> T
    ) throws -> (result: T, ops: [Op]) {
        try engine.write(in: sql, author: author, nowMillis: nowMillis) { changes in
            let editing = LedgerCountyEditing(changes, engine: engine, author: author, nowMillis: nowMillis)
            defer { changes = editing.changes }
            return try body(editing)
        }
    }

    package func state(of id: RecordID) throws -> RecordState? {
        try changes.state(of: id)
    }

    package func change<T>(_ body: (inout ChangeSet) throws -> T) throws -> T {
        try body(&changes)
    }

    package func conflictedFields() throws -> [String] {
        try ReplicaCore.conflictedFields(sql)
    }

    @discardableResult
    package func update(_ id: RecordID, fields: [String: FieldValue], cause: String?) throws -> Op {
        try changes.update(id, fields: fields, cause: cause)
        return changes.ops[changes.ops.count - 1]
    }

    package func create(_ type: RecordType, village: DivisionCode, fields: [String: FieldValue], cause: String?)
        throws -> RecordID
    {
        try changes.create(type, village: village, fields: fields, cause: cause)
    }

    package func standard(program: String, band: String, from: Month) throws -> RecordID? {
        try sql.texts(
            """
            SELECT id FROM standards WHERE program = ? AND coalesce(band, '') = ? AND from_month = ?
            ORDER BY id LIMIT 1
            """, [.text(program), .text(band), .text(from.description)]
        ).first.flatMap(RecordID.init)
    }

    package func setting(named name: String) throws -> RecordID? {
        try sql.texts("SELECT id FROM settings WHERE name = ? ORDER BY id LIMIT 1", [.text(name)]).first
            .flatMap(RecordID.init)
    }

    package func division(code: String) throws -> RecordID? {
        try sql.texts("SELECT id FROM divisions WHERE code = ? ORDER BY id LIMIT 1", [.text(code)]).first
            .flatMap(RecordID.init)
    }

    package func record(_ decision: DecisionDraft) throws {
        try sql.execute(
            """
            INSERT INTO decisions (at_millis, worker, kind, record, field, rule, rule_set, choice, note, op)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .integer(nowMillis), .text(author), .text(decision.kind), .text(decision.record),
                SQLValue(decision.field), .text(decision.rule), SQLValue(ConflictRules.ruleSetVersion),
                .text(decision.choice), .text(decision.note), .text(decision.op),
            ])
    }

    package func recountPopulation(_ household: RecordID, change: Int) throws {
        try changes.recountPopulation(household, change: change)
    }

    package func settle() throws {
        try engine.settle(&changes, author: author, nowMillis: nowMillis)
    }

    package func audit(_ event: AuditEvent) throws {
        try ReplicaCore.insertAudit(event, into: sql)
    }

    package func remember(_ key: String, record: RecordID, source: String, line: Int) throws {
        try sql.execute(
            "INSERT INTO import_keys (key, record, source, line, at_millis) VALUES (?, ?, ?, ?, ?)",
            [.text(key), .text(record.value), .text(source), SQLValue(line), .integer(nowMillis)])
    }
}
