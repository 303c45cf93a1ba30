import GRDB
import HearthCore
import HearthLedger
import HearthStore

extension SQLiteLedgerStorage {
    /// The index from `id_prefixes` (hub v4): living members per first four hex digits of
    /// their ID hash, and the version each last gained its first member or lost its last.
    /// Four such prefixes make one of the index's 14-bit prefixes.
    public func duplicateIndex(since version: String, deltas: Bool) async throws(ReplicaError)
        -> DuplicateIndexAnswer
    {
        try await replica.readAsync { db in
            let current = try Int64.fetchOne(db, sql: "SELECT coalesce(max(changed), 0) FROM id_prefixes") ?? 0
            let text = DuplicateIndexAnswer.versionText(current)
            if version == text { return .unchanged(version: text) }
            if deltas, let held = DuplicateIndexAnswer.versionNumber(version), held < current {
                // Every 14-bit prefix one of whose four parts changed after the node's version,
                // present when any of its parts has a living member now.
                let changed = Set(
                    try String.fetchAll(
                        db, sql: "SELECT prefix FROM id_prefixes WHERE changed > ?", arguments: [held]
                    ).compactMap(DuplicateIndex.prefix(ofHash:)))
                var added: [Int] = []
                var removed: [Int] = []
                for prefix in changed.sorted() {
                    let parts = (0..<4).map { Self.hexPart(prefix << 2 | $0) }
                    let present =
                        try Bool.fetchOne(
                            db.cachedStatement(
                                sql:
                                    "SELECT EXISTS (SELECT 1 FROM id_prefixes WHERE prefix IN (?, ?, ?, ?) AND living > 0)"
                            ),
                            arguments: StatementArguments(parts)) ?? false
                    if present { added.append(prefix) } else { removed.append(prefix) }
                }
                return .delta(version: text, added: added, removed: removed)
            }
            let prefixes = Set(
                try String.fetchAll(db, sql: "SELECT prefix FROM id_prefixes WHERE living > 0")
                    .compactMap(DuplicateIndex.prefix(ofHash:)))
            return .full(version: text, prefixes: prefixes.sorted())
        }
    }

    /// The four lower-case hex digits of a 16-bit value, as `id_prefixes` keys it.
    static func hexPart(_ value: Int) -> String {
        let digits = Array("0123456789abcdef")
        return String([12, 8, 4, 0].map { digits[(value >> $0) & 0xF] })
    }
}
