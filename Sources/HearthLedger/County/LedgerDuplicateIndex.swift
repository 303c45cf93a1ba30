import HearthCore
import HearthStore

/// The county's duplicate index on either of the hub's databases, from `id_prefixes` (hub v4):
/// living members per first four hex digits of their ID hash, and the version each last gained
/// its first member or lost its last. Four such prefixes make one of the index's 14-bit
/// prefixes.
package enum LedgerDuplicateIndex {
    /// The body of ``LedgerStorage/duplicateIndex(since:deltas:)`` in a read transaction.
    package static func answer(_ sql: any SQLStatements, since version: String, deltas: Bool) throws
        -> DuplicateIndexAnswer
    {
        let current = try sql.integer("SELECT coalesce(max(changed), 0) FROM id_prefixes") ?? 0
        let text = DuplicateIndexAnswer.versionText(current)
        if version == text { return .unchanged(version: text) }
        if deltas, let held = DuplicateIndexAnswer.versionNumber(version), held < current {
            // Every 14-bit prefix one of whose four parts changed after the node's version,
            // present when any of its parts has a living member now.
            let changed = Set(
                try sql.texts("SELECT prefix FROM id_prefixes WHERE changed > ?", [.integer(held)])
                    .compactMap(DuplicateIndex.prefix(ofHash:)))
            var added: [Int] = []
            var removed: [Int] = []
            for prefix in changed.sorted() {
                let parts = (0..<4).map { SQLValue.text(hexPart(prefix << 2 | $0)) }
                let present = try sql.exists(
                    "SELECT 1 FROM id_prefixes WHERE prefix IN (?, ?, ?, ?) AND living > 0", parts)
                if present { added.append(prefix) } else { removed.append(prefix) }
            }
            return .delta(version: text, added: added, removed: removed)
        }
        let prefixes = Set(
            try sql.texts("SELECT prefix FROM id_prefixes WHERE living > 0").compactMap(DuplicateIndex.prefix(ofHash:)))
        return .full(version: text, prefixes: prefixes.sorted())
    }

    /// The four lower-case hex digits of a 16-bit value, as `id_prefixes` keys it.
    static func hexPart(_ value: Int) -> String {
        let digits = Array("0123456789abcdef")
        return String([12, 8, 4, 0].map { digits[(value >> $0) & 0xF] })
    }
}
