/* cu-db.c - raw SQLite helpers for the store and dispatch suites (see cu-db.h).
 * Each call opens its own connection, so it sees only committed data. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cu-db.h"

long long
cu_db_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	long long v = -1;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	else
		printf("sql \"%s\": %s\n", sql, db ? sqlite3_errmsg(db) : "no db");
	sqlite3_finalize(q);
	sqlite3_close(db);
	return v;
}

int
cu_db_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
	         sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
	if (rc != 0)
		printf("sql \"%s\": %s\n", sql, db ? sqlite3_errmsg(db) : "no db");
	sqlite3_close(db);
	return rc;
}

/* Appends ", column" and ", value" for one column that needs a value. */
static void
add_column(char *cols, size_t colsz, char *vals, size_t valsz, const char *name,
           const char *type)
{
	const char *v = strstr(type, "BLOB") ? "zeroblob(1)" :
	                strstr(type, "TEXT") ? "''" : "1";
	size_t cl = strlen(cols), vl = strlen(vals);
	snprintf(cols + cl, colsz - cl, ", %s", name);
	snprintf(vals + vl, valsz - vl, ", %s", v);
}

int
cu_db_insert_key(sqlite3 *db, long long handle, long long owner)
{
	sqlite3_stmt *q = NULL;
	char cols[1024] = "handle, owner", vals[1024] = "?1, ?2", sql[2200];
	if (sqlite3_prepare_v2(db, "PRAGMA table_info(keys)", -1, &q, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(q, 1);
		const char *type = (const char *)sqlite3_column_text(q, 2);
		bool needed = sqlite3_column_int(q, 3) != 0 &&
		              sqlite3_column_type(q, 4) == SQLITE_NULL;
		if (needed && strcmp(name, "handle") != 0 && strcmp(name, "owner") != 0)
			add_column(cols, sizeof(cols), vals, sizeof(vals), name, type ? type : "");
	}
	sqlite3_finalize(q);
	snprintf(sql, sizeof(sql), "INSERT INTO keys(%s) VALUES (%s)", cols, vals);
	int rc = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(q, 1, handle);
		sqlite3_bind_int64(q, 2, owner);
		rc = sqlite3_step(q) == SQLITE_DONE ? 0 : -1;
	}
	if (rc != 0)
		printf("%s: %s\n", sql, sqlite3_errmsg(db));
	sqlite3_finalize(q);
	return rc;
}

int
cu_db_insert_key_at(const char *path, long long handle, long long owner)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK
	         ? cu_db_insert_key(db, handle, owner) : -1;
	sqlite3_close(db);
	return rc;
}

int
cu_db_integrity_ok(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	int ok = 0;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(q, 0);
		ok = v != NULL && strcmp(v, "ok") == 0 && sqlite3_step(q) == SQLITE_DONE;
		if (!ok)
			printf("integrity_check: %s\n", v ? v : "(null)");
	}
	sqlite3_finalize(q);
	sqlite3_close(db);
	return ok;
}
