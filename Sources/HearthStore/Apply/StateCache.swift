import GRDB
import HearthCore
import Synchronization

/// Merged record states kept in memory between write transactions of one process.
///
/// Loading a record's registers means a query and a JSON parse; a night's sync touches the
/// same records batch after batch. The cache is only trusted while SQLite's `data_version`
/// is unchanged, which it is exactly when no other connection (another `hearth` process)
/// has committed since; states enter it only after their transaction committed.
package final class StateCache: Sendable {
    private struct Storage {
        var dataVersion: Int64 = -1
        var states: [RecordID: RecordState] = [:]
    }

    private let storage = Mutex(Storage())
    private let capacity: Int

    package init(capacity: Int = 200_000) {
        self.capacity = capacity
    }

    /// Checks the cache against the database at the start of a write transaction.
    package func validate(_ db: Database) throws -> Int64 {
        let version = try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0
        storage.withLock { storage in
            if storage.dataVersion != version {
                storage.states.removeAll(keepingCapacity: true)
                storage.dataVersion = version
            }
        }
        return version
    }

    package func state(of id: RecordID) -> RecordState? {
        storage.withLock { $0.states[id] }
    }

    /// Remembers the states a transaction committed.
    package func committed(_ states: [RecordState], dataVersion: Int64) {
        storage.withLock { storage in
            guard storage.dataVersion == dataVersion else { return }
            if storage.states.count + states.count > capacity { storage.states.removeAll(keepingCapacity: true) }
            for state in states { storage.states[state.id] = state }
        }
    }

    package func clear() {
        storage.withLock { $0.states.removeAll() }
    }
}
