import GRDB
import Synchronization

/// The SQL a replica's connections run, kept for the tests that check every read's query plan
/// (no read may scan a table that grows with the county inside a loop).
///
/// Tracing is asked for a database path before the replica is opened; a connection opened for
/// that path then notes each statement with its bound values. A connection opened for any other
/// path checks once, when it opens, and is never traced, so production pays nothing per statement.
package final class StatementTrace: Sendable {
    package static let shared = StatementTrace()

    private let traced = Mutex<[String: [String]]>([:])

    /// Starts noting the statements of connections opened for `path` from now on.
    package func start(_ path: String) {
        traced.withLock { $0[path] = [] }
    }

    /// The statements noted for `path` since it was started or last taken, and starts afresh.
    package func take(_ path: String) -> [String] {
        traced.withLock { traced in
            let noted = traced[path] ?? []
            if traced[path] != nil { traced[path] = [] }
            return noted
        }
    }

    /// Stops noting statements for `path`.
    package func stop(_ path: String) {
        _ = traced.withLock { $0.removeValue(forKey: path) }
    }

    /// Installs the trace on a connection just opened for `path`, when tracing was asked for it.
    func attach(_ db: Database, path: String) {
        guard traced.withLock({ $0[path] != nil }) else { return }
        db.trace(options: .statement) { [self] event in
            let sql = event.expandedDescription
            traced.withLock { $0[path]?.append(sql) }
        }
    }
}
