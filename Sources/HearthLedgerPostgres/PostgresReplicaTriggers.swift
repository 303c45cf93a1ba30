import HearthLedger

/// The SQLite hub's triggers in PL/pgSQL, for ``PostgresHubSchema/replicaMigrations``: each a
/// function and a row trigger of the same name, with the same effect on the same tables.
///
/// Why the same effect holds although PostgreSQL runs AFTER row triggers at the end of the
/// statement, not after each row as SQLite does: no trigger reads the table that fired it, only
/// other record tables and the bookkeeping it keeps, so the end of the statement shows it what
/// the row's moment showed SQLite's (one exception, v16's `markGone`, says why it holds there);
/// and the queued triggers run in the order the rows were changed, each seeing the previous
/// one's work (the `changed` version of `id_prefixes`).
///
/// The translation: `IS NOT` is `IS DISTINCT FROM`; a subquery in FROM is named (PostgreSQL 15
/// asks for it); `ON CONFLICT DO NOTHING` and `ON CONFLICT (…) DO UPDATE` as they were. The
/// texts concatenated are TEXT on both sides, where `||` with NULL is NULL on both.
enum PostgresReplicaTriggers {
    /// A function named `name` whose body is `statements`, and the AFTER row trigger of that
    /// name on `event` of `table` that runs it, under `condition` (SQLite's WHEN) when given.
    static func trigger(
        _ name: String, after event: String, on table: String, when condition: String? = nil,
        _ statements: String
    ) -> [String] {
        [
            """
            CREATE FUNCTION \(name)() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
            \(statements)
            RETURN NULL;
            END
            $$
            """,
            "CREATE TRIGGER \(name) AFTER \(event) ON \(table) FOR EACH ROW"
                + (condition.map { " WHEN (\($0))" } ?? "") + " EXECUTE FUNCTION \(name)()",
        ]
    }

    /// Core v18 and v21 (`rowCountsSchema`, `divisionNames`): each record table's and the log's
    /// rows, counted from what is there and kept by a pair of triggers. `n = n + 1` takes the
    /// row's lock, so concurrent transactions each add their own.
    static let rowCounts: [String] = {
        let counted = [
            "households", "members", "enrollments", "visits", "standards", "leads", "settings", "ops", "divisions",
        ]
        var statements = [
            """
            CREATE FUNCTION row_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
            UPDATE row_counts SET n = n + 1 WHERE name = TG_TABLE_NAME;
            RETURN NULL;
            END
            $$
            """,
            """
            CREATE FUNCTION row_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
            UPDATE row_counts SET n = n - 1 WHERE name = TG_TABLE_NAME;
            RETURN NULL;
            END
            $$
            """,
        ]
        for table in counted {
            statements += [
                "INSERT INTO row_counts (name, n) SELECT '\(table)', count(*) FROM \(table)",
                "CREATE TRIGGER \(table)_count_after_insert AFTER INSERT ON \(table) FOR EACH ROW"
                    + " EXECUTE FUNCTION row_counts_add()",
                "CREATE TRIGGER \(table)_count_after_delete AFTER DELETE ON \(table) FOR EACH ROW"
                    + " EXECUTE FUNCTION row_counts_remove()",
            ]
        }
        return statements
    }()

    /// Core v18 (`caseMarkTriggers`): the subjects a changed row may change, marked in
    /// `rule_case_dirty` for judging before the commit. A member or household changed only in
    /// columns no rule reads marks nothing; an enrollment, a lead and a setting always mark.
    static let caseMarks: [String] =
        trigger(
            "members_mark_cases_after_insert", after: "INSERT", on: "members",
            """
            INSERT INTO rule_case_dirty (subject) SELECT s FROM (SELECT 'hash:' || NEW.id_number_hash AS s UNION ALL SELECT 'household:' || NEW.household) AS marks WHERE s IS NOT NULL ON CONFLICT DO NOTHING;
            INSERT INTO rule_case_dirty (subject) SELECT 'household:' || id FROM households WHERE head IN (NEW.id) ON CONFLICT DO NOTHING;
            INSERT INTO rule_case_dirty (subject) SELECT 'enrollment:' || id FROM enrollments WHERE member IN (NEW.id) ON CONFLICT DO NOTHING;
            INSERT INTO rule_case_dirty (subject) SELECT 'lead:' || id FROM leads WHERE member IN (NEW.id) ON CONFLICT DO NOTHING;
            """)
        + trigger(
            "members_mark_cases_after_update", after: "UPDATE", on: "members",
            when: """
                OLD.id IS DISTINCT FROM NEW.id OR OLD.household IS DISTINCT FROM NEW.household \
                OR OLD.village IS DISTINCT FROM NEW.village OR OLD.id_number_hash IS DISTINCT FROM NEW.id_number_hash \
                OR OLD.vital_status IS DISTINCT FROM NEW.vital_status OR OLD.birth_date IS DISTINCT FROM NEW.birth_date \
                OR OLD.disability_grade IS DISTINCT FROM NEW.disability_grade
                """,
            """
            INSERT INTO rule_case_dirty (subject) SELECT s FROM (SELECT 'hash:' || OLD.id_number_hash AS s UNION ALL SELECT 'hash:' || NEW.id_number_hash UNION ALL SELECT 'household:' || OLD.household UNION ALL SELECT 'household:' || NEW.household) AS marks WHERE s IS NOT NULL ON CONFLICT DO NOTHING;
            INSERT INTO rule_case_dirty (subject) SELECT 'household:' || id FROM households WHERE head IN (OLD.id, NEW.id) ON CONFLICT DO NOTHING;
            INSERT INTO rule_case_dirty (subject) SELECT 'enrollment:' || id FROM enrollments WHERE member IN (OLD.id, NEW.id) ON CONFLICT DO NOTHING;
            INSERT INTO rule_case_dirty (subject) SELECT 'lead:' || id FROM leads WHERE member IN (OLD.id, NEW.id) ON CONFLICT DO NOTHING;
            """)
        + trigger(
            "members_mark_cases_after_delete", after: "DELETE", on: "members",
            """
            INSERT INTO rule_case_dirty (subject) SELECT s FROM (SELECT 'hash:' || OLD.id_number_hash AS s UNION ALL SELECT 'household:' || OLD.household) AS marks WHERE s IS NOT NULL ON CONFLICT DO NOTHING;
            INSERT INTO rule_case_dirty (subject) SELECT 'household:' || id FROM households WHERE head IN (OLD.id) ON CONFLICT DO NOTHING;
            INSERT INTO rule_case_dirty (subject) SELECT 'enrollment:' || id FROM enrollments WHERE member IN (OLD.id) ON CONFLICT DO NOTHING;
            INSERT INTO rule_case_dirty (subject) SELECT 'lead:' || id FROM leads WHERE member IN (OLD.id) ON CONFLICT DO NOTHING;
            """)
        + trigger(
            "enrollments_mark_cases_after_insert", after: "INSERT", on: "enrollments",
            """
            INSERT INTO rule_case_dirty (subject) SELECT s FROM (SELECT 'enrollment:' || NEW.id AS s UNION ALL SELECT 'member:' || NEW.member UNION ALL SELECT 'household:' || NEW.household) AS marks WHERE s IS NOT NULL ON CONFLICT DO NOTHING;
            INSERT INTO rule_case_dirty (subject) SELECT 'hash:' || id_number_hash FROM members WHERE id IN (NEW.member) AND id_number_hash IS NOT NULL ON CONFLICT DO NOTHING;
            INSERT INTO rule_case_dirty (subject) SELECT 'lead:' || id FROM leads WHERE member IN (NEW.member) ON CONFLICT DO NOTHING;
            """)
        + trigger(
            "enrollments_mark_cases_after_update", after: "UPDATE", on: "enrollments",
            """
            INSERT INTO rule_case_dirty (subject) SELECT s FROM (SELECT 'enrollment:' || OLD.id AS s UNION ALL SELECT 'enrollment:' || NEW.id UNION ALL SELECT 'member:' || OLD.member UNION ALL SELECT 'member:' || NEW.member UNION ALL SELECT 'household:' || OLD.household UNION ALL SELECT 'household:' || NEW.household) AS marks WHERE s IS NOT NULL ON CONFLICT DO NOTHING;
            INSERT INTO rule_case_dirty (subject) SELECT 'hash:' || id_number_hash FROM members WHERE id IN (OLD.member, NEW.member) AND id_number_hash IS NOT NULL ON CONFLICT DO NOTHING;
            INSERT INTO rule_case_dirty (subject) SELECT 'lead:' || id FROM leads WHERE member IN (OLD.member, NEW.member) ON CONFLICT DO NOTHING;
            """)
        + trigger(
            "enrollments_mark_cases_after_delete", after: "DELETE", on: "enrollments",
            """
            INSERT INTO rule_case_dirty (subject) SELECT s FROM (SELECT 'enrollment:' || OLD.id AS s UNION ALL SELECT 'member:' || OLD.member UNION ALL SELECT 'household:' || OLD.household) AS marks WHERE s IS NOT NULL ON CONFLICT DO NOTHING;
            INSERT INTO rule_case_dirty (subject) SELECT 'hash:' || id_number_hash FROM members WHERE id IN (OLD.member) AND id_number_hash IS NOT NULL ON CONFLICT DO NOTHING;
            INSERT INTO rule_case_dirty (subject) SELECT 'lead:' || id FROM leads WHERE member IN (OLD.member) ON CONFLICT DO NOTHING;
            """)
        + trigger(
            "households_mark_cases_after_insert", after: "INSERT", on: "households",
            """
            INSERT INTO rule_case_dirty (subject) SELECT s FROM (SELECT 'household:' || NEW.id AS s) AS marks WHERE s IS NOT NULL ON CONFLICT DO NOTHING;
            INSERT INTO rule_case_dirty (subject) SELECT 'hash:' || id_number_hash FROM members WHERE household IN (NEW.id) AND id_number_hash IS NOT NULL ON CONFLICT DO NOTHING;
            """)
        + trigger(
            "households_mark_cases_after_update", after: "UPDATE", on: "households",
            when: """
                OLD.id IS DISTINCT FROM NEW.id OR OLD.status IS DISTINCT FROM NEW.status \
                OR OLD.head IS DISTINCT FROM NEW.head OR OLD.village IS DISTINCT FROM NEW.village
                """,
            """
            INSERT INTO rule_case_dirty (subject) SELECT s FROM (SELECT 'household:' || OLD.id AS s UNION ALL SELECT 'household:' || NEW.id) AS marks WHERE s IS NOT NULL ON CONFLICT DO NOTHING;
            INSERT INTO rule_case_dirty (subject) SELECT 'hash:' || id_number_hash FROM members WHERE household IN (OLD.id, NEW.id) AND id_number_hash IS NOT NULL ON CONFLICT DO NOTHING;
            """)
        + trigger(
            "households_mark_cases_after_delete", after: "DELETE", on: "households",
            """
            INSERT INTO rule_case_dirty (subject) SELECT s FROM (SELECT 'household:' || OLD.id AS s) AS marks WHERE s IS NOT NULL ON CONFLICT DO NOTHING;
            INSERT INTO rule_case_dirty (subject) SELECT 'hash:' || id_number_hash FROM members WHERE household IN (OLD.id) AND id_number_hash IS NOT NULL ON CONFLICT DO NOTHING;
            """)
        + trigger(
            "leads_mark_cases_after_insert", after: "INSERT", on: "leads",
            """
            INSERT INTO rule_case_dirty (subject) SELECT s FROM (SELECT 'lead:' || NEW.id AS s) AS marks WHERE s IS NOT NULL ON CONFLICT DO NOTHING;
            """)
        + trigger(
            "leads_mark_cases_after_update", after: "UPDATE", on: "leads",
            """
            INSERT INTO rule_case_dirty (subject) SELECT s FROM (SELECT 'lead:' || OLD.id AS s UNION ALL SELECT 'lead:' || NEW.id) AS marks WHERE s IS NOT NULL ON CONFLICT DO NOTHING;
            """)
        + trigger(
            "leads_mark_cases_after_delete", after: "DELETE", on: "leads",
            """
            INSERT INTO rule_case_dirty (subject) SELECT s FROM (SELECT 'lead:' || OLD.id AS s) AS marks WHERE s IS NOT NULL ON CONFLICT DO NOTHING;
            """)
        + ["INSERT", "UPDATE", "DELETE"].flatMap { event in
            trigger(
                "settings_mark_cases_after_\(event.lowercased())", after: event, on: "settings",
                "INSERT INTO rule_case_dirty (subject) VALUES ('all') ON CONFLICT DO NOTHING;")
        }

    /// Core v23 (`searchMarksSchema`): a record whose searchable texts change is marked in
    /// `search_dirty` with the texts the index holds for it (the first seen in the transaction:
    /// a later mark keeps them); a new record with none.
    static let searchMarks: [String] =
        trigger(
            "members_search_mark_insert", after: "INSERT", on: "members", when: "NEW.name IS NOT NULL",
            "INSERT INTO search_dirty (record) VALUES (NEW.id) ON CONFLICT DO NOTHING;")
        + trigger(
            "members_search_mark_update", after: "UPDATE OF name", on: "members",
            when: "OLD.name IS DISTINCT FROM NEW.name",
            "INSERT INTO search_dirty (record, first) VALUES (OLD.id, OLD.name) ON CONFLICT DO NOTHING;")
        + trigger(
            "members_search_mark_delete", after: "DELETE", on: "members",
            "INSERT INTO search_dirty (record, first) VALUES (OLD.id, OLD.name) ON CONFLICT DO NOTHING;")
        + trigger(
            "households_search_mark_insert", after: "INSERT", on: "households",
            when: "NEW.address IS NOT NULL OR NEW.phone IS NOT NULL",
            "INSERT INTO search_dirty (record) VALUES (NEW.id) ON CONFLICT DO NOTHING;")
        + trigger(
            "households_search_mark_update", after: "UPDATE OF address, phone", on: "households",
            when: "OLD.address IS DISTINCT FROM NEW.address OR OLD.phone IS DISTINCT FROM NEW.phone",
            """
            INSERT INTO search_dirty (record, first, second) VALUES (OLD.id, OLD.address, OLD.phone) ON CONFLICT DO NOTHING;
            """)
        + trigger(
            "households_search_mark_delete", after: "DELETE", on: "households",
            """
            INSERT INTO search_dirty (record, first, second) VALUES (OLD.id, OLD.address, OLD.phone) ON CONFLICT DO NOTHING;
            """)

    /// Hub v16 (SQLite hub v16, `duplicateIndexFlags`): v4's triggers replaced by ones that
    /// flag a part of the index living, writing only when it crosses zero
    /// (``LedgerDuplicateIndex/markLiving(_:)``, the same statements).
    ///
    /// `markGone` reads `members`, the table that fired it: at the end of the statement, where
    /// PostgreSQL runs it, it sees every row the statement changed, and SQLite's trigger sees
    /// those changed before its row. Either way the last trigger of a part sees the part as the
    /// statement leaves it, and the flag is what that shows; only the number of versions a part
    /// took within one statement may differ, and a node is sent a part whose version is past
    /// its own however many it took.
    static let duplicateIndexFlags: [String] = {
        var statements: [String] = []
        for name in ["members_index_after_insert", "members_index_after_update", "members_index_after_delete"] {
            statements += ["DROP TRIGGER \(name) ON members", "DROP FUNCTION \(name)()"]
        }
        return statements
            + trigger(
                "members_index_after_insert", after: "INSERT", on: "members",
                when: "NEW.vital_status = 'alive' AND NEW.id_number_hash IS NOT NULL",
                LedgerDuplicateIndex.markLiving("NEW"))
            + trigger(
                "members_index_after_update", after: "UPDATE", on: "members",
                when:
                    "OLD.vital_status IS DISTINCT FROM NEW.vital_status OR OLD.id_number_hash IS DISTINCT FROM NEW.id_number_hash",
                LedgerDuplicateIndex.markGone("OLD") + "\n" + LedgerDuplicateIndex.markLiving("NEW"))
            + trigger(
                "members_index_after_delete", after: "DELETE", on: "members",
                when: "OLD.vital_status = 'alive' AND OLD.id_number_hash IS NOT NULL",
                LedgerDuplicateIndex.markGone("OLD"))
    }()

    /// Hub v4 (`duplicateIndexSchema`): the living members per first four hex digits of their
    /// ID hash; a prefix gaining its first member or losing its last takes the next version.
    /// `max(changed) + 1` is safe from a concurrent writer because every writer holds the log
    /// head's lock (``PostgresLogHead``), as SQLite's one writer.
    static let duplicateIndex: [String] = {
        let countIn = """
            INSERT INTO id_prefixes (prefix, living, changed)
                SELECT substr(NEW.id_number_hash, 1, 4), 1, (SELECT coalesce(max(changed), 0) + 1 FROM id_prefixes)
                WHERE NEW.vital_status = 'alive' AND NEW.id_number_hash IS NOT NULL
                ON CONFLICT (prefix) DO UPDATE SET
                    changed = CASE WHEN id_prefixes.living = 0 THEN excluded.changed ELSE id_prefixes.changed END,
                    living = id_prefixes.living + 1;
            """
        let countOut = """
            UPDATE id_prefixes SET
                changed = CASE WHEN living = 1 THEN (SELECT max(changed) + 1 FROM id_prefixes) ELSE changed END,
                living = living - 1
                WHERE prefix = substr(OLD.id_number_hash, 1, 4) AND OLD.vital_status = 'alive';
            """
        return trigger(
            "members_index_after_insert", after: "INSERT", on: "members",
            when: "NEW.vital_status = 'alive' AND NEW.id_number_hash IS NOT NULL", countIn)
            + trigger(
                "members_index_after_update", after: "UPDATE", on: "members",
                when:
                    "OLD.vital_status IS DISTINCT FROM NEW.vital_status OR OLD.id_number_hash IS DISTINCT FROM NEW.id_number_hash",
                countOut + "\n" + countIn)
            + trigger(
                "members_index_after_delete", after: "DELETE", on: "members",
                when: "OLD.vital_status = 'alive' AND OLD.id_number_hash IS NOT NULL", countOut)
    }()
}
