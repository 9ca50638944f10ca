/* cu-db.h - raw SQLite access for the store and dispatch suites, so tests can
 * look at (and plant rows in) a node database without going through the store. */
#ifndef CU_DB_H
#define CU_DB_H

#include <sqlite3.h>

/* Runs a query returning one integer on a fresh connection; -1 on error. */
long long cu_db_int(const char *path, const char *sql);
/* Runs SQL without results on a fresh connection; 0 or -1. */
int cu_db_exec(const char *path, const char *sql);
/* Inserts a key row owned by owner, giving every other NOT NULL column
 * without a default a neutral value (the key schema is still growing). */
int cu_db_insert_key(sqlite3 *db, long long handle, long long owner);
/* The same on a fresh connection to path. */
int cu_db_insert_key_at(const char *path, long long handle, long long owner);
/* PRAGMA integrity_check says "ok". */
int cu_db_integrity_ok(const char *path);

#endif
