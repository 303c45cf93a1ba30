import GRDB
import HearthCore
import HearthLedger
import HearthStore

/// The hub's part of every transaction: its tables, scope entries for pulls, and the county's
/// cross-record rules run after the ops they judge, in the same transaction.
struct HubRole: ReplicaRole {
    var role: ReplicaInfo.Role { .hub }
    var tracksScopeEntries: Bool { true }
    var archivesOps: Bool { true }
    var migrator: DatabaseMigrator { HubMigrations.migrator }

    func afterApply(_ sql: any SQLStatements, info: ReplicaInfo, batch: [Op], nowMillis: Int64) throws -> Bool {
        try HubApplyRole().afterApply(sql, info: info, batch: batch, nowMillis: nowMillis)
    }

    func acknowledgedCases(_ sql: any SQLStatements, among ids: [String]) throws -> Set<String> {
        try HubApplyRole().acknowledgedCases(sql, among: ids)
    }

    func lockedMonths(_ sql: any SQLStatements, before month: Month) throws -> [Month] {
        try HubApplyRole().lockedMonths(sql, before: month)
    }

    func paidBefore(
        _ sql: any SQLStatements, month: Month, only: [RollBook.Entry]?,
        _ body: (_ enrollment: String, _ forMonth: String, _ fen: Int64) throws -> Void
    ) throws {
        try HubApplyRole().paidBefore(sql, month: month, only: only, body)
    }

    func paid(
        _ sql: any SQLStatements, for month: Month,
        _ body: (_ enrollment: String, _ forMonth: String, _ fen: Int64) throws -> Void
    ) throws {
        try HubApplyRole().paid(sql, for: month, body)
    }

    func lockedLines(_ sql: any SQLStatements, month: Month, payees: Bool) throws -> [[SQLValue]]? {
        try HubApplyRole().lockedLines(sql, month: month, payees: payees)
    }

    func settledMarks(_ sql: any SQLStatements, _ body: (_ enrollment: String, _ mark: SettleDigest) throws -> Void)
        throws
    {
        try HubApplyRole().settledMarks(sql, body)
    }
}
