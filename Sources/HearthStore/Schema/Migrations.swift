import GRDB

/// Every schema change, in order. A shipped migration is never edited: add a new one.
///
/// The record tables (households, members, enrollments, visits) hold the current merged
/// state with one plain column per field, for `sqlite3` and Datasette; sensitive fields
/// appear only as `<field>_sealed` (AES-GCM) and `<field>_hash` (HMAC). The merge metadata
/// lives beside them: `record_meta` (per-record version vector and per-field registers with
/// their dots, in compact binary since v19), `ops` (the append-only log), `op_waits` (ops
/// waiting for their causal past), and `replica_clock` (the vector over everything applied).
///
/// The county hub's own tables (nodes, tokens, nonces, quarantine, decisions, rolls, import
/// keys) were created here up to v9; they moved to the ledger's `HubMigrations`, which creates
/// them if absent, so a village's database never holds them. Those migrations keep their
/// identifiers (a database that applied them is at the same place) with the hub's part removed.
///
/// The node's side of sync (`sync_state`, `duplicate_index`, `own_evicted`) is made here too,
/// by v2, v7, v11, v13 and v14, on every database; the hub's ledger drops it (`hub v2`). A later
/// change to those tables belongs in ``NodeRole``'s migrator, not here: here it would fail on a
/// hub's database, which no longer has them.
package enum Migrations {
    package static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 replica, op log and record tables") { db in
            try db.execute(
                sql: """
                    CREATE TABLE replica (
                        id TEXT PRIMARY KEY NOT NULL,
                        name TEXT NOT NULL,
                        scope TEXT NOT NULL,
                        role TEXT NOT NULL CHECK (role IN ('node', 'hub')),
                        public_key TEXT NOT NULL,
                        key_check TEXT NOT NULL,
                        created_millis INTEGER NOT NULL,
                        counter INTEGER NOT NULL DEFAULT 0,
                        chain_head TEXT NOT NULL DEFAULT '',
                        hlc_millis INTEGER NOT NULL DEFAULT 0,
                        hlc_logical INTEGER NOT NULL DEFAULT 0,
                        acked_counter INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE TABLE ops (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        replica TEXT NOT NULL,
                        counter INTEGER NOT NULL,
                        hlc_millis INTEGER NOT NULL,
                        hlc_logical INTEGER NOT NULL,
                        author TEXT NOT NULL,
                        record TEXT NOT NULL,
                        record_type TEXT NOT NULL,
                        scope TEXT NOT NULL,
                        hash TEXT NOT NULL,
                        body BLOB NOT NULL,
                        state TEXT NOT NULL CHECK (state IN ('applied', 'waiting')),
                        UNIQUE (replica, counter)
                    );
                    CREATE INDEX ops_by_record ON ops (record);
                    CREATE INDEX ops_by_scope ON ops (scope, seq);
                    CREATE TABLE op_waits (
                        replica TEXT NOT NULL,
                        counter INTEGER NOT NULL,
                        record TEXT NOT NULL,
                        needs TEXT NOT NULL,
                        since_millis INTEGER NOT NULL,
                        PRIMARY KEY (replica, counter)
                    );
                    CREATE INDEX op_waits_by_record ON op_waits (record);
                    CREATE TABLE replica_clock (
                        replica TEXT PRIMARY KEY NOT NULL,
                        counter INTEGER NOT NULL
                    );
                    CREATE TABLE record_meta (
                        id TEXT PRIMARY KEY NOT NULL,
                        type TEXT NOT NULL,
                        clock TEXT NOT NULL,
                        registers TEXT NOT NULL
                    );
                    CREATE TABLE audit (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        at_millis INTEGER NOT NULL,
                        worker TEXT NOT NULL,
                        action TEXT NOT NULL,
                        record TEXT NOT NULL,
                        field TEXT NOT NULL
                    );
                    CREATE TABLE households (
                        id TEXT PRIMARY KEY NOT NULL,
                        village TEXT,
                        address TEXT,
                        type TEXT,
                        head TEXT,
                        population INTEGER,
                        income INTEGER,
                        assets TEXT,
                        phone TEXT,
                        bank_card_sealed TEXT,
                        bank_card_hash TEXT,
                        status TEXT,
                        tags TEXT,
                        note TEXT,
                        conflicts TEXT,
                        updated_millis INTEGER NOT NULL
                    );
                    CREATE INDEX households_by_village ON households (village);
                    CREATE TABLE members (
                        id TEXT PRIMARY KEY NOT NULL,
                        household TEXT,
                        village TEXT,
                        name TEXT,
                        id_number_sealed TEXT,
                        id_number_hash TEXT,
                        sex TEXT,
                        birth_date TEXT,
                        relation TEXT,
                        disability_grade INTEGER,
                        health TEXT,
                        work_capacity TEXT,
                        vital_status TEXT,
                        death_date TEXT,
                        note TEXT,
                        id_pending INTEGER NOT NULL,
                        conflicts TEXT,
                        updated_millis INTEGER NOT NULL
                    );
                    CREATE INDEX members_by_household ON members (household);
                    CREATE INDEX members_by_id_hash ON members (id_number_hash);
                    CREATE TABLE enrollments (
                        id TEXT PRIMARY KEY NOT NULL,
                        member TEXT,
                        household TEXT,
                        village TEXT,
                        program TEXT,
                        status TEXT,
                        decision TEXT,
                        amount TEXT,
                        start_month TEXT,
                        end_month TEXT,
                        exit_reason TEXT,
                        approver TEXT,
                        note TEXT,
                        monthly_amount INTEGER,
                        conflicts TEXT,
                        updated_millis INTEGER NOT NULL
                    );
                    CREATE INDEX enrollments_by_member ON enrollments (member);
                    CREATE TABLE visits (
                        id TEXT PRIMARY KEY NOT NULL,
                        household TEXT,
                        village TEXT,
                        date TEXT,
                        worker TEXT,
                        note TEXT,
                        conflicts TEXT,
                        updated_millis INTEGER NOT NULL
                    );
                    CREATE INDEX visits_by_household ON visits (household);
                    """)
        }
        migrator.registerMigration("v2 sync: township index, nodes, tokens, nonces, quarantine, sync state") { db in
            // The hub's tables of this migration moved to HubMigrations.
            try db.execute(
                sql: """
                    ALTER TABLE ops ADD COLUMN township TEXT;
                    UPDATE ops SET township = substr(scope, 1, 9);
                    CREATE INDEX ops_by_township ON ops (township, seq);
                    CREATE TABLE sync_state (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        hub_replica TEXT,
                        hub_key TEXT,
                        hub_url TEXT,
                        pull_cursor INTEGER NOT NULL DEFAULT 0,
                        registration TEXT,
                        last_sync_millis INTEGER,
                        notes TEXT
                    );
                    INSERT INTO sync_state (id) VALUES (1);
                    """)
        }
        migrator.registerMigration("v3 ops addressed to one replica (compensations)") { db in
            try db.execute(
                sql: """
                    ALTER TABLE ops ADD COLUMN target TEXT;
                    CREATE INDEX ops_by_target ON ops (target, seq) WHERE target IS NOT NULL;
                    """)
        }
        migrator.registerMigration("v4 scope entries: records entering a scope") { db in
            try db.execute(
                sql: """
                    CREATE TABLE scope_entries (
                        seq INTEGER PRIMARY KEY NOT NULL,
                        record TEXT NOT NULL,
                        scope TEXT NOT NULL,
                        township TEXT NOT NULL
                    );
                    CREATE INDEX scope_entries_by_scope ON scope_entries (scope, seq);
                    CREATE INDEX scope_entries_by_township ON scope_entries (township, seq);
                    INSERT OR IGNORE INTO sqlite_sequence (name, seq) VALUES ('ops', (SELECT coalesce(max(seq), 0) FROM ops));
                    """)
        }
        migrator.registerMigration("v5 decisions: resolutions and automatic rule decisions") { _ in
            // The hub's own table since the ledger has migrations of its own (HubMigrations).
        }
        migrator.registerMigration("v6 enrollment recommendations (R7)") { db in
            try db.execute(sql: "ALTER TABLE enrollments ADD COLUMN recommendation TEXT")
        }
        migrator.registerMigration("v7 duplicate index on nodes") { db in
            try db.execute(
                sql: """
                    CREATE TABLE duplicate_index (
                        prefix TEXT NOT NULL,
                        township TEXT NOT NULL,
                        programs TEXT NOT NULL,
                        PRIMARY KEY (prefix, township)
                    );
                    ALTER TABLE sync_state ADD COLUMN index_version TEXT NOT NULL DEFAULT '';
                    """)
        }
        migrator.registerMigration("v8 locked payment rolls (R12)") { _ in
            // The hub's own tables since the ledger has migrations of its own (HubMigrations).
        }
        migrator.registerMigration("v9 import keys: rows already imported from spreadsheets") { _ in
            // The hub's own table since the ledger has migrations of its own (HubMigrations).
        }
        migrator.registerMigration("v10 program standards and cross-check leads") { db in
            try db.execute(
                sql: """
                    CREATE TABLE standards (
                        id TEXT PRIMARY KEY NOT NULL,
                        village TEXT,
                        program TEXT,
                        band TEXT,
                        from_month TEXT,
                        amount INTEGER,
                        note TEXT,
                        conflicts TEXT,
                        updated_millis INTEGER NOT NULL
                    );
                    CREATE TABLE leads (
                        id TEXT PRIMARY KEY NOT NULL,
                        member TEXT,
                        household TEXT,
                        village TEXT,
                        source TEXT,
                        detail TEXT,
                        reported_date TEXT,
                        status TEXT,
                        note TEXT,
                        verifier TEXT,
                        suspended TEXT,
                        conflicts TEXT,
                        updated_millis INTEGER NOT NULL
                    );
                    CREATE INDEX leads_by_member ON leads (member);
                    """)
        }
        migrator.registerMigration("v11 hashes of own ops handed over with records that left the scope") { db in
            // A node checks an acknowledgement by the hash of its own op at the acknowledged
            // counter; an op that left with a record moved out of scope keeps its hash here.
            try db.execute(sql: "CREATE TABLE own_evicted (counter INTEGER PRIMARY KEY NOT NULL, hash TEXT NOT NULL)")
        }
        migrator.registerMigration("v12 scope entries in parts: a long history spans several messages") { db in
            // A record's history delivered at a scope entry is cut into parts of at most
            // `ScopeEntryPart.size` ops, each at a log position of its own, so no pull answer
            // exceeds a message. Older entries are one part holding the whole history.
            try db.execute(
                sql: """
                    ALTER TABLE scope_entries ADD COLUMN part INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE scope_entries ADD COLUMN parts INTEGER NOT NULL DEFAULT 1;
                    CREATE INDEX ops_by_record_seq ON ops (record, seq);
                    """)
        }
        migrator.registerMigration("v13 the hub's clock minus the node's, from the hub's signed answers") { db in
            try db.execute(sql: "ALTER TABLE sync_state ADD COLUMN hub_offset_millis INTEGER")
        }
        migrator.registerMigration("v14 duplicate index: hash prefixes only, no township or programs") { db in
            // The old rows named a person's township and programs: they go, and the node fetches
            // the index again at its next sync.
            try db.execute(
                sql: """
                    DROP TABLE duplicate_index;
                    CREATE TABLE duplicate_index (prefix INTEGER PRIMARY KEY NOT NULL);
                    UPDATE sync_state SET index_version = '';
                    """)
        }
        migrator.registerMigration("v15 county settings and the month a suspension takes effect") { db in
            try db.execute(
                sql: """
                    CREATE TABLE settings (
                        id TEXT PRIMARY KEY NOT NULL,
                        village TEXT,
                        name TEXT,
                        value TEXT,
                        note TEXT,
                        conflicts TEXT,
                        updated_millis INTEGER NOT NULL
                    );
                    ALTER TABLE enrollments ADD COLUMN suspended_from TEXT;
                    """)
        }
        migrator.registerMigration("v16 payees, own cards and account names; what an audited event was about") { db in
            // New fields of households and members: their columns come after `updated_millis`. The
            // audit's `detail` says what an export, a release or a discard was (a file, a month, a count).
            try db.execute(
                sql: """
                    ALTER TABLE households ADD COLUMN payee TEXT;
                    ALTER TABLE households ADD COLUMN account_name TEXT;
                    ALTER TABLE members ADD COLUMN bank_card_sealed TEXT;
                    ALTER TABLE members ADD COLUMN bank_card_hash TEXT;
                    ALTER TABLE members ADD COLUMN account_name TEXT;
                    ALTER TABLE audit ADD COLUMN detail TEXT NOT NULL DEFAULT '';
                    """)
        }
        migrator.registerMigration("v17 enrollments by household") { db in
            // Rule cases and the roll's payees ask a household for its enrollments.
            try db.execute(sql: "CREATE INDEX enrollments_by_household ON enrollments (household)")
        }
        migrator.registerMigration("v18 rule cases kept with the records, row counts, indexes for the desk") { db in
            try db.execute(
                sql: Migrations.ruleCasesSchema + Migrations.caseMarkTriggers() + Migrations.rowCountsSchema())
        }
        migrator.registerMigration("v19 merge state in compact binary; no second index of the log by record") { db in
            try Migrations.compactRecordState(db)
        }
        migrator.registerMigration("v20 the op log's hash in binary, without columns no query reads") { db in
            try Migrations.slimOpLog(db)
        }
        migrator.registerMigration("v21 the names of townships and villages") { db in
            try Migrations.divisionNames(db)
        }
        migrator.registerMigration("v22 search index: two-character pieces of names, addresses and phones") { db in
            try db.execute(sql: Migrations.searchIndexSchema())
        }
        migrator.registerMigration("v23 search index brought up to date once per transaction") { db in
            try db.execute(sql: Migrations.searchMarksSchema())
        }
        migrator.registerMigration("v24 the replica id a restored hub writes under") { db in
            // NULL: the replica's own id (ReplicaInfo.writer).
            try db.execute(sql: "ALTER TABLE replica ADD COLUMN writer TEXT")
        }
        migrator.registerMigration("v25 the hub's stamps on its ops, and the ops a restored hub asks back") { db in
            // op_stamps: the stamp a pull answer gave each op the hub wrote (a node hands the op
            // back with it should the hub be restored without it). hub_returns: each writer the
            // hub retired at a restore, the last counter of it the restored copy held, and how
            // far this node has handed back its ops (Protocol/sync.md, A restored hub).
            try db.execute(
                sql: """
                    CREATE TABLE op_stamps (
                        replica TEXT NOT NULL, counter INTEGER NOT NULL, stamp TEXT NOT NULL,
                        PRIMARY KEY (replica, counter)
                    ) WITHOUT ROWID;
                    CREATE TABLE hub_returns (
                        writer TEXT PRIMARY KEY, after INTEGER NOT NULL, returned INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v26 record tables by village and id; snapshots received and installed") { db in
            try snapshots(db)
        }
        migrator.registerMigration("v27 the log's notes of time, which compaction reads") { db in
            // The hub's v11 makes the same `log_notes`; whichever comes first makes it. A node
            // also notes what the hub had acknowledged of its own ops (the hub's v12 drops it).
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS log_notes (millis INTEGER PRIMARY KEY, log_end INTEGER NOT NULL);
                    CREATE TABLE ack_notes (millis INTEGER PRIMARY KEY, acked INTEGER NOT NULL);
                    """)
        }
        migrator.registerMigration("v28 the log's count added once per batch, not by a trigger per op") { db in
            // The applier adds the ops it logged to `row_counts` when it flushes (Applier.flush):
            // the trigger made every insert of the log a statement with its own sub-journal,
            // about a third of the insert's time. Deletes (compaction) still count by trigger.
            try db.execute(sql: "DROP TRIGGER ops_count_after_insert")
        }
        migrator.registerMigration("v29 a phone indexed by its last four digits, not by its digit pairs") { db in
            for statement in Migrations.phoneTails { try db.execute(sql: statement) }
        }
        return migrator
    }
}
