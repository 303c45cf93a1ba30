import HearthCore
import HearthStore
import Logging
import NIOCore
import PostgresNIO

/// A pool of connections to the hub's PostgreSQL database, and the transactions every storage
/// method runs in.
///
/// Why a type: postgres-nio's client must be run (its pool lives in a task) and closed, and its
/// errors must reach the hub as ``ReplicaError/database(_:)`` with the server's own message,
/// never with a query's bound values (a card or an ID number could be among them).
final class PostgresDatabase: Sendable {
    let location: PostgresLocation
    private let client: PostgresClient
    private let running: Task<Void, Never>
    let logger: Logger

    init(_ location: PostgresLocation, logger: Logger = Logger(label: "hearth.postgres")) {
        self.location = location
        self.logger = logger
        let configuration: PostgresClient.Configuration
        switch location.server {
        case .socket(let path):
            configuration = .init(
                unixSocketPath: path, username: location.user, password: location.password,
                database: location.database)
        case .host(let host):
            configuration = .init(
                host: host, port: location.port, username: location.user, password: location.password,
                database: location.database, tls: .disable)
        }
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        running = Task { await client.run() }
    }

    deinit { running.cancel() }

    /// Closes the pool: connections in use finish, then every connection is closed.
    func close() async {
        running.cancel()
        await running.value
    }

    /// Runs `body` in one transaction on a leased connection: committed when it returns,
    /// rolled back when it throws. What it throws comes out as a ``ReplicaError`` (its own as
    /// they are, the server's as ``ReplicaError/database(_:)``).
    @discardableResult
    func transaction<T: Sendable>(
        snapshot: Bool = false, _ body: (PostgresConnection) async throws -> T
    ) async throws(ReplicaError) -> T {
        do {
            return try await client.withConnection { connection in
                let begin =
                    snapshot
                    ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN ISOLATION LEVEL READ COMMITTED"
                try await connection.query(PostgresQuery(unsafeSQL: begin), logger: logger)
                do {
                    let result = try await body(connection)
                    let commit: EventLoopFuture<PostgresQueryResult> = connection.query(
                        PostgresQuery(unsafeSQL: "COMMIT"), logger: logger)
                    // A transaction a failed statement aborted answers its COMMIT with a
                    // rollback, not an error: a body that let a statement's error pass
                    // (`try?`) would otherwise report a change the server did not keep.
                    guard try await commit.get().metadata.command != "ROLLBACK" else {
                        throw ReplicaError.database(
                            "PostgreSQL at \(location) rolled the transaction back at its commit: a statement in it had failed"
                        )
                    }
                    return result
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        } catch { throw replicaError(error) }
    }

    /// Runs `body` on a leased connection outside any transaction (one statement at a time).
    func connection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws(ReplicaError) -> T {
        do { return try await client.withConnection { try await body($0) } } catch { throw replicaError(error) }
    }

    /// Checks that the server answers within `limit`, on a connection of its own: a hub
    /// command on a server that is down, a database that is not there or a password refused
    /// ends with the connection's own error, naming the location, instead of waiting while
    /// the pool tries again.
    ///
    /// The limit is the connection's own deadline, kept on its event loop: it covers the TCP
    /// connection and the server's startup answer, and is judged where the answer arrives.
    /// A timer raced against the answer in Swift's cooperative pool would judge instead when a
    /// thread of that pool came free, and a process whose few threads were all busy (a large
    /// import, the test runner on two cores) took an answer that had come in time for none.
    func reach(within limit: Duration = .seconds(15)) async throws(ReplicaError) {
        var configuration: PostgresConnection.Configuration
        switch location.server {
        case .socket(let path):
            configuration = .init(
                unixSocketPath: path, username: location.user, password: location.password,
                database: location.database)
        case .host(let host):
            configuration = .init(
                host: host, port: location.port, username: location.user, password: location.password,
                database: location.database, tls: .disable)
        }
        configuration.options.connectTimeout = TimeAmount(limit)
        do {
            let connection = try await PostgresConnection.connect(
                configuration: configuration, id: 0, logger: logger)
            try await connection.close()
        } catch let error as PSQLError where Self.timedOut(error) {
            throw ReplicaError.database("PostgreSQL at \(location) did not answer within \(limit)")
        } catch { throw replicaError(error) }
    }

    /// Whether a connection failed because its deadline passed (rather than being refused).
    private static func timedOut(_ error: PSQLError) -> Bool {
        guard error.code == .connectionError, let underlying = error.underlying as? ChannelError else { return false }
        if case .connectTimeout = underlying { return true }
        return false
    }

    /// A ``ReplicaError`` for what a transaction threw: the server's message and code, never the
    /// query or its values; for a connection that failed, the location (without its password)
    /// and why.
    func replicaError(_ error: any Error) -> ReplicaError {
        if let error = error as? ReplicaError { return error }
        // A value a command refused (a standard's amount, a lead already decided): the user's
        // mistake, as on SQLite, not the server's.
        if let error = error as? InputError { return .invalid(error) }
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                let code = error.serverInfo?[.sqlState].map { " (\($0))" } ?? ""
                return .database("PostgreSQL at \(location): \(message)\(code)")
            }
            let why = error.underlying.map { ": \($0)" } ?? ""
            return .database("PostgreSQL at \(location): \(error.code)\(why)")
        }
        return .database("PostgreSQL at \(location): \(error)")
    }
}

extension PostgresConnection {
    /// Runs a statement and reads every row, the rows decoded as `T`.
    func rows<each T: PostgresDecodable & Sendable>(
        _ query: PostgresQuery, as types: (repeat each T).Type, logger: Logger
    )
        async throws -> [(repeat each T)]
    {
        var rows: [(repeat each T)] = []
        for try await row in try await self.query(query, logger: logger).decode(types) { rows.append(row) }
        return rows
    }

    /// Runs a statement and reads its first row (nil when it has none).
    func row<each T: PostgresDecodable & Sendable>(
        _ query: PostgresQuery, as types: (repeat each T).Type, logger: Logger
    )
        async throws -> (repeat each T)?
    {
        for try await row in try await self.query(query, logger: logger).decode(types) { return row }
        return nil
    }

    /// Runs a statement and returns how many rows it returned: with `RETURNING`, how many it
    /// changed.
    @discardableResult
    func run(_ query: PostgresQuery, logger: Logger) async throws -> Int {
        var count = 0
        for try await _ in try await self.query(query, logger: logger) { count += 1 }
        return count
    }
}

extension PostgresLocation {
    /// How the server is reached: its Unix socket's path (a directory was given), or a host.
    enum Server {
        case socket(String)
        case host(String)
    }

    var server: Server {
        if let directory = socketDirectory { return .socket("\(directory)/.s.PGSQL.\(port)") }
        return .host(host ?? "localhost")
    }
}
