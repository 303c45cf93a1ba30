import GRDB
import HearthCore
import HearthLedger
import HearthStore
import HearthText

/// Locked rolls: the months paid, and each line as it was paid.
extension SQLiteLedgerStorage {
    public func lock(_ roll: Payroll, worker: String, nowMillis: Int64) async throws(ReplicaError) {
        try await replica.writeAsync { db in
            if try Int.fetchOne(
                db, sql: "SELECT count(*) FROM roll_locks WHERE month = ?", arguments: [roll.month.description]) ?? 0
                > 0
            {
                throw ReplicaError.invalid(
                    InputError(field: "month", "roll.already_locked", ["month": "\(roll.month)"]))
            }
            if let later = try String.fetchOne(
                db, sql: "SELECT month FROM roll_locks WHERE month > ? ORDER BY month LIMIT 1",
                arguments: [roll.month.description])
            {
                throw ReplicaError.invalid(InputError(field: "month", "roll.later_locked", ["month": later]))
            }
            // One statement for every line (a county's roll has a hundred thousand).
            let insert = try db.makeStatement(
                sql: """
                    INSERT INTO roll_lines (month, enrollment, member, program, kind, for_month, amount_fen)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """)
            for row in roll.rows {
                try insert.execute(
                    arguments: [
                        roll.month.description, row.enrollment.value, row.member.value, row.program.rawValue,
                        row.kind.rawValue, (row.forMonth ?? roll.month).description, row.amount.fen,
                    ])
            }
            try db.execute(
                sql: "INSERT INTO roll_locks (month, locked_millis, worker, total_fen) VALUES (?, ?, ?, ?)",
                arguments: [roll.month.description, nowMillis, worker, roll.total.fen])
        }
    }

    public func lockedMonths() async throws(ReplicaError) -> [Month] {
        try await replica.readAsync { db in
            try String.fetchAll(db, sql: "SELECT month FROM roll_locks ORDER BY month").map { text in
                try Month.parse(text, field: "month")
            }
        }
    }

    public func paidAfterDeath() async throws(ReplicaError) -> [RecoveryLine] {
        try await replica.readAsync { db in
            let rules = try ReplicaCore.countyRules(db)
            var lines: [RecoveryLine] = []
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT id, name, village, death_date FROM members
                    WHERE vital_status = 'deceased' AND death_date IS NOT NULL ORDER BY village, id
                    """)
            {
                guard let member = RecordID(row["id"] as String),
                    let died = (row["death_date"] as String?).flatMap({ try? CivilDate.parse($0, field: "death") })
                else { continue }
                var byMonth: [Month: Int64] = [:]
                for paid in try Row.fetchAll(
                    db,
                    sql: """
                        SELECT for_month, sum(amount_fen) AS fen FROM roll_lines WHERE member = ? AND for_month >= ?
                        GROUP BY for_month
                        """,
                    arguments: [member.value, rules.lastPaidMonth(death: died).adding(months: 1).description])
                {
                    guard let month = try? Month.parse(paid["for_month"] as String, field: "month") else { continue }
                    byMonth[month] = paid["fen"]
                }
                let owed = byMonth.filter { $0.value > 0 }
                guard !owed.isEmpty else { continue }
                let lead = try String.fetchOne(
                    db,
                    sql: """
                        SELECT id FROM leads WHERE member = ? AND source = 'death' AND status = 'confirmed'
                        ORDER BY id LIMIT 1
                        """,
                    arguments: [member.value]
                ).flatMap(RecordID.init)
                lines.append(
                    RecoveryLine(
                        member: member, name: row["name"] ?? "", village: row["village"] ?? "", deathDate: died,
                        lead: lead, months: owed.keys.sorted(),
                        amount: Money(
                            fen: try Totals.sum(
                                owed.values, Catalogue.text("roll.what_recovery", ["member": "\(member)"])))))
            }
            return lines
        }
    }
}
