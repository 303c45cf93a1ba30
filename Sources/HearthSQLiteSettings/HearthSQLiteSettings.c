#include <sqlite3.h>

#include "HearthSQLiteSettings.h"

int hearth_sqlite_memory_statistics_off(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

long long hearth_sqlite_memory_used(void) {
    return (long long)sqlite3_memory_used();
}
