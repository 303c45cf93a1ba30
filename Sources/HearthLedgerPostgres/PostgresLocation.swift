import Foundation
import HearthCore
import HearthStore

/// Where a hub's PostgreSQL database is: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`, or
/// with `?host=/a/socket/directory` a server reached through its Unix socket.
///
/// Why a type: the operator writes it once (`--store` or `HEARTH_STORE`) and every hub command
/// reads it the same way; its ``description`` never shows the password, so it can be logged
/// and printed in errors.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    public let user: String
    public let password: String?
    /// A host name or address; nil when the server is reached through ``socketDirectory``.
    public let host: String?
    public let port: Int
    /// The directory holding the server's socket (`.s.PGSQL.<port>`), for `?host=/dir`.
    public let socketDirectory: String?
    public let database: String

    public init(
        user: String, password: String? = nil, host: String? = nil, port: Int = 5432, socketDirectory: String? = nil,
        database: String
    ) {
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.socketDirectory = socketDirectory
        self.database = database
    }

    /// Whether `text` names a PostgreSQL store rather than a SQLite file.
    public static func names(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Reads a `postgres://` URL; refuses one without a user or a database, with a port out of
    /// range, or with a query other than `host=`, naming what is wrong (never the password).
    public static func parse(_ text: String, field: String = "store") throws(InputError) -> PostgresLocation {
        guard names(text), let url = URLComponents(string: text) else {
            throw InputError(field: field, "postgres.location_form")
        }
        guard let user = url.user.map({ $0.removingPercentEncoding ?? $0 }), !user.isEmpty else {
            throw InputError(field: field, "postgres.location_user")
        }
        let database = String(url.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw InputError(field: field, "postgres.location_database")
        }
        let port = url.port ?? 5432
        guard (1...65_535).contains(port) else { throw InputError(field: field, "postgres.location_port") }
        var socketDirectory: String?
        for item in url.queryItems ?? [] {
            guard item.name == "host", let value = item.value, value.hasPrefix("/") else {
                throw InputError(field: field, "postgres.location_query")
            }
            socketDirectory = value
        }
        let host = url.host.flatMap { $0.isEmpty ? nil : $0 }
        guard host != nil || socketDirectory != nil else { throw InputError(field: field, "postgres.location_host") }
        return PostgresLocation(
            user: user, password: url.password.map { $0.removingPercentEncoding ?? $0 }, host: host, port: port,
            socketDirectory: socketDirectory, database: database)
    }

    /// The location with the password left out.
    public var description: String {
        if let socketDirectory { return "postgres://\(user)@:\(port)/\(database)?host=\(socketDirectory)" }
        return "postgres://\(user)@\(host ?? "localhost"):\(port)/\(database)"
    }

    /// The same server and user, another database (the tests' fresh database per county).
    public func database(_ name: String) -> PostgresLocation {
        PostgresLocation(
            user: user, password: password, host: host, port: port, socketDirectory: socketDirectory, database: name)
    }
}
