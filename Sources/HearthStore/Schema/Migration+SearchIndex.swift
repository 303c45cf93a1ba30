import GRDB

extension Migrations {
    /// v22: the index `hearth find` and the name resolver read: every two-character piece
    /// ("gram") of each member's name and each household's address and phone, with the record
    /// it came from.
    ///
    /// Why two characters: a Chinese name has two to four, and a clerk types two (王强, or the
    /// given name 秀英); SQLite's trigram tokenizer finds nothing shorter than three. A longer
    /// text is found through its grams too: the reader walks the rarest gram's records and
    /// checks the others by primary key (``ReplicaCore/find(_:limit:)``), so a search costs the
    /// records that hold its rarest piece, never the county.
    ///
    /// v22 kept the index by triggers that cut texts into pieces row by row; v23
    /// (``searchMarksSchema()``) replaced them with marks and a sorted pass at the end of the
    /// transaction. v22's triggers are still made here, so an older database migrates through
    /// the same steps as it did. Texts are compared as ``SearchText`` normalizes them: without
    /// spaces and hyphens, ASCII letters in lower case, which is what SQLite's `lower` and
    /// `replace` do in the initial fill.
    ///
    /// `search_positions` holds 1 to 200 (the longest searchable field, an address), so the
    /// fill makes a text's grams without a recursive query.
    static func searchIndexSchema() -> String {
        """
        CREATE TABLE search_grams (
            gram TEXT NOT NULL,
            record TEXT NOT NULL,
            PRIMARY KEY (gram, record)
        ) WITHOUT ROWID;
        CREATE TABLE search_positions (p INTEGER PRIMARY KEY NOT NULL);
        WITH RECURSIVE n(p) AS (SELECT 1 UNION ALL SELECT p + 1 FROM n WHERE p < \(SearchText.maxLength))
        INSERT INTO search_positions (p) SELECT p FROM n;

        \(searchTriggers())
        INSERT INTO search_grams (gram, record)
        SELECT substr(t, p, 2), id FROM (SELECT id, \(normalized("name")) AS t FROM members WHERE name IS NOT NULL)
        JOIN search_positions ON p < length(t) WHERE true ON CONFLICT DO NOTHING;
        INSERT INTO search_grams (gram, record)
        SELECT substr(t, p, 2), id FROM (
            SELECT id, \(normalized("address")) AS t FROM households WHERE address IS NOT NULL
            UNION ALL SELECT id, \(normalized("phone")) FROM households WHERE phone IS NOT NULL)
        JOIN search_positions ON p < length(t) WHERE true ON CONFLICT DO NOTHING;
        """
    }

    /// The SQL that normalizes a text as ``SearchText/normalized(_:)`` does.
    static func normalized(_ expression: String) -> String {
        var sql = expression
        for removed in SearchText.removed { sql = "replace(\(sql), '\(removed)', '')" }
        return "lower(\(sql))"
    }

    /// v22's triggers, which kept `search_grams` row by row (dropped by v23).
    static func searchTriggers() -> String {
        /// `SELECT gram, record` over the grams of the texts, for `record`.
        func grams(_ texts: [String], record: String) -> String {
            let rows = texts.enumerated().map { "SELECT \(normalized($1))\($0 == 0 ? " AS t" : "")" }
            return "SELECT substr(t, p, 2) AS gram, \(record) FROM (\(rows.joined(separator: " UNION ALL ")))"
                + " JOIN search_positions ON p < length(t) WHERE t IS NOT NULL"
        }
        func insert(_ texts: [String], _ record: String) -> String {
            "INSERT INTO search_grams (gram, record) \(grams(texts, record: record)) ON CONFLICT DO NOTHING;"
        }
        func delete(_ texts: [String], _ record: String) -> String {
            "DELETE FROM search_grams WHERE record = \(record) AND gram IN (SELECT gram FROM (\(grams(texts, record: record))));"
        }
        func triggers(_ table: String, _ columns: [String]) -> String {
            let new = columns.map { "NEW.\($0)" }
            let old = columns.map { "OLD.\($0)" }
            let changed = columns.map { "OLD.\($0) IS NOT NEW.\($0)" }.joined(separator: " OR ")
            return """
                CREATE TRIGGER \(table)_search_after_insert AFTER INSERT ON \(table) BEGIN
                \(insert(new, "NEW.id"))
                END;
                CREATE TRIGGER \(table)_search_after_update AFTER UPDATE OF \(columns.joined(separator: ", ")) \
                ON \(table) WHEN \(changed) BEGIN
                \(delete(old, "OLD.id"))
                \(insert(new, "NEW.id"))
                END;
                CREATE TRIGGER \(table)_search_after_delete AFTER DELETE ON \(table) BEGIN
                \(delete(old, "OLD.id"))
                END;

                """
        }
        return triggers("members", ["name"]) + triggers("households", ["address", "phone"])
    }

    /// The names of v22's triggers, which v23 drops.
    static let rowSearchTriggers = ["members", "households"].flatMap { table in
        ["insert", "update", "delete"].map { "\(table)_search_after_\($0)" }
    }

    /// v23: the record tables' triggers only mark what changed; ``SearchIndex/refresh(_:)``
    /// brings the index up to date at the end of the transaction.
    ///
    /// Why: v22's triggers deleted and inserted each changed text's pieces row by row, in the
    /// order the ops came, each a lookup in an index ordered by piece. On `bench merge` they
    /// cut the merge rate to 0.63 of what it was without an index. A mark is one row in a
    /// small table; the pass at the end writes only the pieces that changed, sorted, so
    /// neighbouring writes share pages.
    ///
    /// `search_dirty` holds, for each record changed since the index was last brought up to
    /// date, its searchable texts as the index holds them (the first values seen in the
    /// transaction: a later change keeps them): `first` is a member's name or a household's
    /// address, `second` a household's phone. A new record has none.
    static func searchMarksSchema() -> String {
        func triggers(_ table: String, _ columns: [String]) -> String {
            let changed = columns.map { "OLD.\($0) IS NOT NEW.\($0)" }.joined(separator: " OR ")
            let present = columns.map { "NEW.\($0) IS NOT NULL" }.joined(separator: " OR ")
            let names = ["first", "second"].prefix(columns.count).joined(separator: ", ")
            let old = columns.map { "OLD.\($0)" }.joined(separator: ", ")
            let mark = "INSERT INTO search_dirty (record, \(names)) VALUES (OLD.id, \(old)) ON CONFLICT DO NOTHING;"
            return """
                CREATE TRIGGER \(table)_search_mark_insert AFTER INSERT ON \(table) WHEN \(present) BEGIN
                INSERT INTO search_dirty (record) VALUES (NEW.id) ON CONFLICT DO NOTHING;
                END;
                CREATE TRIGGER \(table)_search_mark_update AFTER UPDATE OF \(columns.joined(separator: ", ")) \
                ON \(table) WHEN \(changed) BEGIN
                \(mark)
                END;
                CREATE TRIGGER \(table)_search_mark_delete AFTER DELETE ON \(table) BEGIN
                \(mark)
                END;

                """
        }
        return rowSearchTriggers.map { "DROP TRIGGER IF EXISTS \($0);\n" }.joined()
            + """
            DROP TABLE IF EXISTS search_positions;
            CREATE TABLE search_dirty (record TEXT PRIMARY KEY NOT NULL, first TEXT, second TEXT) WITHOUT ROWID;

            """
            + triggers("members", ["name"]) + triggers("households", ["address", "phone"])
    }

    /// v29: every household's entries in the index made again, its phone by its last four
    /// digits (``SearchText/phoneTail(_:)``) where v22 cut it into digit pairs.
    ///
    /// A household's entries are taken out and the household marked as new, so the pass at the
    /// end of the next write (or when the replica is opened, ``ReplicaCore``) writes its
    /// address's pieces and its phone's one. A household already marked loses its mark first:
    /// the mark's texts say what the index held, and it holds nothing for the household now.
    /// PostgreSQL's hub runs the same statements (its v15).
    package static let phoneTails = [
        "DELETE FROM search_dirty WHERE substr(record, 1, 2) = 'H-'",
        "DELETE FROM search_grams WHERE substr(record, 1, 2) = 'H-'",
        "INSERT INTO search_dirty (record) SELECT id FROM households WHERE address IS NOT NULL OR phone IS NOT NULL",
    ]
}
