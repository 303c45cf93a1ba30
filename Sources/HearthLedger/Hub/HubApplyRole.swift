import HearthCore
import HearthStore

/// The hub's part of every transaction that applies ops, on either of its databases: scope
/// entries for pulls, and the county's cross-record rules run after the ops they judge, in
/// the same transaction (``HubRules``).
package struct HubApplyRole: ApplyRole {
    package init() {}

    package var tracksScopeEntries: Bool { true }
    package var archivesOps: Bool { true }

    /// Runs the cross-record rules in the transaction that applied their trigger; true when
    /// they wrote ops (the in-memory cache is then stale and must be cleared).
    package func afterApply(_ sql: any SQLStatements, info: ReplicaInfo, batch: [Op], nowMillis: Int64) throws -> Bool {
        guard !batch.isEmpty else { return false }
        let decisions = try HubRules.decisions(sql, after: batch)
        guard !decisions.isEmpty else { return false }
        var changes = try ChangeSet(
            sql: sql, info: info, author: "rules", nowMillis: nowMillis, cache: nil, tracksScopeEntries: true)
        try HubRules.write(decisions, &changes)
        guard !changes.ops.isEmpty else { return false }
        _ = try changes.finish()
        return true
    }

    /// The cases an administrator acknowledged, from the decisions table.
    package func acknowledgedCases(_ sql: any SQLStatements, among ids: [String]) throws -> Set<String> {
        var acknowledged: Set<String> = []
        // In slices well under SQLite's bound on parameters; each id a lookup in
        // `decisions_acknowledged`.
        for start in stride(from: 0, to: ids.count, by: 500) {
            let slice = Array(ids[start..<min(ids.count, start + 500)])
            let marks = Array(repeating: "?", count: slice.count).joined(separator: ",")
            acknowledged.formUnion(
                try sql.texts(
                    """
                    SELECT record FROM decisions
                    WHERE kind = 'acknowledgement' AND field IS NULL AND record IN (\(marks))
                    """, slice.map(SQLValue.text)))
        }
        return acknowledged
    }

    package func lockedMonths(_ sql: any SQLStatements, before month: Month) throws -> [Month] {
        try sql.texts("SELECT month FROM roll_locks WHERE month < ? ORDER BY month", [.text(month.description)])
            .compactMap { try? Month.parse($0, field: "month") }
    }

    package func paidBefore(
        _ sql: any SQLStatements, month: Month, only: [RollBook.Entry]?,
        _ body: (_ enrollment: String, _ forMonth: String, _ fen: Int64) throws -> Void
    ) throws {
        func each(_ line: [SQLValue]) throws { try Self.paidLine(line, body) }
        guard let only else {
            try sql.forEachRow(Self.paidSQL, [.text(month.description)], each)
            return
        }
        // By their members (the index on (member, for_month) a lock keeps anyway), in slices
        // well under either database's bound on parameters; a member's other enrollments' lines
        // are passed over.
        let enrollments = Set(only.map(\.id.value))
        let members = Array(Set(only.map(\.member.value))).sorted()
        for start in stride(from: 0, to: members.count, by: Self.membersPerRead) {
            let slice = members[start..<min(members.count, start + Self.membersPerRead)]
            try sql.forEachRow(Self.paidOfSQL(slice.count), [.text(month.description)] + slice.map(SQLValue.text)) {
                line in
                guard let enrollment = line[0].text, enrollments.contains(enrollment) else { return }
                try each(line)
            }
        }
    }

    package func paid(
        _ sql: any SQLStatements, for month: Month,
        _ body: (_ enrollment: String, _ forMonth: String, _ fen: Int64) throws -> Void
    ) throws {
        try sql.forEachRow(Self.paidForSQL, [.text(month.description)]) { try Self.paidLine($0, body) }
    }

    /// A row of the paid queries (enrollment, for_month, amount_fen) handed to `body`.
    static func paidLine(
        _ line: [SQLValue], _ body: (_ enrollment: String, _ forMonth: String, _ fen: Int64) throws -> Void
    ) throws {
        guard let enrollment = line[0].text, let forMonth = line[1].text, let fen = line[2].integer else { return }
        try body(enrollment, forMonth, fen)
    }

    /// What locked rolls paid for one month: one range of the index on (for_month, enrollment,
    /// amount_fen).
    package static let paidForSQL = "SELECT enrollment, for_month, amount_fen FROM roll_lines WHERE for_month = ?"

    /// Members whose lines one statement of ``paidOfSQL(_:)`` reads.
    static let membersPerRead = 500

    /// What locked rolls paid some members before a month: a range of the index on (member,
    /// for_month) for each. A separate index by enrollment made every lock insert a county's
    /// lines at random places of one more index: 0.7 to 0.8 s more a lock after a year.
    package static func paidOfSQL(_ count: Int) -> String {
        let marks = Array(repeating: "?", count: count).joined(separator: ", ")
        return """
            SELECT enrollment, for_month, amount_fen FROM roll_lines
            WHERE for_month < ? AND member IN (\(marks))
            """
    }

    package func lockedLines(_ sql: any SQLStatements, month: Month, payees: Bool) throws -> [[SQLValue]]? {
        guard try sql.exists("SELECT 1 FROM roll_locks WHERE month = ?", [.text(month.description)]) else {
            return nil
        }
        return try sql.rows(payees ? Self.lockedLinesSQL : Self.lockedSumsSQL, [.text(month.description)])
    }

    package func settledMarks(
        _ sql: any SQLStatements, _ body: (_ enrollment: String, _ mark: SettleDigest) throws -> Void
    ) throws {
        try sql.forEachRow("SELECT enrollment, digest_high, digest_low FROM roll_settled", []) { row in
            guard let enrollment = row[0].text, let high = row[1].integer, let low = row[2].integer else { return }
            try body(enrollment, SettleDigest(high: high, low: low))
        }
    }

    /// What locked rolls paid before a month: one range of the index on (for_month,
    /// enrollment, amount_fen), which holds every column read (hub v5): no table row is read.
    package static let paidSQL = "SELECT enrollment, for_month, amount_fen FROM roll_lines WHERE for_month < ?"

    /// A locked month's lines, in the order of the table's key after the month, with their
    /// member and household by primary key.
    package static let lockedLinesSQL = """
        SELECT l.enrollment, l.member, l.program, l.kind, l.for_month, l.amount_fen,
               m.name, m.id_number_sealed, m.id_number_hash, m.household, m.village, h.bank_card_sealed,
               h.bank_card_hash
        FROM roll_lines l LEFT JOIN members m ON m.id = l.member LEFT JOIN households h ON h.id = m.household
        WHERE l.month = ? ORDER BY l.enrollment, l.kind, l.for_month
        """

    /// ``lockedLinesSQL``'s columns for a report: the line and its member's place, the name
    /// and sealed numbers NULL, no household read. A year's report reads twelve locked months,
    /// and the long sealed texts were most of what each line copied.
    package static let lockedSumsSQL = """
        SELECT l.enrollment, l.member, l.program, l.kind, l.for_month, l.amount_fen,
               NULL, NULL, NULL, m.household, m.village, NULL, NULL
        FROM roll_lines l LEFT JOIN members m ON m.id = l.member
        WHERE l.month = ? ORDER BY l.enrollment, l.kind, l.for_month
        """
}
