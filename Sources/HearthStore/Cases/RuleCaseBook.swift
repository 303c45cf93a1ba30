import HearthCore

/// The rule cases a replica keeps, maintained in the transaction that changes what they rest on.
///
/// Recomputing the desk's cases for the whole county on every read made each read cost the
/// county (minutes on a city's hub). Instead the record tables' triggers (``RuleCaseBook/schema``)
/// mark, in `rule_case_dirty`, every ``CaseSubject`` whose rule reads a row that changed, with
/// the row's values before and after: a member that moves marks both households, a new ID hash
/// marks the old and the new one. Before the transaction commits, ``refresh(_:)`` judges the
/// marked subjects again with the rule engine and replaces their cases in `rule_cases` (and
/// the enrollments they hold in `rule_case_holds`). A read is then a scan of the cases it
/// returns, and one enrollment's holds an index lookup.
///
/// Each subject is first checked by its candidate query (a superset of what its rule flags,
/// on the plain columns), so a changed record that cannot be a case costs an index lookup, not
/// the parse of its merge state.
package enum RuleCaseBook {
    /// Marks every subject for judging: a full rebuild at the next ``refresh(_:)`` (a new
    /// database, a migration, a change to the county's settings).
    static let everything = "all"

    /// Marks every subject for judging, for a write that replaced most of what the replica holds
    /// (a snapshot's install): the full rebuild finds the candidates with a few set-wise queries,
    /// where judging each marked subject costs two deletes and a candidate query apiece, for
    /// each of the tens of thousands a scope's rows mark.
    package static func markEverything(_ db: any SQLStatements) throws {
        try db.execute("INSERT INTO rule_case_dirty (subject) VALUES (?) ON CONFLICT DO NOTHING", [.text(everything)])
    }

    /// Judges every marked subject again and clears the marks. Runs at the end of every write
    /// transaction that changed records.
    package static func refresh(_ db: any SQLStatements) throws {
        let marked = try db.texts("SELECT subject FROM rule_case_dirty")
        guard !marked.isEmpty else { return }
        var lookup = DatabaseRuleLookup(db)
        if marked.contains(everything) {
            try db.execute("DELETE FROM rule_cases", [])
            try db.execute("DELETE FROM rule_case_holds", [])
            for (subject, cases) in try judgeAll(db, lookup: &lookup) { try store(cases, of: subject, db) }
        } else {
            // The marked subjects that hold cases now, in one statement: most subjects a push
            // marks hold none (a household edited, a member added), and a lookup apiece cost a
            // statement on the hub's one writer for every one of them.
            let holding = Set(
                try db.texts(
                    "SELECT DISTINCT c.subject FROM rule_case_dirty d JOIN rule_cases c ON c.subject = d.subject"))
            let subjects = marked.compactMap(CaseSubject.init(key:))
            for subject in subjects where holding.contains(subject.key) { try forget(subject, db) }
            let candidates = try candidates(among: subjects, db, lookup: &lookup)
            for subject in subjects where candidates.contains(subject) {
                try store(try RuleEngine.deskCases(of: subject, lookup: &lookup), of: subject, db)
            }
        }
        try db.execute("DELETE FROM rule_case_dirty", [])
    }

    /// Every subject's cases judged afresh from the whole county, as a full rebuild finds them
    /// (and a test or a simulation checks the kept ones against).
    package static func judgeAll(_ db: any SQLStatements, lookup: inout DatabaseRuleLookup) throws
        -> [(CaseSubject, [DeskCase])]
    {
        try candidates(db, lookup: &lookup).map { subject in
            (subject, try RuleEngine.deskCases(of: subject, lookup: &lookup))
        }
    }

    /// Whether the database holds marks not yet judged (left by a migration).
    package static func hasMarks(_ db: any SQLStatements) throws -> Bool {
        try db.exists("SELECT 1 FROM rule_case_dirty")
    }

    /// Removes a subject's cases and their holds.
    private static func forget(_ subject: CaseSubject, _ db: any SQLStatements) throws {
        try db.execute(
            "DELETE FROM rule_case_holds WHERE case_id IN (SELECT id FROM rule_cases WHERE subject = ?)",
            [.text(subject.key)])
        try db.execute("DELETE FROM rule_cases WHERE subject = ?", [.text(subject.key)])
    }

    private static func store(_ cases: [DeskCase], of subject: CaseSubject, _ db: any SQLStatements) throws {
        for found in cases {
            try db.execute(
                """
                INSERT INTO rule_cases (id, subject, position, sort_key, rule, kind, village, records, detail, holds)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET
                    subject = excluded.subject, position = excluded.position, sort_key = excluded.sort_key,
                    rule = excluded.rule, kind = excluded.kind, village = excluded.village,
                    records = excluded.records, detail = excluded.detail, holds = excluded.holds
                """,
                [
                    .text(found.id), .text(subject.key), SQLValue(found.deskPosition), .text(subject.sortKey),
                    .text(found.rule.rawValue), .text(found.kind), SQLValue(found.village),
                    .text(found.records.map(\.value).joined(separator: ",")), .text(found.detail),
                    .text(found.holds.map(\.value).joined(separator: ",")),
                ])
            for enrollment in found.holds {
                try db.execute(
                    "INSERT INTO rule_case_holds (enrollment, case_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    [.text(enrollment.value), .text(found.id)])
            }
        }
    }

    /// Whether an enrollment's stored merge state holds the text `exited` among its values
    /// (a status that was ever an exit, R2a's candidates): SQLite's `instr` on the blob,
    /// PostgreSQL's `position` in the `bytea`.
    private static func stateMentionsExit(_ dialect: SQLDialect) -> String {
        dialect == .postgres
            ? "position(convert_to('exited', 'UTF8') in state) > 0" : "instr(state, CAST('exited' AS BLOB)) > 0"
    }

    /// The subject's candidate query, restricted to it: false when its rule cannot flag it.
    static func isCandidate(_ subject: CaseSubject, _ db: any SQLStatements, lookup: inout DatabaseRuleLookup)
        throws -> Bool
    {
        switch subject {
        case .idHash(let hash):
            return try db.integer(
                "SELECT count(*) FROM members WHERE id_number_hash = ? AND vital_status = 'alive'", [.text(hash)]) ?? 0
                > 1
        case .member(let member):
            return try db.integer(
                "SELECT count(*) FROM enrollments WHERE member = ? AND status != 'exited'", [.text(member.value)]) ?? 0
                > 1
        case .enrollment(let id):
            let prerequisites = try lookup.countyConfiguration().programs.prerequisitePrograms.map(\.rawValue)
            let marks = Array(repeating: "?", count: prerequisites.count).joined(separator: ",")
            return try
                (!prerequisites.isEmpty
                && db.exists(
                    "SELECT 1 FROM enrollments WHERE id = ? AND status != 'exited' AND program IN (\(marks))",
                    [.text(id.value)] + prerequisites.map(SQLValue.text)))
                || db.exists(
                    "SELECT 1 FROM record_meta WHERE id = ? AND \(stateMentionsExit(db.dialect))", [.text(id.value)])
        case .household(let id):
            return try db.exists(
                "SELECT 1 FROM households h WHERE h.id = ? AND \(livingHouseholdWithoutLife)", [.text(id.value)])
        case .lead(let id):
            return try db.exists(
                "SELECT 1 FROM leads l JOIN members m ON m.id = l.member WHERE l.id = ? AND \(deathNotVerified)",
                [.text(id.value)])
        }
    }

    /// The subjects among `subjects` their candidate query (``isCandidate(_:_:lookup:)``)
    /// admits, asked 64 subjects of a kind to a statement: a push marks a subject or two for
    /// each record it changes, and on PostgreSQL each query asked alone was a round trip the
    /// hub's one writer waited for, two thirds of those it waited for in a night.
    static func candidates(among subjects: [CaseSubject], _ db: any SQLStatements, lookup: inout DatabaseRuleLookup)
        throws -> Set<CaseSubject>
    {
        var hashes: [String] = []
        var byKind: [String: [String]] = [:]
        for subject in subjects {
            switch subject {
            case .idHash(let hash): hashes.append(hash)
            case .member(let id): byKind["member", default: []].append(id.value)
            case .enrollment(let id): byKind["enrollment", default: []].append(id.value)
            case .household(let id): byKind["household", default: []].append(id.value)
            case .lead(let id): byKind["lead", default: []].append(id.value)
            }
        }
        let group = 64
        let marks = SQLGroups.marks(group)
        var found: Set<CaseSubject> = []
        /// The texts `sql` (with `marks` for the group) returns for each group of `values`,
        /// `extra` bound after the group.
        func each(_ values: [String]?, _ sql: String, _ extra: [SQLValue] = [], _ subject: (String) -> CaseSubject?)
            throws
        {
            for values in SQLGroups.padded(values ?? [], size: group) {
                for text in try db.texts(sql, values + extra) {
                    if let subject = subject(text) { found.insert(subject) }
                }
            }
        }
        func record(_ kind: @escaping (RecordID) -> CaseSubject) -> (String) -> CaseSubject? {
            { RecordID($0).map(kind) }
        }
        try each(
            hashes,
            """
            SELECT id_number_hash FROM members WHERE id_number_hash IN (\(marks)) AND vital_status = 'alive'
            GROUP BY id_number_hash HAVING count(*) > 1
            """, [], CaseSubject.idHash)
        try each(
            byKind["member"],
            """
            SELECT member FROM enrollments WHERE member IN (\(marks)) AND status != 'exited'
            GROUP BY member HAVING count(*) > 1
            """, [], record(CaseSubject.member))
        // The county's programs are read only for a batch that marked enrollments.
        let prerequisites =
            byKind["enrollment"] == nil
            ? [] : try lookup.countyConfiguration().programs.prerequisitePrograms.map { SQLValue.text($0.rawValue) }
        if !prerequisites.isEmpty {
            try each(
                byKind["enrollment"],
                """
                SELECT id FROM enrollments WHERE id IN (\(marks)) AND status != 'exited'
                AND program IN (\(SQLGroups.marks(prerequisites.count)))
                """, prerequisites, record(CaseSubject.enrollment))
        }
        try each(
            byKind["enrollment"],
            "SELECT id FROM record_meta WHERE id IN (\(marks)) AND \(stateMentionsExit(db.dialect))",
            [], record(CaseSubject.enrollment))
        try each(
            byKind["household"],
            "SELECT h.id FROM households h WHERE h.id IN (\(marks)) AND \(livingHouseholdWithoutLife)",
            [], record(CaseSubject.household))
        try each(
            byKind["lead"],
            "SELECT l.id FROM leads l JOIN members m ON m.id = l.member WHERE l.id IN (\(marks)) AND \(deathNotVerified)",
            [], record(CaseSubject.lead))
        return found
    }

    /// R8's candidates: a live household with members, without a head, a living head or a
    /// living member. (One with no member at all is no case: a household is created before its
    /// members are added, often in the same batch.)
    private static let livingHouseholdWithoutLife = """
        h.status = 'active' AND EXISTS (SELECT 1 FROM members m WHERE m.household = h.id) AND (
            h.head IS NULL
            OR NOT EXISTS (SELECT 1 FROM members m WHERE m.id = h.head AND m.vital_status = 'alive')
            OR NOT EXISTS (SELECT 1 FROM members m WHERE m.household = h.id AND m.vital_status = 'alive'))
        """

    /// R1's candidates: a death reported for a living member, open (or its status in conflict).
    private static let deathNotVerified = """
        l.source = 'death' AND m.vital_status = 'alive' AND (l.status = 'open' OR l.conflicts LIKE '%status%')
        """

    /// Every subject that may hold a case, county-wide: each query a superset of what its rule
    /// flags. Only a full rebuild reads them.
    private static func candidates(_ db: any SQLStatements, lookup: inout DatabaseRuleLookup) throws -> [CaseSubject] {
        let programs = try lookup.countyConfiguration().programs
        func marks(_ count: Int) -> String { Array(repeating: "?", count: count).joined(separator: ",") }
        func codes(_ programs: [Program]) -> [SQLValue] { programs.map { .text($0.rawValue) } }
        func ids(_ sql: String, _ arguments: [SQLValue] = []) throws -> [RecordID] {
            try db.texts(sql, arguments).compactMap(RecordID.init)
        }
        var subjects: [CaseSubject] = []
        // R5: ID numbers on more than one living member.
        subjects += try db.texts(
            """
            SELECT id_number_hash FROM members WHERE id_number_hash IS NOT NULL AND vital_status = 'alive'
            GROUP BY id_number_hash HAVING count(*) > 1
            """
        ).map(CaseSubject.idHash)
        // R6: members with live enrollments on both sides of an exclusion.
        var members: Set<RecordID> = []
        for exclusion in programs.exclusions {
            let first = Program.allCases.filter(exclusion.first.contains)
            let second = Program.allCases.filter(exclusion.second.contains)
            guard !first.isEmpty, !second.isEmpty else { continue }
            members.formUnion(
                try ids(
                    """
                    SELECT DISTINCT d.member FROM enrollments d JOIN enrollments t ON t.member = d.member
                    WHERE d.program IN (\(marks(first.count))) AND t.program IN (\(marks(second.count)))
                      AND d.status != 'exited' AND t.status != 'exited'
                    """, codes(first) + codes(second)))
        }
        subjects += members.sorted().map(CaseSubject.member)
        // R6: live enrollments in the programs with prerequisites; R2a: enrollments whose
        // status holds an exit among its values.
        var enrollments: Set<RecordID> = []
        let prerequisites = programs.prerequisitePrograms
        if !prerequisites.isEmpty {
            enrollments.formUnion(
                try ids(
                    """
                    SELECT id FROM enrollments WHERE status != 'exited' AND program IN (\(marks(prerequisites.count)))
                    """, codes(prerequisites)))
        }
        enrollments.formUnion(
            try ids("SELECT id FROM record_meta WHERE type = 'enrollment' AND \(stateMentionsExit(db.dialect))"))
        subjects += enrollments.sorted().map(CaseSubject.enrollment)
        // R8: live households without a living member, a head, or a living head.
        subjects += try ids("SELECT h.id FROM households h WHERE \(livingHouseholdWithoutLife)")
            .map(CaseSubject.household)
        // R1: deaths reported for a living member and not verified (or verified both ways).
        subjects += try ids("SELECT l.id FROM leads l JOIN members m ON m.id = l.member WHERE \(deathNotVerified)")
            .map(CaseSubject.lead)
        return subjects
    }
}
