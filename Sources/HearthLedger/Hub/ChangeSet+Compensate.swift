import HearthCore
import HearthStore

extension ChangeSet {
    /// The hub's compensating op for a quarantined op it will never apply: it voids that op,
    /// and, with a context covering the op and everything the hub holds on the record, sets
    /// the fields the op set back to the hub's values. Addressed (`target`) to the op's author,
    /// the one replica holding the voided op, when the record lies in the author's scope; an
    /// author that wrote to another village's record is sent nothing of it.
    ///
    /// It is logged under the village the record is in now (at the hub), not the one the
    /// refused op named: an edit refused because its record had moved (R8) named the village
    /// the record left, whose nodes handed the record over and would hold the compensation
    /// waiting forever for a past they no longer keep (found by the simulation).
    package mutating func compensate(
        _ refused: Op, restoring fields: [String: FieldValue], cause: String, target: ReplicaID?
    ) throws {
        let current = try state(of: refused.record)
        var context = current?.clock ?? .empty
        context.add(refused.dot)
        // A record the hub never accepted (its creation refused) has no village of its own: its
        // compensations go where its creation was made, with the ones before them, so no node
        // holds one waiting for another logged elsewhere (found by the simulation, seed 90195).
        let creation = try sql.value(
            "SELECT body FROM quarantine WHERE replica = ? AND counter = ?",
            [.text(refused.record.creator.replica.value), .integer(Int64(refused.record.creator.counter))]
        )?.bytes.flatMap { try? Op(logged: $0) }.flatMap { $0.record == refused.record ? $0.scope : nil }
        let village =
            current.flatMap { ChangeSet.text($0, "village") }.flatMap { try? DivisionCode.parse($0, field: "village") }
            ?? creation ?? refused.scope
        try emit(
            record: refused.record, village: village, fields: fields, context: context, cause: cause,
            voids: [refused.dot], target: target)
    }
}
