import HearthCore

/// The reads every replica answers (a record and its log, rule cases and holds, the roll and
/// the reports, the county's configuration, leads, search), written once over
/// ``SQLStatements``.
///
/// Why a protocol: a village's replica and a hub kept in a file read through their
/// ``ReplicaCore``, each read in a snapshot of its own; a hub kept in PostgreSQL reads inside a
/// transaction its storage opens on the server, on a thread where waiting for each statement
/// is allowed (``ReplicaTransaction``). Both run the same code, so a hub answers the same on
/// either database, and a read made of several (a roll reads the cases, the standards and the
/// book) sees one state when it runs in one transaction.
package protocol ReplicaReading {
    /// The replica's identity: id, name, scope.
    var info: ReplicaInfo { get }
    /// The county data key, for the sealed values a read opens.
    var keys: KeyMaterial { get }
    /// What the replica's role adds to its reads: the cases an administrator acknowledged and
    /// the rolls the county locked (the hub's), or nothing (a node's).
    var readingRole: any ApplyRole { get }
    /// Runs `body` over the statements of one read. What `body` throws comes out as a
    /// ``ReplicaError`` (its own as they are, others as ``ReplicaError/database(_:)``).
    func withStatements<T>(_ body: (any SQLStatements) throws -> T) throws(ReplicaError) -> T
}

/// The reads of ``ReplicaReading`` inside one transaction its caller opened, on either
/// database: every read shares that transaction.
///
/// Not `Sendable`: it lives only as long as the transaction whose statements it holds.
package struct ReplicaTransaction: ReplicaReading {
    package let sql: any SQLStatements
    package let info: ReplicaInfo
    package let keys: KeyMaterial
    package let readingRole: any ApplyRole

    package init(sql: any SQLStatements, info: ReplicaInfo, keys: KeyMaterial, role: any ApplyRole) {
        self.sql = sql
        self.info = info
        self.keys = keys
        readingRole = role
    }

    package func withStatements<T>(_ body: (any SQLStatements) throws -> T) throws(ReplicaError) -> T {
        do { return try body(sql) } catch { throw ReplicaError(reading: error) }
    }
}

extension ReplicaError {
    /// What a read threw, as the replica reports it: its own errors as they are, a refused
    /// input as ``invalid(_:)``, anything else as ``database(_:)``.
    package init(reading error: any Error) {
        switch error {
        case let error as ReplicaError: self = error
        case let error as InputError: self = .invalid(error)
        default: self = .database(String(describing: error))
        }
    }
}

/// A replica, or a hub's ledger, that runs a command's reads in one snapshot of its store and
/// keeps the command's audit lines: what the commands both roles share (a report, its
/// workbook, its printed page) are written once against it.
///
/// Why: a village's replica reads its file; a hub kept in PostgreSQL has no file, and reads on
/// a thread of its storage's. Either way the reads run off Swift's cooperative threads.
package protocol SnapshotReading: Sendable {
    /// The replica's identity: id, name, scope.
    var info: ReplicaInfo { get }
    /// Runs `body` over one read-only snapshot; what it throws comes out as a ``ReplicaError``.
    func reading<T: Sendable>(_ body: @escaping @Sendable (ReplicaTransaction) throws -> T)
        async throws(ReplicaError) -> T
    /// Keeps an audit line in a transaction of its own.
    func keepAudit(_ event: AuditEvent) async throws(ReplicaError)
}

/// A replica the domain's commands write to (a household added, an enrollment approved, a
/// death recorded): each command builds its ops through a ``ChangeSet`` in one transaction.
///
/// Why a protocol: the commands are written once, over ``write(author:nowMillis:_:)``. A
/// ``ReplicaCore`` opens a transaction of its file for each; the hub's ledger runs them inside a
/// transaction of its storage, on either database (``TransactionWriter``), where the county's
/// rules judge what they write before it commits.
package protocol ReplicaWriting: ReplicaReading {
    /// Runs `block` on the change set of one write transaction: its ops are logged, merged and
    /// committed together, or not at all. Returns the block's result and the ops it wrote.
    func write<T>(author: String, nowMillis: Int64, _ block: (inout ChangeSet) throws -> T)
        throws(ReplicaError) -> (result: T, ops: [Op])
}

/// The domain's commands inside a write transaction its caller opened (the hub's storage, for
/// the county's own edits): every command given it writes into that transaction's change set
/// under its own author, and reads through the same statements. A command that throws leaves
/// the writer failed: the transaction must roll back (``failure``), as a replica's own
/// transaction does for a command that throws.
///
/// Not `Sendable`: it lives only as long as the transaction whose change set it holds.
package final class TransactionWriter: ReplicaWriting {
    /// The transaction's change set: what the commands wrote so far.
    package private(set) var changes: ChangeSet
    private let reads: ReplicaTransaction
    /// What a command threw: its ops may be half in the change set, so the transaction must
    /// not commit; every later command throws it again.
    package private(set) var failure: ReplicaError?

    package init(changes: ChangeSet, keys: KeyMaterial, role: any ApplyRole) {
        self.changes = changes
        reads = ReplicaTransaction(sql: changes.sql, info: changes.info, keys: keys, role: role)
    }

    package var info: ReplicaInfo { reads.info }
    package var keys: KeyMaterial { reads.keys }
    package var readingRole: any ApplyRole { reads.readingRole }

    package func withStatements<T>(_ body: (any SQLStatements) throws -> T) throws(ReplicaError) -> T {
        try reads.withStatements(body)
    }

    /// The command's ops go into the transaction's change set under `author`; `nowMillis` is
    /// the transaction's own time, which the change set already has.
    package func write<T>(author: String, nowMillis: Int64, _ block: (inout ChangeSet) throws -> T)
        throws(ReplicaError) -> (result: T, ops: [Op])
    {
        if let failure { throw failure }
        let first = changes.ops.count
        let transactionAuthor = changes.author
        changes.author = author
        defer { changes.author = transactionAuthor }
        do {
            let result = try block(&changes)
            return (result, Array(changes.ops[first...]))
        } catch {
            let failed = ReplicaError(reading: error)
            failure = failed
            throw failed
        }
    }
}
