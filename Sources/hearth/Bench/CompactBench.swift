import Foundation
import HearthCore
import HearthLedger
import HearthLedgerSQLite
import HearthStore

/// `hearth bench compact`: the hub's compaction of a whole county's log (docs/compaction.md)
/// against the fastest honest SQLite move of the same rows (one `INSERT … SELECT` and one
/// `DELETE`, one transaction), each on its own copy of the hub, in the same run.
///
/// The county's nodes are made inactive by the plan's time (a note of the log's end forty days
/// back, a retention of a month), so every applied op is old enough and held back by nobody:
/// the most a compaction ever moves at once.
struct CompactBench {
    /// Two copies of the hub's database: one for the compaction, one for the baseline.
    let compactPath: String
    let baselinePath: String

    struct Result {
        let baselineSeconds: Double
        let compactSeconds: Double
        let baselineMoved: Int
        let report: CompactionReport
        let archived: Int
        let transactions: Int
        /// `hub verify` on the compacted copy: from the checkpoints the run signed, and whole.
        let verify: ChainVerification
        let verifySeconds: Double
        let verifyWhole: ChainVerification
        let verifyWholeSeconds: Double
    }

    func run() async throws -> Result {
        // The baseline: every applied op moved in one transaction, by two statements.
        let baseline = try HubLedger.open(path: baselinePath)
        let baselineStart = Date()
        let baselineMoved = try baseline.replica.writeBookkeeping { db in
            try db.execute(
                sql: """
                    INSERT INTO ops_archive (seq, replica, counter, record, scope, hash, body, township, target)
                    SELECT seq, replica, counter, record, scope, hash, body, township, target FROM ops
                    WHERE state = 'applied'
                    """)
            let moved = db.changesCount
            try db.execute(sql: "DELETE FROM ops WHERE state = 'applied'")
            return moved
        }
        let baselineSeconds = Date().timeIntervalSince(baselineStart)

        let hub = try HubLedger.open(path: compactPath)
        let now = nowMillis()
        _ = try await hub.compact(CompactionPlan(retentionMonths: 1, nowMillis: now - 40 * 86_400_000))
        let start = Date()
        var archived = 0
        var transactions = 0
        var report: CompactionReport
        repeat {
            report = try await hub.compact(CompactionPlan(retentionMonths: 1, nowMillis: now))
            archived += report.archived
            transactions += 1
        } while report.more && report.archived > 0
        let seconds = Date().timeIntervalSince(start)
        // The chains of the compacted county, from the checkpoints the runs signed and whole.
        let verifyStart = Date()
        let verify = try await hub.verifyChains()
        let verifySeconds = Date().timeIntervalSince(verifyStart)
        let wholeStart = Date()
        let verifyWhole = try await hub.verifyChains(whole: true)
        let verifyWholeSeconds = Date().timeIntervalSince(wholeStart)
        return Result(
            baselineSeconds: baselineSeconds, compactSeconds: seconds, baselineMoved: baselineMoved, report: report,
            archived: archived, transactions: transactions, verify: verify, verifySeconds: verifySeconds,
            verifyWhole: verifyWhole, verifyWholeSeconds: verifyWholeSeconds)
    }
}
