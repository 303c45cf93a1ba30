import GRDB
import HearthCore

/// One entry of a replica's `audit` table: a sensitive value shown or written in clear, or a
/// refused op settled by hand.
///
/// Why it exists: ID and bank card numbers leave the database in clear only through a person,
/// for a purpose (a roll for the bank, a skipped-rows file to fix, a `--reveal` to check a
/// card), and the bureau must be able to say afterwards who took which numbers and when. A
/// quarantine release or discard overrides the hub's own refusal; it is recorded for the same
/// reason. Entries are local to the replica that made them (they are not replicated).
public struct AuditEvent: Sendable, Equatable {
    /// What happened; the actions Hearth records.
    public enum Action {
        /// `--reveal`: a sealed field shown in clear (subject: the record, field: the field).
        public static let reveal = "reveal"
        /// A file written with ID or card numbers in clear (subject: the file, field: what it is).
        public static let export = "export"
        /// A quarantined op accepted after all (subject: the op's record, field: the op's id).
        public static let release = "quarantine release"
        /// A quarantined op's refusal confirmed (subject: the op's record, field: the op's id).
        public static let discard = "quarantine discard"
        /// The hub's database copied for safekeeping (subject: the copy).
        public static let backup = "backup"
        /// The hub's database put back from a copy (subject: the copy).
        public static let restore = "restore"
    }

    public let atMillis: Int64
    public let worker: String
    public let action: String
    /// A record id, or the path of the file written.
    public let subject: String
    public let field: String
    /// What else the bureau needs to know: a month, how many lines, the refusal's reason.
    public let detail: String

    public init(atMillis: Int64, worker: String, action: String, subject: String, field: String, detail: String) {
        self.atMillis = atMillis
        self.worker = worker
        self.action = action
        self.subject = subject
        self.field = field
        self.detail = detail
    }
}

extension ReplicaCore {
    /// Records an audited event in its own transaction.
    public func audit(_ event: AuditEvent) throws(ReplicaError) {
        try writeBookkeeping { db in try Self.insertAudit(event, into: db) }
    }

    /// Records an audited event in the caller's transaction: it commits with what it records.
    package static func insertAudit(_ event: AuditEvent, into db: Database) throws {
        try insertAudit(event, into: SQLiteStatements(db))
    }

    /// ``insertAudit(_:into:)`` on either database.
    package static func insertAudit(_ event: AuditEvent, into sql: any SQLStatements) throws {
        try sql.execute(
            "INSERT INTO audit (at_millis, worker, action, record, field, detail) VALUES (?, ?, ?, ?, ?, ?)",
            [
                .integer(event.atMillis), .text(event.worker), .text(event.action), .text(event.subject),
                .text(event.field), .text(event.detail),
            ])
    }

}

extension ReplicaReading {
    /// Every audited event on this replica, oldest first.
    package func auditTrail() throws(ReplicaError) -> [AuditEvent] {
        try withStatements { sql in
            try sql.rows("SELECT at_millis, worker, action, record, field, detail FROM audit ORDER BY seq", []).map {
                row in
                AuditEvent(
                    atMillis: row[0].integer ?? 0, worker: row[1].text ?? "", action: row[2].text ?? "",
                    subject: row[3].text ?? "", field: row[4].text ?? "", detail: row[5].text ?? "")
            }
        }
    }
}
