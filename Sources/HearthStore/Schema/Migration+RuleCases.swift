import GRDB

extension Migrations {
    /// v18: rule cases kept with the records, counts kept with the rows, and the indexes the
    /// desk's reads need, so no read scans a table that grows with the county.
    ///
    /// - `rule_cases` holds each open case by its subject (``RuleCaseBook``), `rule_case_holds`
    ///   the enrollments each holds; `rule_case_dirty` the subjects marked for judging by the
    ///   triggers below, judged and cleared before the marking transaction commits. The
    ///   migration marks everything, so the cases are built when the replica is next opened.
    /// - A trigger marks what a rule reads from the changed row, before and after: a member's
    ///   ID hash (R5), household (R8), the households it heads (R8), its enrollments (R6
    ///   prerequisites) and the leads about it (R1); an enrollment itself (R6, R2a), its
    ///   member (R6 exclusivity), the member's ID hash and leads (the enrollments they hold)
    ///   and its household (R8's holds); a household itself and its members' ID hashes (R5
    ///   counts a member of an archived household as gone); a lead itself; any change to the
    ///   county's settings everything. A member or household row changed only in columns no
    ///   rule reads marks nothing; an enrollment always marks (R2a reads its status's
    ///   competing values, which its row does not show). A mark whose value is NULL (a
    ///   member with no ID hash) is skipped, and one already made is kept (`ON CONFLICT DO
    ///   NOTHING`: an `OR IGNORE` inside a trigger would yield to the conflict clause of the
    ///   upsert that fired it).
    /// - `row_counts` holds the number of rows of each record table and of the op log.
    /// - Partial indexes list the records in conflict, the members whose ID number is
    ///   pending and the deceased members (recovery, in village order); `households_by_head` finds the household a member heads; `op_waits_by_age`
    ///   the ops waiting longest (R11).
    static let ruleCasesSchema = """
        CREATE TABLE rule_cases (
            id TEXT PRIMARY KEY NOT NULL,
            subject TEXT NOT NULL,
            position INTEGER NOT NULL,
            sort_key TEXT NOT NULL,
            rule TEXT NOT NULL,
            kind TEXT NOT NULL,
            village TEXT,
            records TEXT NOT NULL,
            detail TEXT NOT NULL,
            holds TEXT NOT NULL
        );
        CREATE INDEX rule_cases_by_subject ON rule_cases (subject);
        CREATE INDEX rule_cases_in_order ON rule_cases (position, sort_key);
        CREATE TABLE rule_case_holds (
            enrollment TEXT NOT NULL,
            case_id TEXT NOT NULL,
            PRIMARY KEY (enrollment, case_id)
        ) WITHOUT ROWID;
        CREATE INDEX rule_case_holds_by_case ON rule_case_holds (case_id);
        CREATE TABLE rule_case_dirty (subject TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;
        INSERT INTO rule_case_dirty (subject) VALUES ('all');

        CREATE INDEX households_in_conflict ON households (id) WHERE conflicts IS NOT NULL;
        CREATE INDEX members_in_conflict ON members (id) WHERE conflicts IS NOT NULL;
        CREATE INDEX enrollments_in_conflict ON enrollments (id) WHERE conflicts IS NOT NULL;
        CREATE INDEX visits_in_conflict ON visits (id) WHERE conflicts IS NOT NULL;
        CREATE INDEX standards_in_conflict ON standards (id) WHERE conflicts IS NOT NULL;
        CREATE INDEX leads_in_conflict ON leads (id) WHERE conflicts IS NOT NULL;
        CREATE INDEX settings_in_conflict ON settings (id) WHERE conflicts IS NOT NULL;
        CREATE INDEX members_id_pending ON members (id) WHERE id_pending = 1;
        CREATE INDEX members_deceased ON members (village, id) WHERE vital_status = 'deceased';
        CREATE INDEX households_by_head ON households (head);
        CREATE INDEX op_waits_by_age ON op_waits (since_millis);
        """

    /// The triggers that mark the subjects a changed row may change (see ``ruleCasesSchema``).
    static func caseMarkTriggers() -> String {
        /// Marks the subjects named by the expressions, skipping NULLs.
        func marks(_ subjects: String...) -> String {
            let rows = subjects.enumerated().map { "SELECT \($1)\($0 == 0 ? " AS s" : "")" }
            return "INSERT INTO rule_case_dirty (subject) SELECT s FROM (\(rows.joined(separator: " UNION ALL ")))"
                + " WHERE s IS NOT NULL ON CONFLICT DO NOTHING;"
        }
        /// Marks the subjects a query lists (its WHERE clause keeps NULLs out).
        func marks(query: String) -> String {
            "INSERT INTO rule_case_dirty (subject) \(query) ON CONFLICT DO NOTHING;"
        }
        func trigger(_ table: String, _ event: String, when: String? = nil, _ body: [String]) -> String {
            "CREATE TRIGGER \(table)_mark_cases_after_\(event.lowercased()) AFTER \(event) ON \(table)"
                + (when.map { " WHEN \($0)" } ?? "") + " BEGIN\n" + body.joined(separator: "\n") + "\nEND;\n"
        }
        func changed(_ columns: [String]) -> String {
            columns.map { "OLD.\($0) IS NOT NEW.\($0)" }.joined(separator: " OR ")
        }
        // What a member's row reaches: the households it heads, its enrollments, the leads about it.
        func memberReach(_ ids: String) -> [String] {
            [
                marks(query: "SELECT 'household:' || id FROM households WHERE head IN (\(ids))"),
                marks(query: "SELECT 'enrollment:' || id FROM enrollments WHERE member IN (\(ids))"),
                marks(query: "SELECT 'lead:' || id FROM leads WHERE member IN (\(ids))"),
            ]
        }
        // What an enrollment's row reaches through its member: the ID hash and the leads.
        func enrollmentReach(_ members: String) -> [String] {
            [
                marks(
                    query:
                        "SELECT 'hash:' || id_number_hash FROM members WHERE id IN (\(members)) AND id_number_hash IS NOT NULL"
                ),
                marks(query: "SELECT 'lead:' || id FROM leads WHERE member IN (\(members))"),
            ]
        }
        // What a household's row reaches: its members' ID hashes.
        func householdReach(_ ids: String) -> String {
            marks(
                query:
                    "SELECT 'hash:' || id_number_hash FROM members WHERE household IN (\(ids)) AND id_number_hash IS NOT NULL"
            )
        }
        let memberColumns = [
            "id", "household", "village", "id_number_hash", "vital_status", "birth_date", "disability_grade",
        ]
        var sql = [
            trigger(
                "members", "INSERT",
                [marks("'hash:' || NEW.id_number_hash", "'household:' || NEW.household")] + memberReach("NEW.id")),
            trigger(
                "members", "UPDATE", when: changed(memberColumns),
                [
                    marks(
                        "'hash:' || OLD.id_number_hash", "'hash:' || NEW.id_number_hash",
                        "'household:' || OLD.household",
                        "'household:' || NEW.household")
                ] + memberReach("OLD.id, NEW.id")),
            trigger(
                "members", "DELETE",
                [marks("'hash:' || OLD.id_number_hash", "'household:' || OLD.household")] + memberReach("OLD.id")),
            trigger(
                "enrollments", "INSERT",
                [marks("'enrollment:' || NEW.id", "'member:' || NEW.member", "'household:' || NEW.household")]
                    + enrollmentReach("NEW.member")),
            trigger(
                "enrollments", "UPDATE",
                [
                    marks(
                        "'enrollment:' || OLD.id", "'enrollment:' || NEW.id", "'member:' || OLD.member",
                        "'member:' || NEW.member", "'household:' || OLD.household", "'household:' || NEW.household")
                ] + enrollmentReach("OLD.member, NEW.member")),
            trigger(
                "enrollments", "DELETE",
                [marks("'enrollment:' || OLD.id", "'member:' || OLD.member", "'household:' || OLD.household")]
                    + enrollmentReach("OLD.member")),
            trigger("households", "INSERT", [marks("'household:' || NEW.id"), householdReach("NEW.id")]),
            trigger(
                "households", "UPDATE", when: changed(["id", "status", "head", "village"]),
                [marks("'household:' || OLD.id", "'household:' || NEW.id"), householdReach("OLD.id, NEW.id")]),
            trigger("households", "DELETE", [marks("'household:' || OLD.id"), householdReach("OLD.id")]),
            trigger("leads", "INSERT", [marks("'lead:' || NEW.id")]),
            trigger("leads", "UPDATE", [marks("'lead:' || OLD.id", "'lead:' || NEW.id")]),
            trigger("leads", "DELETE", [marks("'lead:' || OLD.id")]),
        ]
        for event in ["INSERT", "UPDATE", "DELETE"] { sql.append(trigger("settings", event, [marks("'all'")])) }
        return sql.joined(separator: "\n")
    }

    /// The tables `row_counts` counts, with a trigger pair each.
    static let countedTables = [
        "households", "members", "enrollments", "visits", "standards", "leads", "settings", "ops",
    ]

    static func rowCountsSchema() -> String {
        var sql = """
            CREATE TABLE row_counts (name TEXT PRIMARY KEY NOT NULL, n INTEGER NOT NULL) WITHOUT ROWID;

            """
        for table in countedTables {
            sql += """
                INSERT INTO row_counts (name, n) SELECT '\(table)', count(*) FROM \(table);
                CREATE TRIGGER \(table)_count_after_insert AFTER INSERT ON \(table) BEGIN
                    UPDATE row_counts SET n = n + 1 WHERE name = '\(table)';
                END;
                CREATE TRIGGER \(table)_count_after_delete AFTER DELETE ON \(table) BEGIN
                    UPDATE row_counts SET n = n - 1 WHERE name = '\(table)';
                END;

                """
        }
        return sql
    }
}
