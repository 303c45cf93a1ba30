import GRDB
import HearthCore
import HearthLedger
import HearthStore

/// Locked rolls: the months paid, and each line as it was paid.
extension SQLiteLedgerStorage {
    public func lock(_ roll: Payroll, worker: String, nowMillis: Int64) async throws(ReplicaError) {
        try await replica.writeAsync { db in
            if try Int.fetchOne(
                db, sql: "SELECT count(*) FROM roll_locks WHERE month = ?", arguments: [roll.month.description]) ?? 0
                > 0
            {
                throw ReplicaError.invalid(InputError(field: "month", reason: "\(roll.month) is already locked"))
            }
            if let later = try String.fetchOne(
                db, sql: "SELECT month FROM roll_locks WHERE month > ? ORDER BY month LIMIT 1",
                arguments: [roll.month.description])
            {
                throw ReplicaError.invalid(
                    InputError(field: "month", reason: "a later month (\(later)) is already locked"))
            }
            for row in roll.rows {
                try db.execute(
                    sql: """
                        INSERT INTO roll_lines (month, enrollment, member, program, kind, for_month, amount_fen)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
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
}
