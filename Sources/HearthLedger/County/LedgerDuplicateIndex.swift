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
            let (added, removed) = try changes(sql, since: held)
            return .delta(version: text, added: added, removed: removed)
        }
        let prefixes = Set(
            try sql.texts("SELECT prefix FROM id_prefixes WHERE living > 0").compactMap(DuplicateIndex.prefix(ofHash:)))
        return .full(version: text, prefixes: prefixes.sorted())
    }

    /// The 14-bit prefixes whose presence may have changed since version `held`: those one of
    /// whose four parts gained its first member or lost its last after it, less those that hold
    /// a living member in a part that has not (such a part had its member at `held` as well, so
    /// the prefix was in the index then and is now). Each changed prefix's parts are read in
    /// one statement.
    ///
    /// In a county that fills its prefixes, a part crossing zero nearly always leaves its
    /// prefix as it was: sent anyway, those prefixes made a village's first delta of a night
    /// grow with every push before it, and each cost a statement of its own on the hub.
    static func changes(_ sql: any SQLStatements, since held: Int64) throws -> (added: [Int], removed: [Int]) {
        let changed = Set(
            try sql.texts("SELECT prefix FROM id_prefixes WHERE changed > ?", [.integer(held)])
                .compactMap(DuplicateIndex.prefix(ofHash:)))
        guard !changed.isEmpty else { return ([], []) }
        let parts = changed.lazy.flatMap { prefix in (0..<4).lazy.map { hexPart(prefix << 2 | $0) } }
        var present: Set<Int> = []
        var presentAtHeld: Set<Int> = []
        try sql.forEachRow(
            "SELECT prefix, living, changed FROM id_prefixes WHERE "
                + LedgerCountyReading.anyOf(sql.dialect, column: "prefix"),
            [.text(LedgerCountyReading.jsonArray(texts: parts, count: 4 * changed.count))]
        ) { row in
            guard let part = row[0].text, let prefix = DuplicateIndex.prefix(ofHash: part),
                let living = row[1].integer, living > 0
            else { return }
            present.insert(prefix)
            if let at = row[2].integer, at <= held { presentAtHeld.insert(prefix) }
        }
        return (present.subtracting(presentAtHeld).sorted(), changed.subtracting(present).sorted())
    }

    /// The four lower-case hex digits of a 16-bit value, as `id_prefixes` keys it.
    static func hexPart(_ value: Int) -> String {
        let digits = Array("0123456789abcdef")
        return String([12, 8, 4, 0].map { digits[(value >> $0) & 0xF] })
    }
}
