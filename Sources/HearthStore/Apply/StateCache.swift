import HearthCore
import Synchronization

/// Merged record states kept in memory between write transactions of one process.
///
/// Loading a record's registers means a query and a JSON parse; a night's sync touches the
/// same records batch after batch. The cache is only trusted while the storage's change
/// version is unchanged: a number the backend supplies at the start of each write transaction
/// that moves whenever another connection (another `hearth` process) has committed since.
/// States enter it only after their transaction committed. The cache itself reads no
/// database: the backend supplies the version (``SQLStatements/changeVersion()``; SQLite's
/// `PRAGMA data_version`). PostgreSQL supplies none, so a hub on it keeps no states between
/// transactions: several processes write there, and a state kept by one would miss the others'.
package final class StateCache: Sendable {
    private struct Storage {
        var dataVersion: Int64 = -1
        var states: [RecordID: RecordState] = [:]
    }

    private let storage = Mutex(Storage())
    private let capacity: Int

    /// - Parameter capacity: most states kept; past it the cache starts again empty. A state in
    ///   memory takes one to three kilobytes (its registers as dictionaries), so the 200,000 this
    ///   once kept were most of the hub's 410 MiB during a county's night (`hearth bench sync`),
    ///   while a night touches a record within a few batches of making it: 16,384 keeps what is
    ///   reused, and a state that fell out is read back from its row.
    package init(capacity: Int = 16_384) {
        self.capacity = capacity
    }

    /// Checks the cache against the storage's change version, read at the start of a write
    /// transaction: a different version empties it. Returns the version, to hand back with
    /// the states the transaction commits (``committed(_:dataVersion:)``).
    @discardableResult
    package func validate(version: Int64) -> Int64 {
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

    /// Drops the states of `ids`: a transaction is writing them, and another applier in the
    /// same transaction must read what it wrote, not what the last commit left here.
    package func forget(_ ids: some Sequence<RecordID>) {
        storage.withLock { storage in
            for id in ids { storage.states[id] = nil }
        }
    }

    package func clear() {
        storage.withLock { $0.states.removeAll() }
    }
}
