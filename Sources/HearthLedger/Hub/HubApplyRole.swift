import HearthCore
import HearthStore

/// The hub's part of every transaction that applies ops, on either of its databases: scope
/// entries for pulls, and the county's cross-record rules run after the ops they judge, in
/// the same transaction (``HubRules``).
package struct HubApplyRole: ApplyRole {
    package init() {}

    package var tracksScopeEntries: Bool { true }

    /// Runs the cross-record rules in the transaction that applied their trigger; true when
    /// they wrote ops (the in-memory cache is then stale and must be cleared).
    package func afterApply(_ sql: any SQLStatements, info: ReplicaInfo, batch: [Op], nowMillis: Int64) throws -> Bool {
        guard !batch.isEmpty else { return false }
        let decisions = try HubRules.decisions(sql, after: batch)
        guard !decisions.isEmpty else { return false }
        var changes = try ChangeSet(
            sql: sql, info: info, author: "rules", nowMillis: nowMillis, cache: nil, tracksScopeEntries: true)
        try HubRules.write(decisions, &changes)
        guard !changes.ops.isEmpty else { return false }
        _ = try changes.finish()
        return true
    }

    /// The cases an administrator acknowledged, from the decisions table.
    package func acknowledgedCases(_ sql: any SQLStatements, among ids: [String]) throws -> Set<String> {
        var acknowledged: Set<String> = []
        // In slices well under SQLite's bound on parameters; each id a lookup in
        // `decisions_acknowledged`.
        for start in stride(from: 0, to: ids.count, by: 500) {
            let slice = Array(ids[start..<min(ids.count, start + 500)])
            let marks = Array(repeating: "?", count: slice.count).joined(separator: ",")
            acknowledged.formUnion(
                try sql.texts(
                    """
                    SELECT record FROM decisions
                    WHERE kind = 'acknowledgement' AND field IS NULL AND record IN (\(marks))
                    """, slice.map(SQLValue.text)))
        }
        return acknowledged
    }
}
