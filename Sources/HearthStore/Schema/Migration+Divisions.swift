import GRDB

extension Migrations {
    /// v21: the names of places (`divisions`), county configuration like `settings`: one row per
    /// record, looked up by the code it names, and counted in `row_counts` as the other record
    /// tables are (v18).
    static func divisionNames(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE divisions (
                    id TEXT PRIMARY KEY NOT NULL,
                    village TEXT,
                    code TEXT,
                    name TEXT,
                    note TEXT,
                    conflicts TEXT,
                    updated_millis INTEGER NOT NULL
                );
                CREATE INDEX divisions_by_code ON divisions (code);
                INSERT INTO row_counts (name, n) SELECT 'divisions', count(*) FROM divisions;
                CREATE TRIGGER divisions_count_after_insert AFTER INSERT ON divisions BEGIN
                    UPDATE row_counts SET n = n + 1 WHERE name = 'divisions';
                END;
                CREATE TRIGGER divisions_count_after_delete AFTER DELETE ON divisions BEGIN
                    UPDATE row_counts SET n = n - 1 WHERE name = 'divisions';
                END;
                """)
    }
}
