import HearthSQLiteSettings

/// SQLite's settings for the whole process, made once, before its first connection opens.
///
/// By default SQLite counts every allocation it makes, for `sqlite3_memory_used`, and keeps
/// that count under one mutex for the whole process. Hearth never reads the count, and every
/// allocation of every connection queued on that lock: a hub's writer behind its readers, a
/// bench's fifteen townships behind one another. In `bench sync` the nodes spent about a sixth
/// of their CPU taking and waiting for it during the pull (perf, 5 December 2026); with the
/// count off the night took 0.85 to 0.91 of its time, two pairs alternated with the build before.
///
/// Every connection Hearth opens is configured through ``ReplicaCore/configuration(path:)``
/// or opens after ``prepare()``, so the setting is made before SQLite starts. Should something
/// else in the process have started SQLite first, the setting is refused and the count stays
/// on: slower, never wrong.
package enum SQLiteProcess {
    /// Makes the process's settings, once; later calls return at once.
    package static func prepare() { _ = made }

    /// Whether SQLite took the settings (it refuses them once it has started).
    package static var settingsTaken: Bool { made }

    /// The bytes SQLite counts as allocated: 0 while its count is off, as ``prepare()`` leaves it.
    package static var countedBytes: Int64 { Int64(hearth_sqlite_memory_used()) }

    private static let made: Bool = hearth_sqlite_memory_statistics_off() == 0
}
