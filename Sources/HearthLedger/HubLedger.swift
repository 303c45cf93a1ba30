import GRDB
import HearthCore
import HearthStore

/// The county hub's ledger: the replica core of the whole county, plus what only the hub
/// does: admitting pushes and serving pulls, registered nodes and their tokens, quarantine,
/// the desk, rule cases, payment rolls, reports, imports and cross-checks.
///
/// Why a type of its own: a village's replica holds one area of the county, so a roll locked
/// there, a conflict resolved there or a roster imported there would be wrong for the county.
/// These operations exist only on a `HubLedger`, which opens only the hub's database; calling
/// one on a node's replica does not compile. Its database has the hub's tables and runs the
/// county's cross-record rules in every transaction that applies ops (``HubRole``).
///
/// Edits and reads that every replica shares (a household added at the county, a record
/// shown) go through ``replica``.
public final class HubLedger: Sendable {
    /// The replica core under the ledger: records, op log, merge, local edits.
    public let replica: Replica

    private init(replica: Replica) {
        self.replica = replica
    }

    /// Creates the county hub's database and its key file. Refuses to touch an existing file.
    public static func create(
        path: String, keyPath: String? = nil, name: String, scope: ScopePrefix,
        nowMillis: Int64, keys: KeyMaterial = .generate(), id: ReplicaID? = nil
    ) throws(ReplicaError) -> HubLedger {
        HubLedger(
            replica: try Replica.create(
                path: path, keyPath: keyPath, name: name, scope: scope, nowMillis: nowMillis, keys: keys, id: id,
                role: HubRole()))
    }

    /// Opens the county hub's database; a node's database is refused
    /// (``ReplicaError/otherRole(path:info:)``).
    public static func open(
        path: String, keyPath: String? = nil, environment: [String: String] = [:]
    ) throws(ReplicaError) -> HubLedger {
        HubLedger(replica: try Replica.open(path: path, keyPath: keyPath, environment: environment, role: HubRole()))
    }

    /// The hub's identity: id, name, county scope.
    public var info: ReplicaInfo { replica.info }
    /// The database file.
    public var path: String { replica.path }
    /// The county data key and the hub's signing key.
    public var keys: KeyMaterial { replica.keys }

    func read<T>(_ block: (Database) throws -> T) throws(ReplicaError) -> T {
        try replica.read(block)
    }

    func write<T>(
        author: String, nowMillis: Int64, _ block: (inout ChangeSet) throws -> T
    ) throws(ReplicaError) -> (result: T, ops: [Op]) {
        try replica.write(author: author, nowMillis: nowMillis, block)
    }

    func writeBookkeeping<T>(_ block: (Database) throws -> T) throws(ReplicaError) -> T {
        try replica.writeBookkeeping(block)
    }
}

/// The hub's part of every transaction: its tables, scope entries for pulls, and the county's
/// cross-record rules run after the ops they judge, in the same transaction.
struct HubRole: ReplicaRole {
    var role: ReplicaInfo.Role { .hub }
    var tracksScopeEntries: Bool { true }
    var migrator: DatabaseMigrator { HubMigrations.migrator }

    /// Runs the cross-record rules in the transaction that applied their trigger; true when
    /// they wrote ops (the in-memory cache is then stale and must be cleared).
    func afterApply(_ db: Database, info: ReplicaInfo, batch: [Op], nowMillis: Int64) throws -> Bool {
        guard !batch.isEmpty else { return false }
        let decisions = try HubRules.decisions(db, after: batch)
        guard !decisions.isEmpty else { return false }
        var changes = try ChangeSet(
            db: db, info: info, author: "rules", nowMillis: nowMillis, cache: nil, tracksScopeEntries: true)
        try HubRules.write(decisions, &changes)
        guard !changes.ops.isEmpty else { return false }
        _ = try changes.finish()
        return true
    }

    func acknowledgedCases(_ db: Database) throws -> Set<String> {
        Set(
            try String.fetchAll(
                db, sql: "SELECT record FROM decisions WHERE kind = 'acknowledgement' AND field IS NULL"))
    }

    func paidBefore(_ db: Database, month: Month) throws -> (paid: [String: [Month: Int64]], locked: [Month]) {
        var paid: [String: [Month: Int64]] = [:]
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT enrollment, for_month, sum(amount_fen) AS fen FROM roll_lines WHERE for_month < ?
                GROUP BY enrollment, for_month
                """, arguments: [month.description])
        {
            guard let month = try? Month.parse(row["for_month"] as String, field: "month") else { continue }
            paid[row["enrollment"] as String, default: [:]][month] = row["fen"]
        }
        let locked = try String.fetchAll(
            db, sql: "SELECT month FROM roll_locks WHERE month < ? ORDER BY month", arguments: [month.description]
        ).compactMap { try? Month.parse($0, field: "month") }
        return (paid, locked)
    }

    func lockedLines(_ db: Database, month: Month) throws -> [Row]? {
        guard
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM roll_locks WHERE month = ?", arguments: [month.description]) ?? 0 > 0
        else { return nil }
        return try Row.fetchAll(
            db,
            sql: """
                SELECT l.enrollment, l.member, l.program, l.kind, l.for_month, l.amount_fen,
                       m.name, m.id_number_sealed, m.id_number_hash, m.household, m.village, h.bank_card_sealed,
                       h.bank_card_hash
                FROM roll_lines l LEFT JOIN members m ON m.id = l.member LEFT JOIN households h ON h.id = m.household
                WHERE l.month = ? ORDER BY l.enrollment, l.kind, l.for_month
                """, arguments: [month.description])
    }
}
