import HearthStore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO

/// ``SQLStatements`` on PostgreSQL: the statements of one transaction on a connection leased
/// for it, each run to completion before the call returns.
///
/// Why blocking: the replica engine is synchronous (it runs inside GRDB's transactions on
/// SQLite), so its PostgreSQL side waits for each answer. It must run on a thread of its own
/// (``PostgresDatabase/blockingTransaction(_:)`` gives it one from NIO's thread pool), never on
/// an event loop, whose wait would deadlock, nor on Swift's cooperative pool, which it would
/// starve.
final class PostgresStatements: SQLStatements {
    private let connection: PostgresConnection
    private let logger: Logger
    /// The database the connection is to: a statement's failure is its ``ReplicaError``
    /// (the server's message and code), whatever the engine's caller wraps it in.
    private let database: PostgresDatabase

    init(_ connection: PostgresConnection, logger: Logger, database: PostgresDatabase) {
        self.connection = connection
        self.logger = logger
        self.database = database
    }

    /// What runs once the transaction has committed (``afterCommit(_:)``), in order.
    private(set) var committed: [@Sendable () -> Void] = []

    var dialect: SQLDialect { .postgres }

    /// None: several hub processes write one database, and PostgreSQL keeps no number a
    /// connection could read to learn that another committed; the engine keeps no states
    /// between transactions here.
    func changeVersion() throws -> Int64? { nil }

    func afterCommit(_ body: @escaping @Sendable () -> Void) {
        committed.append(body)
    }

    /// The writes sent and not yet answered (``write(_:_:)``), oldest first.
    private var unanswered: [EventLoopFuture<PostgresQueryResult>] = []

    /// How many writes may be unanswered at once: enough that the server runs a flush's rows
    /// back to back, few enough that their answers are never a burden to hold.
    private static let unansweredLimit = 256

    /// The rows as ``rows(_:_:)`` reads them (a transaction's statements answer whole).
    func forEachRow(_ sql: String, _ arguments: [SQLValue], _ body: ([SQLValue]) throws -> Void) throws {
        for row in try rows(sql, arguments) { try body(row) }
    }

    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int {
        try run(sql, arguments).metadata.rows ?? 0
    }

    /// Each row is turned into the engine's values as it arrives, on the connection's event
    /// loop, and only those are kept.
    ///
    /// Why not postgres-nio's collected result (`query(_:logger:)`'s rows): up to 1.33 it
    /// appends each message's rows to an array it also holds in its state, so every append
    /// copies every row received before it. The roll's three reads of a full county (194,000
    /// rows) spent a fifth of the process's CPU in those copies and the pages they touched.
    func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [[SQLValue]] {
        try settle()
        let received = NIOLockedValueBox<[[SQLValue]]>([])
        let answer = connection.query(query(sql, arguments), logger: logger) { row in
            let values = row.map(SQLValue.init(cell:))
            received.withLockedValue { $0.append(values) }
        }
        do { _ = try answer.wait() } catch { throw database.replicaError(error) }
        return received.withLockedValue { rows in
            defer { rows = [] }
            return rows
        }
    }

    /// Sends the statement without waiting for its answer: the connection runs its statements
    /// in the order they were sent, so the server runs the next write as soon as it has
    /// answered one, while this thread builds the ones after it. Each round trip was a wait on
    /// this thread, and a flush writes two statements for every record it changed.
    func write(_ sql: String, _ arguments: [SQLValue]) throws {
        unanswered.append(connection.query(query(sql, arguments), logger: logger))
        if unanswered.count >= Self.unansweredLimit { try settle() }
    }

    /// The first failure of a write sent without waiting, thrown again by every later call.
    private var failure: ReplicaError?

    /// Waits for every write sent, and throws the first one's failure (those after a failure
    /// fail only because the transaction was aborted). Every statement that reads waits first,
    /// and so does the commit (``PostgresDatabase/blockingTransaction(snapshot:_:)``).
    ///
    /// A failure is kept and thrown again by every later call: a caller that let a read's
    /// error pass (`try?`) must not commit a transaction the server has aborted, which would
    /// answer the `COMMIT` with a rollback and no error.
    func settle() throws {
        if let failure { throw failure }
        guard !unanswered.isEmpty else { return }
        let sent = unanswered
        unanswered.removeAll(keepingCapacity: true)
        var first: (any Error)?
        for answer in sent {
            do { _ = try answer.wait() } catch { first = first ?? error }
        }
        if let first {
            let failure = database.replicaError(first)
            self.failure = failure
            throw failure
        }
    }

    private func run(_ sql: String, _ arguments: [SQLValue]) throws -> PostgresQueryResult {
        try settle()
        let answer: EventLoopFuture<PostgresQueryResult> = connection.query(query(sql, arguments), logger: logger)
        do { return try answer.wait() } catch { throw database.replicaError(error) }
    }

    private func query(_ sql: String, _ arguments: [SQLValue]) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: arguments.count)
        for argument in arguments {
            switch argument {
            case .null: bindings.appendNull()
            case .integer(let integer): bindings.append(integer)
            case .real(let real): bindings.append(real)
            case .text(let text): bindings.append(text)
            case .blob(let bytes): bindings.append(ByteBuffer(bytes: bytes))
            }
        }
        return PostgresQuery(unsafeSQL: SQLParameters.numbered(sql), binds: bindings)
    }
}

extension SQLValue {
    /// A cell as the engine reads it: integers (and booleans, as 0 or 1), reals, bytes, text.
    init(cell: PostgresCell) {
        guard cell.bytes != nil else {
            self = .null
            return
        }
        do {
            switch cell.dataType {
            case .int2, .int4, .int8: self = .integer(try cell.decode(Int64.self))
            case .bool: self = .integer(try cell.decode(Bool.self) ? 1 : 0)
            case .float4, .float8: self = .real(try cell.decode(Double.self))
            case .bytea:
                var buffer = try cell.decode(ByteBuffer.self)
                self = .blob(buffer.readBytes(length: buffer.readableBytes) ?? [])
            default: self = .text(try cell.decode(String.self))
            }
        } catch {
            // A type the engine never stores (a date, a JSON document): its text.
            self = (try? cell.decode(String.self)).map(SQLValue.text) ?? .null
        }
    }
}

extension PostgresDatabase {
    /// Runs `body` in one transaction whose statements block (``PostgresStatements``), on a
    /// thread of NIO's pool: committed when it returns, rolled back when it throws.
    ///
    /// With `snapshot`, a read-only `REPEATABLE READ` transaction: every statement reads the
    /// snapshot its first one took (a pull's page and the log end it reports must agree;
    /// `READ COMMITTED` would give each statement a newer one).
    func blockingTransaction<T: Sendable>(
        snapshot: Bool = false, _ body: @escaping @Sendable (any SQLStatements) throws -> T
    ) async throws(ReplicaError) -> T {
        let logger = logger
        let (result, committed) = try await transaction(snapshot: snapshot) { connection in
            try await NIOThreadPool.singleton.runIfActive {
                let statements = PostgresStatements(connection, logger: logger, database: self)
                do {
                    let result = try body(statements)
                    try statements.settle()
                    return (result, statements.committed)
                } catch {
                    // The writes still unanswered finish before the rollback is sent.
                    try? statements.settle()
                    throw error
                }
            }
        }
        for hook in committed { hook() }
        return result
    }
}
