import Foundation
import GRDB
import HearthCore

/// What a role adds to the replica core: its own tables and what runs in the transaction
/// that applies ops.
///
/// A village's or township's replica and the county hub share the core (records, op log,
/// merge); the hub adds its ledger (nodes, quarantine, decisions, rolls, imports) and its
/// cross-record rules, a node its side of sync. The role is chosen by the type that opens the
/// database (a node's ``Replica/open(path:keyPath:environment:)`` or the hub's ledger), so no
/// code asks at run time which role it is in, and neither role's database holds the other's
/// tables.
package protocol ReplicaRole: ApplyRole {
    /// The role written in the database's `replica` row; opening a database of the other
    /// role is refused.
    var role: ReplicaInfo.Role { get }
    /// This role's tables, migrated after the core's.
    var migrator: DatabaseMigrator { get }
}

/// A village's or township's replica: the core and the node's sync tables, without the hub's
/// tables. The sync tables are still made by the core's shipped migrations (which a hub's
/// database drops again); changes to them are registered here.
package struct NodeRole: ReplicaRole {
    package init() {}

    package var role: ReplicaInfo.Role { .node }
    package var tracksScopeEntries: Bool { false }
    package var installsSnapshots: Bool { true }

    package var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("node v1 a village database holds none of the hub's tables") { db in
            // Databases made before the hub's ledger had migrations of its own were given the
            // hub's tables too; on a node they were always empty.
            for table in [
                "nodes", "enrollment_tokens", "nonces", "quarantine", "decisions", "roll_locks", "roll_lines",
                "import_keys",
            ] {
                try db.execute(sql: "DROP TABLE IF EXISTS \(table)")
            }
        }
        migrator.registerMigration("node v2 households archived long ago leave the node") { db in
            try db.execute(sql: Self.purgeSchema)
        }
        migrator.registerMigration("node v3 the duplicate index as one bitmap") { db in
            // A row per prefix made each whole index the node received a delete and some 16,000
            // inserts (a county of 90,000 people sets nearly every prefix): a night of 300
            // villages' first syncs wrote 4.4 million rows. The bitmap is 2 KiB, written at once.
            let prefixes = try Int.fetchAll(db, sql: "SELECT prefix FROM duplicate_index")
            try db.execute(sql: "ALTER TABLE sync_state ADD COLUMN index_bitmap BLOB")
            try db.execute(
                sql: "UPDATE sync_state SET index_bitmap = ?",
                arguments: [prefixes.isEmpty ? nil : Data(DuplicateIndexBitmap.bitmap(of: prefixes))])
            try db.execute(sql: "DROP TABLE duplicate_index")
        }
        return migrator
    }

    /// Node v2 (docs/compaction.md, "Archived households on a node"): `purged_records` keeps,
    /// for each record that left with an archived household, the household it left with and
    /// its clock when it left (a state without registers), so an op the node held is known as a
    /// duplicate and any other says the record changed at the hub; `sync_state.snapshot_wanted`
    /// says such an op came, and the next sync takes the scope's snapshot. The partial index
    /// finds the archived households without a pass over the village's.
    static let purgeSchema = """
        CREATE TABLE purged_records (
            id TEXT PRIMARY KEY NOT NULL,
            household TEXT NOT NULL,
            clock BLOB NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX purged_records_by_household ON purged_records (household);
        ALTER TABLE sync_state ADD COLUMN snapshot_wanted INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX households_archived ON households (id) WHERE status = 'archived';
        """

    package func afterApply(_ sql: any SQLStatements, info: ReplicaInfo, batch: [Op], nowMillis: Int64) throws -> Bool {
        false
    }

    package func acknowledgedCases(_ sql: any SQLStatements, among ids: [String]) throws -> Set<String> { [] }

    package func lockedMonths(_ sql: any SQLStatements, before month: Month) throws -> [Month] { [] }

    package func paidBefore(
        _ sql: any SQLStatements, month: Month, only: [RollBook.Entry]?,
        _ body: (_ enrollment: String, _ forMonth: String, _ fen: Int64) throws -> Void
    ) throws {}

    package func paid(
        _ sql: any SQLStatements, for month: Month,
        _ body: (_ enrollment: String, _ forMonth: String, _ fen: Int64) throws -> Void
    ) throws {}

    package func lockedLines(_ sql: any SQLStatements, month: Month, payees: Bool) throws -> [[SQLValue]]? { nil }

    package func settledMarks(
        _ sql: any SQLStatements, _ body: (_ enrollment: String, _ mark: SettleDigest) throws -> Void
    ) throws {}
}
