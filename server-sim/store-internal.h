/* store-internal.h - what the store-*.c files share and nothing else sees.
 * One sqlite3 connection per struct store; statements prepared per call. */
#ifndef HSM_STORE_INTERNAL_H
#define HSM_STORE_INTERNAL_H

#include <sqlite3.h>

#include "keyobj.h"
#include "log.h"
#include "store.h"

struct store {
	sqlite3 *db;
	char path[4096];
};

/* Prepares sql or logs why not; NULL on failure. */
sqlite3_stmt *store_prepare(struct store *s, const char *sql);
/* Steps a statement that returns no rows and finalizes it; 0 or -1. */
int store_exec_stmt(struct store *s, sqlite3_stmt *st);
/* Runs SQL text without parameters; 0 or -1. */
int store_exec(struct store *s, const char *sql);
/* Runs a query without parameters whose one row is one integer (a count). */
int store_query_u32(struct store *s, const char *sql, uint32_t *out);
/* meta rows. get: 0 found, 1 no such row, -1 error or longer than outlen. */
int store_meta_get(struct store *s, const char *key, char *out, size_t outlen);
int store_meta_set(struct store *s, const char *key, const char *value);
/* node_id, cluster_id, hsm_id and (when set) masking_domain. */
int store_identity_write(struct store *s, const struct store_identity *id);
/* Logs the connection's last error with context. */
void store_log_error(struct store *s, const char *what);

#endif
