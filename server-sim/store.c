/* store.c - opening, creating and transactions of a node's SQLite database.
 * WAL with synchronous=FULL: a command acknowledged is on disk. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "kdf.h"
#include "log.h"
#include "store-internal.h"
#include "util.h"

#define STORE_BUSY_TIMEOUT_MS 10000

/* Idempotent: run at every open so later versions can add tables. */
static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS meta("
	"  key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS users("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	"  type INTEGER NOT NULL,"
	"  salt BLOB NOT NULL, iterations INTEGER NOT NULL, hash BLOB NOT NULL,"
	"  failures INTEGER NOT NULL DEFAULT 0,"
	"  mofn_pubkey BLOB, two_factor INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS audit("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  time TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),"
	"  opcode TEXT NOT NULL, user TEXT, response INTEGER NOT NULL, detail TEXT);"
	"CREATE TABLE IF NOT EXISTS keys("
	"  handle INTEGER PRIMARY KEY,"
	"  owner INTEGER NOT NULL REFERENCES users(id),"
	"  class INTEGER NOT NULL, key_type INTEGER NOT NULL,"
	"  label TEXT NOT NULL DEFAULT '', key_id TEXT NOT NULL DEFAULT '',"
	"  flags INTEGER NOT NULL DEFAULT 0, value_len INTEGER NOT NULL DEFAULT 0,"
	"  kcv BLOB, m_value INTEGER NOT NULL DEFAULT 0,"
	"  material BLOB NOT NULL);"
	"CREATE INDEX IF NOT EXISTS keys_by_id ON keys(key_id);"
	"CREATE TABLE IF NOT EXISTS key_shares("
	"  handle INTEGER NOT NULL REFERENCES keys(handle) ON DELETE CASCADE,"
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  PRIMARY KEY(handle, user_id));"
	"CREATE TABLE IF NOT EXISTS m_values("
	"  service INTEGER PRIMARY KEY, m INTEGER NOT NULL);"
	/* Quorum tokens live as long as the session that fetched them: rows
	 * of earlier runs are removed when the node starts (store-quorum.c). */
	"CREATE TABLE IF NOT EXISTS quorum_tokens("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  session INTEGER NOT NULL, owner INTEGER NOT NULL,"
	"  service INTEGER NOT NULL, key_handle INTEGER NOT NULL DEFAULT 0,"
	"  value BLOB NOT NULL, expires INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS quorum_approvals("
	"  token INTEGER NOT NULL REFERENCES quorum_tokens(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL, user_id INTEGER NOT NULL, name TEXT NOT NULL,"
	"  PRIMARY KEY(token, seq));";

void
store_log_error(struct store *s, const char *what)
{
	log_error("%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

sqlite3_stmt *
store_prepare(struct store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_log_error(s, "prepare");
		return NULL;
	}
	return st;
}

int
store_exec_stmt(struct store *s, sqlite3_stmt *st)
{
	if (st == NULL)
		return -1;
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		store_log_error(s, "step");
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

int
store_exec(struct store *s, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_error("%s: %s", s->path, msg ? msg : "sqlite error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int
store_query_u32(struct store *s, const char *sql, uint32_t *out)
{
	sqlite3_stmt *st = store_prepare(s, sql);
	if (st == NULL)
		return -1;
	int rc = sqlite3_step(st) == SQLITE_ROW ? 0 : -1;
	if (rc == 0)
		*out = (uint32_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc;
}

static struct store *
store_connect(const char *path, int flags, char *err, size_t errlen)
{
	struct store *s = calloc(1, sizeof(*s));
	if (s == NULL || strlen(path) >= sizeof(s->path)) {
		hsm_errf(err, errlen, "%s: cannot open", path);
		free(s);
		return NULL;
	}
	hsm_strlcpy(s->path, path, sizeof(s->path));
	if (sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		hsm_errf(err, errlen, "%s: %s", path,
		         s->db ? sqlite3_errmsg(s->db) : "cannot open");
		store_close(s);
		return NULL;
	}
	sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
	if (store_exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	                  "PRAGMA foreign_keys=ON;") != 0 ||
	    store_exec(s, schema_sql) != 0) {
		hsm_errf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
		store_close(s);
		return NULL;
	}
	return s;
}

struct store *
store_open(const char *path, char *err, size_t errlen)
{
	if (access(path, R_OK | W_OK) != 0) {
		hsm_errf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	return store_connect(path, SQLITE_OPEN_READWRITE, err, errlen);
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	sqlite3_close_v2(s->db);
	free(s);
}

int
store_begin(struct store *s)
{
	return store_exec(s, "BEGIN IMMEDIATE");
}

int
store_commit(struct store *s)
{
	if (store_exec(s, "COMMIT") == 0)
		return 0;
	store_rollback(s);
	return -1;
}

void
store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		(void)store_exec(s, "ROLLBACK");
}

int
store_meta_set(struct store *s, const char *key, const char *value)
{
	sqlite3_stmt *st = store_prepare(s, "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)");
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_TRANSIENT);
	return store_exec_stmt(s, st);
}

int
store_meta_get(struct store *s, const char *key, char *out, size_t outlen)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT value FROM meta WHERE key = ?");
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	int rc = -1, step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		if (v != NULL && strlen(v) < outlen) {
			hsm_strlcpy(out, v, outlen);
			rc = 0;
		}
	} else if (step == SQLITE_DONE) {
		rc = 1;
	}
	sqlite3_finalize(st);
	return rc;
}

int
store_identity_write(struct store *s, const struct store_identity *id)
{
	char num[16];
	snprintf(num, sizeof(num), "%u", id->node_id);
	return store_meta_set(s, "node_id", num) == 0 &&
	       store_meta_set(s, "cluster_id", id->cluster_id) == 0 &&
	       store_meta_set(s, "hsm_id", id->hsm_id) == 0 &&
	       (id->masking_domain[0] == '\0' ||
	        store_meta_set(s, "masking_domain", id->masking_domain) == 0) ? 0 : -1;
}

int
store_get_identity(struct store *s, struct store_identity *id)
{
	char num[16];
	unsigned long n;
	memset(id, 0, sizeof(*id));
	if (store_meta_get(s, "node_id", num, sizeof(num)) != 0 ||
	    !hsm_parse_uint(num, 0, CLUSTER_NODE_ID_MAX, &n) ||
	    store_meta_get(s, "cluster_id", id->cluster_id, sizeof(id->cluster_id)) != 0 ||
	    store_meta_get(s, "hsm_id", id->hsm_id, sizeof(id->hsm_id)) != 0 ||
	    store_meta_get(s, "masking_domain", id->masking_domain,
	                   sizeof(id->masking_domain)) < 0)
		return -1;
	id->node_id = (unsigned)n;
	return 0;
}

static int
add_initial_user(struct store *s, uint32_t id, hsm_user_type type,
                 const char *name, const char *password)
{
	struct store_user u = { .id = id, .type = type };
	hsm_strlcpy(u.name, name, sizeof(u.name));
	int rc = kdf_set_password(&u, password) == 0 ? store_user_insert(s, &u) : -1;
	OPENSSL_cleanse(&u, sizeof(u));
	return rc;
}

/* The appliance user's password is never used by anyone: make it random. */
static int
add_appliance_user(struct store *s)
{
	unsigned char raw[24];
	char pw[2 * sizeof(raw) + 1];
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return -1;
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(pw + 2 * i, 3, "%02x", raw[i]);
	int rc = add_initial_user(s, 2, HSM_USER_AU, "app_user", pw);
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(pw, sizeof(pw));
	return rc;
}

int
store_create(const char *path, const struct store_identity *id, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		hsm_errf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	close(fd);
	struct store *s = store_connect(path, SQLITE_OPEN_READWRITE, err, errlen);
	if (s == NULL) {
		unlink(path);
		return -1;
	}
	int rc = store_begin(s) == 0 && store_identity_write(s, id) == 0 &&
	         add_initial_user(s, 1, HSM_USER_PRECO, "admin", "password") == 0 &&
	         add_appliance_user(s) == 0 && store_commit(s) == 0 ? 0 : -1;
	if (rc != 0) {
		hsm_errf(err, errlen, "%s: cannot initialise: %s", path, sqlite3_errmsg(s->db));
		store_rollback(s);
	}
	store_close(s);
	if (rc != 0)
		unlink(path);
	return rc;
}

int
store_set_identity(const char *path, const struct store_identity *id,
                   char *err, size_t errlen)
{
	struct store *s = store_open(path, err, errlen);
	if (s == NULL)
		return -1;
	/* A restored image may be older than keys this node made since and
	 * cloned elsewhere: move the handle sequence well past them.  A
	 * missing row means the image predates the first key (sequence 1). */
	int rc = store_begin(s) == 0 && store_identity_write(s, id) == 0 &&
	         store_exec(s, "INSERT INTO meta(key, value) VALUES ('next_key_seq', 1 + "
	                       STORE_RESTORE_HANDLE_GAP ") ON CONFLICT(key) DO UPDATE SET "
	                       "value = CAST(value AS INTEGER) + " STORE_RESTORE_HANDLE_GAP) == 0 &&
	         store_commit(s) == 0 ? 0 : -1;
	if (rc != 0) {
		hsm_errf(err, errlen, "%s: cannot set identity: %s", path, sqlite3_errmsg(s->db));
		store_rollback(s);
	}
	store_close(s);
	return rc;
}

int
store_m_value_get(struct store *s, uint32_t service, uint32_t *m)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT m FROM m_values WHERE service = ?");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, service);
	int rc = sqlite3_step(st);
	*m = rc == SQLITE_ROW ? (uint32_t)sqlite3_column_int64(st, 0) : 1;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int
store_m_value_set(struct store *s, uint32_t service, uint32_t m)
{
	sqlite3_stmt *st = store_prepare(s,
		"INSERT INTO m_values(service, m) VALUES (?, ?)"
		" ON CONFLICT(service) DO UPDATE SET m = excluded.m");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, service);
	sqlite3_bind_int64(st, 2, m);
	return store_exec_stmt(s, st);
}

int
store_audit(struct store *s, const char *opcode, const char *user, hsm_rc response,
            const char *detail)
{
	sqlite3_stmt *st = store_prepare(s,
		"INSERT INTO audit(opcode, user, response, detail) VALUES (?, ?, ?, ?)");
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, opcode, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, user, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)response);
	sqlite3_bind_text(st, 4, detail, -1, SQLITE_STATIC);
	return store_exec_stmt(s, st);
}
