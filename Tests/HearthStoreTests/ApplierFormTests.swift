import Foundation
import GRDB
import HearthCore
import Testing

@testable import HearthStore

/// The applier judges every op's fields unless the caller's admission has just judged that very
/// op (``Applier/formJudged``): the hub's push, which judges each op whole before applying it.
@Suite("The applier's own check of an op's fields")
struct ApplierFormTests {
    let replica = ReplicaID("0123456789ab")

    func op(_ counter: UInt64, _ fields: [String: FieldValue]) throws -> Op {
        Op(
            dot: Dot(replica: replica, counter: counter),
            hlc: HLC(millis: 1_795_600_000_000 + Int64(counter), logical: 0),
            author: "w", origin: try ScopePrefix.parse("421281101001", field: "o"),
            record: RecordID(type: .household, creator: Dot(replica: replica, counter: counter)),
            scope: try DivisionCode.parse("421281101001", field: "s"), fields: fields,
            context: VersionVector([replica: counter - 1]), previous: "")
    }

    func database() throws -> DatabaseQueue {
        let queue = try DatabaseQueue()
        try Migrations.migrator.migrate(queue)
        return queue
    }

    @Test("an op of another dot than the one judged is checked, and the mark serves one op only")
    func keyedByDot() throws {
        let queue = try database()
        let good = try op(1, ["village": .text("421281101001"), "address": .text("1 Well Lane")])
        let unknownField = try op(2, ["village": .text("421281101001"), "colour": .text("red")])
        let wrongShape = try op(3, ["village": .text("421281101001"), "income": .text("lots")])
        try queue.write { db in
            var applier = try Applier(sql: SQLiteStatements(db), nowMillis: 1)
            applier.formJudged = good.dot
            try applier.integrate(good)
            #expect(applier.formJudged == nil, "used up by the op it named")
            // Judged for another dot: this op's own fields are checked.
            applier.formJudged = good.dot
            #expect(throws: ReplicaError.self) { try applier.integrate(unknownField) }
            // Never judged: checked.
            applier.formJudged = nil
            let refused = #expect(throws: ReplicaError.self) { try applier.integrate(wrongShape) }
            guard case .malformedOp(let dot, let reason)? = refused else {
                Issue.record("expected a malformed op, got \(String(describing: refused))")
                return
            }
            #expect(dot == wrongShape.dot.description && reason.hasPrefix("income:"))
        }
    }
}
