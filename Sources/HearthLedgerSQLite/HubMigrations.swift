import GRDB
import HearthLedger

/// The county hub's own tables, after the replica core's: registered nodes and their
/// enrollment tokens, request nonces, quarantined ops, the desk's and the rules' decisions,
/// locked payment rolls and the keys of rows already imported from spreadsheets. None of it
/// replicates, and a village's database holds none of it. The node's own tables (its sync
/// state, duplicate index and handed-over hashes), which the core's migrations make on every
/// database, are dropped here.
///
/// Until the ledger had migrations of its own these tables came from the core's v2, v5, v8
/// and v9, in the shape created here; hence `IF NOT EXISTS`: a hub database made then already
/// has them. A shipped migration is never edited: add a new one.
enum HubMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("hub v1 nodes, tokens, nonces, quarantine, decisions, rolls, import keys") { db in
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS nodes (
                        replica TEXT PRIMARY KEY NOT NULL,
                        name TEXT NOT NULL UNIQUE,
                        public_key TEXT NOT NULL,
                        scope TEXT NOT NULL,
                        registered_millis INTEGER NOT NULL,
                        revoked_millis INTEGER,
                        forked_millis INTEGER,
                        last_sync_millis INTEGER,
                        acked_counter INTEGER NOT NULL DEFAULT 0,
                        chain_head TEXT NOT NULL DEFAULT '',
                        pull_cursor INTEGER NOT NULL DEFAULT 0,
                        skew_millis INTEGER
                    );
                    CREATE TABLE IF NOT EXISTS enrollment_tokens (
                        secret_hash TEXT PRIMARY KEY NOT NULL,
                        name TEXT NOT NULL,
                        scope TEXT NOT NULL,
                        created_millis INTEGER NOT NULL,
                        used_by TEXT
                    );
                    CREATE TABLE IF NOT EXISTS nonces (
                        replica TEXT NOT NULL,
                        nonce TEXT NOT NULL,
                        seen_millis INTEGER NOT NULL,
                        PRIMARY KEY (replica, nonce)
                    );
                    CREATE TABLE IF NOT EXISTS quarantine (
                        replica TEXT NOT NULL,
                        counter INTEGER NOT NULL,
                        record TEXT NOT NULL,
                        hash TEXT NOT NULL,
                        body BLOB NOT NULL,
                        reason TEXT NOT NULL,
                        state TEXT NOT NULL CHECK (state IN ('held', 'released', 'discarded')),
                        at_millis INTEGER NOT NULL,
                        PRIMARY KEY (replica, counter)
                    );
                    CREATE TABLE IF NOT EXISTS decisions (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        at_millis INTEGER NOT NULL,
                        worker TEXT NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('resolution', 'acknowledgement', 'rule')),
                        record TEXT NOT NULL,
                        field TEXT,
                        rule TEXT NOT NULL,
                        rule_set INTEGER NOT NULL,
                        choice TEXT NOT NULL,
                        note TEXT NOT NULL,
                        op TEXT NOT NULL,
                        trigger TEXT
                    );
                    CREATE INDEX IF NOT EXISTS decisions_by_record ON decisions (record);
                    CREATE UNIQUE INDEX IF NOT EXISTS decisions_once_per_trigger ON decisions (rule, record, trigger) WHERE trigger IS NOT NULL;
                    CREATE TABLE IF NOT EXISTS roll_locks (
                        month TEXT PRIMARY KEY NOT NULL,
                        locked_millis INTEGER NOT NULL,
                        worker TEXT NOT NULL,
                        total_fen INTEGER NOT NULL
                    );
                    CREATE TABLE IF NOT EXISTS roll_lines (
                        month TEXT NOT NULL,
                        enrollment TEXT NOT NULL,
                        member TEXT NOT NULL,
                        program TEXT NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('regular', 'back_pay', 'recovery')),
                        for_month TEXT NOT NULL,
                        amount_fen INTEGER NOT NULL,
                        PRIMARY KEY (month, enrollment, kind, for_month)
                    );
                    CREATE INDEX IF NOT EXISTS roll_lines_by_for_month ON roll_lines (for_month, enrollment);
                    CREATE TABLE IF NOT EXISTS import_keys (
                        key TEXT PRIMARY KEY NOT NULL,
                        record TEXT NOT NULL,
                        source TEXT NOT NULL,
                        line INTEGER NOT NULL,
                        at_millis INTEGER NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("hub v2 a hub database holds none of the node's tables") { db in
            // The core's migrations (v2, v7, v11) make the node's side of sync on every database:
            // its hub, pull cursor and clock offset, its copy of the duplicate index, the hashes of
            // its own ops handed over. The hub has no hub of its own and never used them.
            for table in ["sync_state", "duplicate_index", "own_evicted"] {
                try db.execute(sql: "DROP TABLE IF EXISTS \(table)")
            }
        }
        migrator.registerMigration("hub v3 acknowledged rule cases by case") { db in
            // The desk asks whether the cases it shows were acknowledged: a lookup per case, not
            // a scan of every decision the county ever recorded.
            try db.execute(
                sql: """
                    CREATE INDEX decisions_acknowledged ON decisions (record)
                    WHERE kind = 'acknowledgement' AND field IS NULL
                    """)
        }
        migrator.registerMigration("hub v4 duplicate index kept by prefix, with the version each changed at") { db in
            // The county's duplicate index (Protocol/sync.md, "Duplicate index") was computed from
            // every member at each node's request. `id_prefixes` counts the living members per
            // first four hex digits of their ID hash, kept by the triggers below; `changed` is
            // the index version at which a prefix last gained its first member or lost its last,
            // so a node holding version n is sent the prefixes changed after n, not the index.
            try db.execute(sql: HubMigrations.duplicateIndexSchema)
        }
        migrator.registerMigration("hub v5 roll lines read by index: what was paid, and by member") { db in
            // A roll sums what the locked rolls paid for each month before it: the index holds
            // the amount too, so that pass reads no table row. The recovery after a death reads
            // one member's lines at a time.
            try db.execute(
                sql: """
                    CREATE INDEX IF NOT EXISTS roll_lines_paid ON roll_lines (for_month, enrollment, amount_fen);
                    DROP INDEX IF EXISTS roll_lines_by_for_month;
                    CREATE INDEX IF NOT EXISTS roll_lines_by_member ON roll_lines (member, for_month);
                    """)
        }
        migrator.registerMigration("hub v6 desk accounts, sessions and login attempts") { db in
            // The county desk in the browser (docs/desk.md): its accounts with bcrypt hashes (never
            // a password), its sessions by the SHA-256 of their id (never the id, which only the
            // browser's cookie holds) and its login attempts, which limit guessing across restarts.
            try db.execute(sql: HubMigrations.deskSchema)
        }
        migrator.registerMigration("hub v7 the desk's overview counts open leads by index") { db in
            // The overview counts the open leads at every view: an index of the open ones only, so
            // the count reads what it counts, not every lead the county ever had.
            try db.execute(
                sql: "CREATE INDEX IF NOT EXISTS leads_open ON leads (id) WHERE coalesce(status, 'open') = 'open'")
        }
        migrator.registerMigration("hub v8 the desk's quarantine, leads and audit pages read by index") { db in
            // The desk pages the quarantine (held first, or every state) and the leads (by status,
            // village and id), and searches the audit by worker, action, record and time: each
            // page reads what it shows, not the whole table.
            try db.execute(
                sql: """
                    CREATE INDEX IF NOT EXISTS quarantine_by_state ON quarantine (state, at_millis, replica, counter);
                    CREATE INDEX IF NOT EXISTS quarantine_by_time ON quarantine (at_millis, replica, counter);
                    CREATE INDEX IF NOT EXISTS leads_by_state ON leads (coalesce(status, 'open'), village, id);
                    CREATE INDEX IF NOT EXISTS audit_by_time ON audit (at_millis, seq);
                    CREATE INDEX IF NOT EXISTS audit_by_worker ON audit (worker, at_millis, seq);
                    CREATE INDEX IF NOT EXISTS audit_by_action ON audit (action, at_millis, seq);
                    CREATE INDEX IF NOT EXISTS audit_by_record ON audit (record, at_millis, seq);
                    CREATE INDEX IF NOT EXISTS decisions_by_time ON decisions (at_millis, seq);
                    CREATE INDEX IF NOT EXISTS decisions_by_worker ON decisions (worker, at_millis, seq);
                    CREATE INDEX IF NOT EXISTS decisions_by_kind ON decisions (kind, at_millis, seq);
                    CREATE INDEX IF NOT EXISTS decisions_by_record ON decisions (record, at_millis, seq);
                    """)
        }
        migrator.registerMigration("hub v9 restores from a backup") { db in
            // Each `hub restore`: the writer id retired and the last counter of it the backup held
            // (ops above it were made after the backup and only nodes hold them), the backup's
            // last log position, and the writer the hub went on under.
            try db.execute(
                sql: """
                    CREATE TABLE hub_restores (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        restored_millis INTEGER NOT NULL,
                        retired_writer TEXT NOT NULL,
                        retired_counter INTEGER NOT NULL,
                        log_end INTEGER NOT NULL,
                        writer TEXT NOT NULL,
                        backup TEXT NOT NULL
                    )
                    """)
        }
        migrator.registerMigration("hub v10 a hub database holds none of a node's snapshot tables") { db in
            // The core's v26 makes, on every database, the tables in which a node keeps a
            // snapshot as it arrives and the states it installed (its floors). A hub serves
            // snapshots and never installs one.
            for table in ["snapshot_floors", "snapshot_staging", "snapshot_waiting", "snapshot_progress"] {
                try db.execute(sql: "DROP TABLE IF EXISTS \(table)")
            }
        }
        migrator.registerMigration("hub v11 the log's archive, its marks and the log's notes of time") { db in
            try db.execute(sql: compactionSchema)
        }
        migrator.registerMigration("hub v12 a hub database holds no node's notes of its acknowledgements") { db in
            // The core's v27 makes `ack_notes` on every database: a node's own ops leave its log
            // only once acknowledged the retention ago. A hub's log keeps every op until archived.
            try db.execute(sql: "DROP TABLE IF EXISTS ack_notes")
        }
        migrator.registerMigration("hub v13 a file-only node's bundle asks for its scope's snapshot") { db in
            // docs/compaction.md, "Archived households on a node": set from each node-to-hub bundle.
            try db.execute(sql: "ALTER TABLE nodes ADD COLUMN snapshot_wanted INTEGER NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("hub v14 the authors' chain checkpoints") { db in
            try db.execute(sql: checkpointSchema)
        }
        migrator.registerMigration("hub v15 each node's signature of its chain head") { db in
            // Protocol/sync.md, "Chain heads kept": the signature of the node's last push, over
            // (`acked_counter`, `chain_head`); empty until the node's next push after this migration.
            try db.execute(sql: "ALTER TABLE nodes ADD COLUMN chain_signature TEXT NOT NULL DEFAULT ''")
        }
        migrator.registerMigration("hub v16 the duplicate index flags a living part, not a count") { db in
            // v4's triggers counted the living members of each part of the index: every member
            // written rewrote its part's row and that row's version entry, though most join a
            // part that is living already. The counts left in `living` read as flags (above zero).
            try db.execute(sql: duplicateIndexFlags)
        }
        migrator.registerMigration("hub v17 the enrollments whose locked months are settled") { db in
            // docs/payments.md, "Cost": marks the next lock writes; until then every roll judges
            // every enrollment's locked months, as before.
            try db.execute(sql: settledSchema)
        }
        return migrator
    }

    /// Hub v17: each enrollment the last lock found settled, with the digest of its inputs
    /// (``SettledMarks``).
    static let settledSchema = """
        CREATE TABLE roll_settled (
            enrollment TEXT PRIMARY KEY NOT NULL,
            digest_high INTEGER NOT NULL,
            digest_low INTEGER NOT NULL
        ) WITHOUT ROWID;
        """

    /// Hub v16: the triggers that keep `id_prefixes` as flags, each member changed a read of its
    /// part and a write only when the part crosses zero (``LedgerDuplicateIndex/markLiving(_:)``).
    static let duplicateIndexFlags = """
        DROP TRIGGER members_index_after_insert;
        DROP TRIGGER members_index_after_update;
        DROP TRIGGER members_index_after_delete;
        CREATE TRIGGER members_index_after_insert AFTER INSERT ON members
        WHEN NEW.vital_status = 'alive' AND NEW.id_number_hash IS NOT NULL BEGIN
            \(LedgerDuplicateIndex.markLiving("NEW"))
        END;
        CREATE TRIGGER members_index_after_update AFTER UPDATE ON members
        WHEN OLD.vital_status IS NOT NEW.vital_status OR OLD.id_number_hash IS NOT NEW.id_number_hash BEGIN
            \(LedgerDuplicateIndex.markGone("OLD"))
            \(LedgerDuplicateIndex.markLiving("NEW"))
        END;
        CREATE TRIGGER members_index_after_delete AFTER DELETE ON members
        WHEN OLD.vital_status = 'alive' AND OLD.id_number_hash IS NOT NULL BEGIN
            \(LedgerDuplicateIndex.markGone("OLD"))
        END;
        """

    /// The authors' chain checkpoints (``ChainCheckpoint``, docs/compaction.md): one an author,
    /// written and moved forward by compaction in the transaction that archives its ops.
    static let checkpointSchema = """
        CREATE TABLE chain_checkpoints (
            replica TEXT PRIMARY KEY,
            counter INTEGER NOT NULL,
            hash TEXT NOT NULL,
            signed_millis INTEGER NOT NULL,
            signature TEXT NOT NULL
        ) WITHOUT ROWID;
        """

    /// Compaction (docs/compaction.md): ops that every node holding their scope has pulled,
    /// older than the county's retention, move from `ops` to `ops_archive` (the same columns
    /// without `state`: only applied ops move). `archive_marks` keeps, by the scope an op was
    /// logged under (a village, the county-wide code, or `@` and a node's id for an op addressed
    /// to it), the last position archived, so a pull from before it is told to start from a
    /// snapshot. `log_notes` keeps the log's end at each compaction, with the hub's time: an op
    /// is older than the retention when a note that old already counted it. `logged_ops` reads
    /// both halves of the history, for what must see all of it (chains, duplicates, forks, a
    /// record's history).
    static let compactionSchema = """
        CREATE TABLE ops_archive (
            seq INTEGER PRIMARY KEY,
            replica TEXT NOT NULL,
            counter INTEGER NOT NULL,
            record TEXT NOT NULL,
            scope TEXT NOT NULL,
            hash BLOB NOT NULL,
            body BLOB NOT NULL,
            township TEXT,
            target TEXT,
            UNIQUE (replica, counter)
        );
        CREATE INDEX ops_archive_by_record ON ops_archive (record, seq);
        CREATE INDEX ops_archive_by_scope ON ops_archive (scope, record);
        CREATE INDEX ops_archive_by_township ON ops_archive (township, record);
        CREATE TABLE archive_marks (scope TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS log_notes (millis INTEGER PRIMARY KEY, log_end INTEGER NOT NULL);
        CREATE VIEW logged_ops AS
            SELECT seq, replica, counter, record, scope, hash, body, township, target FROM ops
            UNION ALL
            SELECT seq, replica, counter, record, scope, hash, body, township, target FROM ops_archive;
        """

    static let deskSchema = """
        CREATE TABLE desk_accounts (
            name TEXT PRIMARY KEY NOT NULL COLLATE NOCASE,
            role TEXT NOT NULL CHECK (role IN ('admin', 'reviewer', 'auditor')),
            township TEXT,
            password_hash TEXT NOT NULL,
            created_millis INTEGER NOT NULL,
            password_millis INTEGER NOT NULL,
            disabled_millis INTEGER,
            CHECK ((role = 'reviewer') = (township IS NOT NULL))
        );
        CREATE TABLE desk_sessions (
            id_hash TEXT PRIMARY KEY NOT NULL,
            account TEXT NOT NULL COLLATE NOCASE REFERENCES desk_accounts (name),
            created_millis INTEGER NOT NULL,
            last_seen_millis INTEGER NOT NULL,
            address TEXT NOT NULL
        );
        CREATE INDEX desk_sessions_by_account ON desk_sessions (account);
        CREATE INDEX desk_sessions_by_use ON desk_sessions (last_seen_millis);
        CREATE TABLE desk_login_attempts (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            account TEXT NOT NULL COLLATE NOCASE,
            address TEXT NOT NULL,
            at_millis INTEGER NOT NULL,
            succeeded INTEGER NOT NULL CHECK (succeeded IN (0, 1))
        );
        CREATE INDEX desk_login_attempts_by_account ON desk_login_attempts (account, succeeded, at_millis);
        CREATE INDEX desk_login_attempts_by_address ON desk_login_attempts (address, succeeded, at_millis);
        CREATE INDEX desk_login_attempts_by_time ON desk_login_attempts (at_millis);
        """

    static let duplicateIndexSchema = """
        CREATE TABLE id_prefixes (
            prefix TEXT PRIMARY KEY NOT NULL,
            living INTEGER NOT NULL,
            changed INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX id_prefixes_by_change ON id_prefixes (changed);
        INSERT INTO id_prefixes (prefix, living, changed)
            SELECT substr(id_number_hash, 1, 4), count(*), 1 FROM members
            WHERE vital_status = 'alive' AND id_number_hash IS NOT NULL GROUP BY 1;
        CREATE TRIGGER members_index_after_insert AFTER INSERT ON members
        WHEN NEW.vital_status = 'alive' AND NEW.id_number_hash IS NOT NULL BEGIN
            \(countIn("NEW"))
        END;
        CREATE TRIGGER members_index_after_update AFTER UPDATE ON members
        WHEN OLD.vital_status IS NOT NEW.vital_status OR OLD.id_number_hash IS NOT NEW.id_number_hash BEGIN
            \(countOut("OLD"))
            \(countIn("NEW"))
        END;
        CREATE TRIGGER members_index_after_delete AFTER DELETE ON members
        WHEN OLD.vital_status = 'alive' AND OLD.id_number_hash IS NOT NULL BEGIN
            \(countOut("OLD"))
        END;
        """

    /// Counts a living member with an ID hash in its prefix; a prefix gaining its first
    /// member takes the next index version. v4's, replaced by v16's flags.
    static func countIn(_ row: String) -> String {
        """
        INSERT INTO id_prefixes (prefix, living, changed)
            SELECT substr(\(row).id_number_hash, 1, 4), 1, (SELECT coalesce(max(changed), 0) + 1 FROM id_prefixes)
            WHERE \(row).vital_status = 'alive' AND \(row).id_number_hash IS NOT NULL
            ON CONFLICT (prefix) DO UPDATE SET
                changed = CASE WHEN id_prefixes.living = 0 THEN excluded.changed ELSE id_prefixes.changed END,
                living = id_prefixes.living + 1;
        """
    }

    /// Counts a living member out of its prefix; a prefix losing its last member takes the
    /// next index version. v4's, replaced by v16's flags.
    static func countOut(_ row: String) -> String {
        """
        UPDATE id_prefixes SET
            changed = CASE WHEN living = 1 THEN (SELECT max(changed) + 1 FROM id_prefixes) ELSE changed END,
            living = living - 1
            WHERE prefix = substr(\(row).id_number_hash, 1, 4) AND \(row).vital_status = 'alive';
        """
    }
}
