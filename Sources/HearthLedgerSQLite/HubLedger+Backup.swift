import Foundation
import GRDB
import HearthCore
import HearthLedger
import HearthStore
import HearthText

/// What `hearth hub backup` copied.
public struct HubBackup: Sendable, Equatable {
    /// The copy's path.
    public let file: String
    /// Ops in the copy's log.
    public let ops: Int64
    /// The last log position the copy holds: nodes that pulled past it hold ops the copy lacks.
    public let logEnd: Int64
    /// The copy's size in bytes.
    public let bytes: Int64
}

/// How `hearth hub backup` and `hearth hub restore` fail.
public enum HubBackupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file named for a backup exists already.
    case exists(String)
    /// The backup is another hub's.
    case otherHub(backup: String, hub: String)
    /// The database to replace is open in another process (`hub serve`).
    case inUse(String)
    /// The copy could not be made or read.
    case failed(String)

    public var description: String {
        switch self {
        case .exists(let path): Catalogue.text("backup.exists", ["path": path])
        case .otherHub(let backup, let hub): Catalogue.text("backup.other_hub", ["backup": backup, "hub": hub])
        case .failed(let reason): Catalogue.text("backup.failed", ["reason": reason])
        case .inUse(let path): Catalogue.text("backup.in_use", ["path": path])
        }
    }
}

extension HubLedger {
    /// The positions a restored hub's log skips (``LedgerLog/restoreGap``).
    public static let restoreGap: Int64 = LedgerLog.restoreGap

    /// Copies the hub's database to `path` while it keeps serving: SQLite's online backup
    /// reads one snapshot, so the copy is consistent (every op with its records, cases and
    /// acknowledgements) whatever is being pushed meanwhile. The file is owner-only (it holds
    /// sealed ID and card numbers; the key file is not copied). Audited.
    public func backup(to path: String, worker: String, nowMillis: Int64) throws -> HubBackup {
        if FileManager.default.fileExists(atPath: path) { throw HubBackupError.exists(path) }
        try DatabaseFiles.createOwnerOnly(path)
        do {
            let copy = try DatabaseQueue(path: path)
            try replica.pool.backup(to: copy)
            let (ops, logEnd) = try copy.read { db in
                (
                    try Int64.fetchOne(db, sql: "SELECT count(*) FROM ops") ?? 0,
                    try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'ops'") ?? 0
                )
            }
            let event = AuditEvent(
                atMillis: nowMillis, worker: worker, action: AuditEvent.Action.backup, subject: path,
                field: "database", detail: "\(ops) ops, log end \(logEnd)")
            // Recorded in the copy too: a hub restored from it still says who took it.
            try copy.write { db in try ReplicaCore.insertAudit(event, into: db) }
            try copy.close()
            let bytes = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
            try replica.audit(event)
            return HubBackup(file: path, ops: ops, logEnd: logEnd, bytes: bytes)
        } catch {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            if let error = error as? HubBackupError { throw error }
            throw HubBackupError.failed(String(describing: error))
        }
    }

    /// Refuses a database another connection has open: a `hub serve` still running would go
    /// on serving (and writing) the file being replaced. In WAL mode every open connection
    /// holds a lock that an exclusive one cannot get past, so the check fails at once rather
    /// than waiting.
    static func ensureUnused(_ path: String) throws {
        SQLiteProcess.prepare()
        var configuration = Configuration()
        configuration.busyMode = .immediateError
        do {
            let probe = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? probe.close() }
            try probe.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA locking_mode = EXCLUSIVE")
                try db.execute(sql: "BEGIN EXCLUSIVE")
                try db.execute(sql: "COMMIT")
                try db.execute(sql: "PRAGMA locking_mode = NORMAL")
            }
        } catch { throw HubBackupError.inUse(path) }
    }

    /// Puts a backup of this hub back at `path` (the hub must not be serving).
    ///
    /// The backup is copied next to `path` and opened with the hub's key (another hub's
    /// backup is refused), and the copy is made safe to go on from before it replaces the
    /// database, which is kept beside it as `<path>.before-restore-<millis>`:
    /// - the hub writes its own ops under a fresh replica id from now on
    ///   (``ReplicaInfo/writer``), so it never makes a different op under a dot it used after
    ///   the backup, which a node may hold;
    /// - its log positions jump by ``restoreGap``, so a node whose cursor passed the
    ///   backup's last position still receives every op logged after the restore.
    ///
    /// Nodes then send again their own ops the backup lacks: a node told that the hub holds
    /// fewer of its ops than it acknowledged checks the hub holds its own history up to there
    /// and pushes the rest (Protocol/sync.md, A restored hub).
    public static func restore(
        from backup: String, to path: String, keyPath: String? = nil, environment: [String: String] = [:],
        worker: String, nowMillis: Int64
    ) throws -> HubRestore {
        let keyPath = keyPath ?? KeyFile.defaultPath(forDatabase: path)
        // The database it replaces must be this hub's (a node's is refused as any hub command
        // refuses it), before anything is written.
        if FileManager.default.fileExists(atPath: path) { try ensureUnused(path) }
        var current: String?
        var lockedBefore: [Month] = []
        if FileManager.default.fileExists(atPath: path) {
            let replaced = try ReplicaCore.open(
                path: path, keyPath: keyPath, environment: environment, role: SQLiteLedgerStorage.role)
            current = replaced.info.id.value
            lockedBefore = try replaced.read { db in try lockedMonths(db) }
            try? replaced.pool.close()
        }
        guard FileManager.default.fileExists(atPath: backup) else { throw ReplicaError.notFound(path: backup) }
        let staging = path + ".restoring-\(nowMillis)"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: staging + suffix) }
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: staging + suffix) } }
        try DatabaseFiles.createOwnerOnly(staging)
        SQLiteProcess.prepare()
        do {
            var configuration = Configuration()
            // Read-write when it may be, so closing it leaves no -wal or -shm file beside it.
            configuration.readonly = !FileManager.default.isWritableFile(atPath: backup)
            let source = try DatabaseQueue(path: backup, configuration: configuration)
            try source.backup(to: try DatabaseQueue(path: staging))
            try source.close()
        } catch { throw HubBackupError.failed(String(describing: error)) }
        let restored = try open(path: staging, keyPath: keyPath, environment: environment)
        if let current, current != restored.info.id.value {
            throw HubBackupError.otherHub(backup: restored.info.id.value, hub: current)
        }
        let lockedInCopy = Set(try restored.replica.read { db in try lockedMonths(db) })
        let locksLost = lockedBefore.filter { !lockedInCopy.contains($0) }
        var generator = SystemRandomNumberGenerator()
        let writer = ReplicaID.random(using: &generator)
        let outcome = try restored.replica.pool.write { db -> HubRestore in
            try LedgerRestore.goOn(
                SQLiteStatements(db), writer: writer, backup: backup, worker: worker, nowMillis: nowMillis,
                locksLost: locksLost)
        }
        do {
            try restored.replica.pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
            try restored.replica.pool.close()
        } catch { throw HubBackupError.failed(String(describing: error)) }
        var previous: String?
        if current != nil {
            let kept = path + ".before-restore-\(nowMillis)"
            for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
                try FileManager.default.moveItem(atPath: path + suffix, toPath: kept + suffix)
            }
            previous = kept
        }
        try FileManager.default.moveItem(atPath: staging, toPath: path)
        for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: staging + suffix) {
            try FileManager.default.moveItem(atPath: staging + suffix, toPath: path + suffix)
        }
        return HubRestore(
            writer: outcome.writer, retiredWriter: outcome.retiredWriter, retiredCounter: outcome.retiredCounter,
            logEnd: outcome.logEnd, nextPosition: outcome.nextPosition, previous: previous, locksLost: locksLost)
    }

    /// The months whose rolls a hub database has locked, oldest first.
    private static func lockedMonths(_ db: Database) throws -> [Month] {
        try String.fetchAll(db, sql: "SELECT month FROM roll_locks ORDER BY month").map { text in
            try Month.parse(text, field: "month")
        }
    }
}
