extension RecordState {
    /// The state of a replica that holds every op either state holds, without the ops.
    ///
    /// Why: a snapshot ships states, not histories (docs/snapshots.md), and a node may already
    /// hold a state of a record that arrives as one (its own edits not yet pushed, a record
    /// that left its scope and came back). Joining the two must give what replaying both
    /// histories would, so that merge goes on as if every op had been delivered.
    ///
    /// Per field, a value stays when the other state holds it too, or when the other state's
    /// clock does not cover its op (the other has not seen it, so has not overwritten it); a
    /// value whose op the other has seen but no longer holds was overwritten there. The clock
    /// is the two clocks' least upper bound. Sound for states that each hold a causally closed
    /// set of ops, which apply's readiness check guarantees: a record's clock then covers an
    /// author's op on it exactly when that op was applied (every op's context covers its
    /// author's previous op on the record).
    ///
    /// Commutative, associative and idempotent, as the merge of the ops is. Nil when the two
    /// are states of different records: a state from the network is checked, never trusted.
    public func joined(with other: RecordState) -> RecordState? {
        guard other.id == id else { return nil }
        var clock = self.clock
        clock.merge(other.clock)
        var registers: [String: Register] = [:]
        registers.reserveCapacity(max(self.registers.count, other.registers.count))
        for name in Set(self.registers.keys).union(other.registers.keys) {
            let mine = self.registers[name]?.entries ?? []
            let theirs = other.registers[name]?.entries ?? []
            var kept: [RegisterEntry] = []
            for entry in mine
            where !other.clock.covers(entry.dot) || theirs.contains(where: { $0.dot == entry.dot }) {
                kept.append(entry)
            }
            for entry in theirs
            where !self.clock.covers(entry.dot) && !mine.contains(where: { $0.dot == entry.dot }) {
                kept.append(entry)
            }
            // A register is never empty after an op wrote it; joining causally closed states
            // keeps at least the newest write of each field, so an empty one is not kept.
            if !kept.isEmpty { registers[name] = Register(entries: kept) }
        }
        return RecordState(id: id, clock: clock, registers: registers)
    }
}
