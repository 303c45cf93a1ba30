import HearthCore
import HearthStore
import HearthText

/// Locked rolls on either of the hub's databases: the months paid, each line as it was paid,
/// and what was paid after a death; bodies over the caller's transaction's ``SQLStatements``.
package enum LedgerRolls {
    /// Lines inserted per statement: a county's roll has a hundred thousand, and one round trip
    /// each would make a server's lock take minutes (7 values a line stays far below either
    /// database's limit on bound values).
    static let linesPerStatement = 500

    /// The body of ``LedgerStorage/lock(_:worker:nowMillis:)`` in a write transaction: the
    /// lines, the lock, and the marks of the enrollments whose locked months are settled
    /// (``SettledMarks``), which replace the last lock's. `info` and `keys`: the hub's, for
    /// reading the roll book in this transaction.
    package static func lock(
        _ sql: any SQLStatements, _ roll: Payroll, worker: String, nowMillis: Int64, info: ReplicaInfo,
        keys: KeyMaterial
    ) throws {
        let month = roll.month.description
        if try sql.exists("SELECT 1 FROM roll_locks WHERE month = ?", [.text(month)]) {
            throw ReplicaError.invalid(InputError(field: "month", "roll.already_locked", ["month": month]))
        }
        if let later = try sql.texts(
            "SELECT month FROM roll_locks WHERE month > ? ORDER BY month LIMIT 1", [.text(month)]
        ).first {
            throw ReplicaError.invalid(InputError(field: "month", "roll.later_locked", ["month": later]))
        }
        try insert(
            roll.rows, into: "roll_lines (month, enrollment, member, program, kind, for_month, amount_fen)", sql
        ) { row in
            [
                .text(month), .text(row.enrollment.value), .text(row.member.value), .text(row.program.rawValue),
                .text(row.kind.rawValue), .text((row.forMonth ?? roll.month).description), .integer(row.amount.fen),
            ]
        }
        try sql.execute(
            "INSERT INTO roll_locks (month, locked_millis, worker, total_fen) VALUES (?, ?, ?, ?)",
            [.text(month), .integer(nowMillis), .text(worker), .integer(roll.total.fen)])
        // Most marks stand from one lock to the next: only the changes are written. Those the
        // roll worked out from its own book hold unless a month was locked since it was read.
        let marks: SettledMarks.Changes
        if let pending = roll.settling,
            try HubApplyRole().lockedMonths(sql, before: roll.month) == pending.lockedBefore
        {
            marks = pending.changes
        } else {
            marks = try ReplicaTransaction(sql: sql, info: info, keys: keys, role: HubApplyRole())
                .settledMarks(afterLocking: roll, nowMillis: nowMillis)
        }
        for start in stride(from: 0, to: marks.cleared.count, by: linesPerStatement) {
            let slice = marks.cleared[start..<min(marks.cleared.count, start + linesPerStatement)]
            try sql.execute(
                "DELETE FROM roll_settled WHERE enrollment IN ("
                    + Array(repeating: "?", count: slice.count).joined(separator: ", ") + ")", slice.map(SQLValue.text))
        }
        try insert(
            marks.set, into: "roll_settled (enrollment, digest_high, digest_low)",
            upsert: "ON CONFLICT (enrollment) DO UPDATE SET digest_high = excluded.digest_high, "
                + "digest_low = excluded.digest_low", sql
        ) { enrollment, mark in
            [.text(enrollment), .integer(mark.high), .integer(mark.low)]
        }
    }

    /// Inserts a row of `values` for each item into `table` (its name and columns),
    /// ``linesPerStatement`` rows a statement, each statement ending with `upsert` (what a row
    /// whose key is there already does).
    private static func insert<Item>(
        _ items: [Item], into table: String, upsert: String = "", _ sql: any SQLStatements,
        values: (Item) -> [SQLValue]
    ) throws {
        var start = items.startIndex
        while start < items.endIndex {
            let end = min(start + linesPerStatement, items.endIndex)
            var arguments: [SQLValue] = []
            for item in items[start..<end] { arguments += values(item) }
            let row = "(" + Array(repeating: "?", count: arguments.count / (end - start)).joined(separator: ", ") + ")"
            try sql.execute(
                "INSERT INTO \(table) VALUES " + Array(repeating: row, count: end - start).joined(separator: ", ")
                    + (upsert.isEmpty ? "" : " " + upsert), arguments)
            start = end
        }
    }

    /// The months whose rolls are locked, oldest first.
    package static func lockedMonths(_ sql: any SQLStatements) throws -> [Month] {
        try sql.texts("SELECT month FROM roll_locks ORDER BY month").map { try Month.parse($0, field: "month") }
    }

    /// The body of ``LedgerStorage/paidAfterDeath()`` in a read transaction.
    package static func paidAfterDeath(_ sql: any SQLStatements) throws -> [RecoveryLine] {
        let rules = try ReplicaCore.countyRules(sql)
        var lines: [RecoveryLine] = []
        for row in try sql.rows(
            """
            SELECT id, name, village, death_date FROM members
            WHERE vital_status = 'deceased' AND death_date IS NOT NULL ORDER BY village, id
            """, [])
        {
            guard let member = row[0].text.flatMap(RecordID.init),
                let died = row[3].text.flatMap({ try? CivilDate.parse($0, field: "death") })
            else { continue }
            var byMonth: [Month: Int64] = [:]
            // The sum cast back to an integer: PostgreSQL sums BIGINTs as NUMERIC.
            for paid in try sql.rows(
                """
                SELECT for_month, CAST(sum(amount_fen) AS BIGINT) FROM roll_lines
                WHERE member = ? AND for_month >= ? GROUP BY for_month
                """,
                [.text(member.value), .text(rules.lastPaidMonth(death: died).adding(months: 1).description)])
            {
                guard let month = paid[0].text.flatMap({ try? Month.parse($0, field: "month") }),
                    let fen = paid[1].integer
                else { continue }
                byMonth[month] = fen
            }
            let owed = byMonth.filter { $0.value > 0 }
            guard !owed.isEmpty else { continue }
            let lead = try sql.texts(
                """
                SELECT id FROM leads WHERE member = ? AND source = 'death' AND status = 'confirmed'
                ORDER BY id LIMIT 1
                """, [.text(member.value)]
            ).first.flatMap(RecordID.init)
            lines.append(
                RecoveryLine(
                    member: member, name: row[1].text ?? "", village: row[2].text ?? "", deathDate: died,
                    lead: lead, months: owed.keys.sorted(),
                    amount: Money(
                        fen: try Totals.sum(
                            owed.values, Catalogue.text("roll.what_recovery", ["member": "\(member)"])))))
        }
        return lines
    }
}
