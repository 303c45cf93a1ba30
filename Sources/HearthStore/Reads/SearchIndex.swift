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
    /// A record's indexed texts: a member's name, or a household's address and phone.
    private static func texts(of record: String, _ db: any SQLStatements) throws -> [String?] {
        switch RecordID(record)?.type {
        case .member:
            return [try db.value("SELECT name FROM members WHERE id = ?", [.text(record)])?.text]
        case .household:
            guard let row = try db.rows("SELECT address, phone FROM households WHERE id = ?", [.text(record)]).first
            else { return [] }
            return [row[0].text, row[1].text]
        default:
            return []
        }
    }

    /// The distinct pieces of `texts`, as the index holds them.
    static func pieces(_ texts: [String?]) -> Set<String> {
        var pieces: Set<String> = []
        for case let text? in texts { pieces.formUnion(SearchText.grams(SearchText.normalized(text))) }
        return pieces
    }

    /// Writes the marked records' changed pieces and clears the marks. Runs at the end of
    /// every write transaction; a transaction that changed no searchable text costs one lookup.
    package static func refresh(_ db: any SQLStatements) throws {
        let marked = try db.rows("SELECT record, first, second FROM search_dirty", [])
        guard !marked.isEmpty else { return }
        var removed: [(gram: String, record: String)] = []
        var added: [(gram: String, record: String)] = []
        for row in marked {
            guard let record = row[0].text else { continue }
            let before = pieces([row[1].text, row[2].text])
            let after = pieces(try texts(of: record, db))
            for gram in before.subtracting(after) { removed.append((gram, record)) }
            for gram in after.subtracting(before) { added.append((gram, record)) }
        }
        // In SQLite's order (``BinaryCollation``): Swift's `<` on strings took a fifth of the
        // merge bench's time here.
        func order(_ a: (gram: String, record: String), _ b: (gram: String, record: String)) -> Bool {
            let pieces = BinaryCollation.compare(a.gram, b.gram)
            return pieces != 0 ? pieces < 0 : BinaryCollation.compare(a.record, b.record) < 0
        }
        removed.sort(by: order)
        added.sort(by: order)
        // New pieces many to a statement (a record's name changing adds dozens), still in piece
        // order, so each index page is written once per pass.
        // A delete by its key, one piece at a time: a row-value `IN (VALUES …)` list is not
        // read through the key, and scanned the whole index (the merge bench ran 3 times slower).
        for entry in removed {
            try db.execute(
                "DELETE FROM search_grams WHERE gram = ? AND record = ?", [.text(entry.gram), .text(entry.record)])
        }
        for chunk in stride(from: 0, to: added.count, by: 200) {
            let part = added[chunk..<min(added.count, chunk + 200)]
            try db.execute(
                "INSERT INTO search_grams (gram, record) VALUES "
                    + Array(repeating: "(?, ?)", count: part.count).joined(separator: ", ") + " ON CONFLICT DO NOTHING",
                part.flatMap { [.text($0.gram), .text($0.record)] })
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
