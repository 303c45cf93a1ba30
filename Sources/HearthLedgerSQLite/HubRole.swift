import GRDB
import HearthCore
import HearthLedger
import HearthStore

/// The hub's part of every transaction: its tables, scope entries for pulls, and the county's
/// cross-record rules run after the ops they judge, in the same transaction.
struct HubRole: ReplicaRole {
    var role: ReplicaInfo.Role { .hub }
    var tracksScopeEntries: Bool { true }
    var migrator: DatabaseMigrator { HubMigrations.migrator }

    func afterApply(_ sql: any SQLStatements, info: ReplicaInfo, batch: [Op], nowMillis: Int64) throws -> Bool {
        try HubApplyRole().afterApply(sql, info: info, batch: batch, nowMillis: nowMillis)
    }

    func acknowledgedCases(_ sql: any SQLStatements, among ids: [String]) throws -> Set<String> {
        try HubApplyRole().acknowledgedCases(sql, among: ids)
    }

    func paidBefore(
        _ db: Database, month: Month, _ body: (_ enrollment: String, _ forMonth: String, _ fen: Int64) throws -> Void
    ) throws -> [Month] {
        let lines = try Row.fetchCursor(db, sql: Self.paidSQL, arguments: [month.description])
        while let line = try lines.next() {
            try body(line[0], line[1], line[2])
        }
        return try String.fetchAll(
            db, sql: "SELECT month FROM roll_locks WHERE month < ? ORDER BY month", arguments: [month.description]
        ).compactMap { try? Month.parse($0, field: "month") }
    }

    func lockedLines(_ db: Database, month: Month) throws -> [Row]? {
        guard
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM roll_locks WHERE month = ?", arguments: [month.description]) ?? 0 > 0
        else { return nil }
        return try Row.fetchAll(db, sql: Self.lockedLinesSQL, arguments: [month.description])
    }

    /// What locked rolls paid before a month: one range of the index on (for_month,
    /// enrollment, amount_fen), which holds every column read (hub v5): no table row is read.
    static let paidSQL = "SELECT enrollment, for_month, amount_fen FROM roll_lines WHERE for_month < ?"

    /// A locked month's lines, in the order of the table's key after the month, with their
    /// member and household by primary key.
    static let lockedLinesSQL = """
        SELECT l.enrollment, l.member, l.program, l.kind, l.for_month, l.amount_fen,
               m.name, m.id_number_sealed, m.id_number_hash, m.household, m.village, h.bank_card_sealed,
               h.bank_card_hash
        FROM roll_lines l LEFT JOIN members m ON m.id = l.member LEFT JOIN households h ON h.id = m.household
        WHERE l.month = ? ORDER BY l.enrollment, l.kind, l.for_month
        """
}
