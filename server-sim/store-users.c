/* store-users.c - the users table of a node.
 * Names are unique without regard to case; ids grow and are never guessed. */
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"
#include "util.h"

#define USER_COLUMNS "id, name, type, salt, iterations, hash, failures, " \
	"mofn_pubkey, two_factor"

static void
copy_blob(sqlite3_stmt *st, int col, uint8_t *out, size_t outlen)
{
	const void *p = sqlite3_column_blob(st, col);
	size_t n = (size_t)sqlite3_column_bytes(st, col);
	memset(out, 0, outlen);
	if (p != NULL)
		memcpy(out, p, n < outlen ? n : outlen);
}

static void
user_from_row(sqlite3_stmt *st, struct store_user *u)
{
	memset(u, 0, sizeof(*u));
	u->id = (uint32_t)sqlite3_column_int64(st, 0);
	const char *name = (const char *)sqlite3_column_text(st, 1);
	hsm_strlcpy(u->name, name ? name : "", sizeof(u->name));
	u->type = (hsm_user_type)sqlite3_column_int(st, 2);
	copy_blob(st, 3, u->salt, sizeof(u->salt));
	u->iterations = (uint32_t)sqlite3_column_int64(st, 4);
	copy_blob(st, 5, u->hash, sizeof(u->hash));
	u->failures = (uint32_t)sqlite3_column_int64(st, 6);
	size_t keylen = (size_t)sqlite3_column_bytes(st, 7);
	if (keylen <= sizeof(u->pubkey)) {
		copy_blob(st, 7, u->pubkey, sizeof(u->pubkey));
		u->pubkey_len = (uint32_t)keylen;
	}
	u->mofn_pubkey = u->pubkey_len > 0;
	u->two_factor = sqlite3_column_int(st, 8) != 0;
}

/* Steps a one-row query: 0 found, 1 none, -1 error. */
static int
user_query_one(struct store *s, sqlite3_stmt *st, struct store_user *u)
{
	if (st == NULL)
		return -1;
	int rc = sqlite3_step(st);
	int result = -1;
	if (rc == SQLITE_ROW) {
		user_from_row(st, u);
		result = 0;
	} else if (rc == SQLITE_DONE) {
		result = 1;
	} else {
		store_log_error(s, "user query");
	}
	sqlite3_finalize(st);
	return result;
}

int
store_user_find(struct store *s, const char *name, struct store_user *u)
{
	sqlite3_stmt *st = store_prepare(s,
		"SELECT " USER_COLUMNS " FROM users WHERE name = ? COLLATE NOCASE");
	if (st != NULL)
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	return user_query_one(s, st, u);
}

int
store_user_get(struct store *s, uint32_t id, struct store_user *u)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT " USER_COLUMNS " FROM users WHERE id = ?");
	if (st != NULL)
		sqlite3_bind_int64(st, 1, id);
	return user_query_one(s, st, u);
}

int
store_user_count(struct store *s, uint32_t *count)
{
	return store_query_u32(s, "SELECT count(*) FROM users", count);
}

int
store_user_list(struct store *s, hsm_user_list *out)
{
	uint32_t count;
	memset(out, 0, sizeof(*out));
	if (store_user_count(s, &count) != 0)
		return -1;
	out->users = calloc(count ? count : 1, sizeof(*out->users));
	sqlite3_stmt *st = store_prepare(s, "SELECT " USER_COLUMNS " FROM users ORDER BY id");
	if (out->users == NULL || st == NULL) {
		sqlite3_finalize(st);
		hsm_user_list_free(out);
		return -1;
	}
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && out->count < count) {
		struct store_user u;
		user_from_row(st, &u);
		hsm_user_info *i = &out->users[out->count++];
		i->id = u.id;
		i->type = u.type;
		hsm_strlcpy(i->name, u.name, sizeof(i->name));
		i->mofn_pubkey = u.mofn_pubkey;
		i->login_failures = u.failures;
		i->two_factor = u.two_factor;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		store_log_error(s, "list users");
		hsm_user_list_free(out);
		return -1;
	}
	return 0;
}

int
store_user_insert(struct store *s, struct store_user *u)
{
	if (u->id == 0) {
		sqlite3_stmt *st = store_prepare(s, "SELECT coalesce(max(id), 0) + 1 FROM users");
		if (st == NULL || sqlite3_step(st) != SQLITE_ROW) {
			sqlite3_finalize(st);
			return -1;
		}
		u->id = (uint32_t)sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_stmt *st = store_prepare(s,
		"INSERT INTO users(id, name, type, salt, iterations, hash, failures,"
		" mofn_pubkey, two_factor) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, u->id);
	sqlite3_bind_text(st, 2, u->name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, (int)u->type);
	sqlite3_bind_blob(st, 4, u->salt, sizeof(u->salt), SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, u->iterations);
	sqlite3_bind_blob(st, 6, u->hash, sizeof(u->hash), SQLITE_STATIC);
	if (u->pubkey_len > 0 && u->pubkey_len <= sizeof(u->pubkey))
		sqlite3_bind_blob(st, 7, u->pubkey, (int)u->pubkey_len, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 7);
	sqlite3_bind_int(st, 8, u->two_factor && u->pubkey_len > 0);
	return store_exec_stmt(s, st);
}

/* 0 deleted, 1 no such user, -1 error. */
int
store_user_delete(struct store *s, uint32_t id)
{
	sqlite3_stmt *st = store_prepare(s, "DELETE FROM users WHERE id = ?");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (store_exec_stmt(s, st) != 0)
		return -1;
	return sqlite3_changes(s->db) == 1 ? 0 : 1;
}

int
store_user_set_password(struct store *s, const struct store_user *u)
{
	sqlite3_stmt *st = store_prepare(s,
		"UPDATE users SET type = ?, salt = ?, iterations = ?, hash = ?, failures = 0"
		" WHERE id = ?");
	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, (int)u->type);
	sqlite3_bind_blob(st, 2, u->salt, sizeof(u->salt), SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, u->iterations);
	sqlite3_bind_blob(st, 4, u->hash, sizeof(u->hash), SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, u->id);
	return store_exec_stmt(s, st);
}

int
store_user_set_failures(struct store *s, uint32_t id, uint32_t failures)
{
	sqlite3_stmt *st = store_prepare(s, "UPDATE users SET failures = ? WHERE id = ?");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, failures);
	sqlite3_bind_int64(st, 2, id);
	return store_exec_stmt(s, st);
}

int
store_user_set_pubkey(struct store *s, uint32_t id, const uint8_t *der, size_t len,
                      bool two_factor)
{
	if (len > STORE_PUBKEY_MAX || (len > 0 && der == NULL))
		return -1;
	sqlite3_stmt *st = store_prepare(s,
		"UPDATE users SET mofn_pubkey = ?, two_factor = ? WHERE id = ?");
	if (st == NULL)
		return -1;
	if (len > 0)
		sqlite3_bind_blob(st, 1, der, (int)len, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_int(st, 2, two_factor && len > 0);
	sqlite3_bind_int64(st, 3, id);
	if (store_exec_stmt(s, st) != 0)
		return -1;
	return sqlite3_changes(s->db) == 1 ? 0 : 1;
}

int
store_user_owns_keys(struct store *s, uint32_t id, bool *owns)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT EXISTS(SELECT 1 FROM keys WHERE owner = ?)");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st) == SQLITE_ROW ? 0 : -1;
	if (rc == 0)
		*owns = sqlite3_column_int(st, 0) != 0;
	sqlite3_finalize(st);
	return rc;
}
