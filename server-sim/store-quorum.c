/* store-quorum.c - the quorum tables of a node: tokens and their approvals.
 * Callers hold the write transaction; every function here is one statement
 * or a few, so a token changes together with what it authorises. */
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"
#include "util.h"

#define TOKEN_COLUMNS "t.id, t.session, t.owner, coalesce(u.name, ''), t.service," \
	" t.key_handle, t.value, t.expires"
#define TOKEN_FROM " FROM quorum_tokens t LEFT JOIN users u ON u.id = t.owner"

int
store_token_count(struct store *s, uint32_t *count)
{
	return store_query_u32(s, "SELECT count(*) FROM quorum_tokens", count);
}

int
store_token_purge_expired(struct store *s, uint64_t now)
{
	sqlite3_stmt *st = store_prepare(s,
		"DELETE FROM quorum_tokens WHERE id = (SELECT id FROM quorum_tokens"
		" WHERE expires <= ? ORDER BY expires, id LIMIT 1)");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	if (store_exec_stmt(s, st) != 0)
		return -1;
	return sqlite3_changes(s->db) == 1 ? 0 : 1;
}

int
store_token_insert(struct store *s, struct store_token *t)
{
	sqlite3_stmt *st = store_prepare(s,
		"INSERT INTO quorum_tokens(session, owner, service, key_handle, value, expires)"
		" VALUES (?, ?, ?, ?, ?, ?)");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)t->session);
	sqlite3_bind_int64(st, 2, t->owner);
	sqlite3_bind_int64(st, 3, t->service);
	sqlite3_bind_int64(st, 4, t->key_handle);
	sqlite3_bind_blob(st, 5, t->value, sizeof(t->value), SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)t->expires);
	if (store_exec_stmt(s, st) != 0)
		return -1;
	t->id = (uint32_t)sqlite3_last_insert_rowid(s->db);
	return 0;
}

static void
token_from_row(sqlite3_stmt *st, struct store_token *t)
{
	memset(t, 0, sizeof(*t));
	t->id = (uint32_t)sqlite3_column_int64(st, 0);
	t->session = (uint64_t)sqlite3_column_int64(st, 1);
	t->owner = (uint32_t)sqlite3_column_int64(st, 2);
	const char *name = (const char *)sqlite3_column_text(st, 3);
	hsm_strlcpy(t->owner_name, name ? name : "", sizeof(t->owner_name));
	t->service = (uint32_t)sqlite3_column_int64(st, 4);
	t->key_handle = (uint32_t)sqlite3_column_int64(st, 5);
	const void *v = sqlite3_column_blob(st, 6);
	if (v != NULL && sqlite3_column_bytes(st, 6) == (int)sizeof(t->value))
		memcpy(t->value, v, sizeof(t->value));
	t->expires = (uint64_t)sqlite3_column_int64(st, 7);
}

static int
approvals_read(struct store *s, struct store_token *t)
{
	sqlite3_stmt *st = store_prepare(s,
		"SELECT user_id, name FROM quorum_approvals WHERE token = ? ORDER BY seq");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, t->id);
	int rc;
	t->napprovals = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	       t->napprovals < HSM_QUORUM_MAX_APPROVALS) {
		const char *name = (const char *)sqlite3_column_text(st, 1);
		t->approver_ids[t->napprovals] = (uint32_t)sqlite3_column_int64(st, 0);
		hsm_strlcpy(t->approvers[t->napprovals], name ? name : "",
		            sizeof(t->approvers[0]));
		t->napprovals++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

int
store_token_get(struct store *s, uint32_t id, struct store_token *t)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT " TOKEN_COLUMNS TOKEN_FROM " WHERE t.id = ?");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		token_from_row(st, t);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 1;
	if (rc != SQLITE_ROW)
		return -1;
	return approvals_read(s, t);
}

int
store_token_list(struct store *s, uint64_t session, struct store_token **out, size_t *n)
{
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st = store_prepare(s,
		"SELECT " TOKEN_COLUMNS TOKEN_FROM " WHERE t.session = ? ORDER BY t.id");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)session);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			size_t ncap = cap ? 2 * cap : 8;
			struct store_token *grown = realloc(*out, ncap * sizeof(**out));
			if (grown == NULL)
				break;
			*out = grown;
			cap = ncap;
		}
		token_from_row(st, &(*out)[(*n)++]);
	}
	sqlite3_finalize(st);
	int result = rc == SQLITE_DONE ? 0 : -1;
	for (size_t i = 0; result == 0 && i < *n; i++)
		result = approvals_read(s, &(*out)[i]);
	if (result != 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return result;
}

int
store_token_set_approvals(struct store *s, const struct store_token *t)
{
	sqlite3_stmt *st = store_prepare(s, "DELETE FROM quorum_approvals WHERE token = ?");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, t->id);
	if (store_exec_stmt(s, st) != 0)
		return -1;
	for (uint32_t i = 0; i < t->napprovals && i < HSM_QUORUM_MAX_APPROVALS; i++) {
		st = store_prepare(s, "INSERT INTO quorum_approvals(token, seq, user_id, name)"
		                      " VALUES (?, ?, ?, ?)");
		if (st == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, t->id);
		sqlite3_bind_int64(st, 2, i);
		sqlite3_bind_int64(st, 3, t->approver_ids[i]);
		sqlite3_bind_text(st, 4, t->approvers[i], -1, SQLITE_STATIC);
		if (store_exec_stmt(s, st) != 0)
			return -1;
	}
	return 0;
}

int
store_token_find_approved(struct store *s, uint64_t session, uint32_t service,
                          uint32_t needed, uint64_t now, uint32_t *id, bool *expired)
{
	sqlite3_stmt *st = store_prepare(s,
		"SELECT t.id, t.expires FROM quorum_tokens t WHERE t.session = ? AND t.service = ?"
		" AND (SELECT count(*) FROM quorum_approvals a WHERE a.token = t.id) >= ?"
		" ORDER BY t.id");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)session);
	sqlite3_bind_int64(st, 2, service);
	sqlite3_bind_int64(st, 3, needed);
	int rc, found = 1;
	*expired = false;
	while (found == 1 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((uint64_t)sqlite3_column_int64(st, 1) > now) {
			*id = (uint32_t)sqlite3_column_int64(st, 0);
			found = 0;
		} else {
			*expired = true;
		}
	}
	if (found == 1 && rc != SQLITE_DONE)
		found = -1;
	sqlite3_finalize(st);
	return found;
}

int
store_token_delete(struct store *s, uint32_t id)
{
	sqlite3_stmt *st = store_prepare(s, "DELETE FROM quorum_tokens WHERE id = ?");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return store_exec_stmt(s, st);
}

int
store_token_delete_session(struct store *s, uint64_t session, unsigned *removed)
{
	sqlite3_stmt *st = store_prepare(s, "DELETE FROM quorum_tokens WHERE session = ?");
	*removed = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)session);
	if (store_exec_stmt(s, st) != 0)
		return -1;
	*removed = (unsigned)sqlite3_changes(s->db);
	return 0;
}

int
store_token_delete_all(struct store *s)
{
	return store_exec(s, "DELETE FROM quorum_tokens");
}

int
store_officer_count(struct store *s, uint32_t *count)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT count(*) FROM users WHERE type IN (?, ?)");
	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, HSM_USER_CO);
	sqlite3_bind_int(st, 2, HSM_USER_PCO);
	int rc = sqlite3_step(st) == SQLITE_ROW ? 0 : -1;
	if (rc == 0)
		*count = (uint32_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc;
}
