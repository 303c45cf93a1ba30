#ifndef HEARTH_SQLITE_SETTINGS_H
#define HEARTH_SQLITE_SETTINGS_H

/// SQLite's process-wide settings that Swift cannot reach: `sqlite3_config` takes C varargs,
/// which Swift does not call. Each must be made before SQLite starts (before the process's
/// first connection); made later, it returns SQLITE_MISUSE and changes nothing.

/// Stops SQLite counting every allocation for `sqlite3_memory_used` (SQLITE_CONFIG_MEMSTATUS).
/// The count is kept under one process-wide mutex, so every allocation of every connection
/// takes the same lock. Returns SQLite's result code: 0 (SQLITE_OK) when it took effect.
int hearth_sqlite_memory_statistics_off(void);

/// The bytes SQLite counts as allocated now (`sqlite3_memory_used`): 0 while the count is off
/// and was never on.
long long hearth_sqlite_memory_used(void);

#endif
