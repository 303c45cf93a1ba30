import GRDB
import HearthCore

/// Brings `hearth find`'s index (`search_grams`) up to date with the records marked in
/// `search_dirty` (v23, ``Migrations/searchMarksSchema()``), at the end of the transaction that
/// changed them.
///
/// Each marked record's pieces as the index holds them (from the texts the mark kept) are
/// compared with its pieces now; only the difference is written, sorted by piece, so a night
/// that changes 40,000 phones writes each index page once per pass instead of once per op.
package enum SearchIndex {
    /// Each marked record with the texts the index holds for it (kept by the mark) and its
    /// texts now (a member's name, a household's address and phone), in one statement: the
    /// marks, and each record by its key.
    static let markedSQL = """
        SELECT d.record, d.first, d.second, m.name, h.address, h.phone
        FROM search_dirty d
        LEFT JOIN members m ON m.id = d.record
        LEFT JOIN households h ON h.id = d.record
        """

    /// The distinct pieces of `texts`, and a household's `phone`'s one piece for its last four
    /// digits (``SearchText/phoneTail(_:)``), as the index holds them, each as its
    /// ``gramKey(_:_:)``, ascending. An array, sorted, not a set: a record has a few
    /// dozen pieces, and the pass compares each record's two lists by walking them
    /// (``difference(_:_:)``) instead of hashing every piece into a set of its own.
    static func pieces(_ texts: [String?], phone: String? = nil) -> [UInt64] {
        var pieces: [UInt64] = []
        func cut(_ scalars: [Unicode.Scalar]) {
            guard scalars.count >= 2 else { return }
            for index in 0..<(min(scalars.count, SearchText.maxLength) - 1) {
                pieces.append(gramKey(scalars[index], scalars[index + 1]))
            }
        }
        for case let text? in texts { cut(SearchText.normalized(text)) }
        if let phone {
            let scalars = SearchText.normalized(phone)
            if let tail = SearchText.phoneTail(scalars) {
                pieces.append(tail)
            } else {
                cut(scalars)
            }
        }
        pieces.sort()
        var kept = 0
        for piece in pieces where kept == 0 || pieces[kept - 1] != piece {
            pieces[kept] = piece
            kept += 1
        }
        pieces.removeSubrange(kept...)
        return pieces
    }

    /// The pieces of `before` not in `after`, and of `after` not in `before`: both ascending
    /// and distinct (``pieces(_:)``).
    static func difference(_ before: [UInt64], _ after: [UInt64]) -> (removed: [UInt64], added: [UInt64]) {
        var removed: [UInt64] = []
        var added: [UInt64] = []
        var old = 0
        var new = 0
        while old < before.count || new < after.count {
            if new == after.count || (old < before.count && before[old] < after[new]) {
                removed.append(before[old])
                old += 1
            } else if old == before.count || after[new] < before[old] {
                added.append(after[new])
                new += 1
            } else {
                old += 1
                new += 1
            }
        }
        return (removed, added)
    }

    /// A piece (two scalars) as one number, the first scalar's code point in the high half.
    ///
    /// Numbers order as SQLite orders the pieces' UTF-8 bytes: UTF-8 keeps code point order
    /// and no scalar's bytes begin another's, and every piece has two scalars. So a pass
    /// sorts numbers, not texts, and makes a text only for a piece it writes (comparing and
    /// hashing texts took a fifth of the merge bench's time).
    static func gramKey(_ first: Unicode.Scalar, _ second: Unicode.Scalar) -> UInt64 {
        UInt64(first.value) << 32 | UInt64(second.value)
    }

    /// The piece a ``gramKey(_:_:)`` stands for, as the index stores it.
    static func gramText(_ key: UInt64) -> String {
        var view = String.UnicodeScalarView()
        // Both halves came from scalars.
        view.append(Unicode.Scalar(UInt32(truncatingIfNeeded: key >> 32))!)
        view.append(Unicode.Scalar(UInt32(truncatingIfNeeded: key))!)
        return String(view)
    }

    /// One piece of one marked record: the piece's key and the record's rank in SQLite's
    /// order of the marked records.
    private struct Entry: Comparable {
        let gram: UInt64
        let record: Int

        static func < (a: Entry, b: Entry) -> Bool { (a.gram, a.record) < (b.gram, b.record) }
    }

    /// Most records one delete names under one piece.
    static let deleteGroup = 64

    /// The delete of one piece's entries for 1 to ``deleteGroup`` records, by count less one:
    /// built once, so each is prepared once per connection.
    static let deleteSQL: [String] = (1...deleteGroup).map { count in
        "DELETE FROM search_grams WHERE gram = ? AND record IN ("
            + Array(repeating: "?", count: count).joined(separator: ", ") + ")"
    }

    /// Most pieces one insert writes.
    static let insertGroup = 200

    /// The insert of `count` pieces.
    static func insertSQL(_ count: Int) -> String {
        "INSERT INTO search_grams (gram, record) VALUES "
            + Array(repeating: "(?, ?)", count: count).joined(separator: ", ") + " ON CONFLICT DO NOTHING"
    }

    /// The insert of a whole group, built once.
    static let insertSQL = insertSQL(insertGroup)

    /// Writes the marked records' changed pieces and clears the marks. Runs at the end of
    /// every write transaction; a transaction that changed no searchable text costs one lookup.
    package static func refresh(_ db: any SQLStatements) throws {
        let marked = try db.rows(markedSQL, [])
        guard !marked.isEmpty else { return }
        // The records in SQLite's order (``BinaryCollation``), sorted once: the pieces are then
        // ordered by numbers alone.
        let records = marked.compactMap { $0[0].text }.sorted { BinaryCollation.compare($0, $1) < 0 }
        var rank: [String: Int] = [:]
        rank.reserveCapacity(records.count)
        for (position, record) in records.enumerated() { rank[record] = position }
        var removed: [Entry] = []
        var added: [Entry] = []
        for row in marked {
            guard let record = row[0].text, let position = rank[record] else { continue }
            // A mark keeps a member's name, or a household's address and phone.
            let before = pieces([row[1].text], phone: row[2].text)
            let after: [UInt64]
            switch RecordID(record)?.type {
            case .member: after = pieces([row[3].text])
            case .household: after = pieces([row[4].text], phone: row[5].text)
            default: after = []
            }
            let change = difference(before, after)
            for gram in change.removed { removed.append(Entry(gram: gram, record: position)) }
            for gram in change.added { added.append(Entry(gram: gram, record: position)) }
        }
        removed.sort()
        added.sort()
        // Deletes by key, one statement per piece and up to `deleteGroup` of its records: a
        // night's addresses share their pieces (村, 组), so a pass removes hundreds of records'
        // entries under each piece, and a statement per entry cost more than the B-tree's work. A
        // row-value `IN (VALUES …)` list of pairs is not read through the key and scanned the
        // whole index (the merge bench ran 3 times slower); `gram = ? AND record IN (…)` is
        // (`QueryPlanTests` checks).
        var start = 0
        while start < removed.count {
            let gram = removed[start].gram
            var end = start + 1
            while end < removed.count, removed[end].gram == gram, end - start < deleteGroup { end += 1 }
            var values: [SQLValue] = [.text(gramText(gram))]
            values.reserveCapacity(1 + end - start)
            for entry in removed[start..<end] { values.append(.text(records[entry.record])) }
            try db.execute(deleteSQL[end - start - 1], values)
            start = end
        }
        // New pieces many to a statement (a record's name changing adds dozens), still in piece
        // order, so each index page is written once per pass.
        for chunk in stride(from: 0, to: added.count, by: insertGroup) {
            let part = added[chunk..<min(added.count, chunk + insertGroup)]
            var values: [SQLValue] = []
            values.reserveCapacity(2 * part.count)
            for entry in part {
                values.append(.text(gramText(entry.gram)))
                values.append(.text(records[entry.record]))
            }
            try db.execute(part.count == insertGroup ? insertSQL : insertSQL(part.count), values)
        }
        try db.execute("DELETE FROM search_dirty", [])
    }

    /// Whether records are marked and not yet indexed (left by a migration or by a write that
    /// did not end through the replica).
    package static func hasMarks(_ db: any SQLStatements) throws -> Bool {
        try db.exists("SELECT 1 FROM search_dirty")
    }

    /// The marked records (of `scope`) in id order: a search checks them besides the index,
    /// which may not hold their texts yet.
    static func marked(_ db: Database, members: Bool) throws -> [String] {
        try String.fetchAll(
            db,
            sql: members
                ? "SELECT record FROM search_dirty WHERE record >= 'M-' AND record < 'M.' ORDER BY record"
                : "SELECT record FROM search_dirty ORDER BY record")
    }
}
