import Foundation
import GRDB
import HearthCore
import Testing

@testable import HearthStore

/// v19 rewrites every record's merge state from the two JSON texts into the compact form.
@Suite("Migration v19: merge state in compact binary")
struct CompactStateMigrationTests {
    static let v18 = "v18 rule cases kept with the records, row counts, indexes for the desk"
    static let v19 = "v19 merge state in compact binary; no second index of the log by record"

    /// Household states as ops leave them (created, edited, one field written concurrently), and the ops.
    func history() throws -> (states: [RecordState], ops: [Op]) {
        var ops: [Op] = []
        let scope = try DivisionCode.parse("421281101001", field: "s")
        let village = try ScopePrefix.parse("421281101001", field: "o")
        let county = try ScopePrefix.parse("421281", field: "o")
        let a = ReplicaID("0123456789ab")
        let b = ReplicaID("ba9876543210")
        var states: [RecordState] = []
        for index in 1...30 {
            let id = RecordID(type: .household, creator: Dot(replica: a, counter: UInt64(index)))
            var state = RecordState(id: id)
            let create = Op(
                dot: Dot(replica: a, counter: UInt64(index)), hlc: HLC(millis: 1_000 + Int64(index), logical: 0),
                author: "w", origin: village, record: id, scope: scope,
                fields: [
                    "village": .text(scope.value), "address": .text("东街\(index)号"), "income": .integer(-5),
                    "tags": .set(["a", "b"]),
                    "bank_card": .sealed(SealedValue(box: "Ym94\(index)", digest: String(repeating: "c", count: 64))),
                ], context: .empty, previous: ops.last?.hash ?? "")
            state.apply(create)
            ops.append(create)
            if index % 3 == 0 {
                for (replica, origin) in [(a, village), (b, county)] {
                    let edit = Op(
                        dot: Dot(replica: replica, counter: 100 + UInt64(index)), hlc: HLC(millis: 9_000, logical: 1),
                        author: "w", origin: origin, record: id, scope: scope, fields: ["status": .text("archived")],
                        context: VersionVector([a: UInt64(index)]), previous: "", cause: index == 3 ? "原因" : nil)
                    state.apply(edit)
                    ops.append(edit)
                }
            }
            let clock = try JSON.parse(state.clockText)
            let registers = try JSON.parse(state.registersText)
            #expect(RecordState(id: id, clock: clock, registers: registers) == state, "the JSON form of v18 reads")
            states.append(state)
        }
        return (states, ops)
    }

    /// A database at v18 holding `states` in the JSON form of that version.
    func oldDatabase(_ states: [RecordState], ops: [Op], extra: [(String, String, String)] = []) throws
        -> DatabaseQueue
    {
        let queue = try DatabaseQueue()
        try Migrations.migrator.migrate(queue, upTo: Self.v18)
        try queue.write { db in
            for state in states {
                try db.execute(
                    sql: "INSERT INTO record_meta (id, type, clock, registers) VALUES (?, ?, ?, ?)",
                    arguments: [state.id.value, state.id.type.rawValue, state.clockText, state.registersText])
            }
            for op in ops {
                try db.execute(
                    sql: """
                        INSERT INTO ops (replica, counter, hlc_millis, hlc_logical, author, record, record_type, scope,
                                         hash, body, state, township)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'applied', ?)
                        """,
                    arguments: [
                        op.dot.replica.value, Int64(op.dot.counter), op.hlc.millis, Int64(op.hlc.logical), op.author,
                        op.record.value, op.record.type.rawValue, op.scope.value, op.hash, Data(op.canonicalBytes),
                        op.scope.township,
                    ])
            }
            for row in extra {
                try db.execute(
                    sql: "INSERT INTO record_meta (id, type, clock, registers) VALUES (?, 'household', ?, ?)",
                    arguments: [row.0, row.1, row.2])
            }
        }
        return queue
    }

    @Test("every stored state reads back the same after the migration, smaller, and the log's spare index is gone")
    func rewritesStates() throws {
        let (states, ops) = try history()
        let queue = try oldDatabase(states, ops: ops)
        let logBefore = try queue.read { db in try Int.fetchOne(db, sql: "SELECT sum(length(body)) FROM ops") ?? 0 }
        let before = try queue.read { db in
            try Int.fetchOne(db, sql: "SELECT sum(length(clock) + length(registers)) FROM record_meta") ?? 0
        }
        try Migrations.migrator.migrate(queue, upTo: Self.v19)
        try queue.read { db in
            for state in states {
                #expect(try StoredState.load(SQLiteStatements(db), state.id) == state)
            }
            let after = try Int.fetchOne(db, sql: "SELECT sum(length(state)) FROM record_meta") ?? 0
            #expect(after * 2 < before, "\(after) bytes against \(before)")
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM record_meta") == states.count)
            let indexes = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE tbl_name = 'ops'")
            #expect(!indexes.contains("ops_by_record"))
            #expect(indexes.contains("ops_by_record_seq"))
            let archived = try String.fetchAll(
                db, sql: "SELECT id FROM record_meta WHERE instr(state, CAST('archived' AS BLOB)) > 0")
            #expect(archived.count == 10, "the rule cases' search for a value in a state still finds it")
            let logged = try Row.fetchAll(db, sql: "SELECT hash, body FROM ops ORDER BY seq")
            #expect(logged.count == ops.count)
            for (row, op) in zip(logged, ops) {
                let body = (row[1] as DatabaseValue).storage.asBytes
                #expect(body.first == 1, "rewritten in the compact form")
                let read = try Op(logged: body)
                #expect(read == op)
                #expect(read.canonicalBytes == op.canonicalBytes)
                #expect(read.hash == row[0] as String, "the hash is over the same canonical bytes")
            }
            let logAfter = try Int.fetchOne(db, sql: "SELECT sum(length(body)) FROM ops") ?? 0
            #expect(logAfter < logBefore, "the log's bodies: \(logAfter) bytes against \(logBefore)")
        }
    }

    @Test("a state that does not read fails the migration instead of dropping the record")
    func damagedStateFails() throws {
        let (states, ops) = try history()
        let queue = try oldDatabase(states, ops: ops, extra: [("H-0123456789ab-999", "{}", "garbage")])
        #expect(throws: (any Error).self) { try Migrations.migrator.migrate(queue) }
        let version = try queue.read { db in try Migrations.migrator.appliedIdentifiers(db) }
        #expect(version.contains(Self.v18) && !version.contains { $0.hasPrefix("v19") })
    }
}
