import HearthCore
import HearthLedger
import HearthStore

/// What `hearth hub migrate` copied: the rows of each table, and the state digest both hubs
/// have after it.
public struct HubMoveReport: Sendable {
    public let tables: [(name: String, rows: Int)]
    public let digest: String
}

/// Moves a county hub from its SQLite file to a PostgreSQL database: every row of every table,
/// as it is, in one transaction on each side (a snapshot of the file, one commit on the
/// server), so the server's hub is the file's hub, with the same identity, keys, log positions
/// and digest.
///
/// Why rows and not ops: replaying the log would make a hub that computed its rules again and
/// numbered its log anew, and every node's pull cursor would point at other ops. Copying the
/// rows keeps positions, acknowledgements, quarantine, the desk and the trails as they were.
/// The server's triggers are held off while the rows go in: what they keep (counts, the search
/// index, rule cases) is copied too, already kept.
package enum PostgresHubMove {
    /// Tables PostgreSQL keeps that the file does not, or keeps its own way: left out of the copy.
    static let ownTables: Set<String> = ["grdb_migrations", "sqlite_sequence"]

    /// The file's columns kept under another name on the server, with the expression that turns
    /// the file's value into the server's (a desk account's name as its lower-case key).
    static let renamed: [String: [String: (source: String, expression: String)]] = [
        "desk_sessions": ["account_key": ("account", "lower(CAST(? AS TEXT) COLLATE \"C\")")],
        "desk_login_attempts": ["account_key": ("account", "lower(CAST(? AS TEXT) COLLATE \"C\")")],
    ]

    /// Tables whose rows others refer to go first.
    static let first = ["desk_accounts"]

    /// Copies every row the file's statements (`source`, in one read transaction) hold into
    /// the server's transaction (`target`), where a hub was just created with the file's
    /// identity and nothing else; returns each table's rows and the digest, the same on both.
    package static func copy(from source: any SQLStatements, to target: any SQLStatements) throws -> HubMoveReport {
        let tables = try source.texts(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        ).filter { !ownTables.contains($0) }
        let ordered = first.filter(tables.contains) + tables.filter { !first.contains($0) }
        var copied: [(name: String, rows: Int)] = []
        for table in ordered {
            try target.execute("ALTER TABLE \(table) DISABLE TRIGGER USER", [])
        }
        // What the server's hub was created with (its replica row, the counts its migrations
        // seeded) gives way to the file's rows.
        for table in ordered.reversed() {
            try target.execute("DELETE FROM \(table)", [])
        }
        for table in ordered {
            copied.append((table, try copy(table, from: source, to: target)))
        }
        for table in ordered {
            try target.execute("ALTER TABLE \(table) ENABLE TRIGGER USER", [])
        }
        try continueSequences(from: source, to: target)
        try target.execute("UPDATE hub_identity SET writer = (SELECT writer FROM replica)", [])
        let digest = try ReplicaCore.stateDigest(source)
        let moved = try ReplicaCore.stateDigest(target)
        guard digest == moved else {
            throw ReplicaError.database(
                "the copy's state digest \(moved) is not the file's \(digest): nothing was kept on the server")
        }
        return HubMoveReport(tables: copied, digest: digest)
    }

    /// One table's rows, streamed from the file and inserted a batch at a time.
    private static func copy(_ table: String, from source: any SQLStatements, to target: any SQLStatements) throws
        -> Int
    {
        let sourceColumns = try source.columns(of: table)
        let writable = try target.rows(
            """
            SELECT column_name, data_type, is_identity = 'YES' AND identity_generation = 'ALWAYS'
            FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = ? AND is_generated = 'NEVER'
            ORDER BY ordinal_position
            """, [.text(table)])
        guard !writable.isEmpty else {
            throw ReplicaError.database(
                "the server has no table \(table): this Hearth's PostgreSQL hub cannot hold the file's hub")
        }
        var reads: [Int] = []
        var expressions: [String] = []
        var names: [String] = []
        var overriding = false
        for column in writable {
            guard let name = column[0].text else { continue }
            let renaming = renamed[table]?[name]
            let sourceName = renaming?.source ?? name
            guard let index = sourceColumns.firstIndex(of: sourceName) else {
                throw ReplicaError.database("the file's table \(table) has no column \(sourceName)")
            }
            reads.append(index)
            names.append(name)
            if column[2].integer == 1 { overriding = true }
            expressions.append(
                renaming?.expression ?? (column[1].text == "boolean" ? "(CAST(? AS BIGINT) <> 0)" : "?"))
        }
        let unread = Set(sourceColumns).subtracting(
            names.map { name in renamed[table]?[name]?.source ?? name })
        guard unread.isEmpty else {
            throw ReplicaError.database(
                "the server's table \(table) has no column for \(unread.sorted().joined(separator: ", "))")
        }
        // PostgreSQL takes at most 65,535 bound values a statement.
        let perStatement = max(1, min(500, 30_000 / names.count))
        let row = "(" + expressions.joined(separator: ", ") + ")"
        let head =
            "INSERT INTO \(table) (\(names.joined(separator: ", ")))"
            + (overriding ? " OVERRIDING SYSTEM VALUE" : "") + " VALUES "
        var batch: [SQLValue] = []
        var pending = 0
        var count = 0
        func flush() throws {
            guard pending > 0 else { return }
            try target.execute(head + Array(repeating: row, count: pending).joined(separator: ", "), batch)
            count += pending
            batch.removeAll(keepingCapacity: true)
            pending = 0
        }
        try source.forEachRow("SELECT * FROM \(table)", []) { values in
            for index in reads { batch.append(values[index]) }
            pending += 1
            if pending == perStatement { try flush() }
        }
        try flush()
        return count
    }

    /// The server's sequences go on from where the file's numbering stands, so no position,
    /// decision or audit line is given out twice; the log's head records the last position.
    private static func continueSequences(from source: any SQLStatements, to target: any SQLStatements) throws {
        var reserved: [String: Int64] = [:]
        for row in try source.rows("SELECT name, seq FROM sqlite_sequence", []) {
            if let name = row[0].text, let seq = row[1].integer { reserved[name] = seq }
        }
        let identities = try target.rows(
            """
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND is_identity = 'YES'
            """, [])
        for identity in identities {
            guard let table = identity[0].text, let column = identity[1].text else { continue }
            let highest = try target.integer("SELECT coalesce(max(\(column)), 0) FROM \(table)") ?? 0
            let last = max(highest, reserved[table] ?? 0)
            guard last > 0 else { continue }
            try target.execute(
                "SELECT setval(pg_get_serial_sequence(?, ?), ?)", [.text(table), .text(column), .integer(last)])
        }
        try target.execute(
            "UPDATE log_head SET position = ? WHERE one",
            [.integer(max(reserved["ops"] ?? 0, try LedgerLog.logEnd(target)))])
    }
}

extension HubLedger {
    /// Moves the county hub read through `readFile` (the file's statements, in one read
    /// transaction) into an empty PostgreSQL database: the same identity, keys (the key file
    /// at `keyPath` stays as it is), rows and digest. Nothing is kept on the server unless the
    /// whole copy is, with equal digests.
    package static func move(
        identity info: ReplicaInfo, keys: KeyMaterial, keyPath: String,
        readFile: @escaping @Sendable (_ body: (any SQLStatements) throws -> HubMoveReport) throws -> HubMoveReport,
        to location: PostgresLocation, nowMillis: Int64
    ) async throws(ReplicaError) -> (ledger: HubLedger, report: HubMoveReport) {
        let storage = try await PostgresLedgerStorage.create(
            location: location, keyPath: keyPath, name: info.name, scope: info.scope, nowMillis: nowMillis,
            keys: keys, id: info.id, writesKeyFile: false)
        do {
            let report = try await storage.database.blockingTransaction { target in
                try readFile { source in try PostgresHubMove.copy(from: source, to: target) }
            }
            return (HubLedger(postgres: storage), report)
        } catch {
            // The hub row made for the copy goes with it: the database holds no hub again.
            try? await storage.database.blockingTransaction { sql in
                try sql.execute("DELETE FROM hub_identity", [])
                try sql.execute("DELETE FROM replica", [])
            }
            await storage.close()
            throw error
        }
    }
}
