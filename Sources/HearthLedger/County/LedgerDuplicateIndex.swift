import HearthCore
import HearthStore
import Synchronization

/// The county's duplicate index on either of the hub's databases, from `id_prefixes` (hub v4):
/// whether any living member's ID hash starts with each four hex digits (hub v16; v4 counted
/// them), and the version each last gained its first living member or lost its last. Four such
/// prefixes make one of the index's 14-bit prefixes.
package enum LedgerDuplicateIndex {
    /// The whole index as a storage last answered it, to answer the next whole request from
    /// what changed since instead of every part of the table (a new node's first sync, each
    /// file node's bundle: a night of new villages read the 65,536 parts once each).
    ///
    /// Only a hint: every answer reads the version in its own transaction, and the kept index
    /// is used only when it is of that version or older (then brought up to it by
    /// ``changes(_:since:)``, which names every prefix whose presence may have changed).
    package final class Cache: Sendable {
        private let kept = Mutex<(version: Int64, prefixes: [Int])?>(nil)

        package init() {}

        fileprivate var last: (version: Int64, prefixes: [Int])? { kept.withLock { $0 } }

        fileprivate func keep(_ version: Int64, _ prefixes: [Int]) {
            kept.withLock { kept in
                // A slower reader of an older version does not replace a newer one.
                if let held = kept, held.version > version { return }
                kept = (version, prefixes)
            }
        }
    }

    /// The body of ``LedgerStorage/duplicateIndex(since:deltas:)`` in a read transaction.
    package static func answer(_ sql: any SQLStatements, since version: String, deltas: Bool, cache: Cache? = nil)
        throws -> DuplicateIndexAnswer
    {
        let current = try sql.integer("SELECT coalesce(max(changed), 0) FROM id_prefixes") ?? 0
        let text = DuplicateIndexAnswer.versionText(current)
        if version == text { return .unchanged(version: text) }
        if deltas, let held = DuplicateIndexAnswer.versionNumber(version), held < current {
            let (added, removed) = try changes(sql, since: held)
            return .delta(version: text, added: added, removed: removed)
        }
        let prefixes = try whole(sql, at: current, from: cache?.last)
        cache?.keep(current, prefixes)
        return .full(version: text, prefixes: prefixes)
    }

    /// The whole index at version `current`: an earlier whole index brought up to it, or else
    /// every part read.
    static func whole(_ sql: any SQLStatements, at current: Int64, from earlier: (version: Int64, prefixes: [Int])?)
        throws -> [Int]
    {
        if let earlier, earlier.version <= current {
            if earlier.version == current { return earlier.prefixes }
            let (added, removed) = try changes(sql, since: earlier.version)
            var prefixes = Set(earlier.prefixes)
            prefixes.formUnion(added)
            prefixes.subtract(removed)
            return prefixes.sorted()
        }
        return Set(
            try sql.texts("SELECT prefix FROM id_prefixes WHERE living > 0").compactMap(DuplicateIndex.prefix(ofHash:))
        ).sorted()
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

    /// The statement a member's triggers run for its row `row` (`NEW`) when it may have brought
    /// its part of the index its first living member: the part becomes living, at the next
    /// version, unless it was living already. Hub v16 on SQLite, v16 on PostgreSQL.
    ///
    /// `living` is a flag, any value above zero meaning the part holds a living member (a hub
    /// before v16 counted them there, and its counts read the same). Counting made every member
    /// written rewrite its part's row and the index entry of its version: two pages of a table
    /// the size of the county's prefixes, written again at every commit, where most members
    /// join a part that is living already. Now such a member reads one row and writes nothing.
    package static func markLiving(_ row: String) -> String {
        """
        INSERT INTO id_prefixes (prefix, living, changed)
            SELECT substr(\(row).id_number_hash, 1, 4), 1, (SELECT coalesce(max(changed), 0) + 1 FROM id_prefixes)
            WHERE \(row).vital_status = 'alive' AND \(row).id_number_hash IS NOT NULL
                AND NOT EXISTS (
                    SELECT 1 FROM id_prefixes WHERE prefix = substr(\(row).id_number_hash, 1, 4) AND living > 0)
            ON CONFLICT (prefix) DO UPDATE SET living = 1, changed = excluded.changed;
        """
    }

    /// The statement a member's triggers run for its row `row` (`OLD`) when it may have taken
    /// its part's last living member away (a death, an ID number corrected, a row deleted): the
    /// part stops being living, at the next version, when no living member's hash starts with it
    /// any longer. Runs after the row changed, so the members it reads are the ones left.
    ///
    /// The members are read by `members_by_id_hash`, as the range of hashes that start with the
    /// part: a hash is 64 lower-case hex digits (``Hex/isSHA256(_:)``, checked on every op), all
    /// of which sort before `g` in any collation.
    package static func markGone(_ row: String) -> String {
        """
        UPDATE id_prefixes SET living = 0, changed = (SELECT max(changed) + 1 FROM id_prefixes)
            WHERE prefix = substr(\(row).id_number_hash, 1, 4) AND \(row).vital_status = 'alive' AND living > 0
                AND NOT EXISTS (
                    SELECT 1 FROM members WHERE id_number_hash >= id_prefixes.prefix
                        AND id_number_hash < id_prefixes.prefix || 'g' AND vital_status = 'alive');
        """
    }

    /// The four lower-case hex digits of a 16-bit value, as `id_prefixes` keys it.
    static func hexPart(_ value: Int) -> String {
        let digits = Array("0123456789abcdef")
        return String([12, 8, 4, 0].map { digits[(value >> $0) & 0xF] })
    }
}
