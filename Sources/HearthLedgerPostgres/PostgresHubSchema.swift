import Foundation
import HearthStore
import Logging
import PostgresNIO

/// The hub's tables on PostgreSQL, as numbered migrations kept in `hearth_migrations`.
///
/// Why numbered and applied under a lock: several `hub serve` processes may start on one
/// database at once; the advisory lock lets one of them migrate while the others wait, and a
/// database migrated by a newer Hearth is refused rather than written by an older one. The
/// tables mirror the SQLite hub's (`HubMigrations`), in PostgreSQL's types: `BIGINT` for
/// times and counters, an identity column for sequences.
enum PostgresHubSchema {
    /// The advisory lock key the migrations run under (any constant no other code uses).
    static let migrationLock: Int64 = 0x4845_4152_5448_0001

    /// One migration: its number, what it does, and its statements (run one by one: the
    /// extended query protocol takes one statement at a time).
    struct Migration: Sendable {
        let version: Int
        let name: String
        let statements: [String]
    }

    /// Every migration, in order: the hub's own tables, then the replica's (``replicaMigrations``).
    static let migrations: [Migration] =
        hubMigrations + replicaMigrations + [
            snapshotWanted, checkpoints, headSignatures, phoneTails, indexFlags, settled,
        ]

    /// SQLite hub v17: each enrollment the last lock found settled, with the digest of its
    /// inputs (``SettledMarks``).
    static let settled = Migration(
        version: 17, name: "the enrollments whose locked months are settled",
        statements: [
            """
            CREATE TABLE IF NOT EXISTS roll_settled (
                enrollment TEXT PRIMARY KEY,
                digest_high BIGINT NOT NULL,
                digest_low BIGINT NOT NULL
            )
            """
        ])

    /// SQLite hub v16: the duplicate index flags a living part instead of counting its members
    /// (``PostgresReplicaTriggers/duplicateIndexFlags``).
    static let indexFlags = Migration(
        version: 16, name: "the duplicate index flags a living part, not a count",
        statements: PostgresReplicaTriggers.duplicateIndexFlags)

    /// Core v29: every household's entries in the search index taken out and the household
    /// marked, so that opening the hub (``PostgresLedgerStorage/open(location:keyPath:environment:nowMillis:)``)
    /// makes them again, its phone by its last four digits (`Migrations.phoneTails`, the same
    /// statements).
    static let phoneTails = Migration(
        version: 15, name: "a phone indexed by its last four digits, not by its digit pairs",
        statements: Migrations.phoneTails)

    /// SQLite hub v15: each node's signature of its chain head, from its last push.
    static let headSignatures = Migration(
        version: 14, name: "each node's signature of its chain head",
        statements: ["ALTER TABLE nodes ADD COLUMN chain_signature TEXT NOT NULL DEFAULT ''"])

    /// SQLite hub v14: the authors' chain checkpoints (`HubMigrations.checkpointSchema`).
    static let checkpoints = Migration(
        version: 13, name: "the authors' chain checkpoints",
        statements: [
            """
            CREATE TABLE chain_checkpoints (
                replica TEXT PRIMARY KEY,
                counter BIGINT NOT NULL,
                hash TEXT NOT NULL,
                signed_millis BIGINT NOT NULL,
                signature TEXT NOT NULL
            )
            """
        ])

    /// SQLite hub v13: a file-only node's bundle asks for its scope's snapshot (docs/compaction.md,
    /// "Archived households on a node"); set from each node-to-hub bundle.
    static let snapshotWanted = Migration(
        version: 12, name: "a file-only node's bundle asks for its scope's snapshot",
        statements: ["ALTER TABLE nodes ADD COLUMN snapshot_wanted BIGINT NOT NULL DEFAULT 0"])

    static let hubMigrations: [Migration] = [
        Migration(
            version: 1, name: "the hub's identity, nodes, tokens, nonces, restores and audit",
            statements: [
                """
                CREATE TABLE hub_identity (
                    one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
                    id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    scope TEXT NOT NULL,
                    public_key TEXT NOT NULL,
                    key_check TEXT NOT NULL,
                    writer TEXT,
                    created_millis BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE nodes (
                    replica TEXT PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    public_key TEXT NOT NULL,
                    scope TEXT NOT NULL,
                    registered_millis BIGINT NOT NULL,
                    revoked_millis BIGINT,
                    forked_millis BIGINT,
                    last_sync_millis BIGINT,
                    acked_counter BIGINT NOT NULL DEFAULT 0,
                    chain_head TEXT NOT NULL DEFAULT '',
                    pull_cursor BIGINT NOT NULL DEFAULT 0,
                    skew_millis BIGINT
                )
                """,
                """
                CREATE TABLE enrollment_tokens (
                    secret_hash TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    scope TEXT NOT NULL,
                    created_millis BIGINT NOT NULL,
                    used_by TEXT
                )
                """,
                "CREATE INDEX enrollment_tokens_unused ON enrollment_tokens (name) WHERE used_by IS NULL",
                """
                CREATE TABLE nonces (
                    replica TEXT NOT NULL,
                    nonce TEXT NOT NULL,
                    seen_millis BIGINT NOT NULL,
                    PRIMARY KEY (replica, nonce)
                )
                """,
                "CREATE INDEX nonces_by_time ON nonces (seen_millis)",
                """
                CREATE TABLE hub_restores (
                    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    restored_millis BIGINT NOT NULL,
                    retired_writer TEXT NOT NULL,
                    retired_counter BIGINT NOT NULL,
                    log_end BIGINT NOT NULL,
                    writer TEXT NOT NULL,
                    backup TEXT NOT NULL
                )
                """,
                """
                CREATE TABLE audit (
                    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    at_millis BIGINT NOT NULL,
                    worker TEXT NOT NULL,
                    action TEXT NOT NULL,
                    record TEXT NOT NULL,
                    field TEXT,
                    detail TEXT NOT NULL
                )
                """,
                "CREATE INDEX audit_by_time ON audit (at_millis, seq)",
            ]),
        Migration(
            version: 2, name: "desk accounts, sessions and login attempts",
            statements: [
                // Names match without regard to ASCII case, as on SQLite (COLLATE NOCASE): the
                // key is the name folded by the C collation, which folds ASCII letters only.
                """
                CREATE TABLE desk_accounts (
                    name TEXT NOT NULL,
                    name_key TEXT GENERATED ALWAYS AS (lower(name COLLATE "C")) STORED PRIMARY KEY,
                    role TEXT NOT NULL CHECK (role IN ('admin', 'reviewer', 'auditor')),
                    township TEXT,
                    password_hash TEXT NOT NULL,
                    created_millis BIGINT NOT NULL,
                    password_millis BIGINT NOT NULL,
                    disabled_millis BIGINT,
                    CHECK ((role = 'reviewer') = (township IS NOT NULL))
                )
                """,
                """
                CREATE TABLE desk_sessions (
                    id_hash TEXT PRIMARY KEY,
                    account_key TEXT NOT NULL REFERENCES desk_accounts (name_key),
                    created_millis BIGINT NOT NULL,
                    last_seen_millis BIGINT NOT NULL,
                    address TEXT NOT NULL
                )
                """,
                "CREATE INDEX desk_sessions_by_account ON desk_sessions (account_key)",
                "CREATE INDEX desk_sessions_by_use ON desk_sessions (last_seen_millis)",
                """
                CREATE TABLE desk_login_attempts (
                    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    account_key TEXT NOT NULL,
                    address TEXT NOT NULL,
                    at_millis BIGINT NOT NULL,
                    succeeded BOOLEAN NOT NULL
                )
                """,
                "CREATE INDEX desk_login_attempts_by_account ON desk_login_attempts (account_key, succeeded, at_millis)",
                "CREATE INDEX desk_login_attempts_by_address ON desk_login_attempts (address, succeeded, at_millis)",
                "CREATE INDEX desk_login_attempts_by_time ON desk_login_attempts (at_millis)",
            ]),
        Migration(
            version: 3, name: "the log's head: the write lock, and positions in commit order",
            statements: [
                """
                CREATE TABLE log_head (
                    one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
                    position BIGINT NOT NULL CHECK (position >= 0)
                )
                """,
                "INSERT INTO log_head (one, position) VALUES (TRUE, 0)",
            ]),
    ]

    /// The newest version this build knows.
    static var latest: Int { migrations.map(\.version).max() ?? 0 }

    /// Brings the database's tables up to ``latest``, in one transaction under the migration
    /// lock; refuses a database migrated by a newer Hearth. Returns the version found before.
    @discardableResult
    static func migrate(_ database: PostgresDatabase, nowMillis: Int64) async throws(ReplicaError) -> Int {
        let logger = database.logger
        return try await database.transaction { connection in
            try await connection.run("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: logger)
            try await connection.run(
                """
                CREATE TABLE IF NOT EXISTS hearth_migrations (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_millis BIGINT NOT NULL)
                """, logger: logger)
            let found =
                try await connection.row(
                    "SELECT coalesce(max(version), 0) FROM hearth_migrations", as: Int.self, logger: logger) ?? 0
            guard found <= latest else {
                throw ReplicaError.database(
                    "the PostgreSQL database is at hub schema version \(found); this hearth knows up to \(latest)")
            }
            for migration in migrations where migration.version > found {
                for statement in migration.statements {
                    try await connection.run(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.run(
                    """
                    INSERT INTO hearth_migrations (version, name, applied_millis)
                    VALUES (\(migration.version), \(migration.name), \(nowMillis))
                    """, logger: logger)
            }
            return found
        }
    }
}
