/// Which of a record's aged ops may leave a replica's log (Protocol/sync.md, Compaction).
///
/// Why in the pure core: the rule decides what a replica can rebuild from the record's floor
/// and the ops left (a re-identified node does exactly that), so every implementation must
/// apply it alike; `Protocol/vectors/snapshot-vectors.json` pins it down.
///
/// The ops that leave are applied onto the record's floor, a state whose clock is a version
/// vector. A floor that took an op whose causal past stays in the log would cover that past
/// too: rebuilt, the floor would skip an op that stays (its dot covered), or hold the leaving
/// op's value beside the staying op's instead of over it. So no op leaves whose context
/// covers an op of the record that stays, to a fixed point.
public enum LogCompaction {
    /// The positions in `candidates` (the record's aged ops that may leave, in log order) of
    /// those that leave: every candidate except those whose context covers an op in `staying`
    /// (the record's other ops in the log) or a candidate that stays, to a fixed point. In
    /// ascending order, so the floor takes them in log order.
    public static func leaving(_ candidates: [Op], staying: [Dot]) -> [Int] {
        var kept = staying
        var leaves = Array(repeating: true, count: candidates.count)
        var changed = true
        while changed {
            changed = false
            for index in candidates.indices where leaves[index] {
                let context = candidates[index].context
                guard kept.contains(where: { context.covers($0) }) else { continue }
                leaves[index] = false
                kept.append(candidates[index].dot)
                changed = true
            }
        }
        return candidates.indices.filter { leaves[$0] }
    }
}
