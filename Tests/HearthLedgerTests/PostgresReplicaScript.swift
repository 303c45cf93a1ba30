import HearthStore

/// One script of statements, in the SQL both databases take, that fires every trigger of the
/// hub's schema: inserts, updates that change and that leave the columns a trigger watches,
/// upserts, deletes, a member moved between households, ID hashes changed, deaths, renamed
/// ids, multi-row statements. It reads what the triggers keep after the inserts and after the
/// changes, and the tables it wrote.
///
/// Between the two points it clears the marks, as the engine's judging and search pass do
/// before a commit, so the changes' marks (with the texts they keep) are seen apart from the
/// inserts'.
enum PostgresReplicaScript {
    /// The tables only triggers write.
    static let bookkeeping = ["rule_case_dirty", "search_dirty", "id_prefixes", "row_counts"]
    /// The tables the script writes, read at the end.
    static let written = [
        "households", "members", "enrollments", "leads", "settings", "divisions", "standards", "visits", "ops",
        "record_meta",
    ]

    /// A statement and its arguments.
    struct Step {
        let sql: String
        let arguments: [SQLValue]

        init(_ sql: String, _ arguments: any ScriptValue...) {
            self.sql = sql
            self.arguments = arguments.map(\.sqlValue)
        }
    }

    static let villageA = "421281101001"
    static let villageB = "421281101002"

    /// A 64-digit ID hash beginning with `prefix` (its first four digits are its prefix).
    static func hash(_ prefix: String) -> String { prefix + String(repeating: "0", count: 64 - prefix.count) }

    /// A household written as the engine writes records: an upsert of every column.
    static func household(
        _ id: String, _ village: String, address: String?, phone: String?, head: String?, status: String,
        note: String? = nil, at millis: Int64
    ) -> Step {
        Step(
            """
            INSERT INTO households (id, village, address, phone, head, status, note, updated_millis)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET village = excluded.village,
            address = excluded.address, phone = excluded.phone, head = excluded.head, status = excluded.status,
            note = excluded.note, updated_millis = excluded.updated_millis
            """, id, village, address, phone, head, status, note, millis)
    }

    static func member(
        _ id: String, _ household: String, _ village: String, name: String?, hash: String?, vital: String?,
        born: String? = nil, grade: Int64? = nil, note: String? = nil, pending: Int64 = 0, at millis: Int64
    ) -> Step {
        Step(
            """
            INSERT INTO members (id, household, village, name, id_number_hash, vital_status, birth_date,
            disability_grade, note, id_pending, updated_millis) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET household = excluded.household, village = excluded.village,
            name = excluded.name, id_number_hash = excluded.id_number_hash, vital_status = excluded.vital_status,
            birth_date = excluded.birth_date, disability_grade = excluded.disability_grade, note = excluded.note,
            id_pending = excluded.id_pending, updated_millis = excluded.updated_millis
            """, id, household, village, name, hash, vital, born, grade, note, pending, millis)
    }

    static func enrollment(
        _ id: String, member: String, _ household: String, _ village: String, program: String, status: String,
        at millis: Int64
    ) -> Step {
        Step(
            """
            INSERT INTO enrollments (id, member, household, village, program, status, updated_millis)
            VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET member = excluded.member,
            household = excluded.household, village = excluded.village, program = excluded.program,
            status = excluded.status, updated_millis = excluded.updated_millis
            """, id, member, household, village, program, status, millis)
    }

    static func lead(_ id: String, member: String, _ household: String, source: String, status: String?) -> Step {
        Step(
            """
            INSERT INTO leads (id, member, household, village, source, status, updated_millis)
            VALUES (?, ?, ?, ?, ?, ?, 1) ON CONFLICT (id) DO UPDATE SET status = excluded.status
            """, id, member, household, villageA, source, status)
    }

    static func setting(_ id: String, _ name: String, _ value: String) -> Step {
        Step(
            """
            INSERT INTO settings (id, name, value, updated_millis) VALUES (?, ?, ?, 1)
            ON CONFLICT (id) DO UPDATE SET value = excluded.value
            """, id, name, value)
    }

    static func op(_ replica: String, _ counter: Int64, _ record: String, hash: UInt8, body: [UInt8]) -> Step {
        Step(
            """
            INSERT INTO ops (replica, counter, record, scope, hash, body, state, township)
            VALUES (?, ?, ?, ?, ?, ?, 'applied', ?) ON CONFLICT (replica, counter) DO NOTHING
            """, replica, counter, record, villageA, [UInt8](repeating: hash, count: 32), body, "421281101")
    }

    /// New rows: households (one with searchable texts, one without), members (two alive under
    /// one hash prefix, one alive under another, one with no hash or name, one dead), the
    /// enrollments and leads about them.
    static let inserts: [Step] = [
        Step("DELETE FROM rule_case_dirty"),
        household("HH1", villageA, address: "东街 1号", phone: "13800000001", head: "M1", status: "active", at: 1),
        household("HH2", villageA, address: nil, phone: nil, head: nil, status: "active", at: 1),
        household("HH3", villageB, address: "西街 9号", phone: nil, head: nil, status: "active", at: 1),
        member("M1", "HH1", villageA, name: "王强", hash: hash("abcd1"), vital: "alive", born: "1950-01-01", at: 1),
        member(
            "M2", "HH1", villageA, name: "李秀英", hash: hash("abcd2"), vital: "alive", born: "1952-02-02", grade: 2,
            at: 1),
        member("M3", "HH2", villageA, name: "张三", hash: hash("ef011"), vital: "alive", born: "1960-03-03", at: 1),
        member("M4", "HH2", villageA, name: nil, hash: nil, vital: nil, pending: 1, at: 1),
        member("M5", "HH3", villageB, name: "赵四", hash: hash("77771"), vital: "alive", at: 1),
        member("M6", "HH3", villageB, name: "钱五", hash: hash("8888a"), vital: "deceased", at: 1),
        enrollment("E1", member: "M1", "HH1", villageA, program: "dibao", status: "active", at: 1),
        enrollment("E2", member: "M3", "HH2", villageA, program: "wubao", status: "active", at: 1),
        enrollment("E3", member: "M5", "HH3", villageB, program: "dibao", status: "active", at: 1),
        lead("L1", member: "M1", "HH1", source: "civil", status: "open"),
        lead("L2", member: "M3", "HH2", source: "health", status: nil),
    ]

    /// Changes and deletions of those rows, and the county's settings, places, standards,
    /// visits, log and merge state.
    static let changes: [Step] = [
        // A household changed where no rule and no search reads (an upsert naming every column).
        household(
            "HH1", villageA, address: "东街 1号", phone: "13800000001", head: "M1", status: "active",
            note: "a note", at: 2),
        Step("UPDATE households SET status = ? WHERE id = ?", "archived", "HH2"),
        Step("UPDATE households SET address = ? WHERE id = ?", "东街 2号", "HH1"),
        Step("UPDATE households SET phone = ? WHERE id = ?", "13900000009", "HH1"),
        Step("UPDATE households SET phone = ?, address = ? WHERE id = ?", SQLValue.null, SQLValue.null, "HH3"),
        Step("UPDATE households SET note = ? WHERE id = ?", "x", "HH3"),
        // A member changed where no rule reads, renamed twice, dead, moved, re-hashed twice.
        member(
            "M1", "HH1", villageA, name: "王强", hash: hash("abcd1"), vital: "alive", born: "1950-01-01", note: "n",
            at: 2),
        Step("UPDATE members SET name = ? WHERE id = ?", "王小强", "M1"),
        Step("UPDATE members SET name = ? WHERE id = ?", "王大强", "M1"),
        Step("UPDATE members SET vital_status = ?, death_date = ? WHERE id = ?", "deceased", "2026-01-01", "M2"),
        Step("UPDATE members SET household = ? WHERE id = ?", "HH2", "M1"),
        Step("UPDATE members SET id_number_hash = ? WHERE id = ?", hash("ef012"), "M3"),
        Step("UPDATE members SET id_number_hash = ? WHERE id = ?", hash("99991"), "M3"),
        member("M4", "HH2", villageA, name: "孙六", hash: hash("abcd4"), vital: "alive", grade: 3, at: 2),
        Step("UPDATE members SET disability_grade = ? WHERE id = ?", Int64(1), "M4"),
        Step("UPDATE members SET vital_status = ? WHERE id = ?", "alive", "M6"),
        Step("UPDATE members SET village = ? WHERE household = ?", villageB, "HH2"),
        // Ids renamed.
        Step("UPDATE members SET id = ? WHERE id = ?", "M7", "M6"),
        Step("UPDATE households SET id = ? WHERE id = ?", "HH4", "HH2"),
        Step("UPDATE leads SET id = ? WHERE id = ?", "L3", "L1"),
        // Enrollments and leads: a status changed, a member changed, deleted.
        Step("UPDATE enrollments SET status = ? WHERE id = ?", "stopped", "E1"),
        enrollment("E2", member: "M4", "HH2", villageA, program: "wubao", status: "active", at: 2),
        Step("DELETE FROM enrollments WHERE id = ?", "E3"),
        Step("UPDATE leads SET status = ? WHERE id = ?", "closed", "L3"),
        Step("DELETE FROM leads WHERE id = ?", "L2"),
        // Members deleted (one alive with a hash), and a household with its member gone.
        Step("DELETE FROM members WHERE id = ?", "M1"),
        Step("DELETE FROM members WHERE id = ?", "M5"),
        Step("DELETE FROM households WHERE id = ?", "HH3"),
        setting("S1", "recovery", "on"),
        setting("S2", "limit", "3"),
        Step("UPDATE settings SET value = ? WHERE id = ?", "off", "S1"),
        Step("DELETE FROM settings WHERE id = ?", "S2"),
        Step(
            "INSERT INTO divisions (id, code, name, updated_millis) VALUES (?, ?, ?, 1), (?, ?, ?, 1)",
            "D1", villageA, "一村", "D2", villageB, "二村"),
        Step("DELETE FROM divisions WHERE id = ?", "D2"),
        Step(
            "INSERT INTO standards (id, program, amount, updated_millis) VALUES (?, ?, ?, 1), (?, ?, ?, 1)",
            "ST1", "dibao", Int64(500), "ST2", "wubao", Int64(700)),
        Step("DELETE FROM standards WHERE id = ?", "ST1"),
        Step(
            "INSERT INTO visits (id, household, date, updated_millis) VALUES (?, ?, ?, 1), (?, ?, ?, 1)",
            "V1", "HH1", "2026-01-02", "V2", "HH4", "2026-01-03"),
        Step("DELETE FROM visits WHERE household = ?", "HH4"),
        op("R1", 1, "M2", hash: 1, body: [0, 255, 7]),
        op("R1", 2, "M2", hash: 2, body: [9]),
        op("R1", 2, "M2", hash: 3, body: [9]),
        op("R2", 1, "HH1", hash: 4, body: []),
        Step("DELETE FROM ops WHERE replica = ? AND counter = ?", "R2", Int64(1)),
        Step(
            "INSERT INTO record_meta (id, type, state) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state",
            "M2", "member", [UInt8]([1, 2])),
        Step(
            "INSERT INTO record_meta (id, type, state) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state",
            "M2", "member", [UInt8]([3])),
    ]

    /// Runs the script; returns every read, named `point: table`, each table's rows in key order.
    static func run(_ statements: any SQLStatements) throws -> [String: [[SQLValue]]] {
        var reads: [String: [[SQLValue]]] = [:]
        func read(_ point: String, _ tables: [String]) throws {
            for table in tables {
                reads["\(point): \(table)"] = try statements.rows("SELECT * FROM \(table) ORDER BY 1", [])
            }
        }
        for step in inserts { try statements.execute(step.sql, step.arguments) }
        try read("after the inserts", bookkeeping)
        try statements.execute("DELETE FROM rule_case_dirty", [])
        try statements.execute("DELETE FROM search_dirty", [])
        for step in changes { try statements.execute(step.sql, step.arguments) }
        try read("after the changes", bookkeeping + written)
        return reads
    }
}

/// A value the script binds.
protocol ScriptValue { var sqlValue: SQLValue { get } }

extension SQLValue: ScriptValue { var sqlValue: SQLValue { self } }
extension String: ScriptValue { var sqlValue: SQLValue { .text(self) } }
extension Int64: ScriptValue { var sqlValue: SQLValue { .integer(self) } }
extension Array: ScriptValue where Element == UInt8 { var sqlValue: SQLValue { .blob(self) } }
extension Optional: ScriptValue where Wrapped: ScriptValue { var sqlValue: SQLValue { self?.sqlValue ?? .null } }
