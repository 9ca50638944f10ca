/* store-keys.c - token keys in the node database. Key material is sealed
 * with AES-256-GCM under the node's storage key, bound to the key handle. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "mask.h"
#include "proto.h"
#include "store-internal.h"
#include "util.h"

#define KEY_COLUMNS "handle, owner, class, key_type, label, key_id, flags, " \
	"value_len, kcv, m_value"

static int
compare_ids(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* The material is sealed with everything else about the key in its
 * authenticated context, so an edited row (owner, flags, sharing...) no
 * longer opens. Shares are sorted: the database returns them ordered. */
static int
material_context(char *ctx, size_t n, const struct key_obj *k)
{
	uint32_t shares[HSM_MAX_SHARES];
	uint8_t md[32];
	unsigned int mdlen = 0;
	struct hbuf b;
	hbuf_init(&b);
	const uint32_t fields[] = { k->handle, k->owner, k->key_class, k->key_type,
	                            k->flags, k->value_len, k->m_value };
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		hbuf_put_u32(&b, fields[i]);
	hbuf_put_str(&b, k->label);
	hbuf_put_str(&b, k->id);
	hbuf_put_raw(&b, k->kcv, sizeof(k->kcv));
	memcpy(shares, k->shares, k->nshares * sizeof(shares[0]));
	qsort(shares, k->nshares, sizeof(shares[0]), compare_ids);
	msg_user_ids_encode(&b, shares, k->nshares);
	int rc = !b.failed && EVP_Digest(b.data, b.len, md, &mdlen, EVP_sha256(), NULL) == 1
	         ? 0 : -1;
	hbuf_free(&b);
	if (rc != 0)
		return -1;
	int w = snprintf(ctx, n, "key handle %u meta ", k->handle);
	for (unsigned int i = 0; i < mdlen && w > 0 && (size_t)w + 2 < n; i++)
		w += snprintf(ctx + w, n - (size_t)w, "%02x", md[i]);
	return 0;
}

/* A column read back must be exactly what was stored: a value that does
 * not fit (wider than 32 bits, a label cut short, an embedded NUL) would
 * otherwise alias the sealed original and open as it. */
static bool
column_u32(sqlite3_stmt *st, int col, uint32_t *out)
{
	sqlite3_int64 v = sqlite3_column_int64(st, col);
	*out = (uint32_t)v;
	return sqlite3_column_type(st, col) == SQLITE_INTEGER && v >= 0 && v <= UINT32_MAX;
}

static bool
column_text(sqlite3_stmt *st, int col, char *out, size_t size)
{
	const char *text = (const char *)sqlite3_column_text(st, col);
	size_t len = (size_t)sqlite3_column_bytes(st, col);
	if (text == NULL || len >= size || strlen(text) != len)
		return false;
	memcpy(out, text, len + 1);
	return true;
}

static int
key_from_row(sqlite3_stmt *st, struct key_obj *k)
{
	memset(k, 0, sizeof(*k));
	const void *kcv = sqlite3_column_blob(st, 8);
	bool ok = column_u32(st, 0, &k->handle) && column_u32(st, 1, &k->owner) &&
	          column_u32(st, 2, &k->key_class) && column_u32(st, 3, &k->key_type) &&
	          column_text(st, 4, k->label, sizeof(k->label)) &&
	          column_text(st, 5, k->id, sizeof(k->id)) &&
	          column_u32(st, 6, &k->flags) && column_u32(st, 7, &k->value_len) &&
	          kcv != NULL && sqlite3_column_bytes(st, 8) == (int)sizeof(k->kcv) &&
	          column_u32(st, 9, &k->m_value);
	if (!ok) {
		log_error("key row %lld: a column does not hold a valid value (altered row?)",
		          (long long)sqlite3_column_int64(st, 0));
		return -1;
	}
	memcpy(k->kcv, kcv, sizeof(k->kcv));
	return 0;
}

static int
load_shares(struct store *s, struct key_obj *k)
{
	sqlite3_stmt *st = store_prepare(s,
		"SELECT user_id FROM key_shares WHERE handle = ? ORDER BY user_id");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, k->handle);
	int rc;
	k->nshares = 0;
	bool ok = true;
	while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW && k->nshares < HSM_MAX_SHARES)
		ok = column_u32(st, 0, &k->shares[k->nshares++]);
	sqlite3_finalize(st);
	return ok && (rc == SQLITE_DONE || rc == SQLITE_ROW) ? 0 : -1;
}

static int
load_material(struct store *s, const uint8_t skey[32], struct key_obj *k)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT material FROM keys WHERE handle = ?");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, k->handle);
	int rc = -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		char ctx[128];
		struct hbuf plain;
		hbuf_init(&plain);
		const uint8_t *blob = sqlite3_column_blob(st, 0);
		size_t n = (size_t)sqlite3_column_bytes(st, 0);
		if (blob != NULL && material_context(ctx, sizeof(ctx), k) == 0 &&
		    mask_open(skey, "stored key", ctx, blob, n, &plain) == 0)
			rc = key_obj_set_material(k, plain.data, plain.len);
		else
			log_error("%s: key %u: stored key does not authenticate (altered row?)", s->path,
			          k->handle);
		hbuf_free(&plain);
	}
	sqlite3_finalize(st);
	return rc;
}

int
store_key_get(struct store *s, const uint8_t skey[32], uint32_t handle,
              struct key_obj *k, bool with_material)
{
	memset(k, 0, sizeof(*k));
	sqlite3_stmt *st = store_prepare(s, "SELECT " KEY_COLUMNS " FROM keys WHERE handle = ?");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, handle);
	int rc = sqlite3_step(st);
	bool row_ok = rc == SQLITE_ROW && key_from_row(st, k) == 0;
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 1;
	if (!row_ok || load_shares(s, k) != 0 ||
	    (with_material && load_material(s, skey, k) != 0)) {
		key_obj_clear(k);
		return -1;
	}
	return 0;
}

int
store_key_list(struct store *s, struct key_obj **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	uint32_t count;
	if (store_key_count(s, &count) != 0)
		return -1;
	struct key_obj *keys = calloc(count ? count : 1, sizeof(*keys));
	sqlite3_stmt *st = store_prepare(s, "SELECT " KEY_COLUMNS " FROM keys ORDER BY handle");
	if (keys == NULL || st == NULL) {
		free(keys);
		sqlite3_finalize(st);
		return -1;
	}
	size_t got = 0;
	/* A row that does not read back exactly would not open either: leave
	 * it out of the listing rather than show it under an aliased value. */
	while (got < count && sqlite3_step(st) == SQLITE_ROW)
		if (key_from_row(st, &keys[got]) == 0)
			got++;
	sqlite3_finalize(st);
	for (size_t i = 0; i < got; i++)
		if (load_shares(s, &keys[i]) != 0) {
			free(keys);
			return -1;
		}
	*out = keys;
	*n = got;
	return 0;
}

int
store_key_count(struct store *s, uint32_t *count)
{
	return store_query_u32(s, "SELECT count(*) FROM keys", count);
}

/* A key pair is made as public handle h, private h + 1: the only two keys
 * that may share an id. */
static bool
pair_partner(uint32_t cls, uint32_t handle, uint32_t other_cls, uint32_t other)
{
	return handle != 0 && ((cls == HSM_CLASS_PRIVATE && other_cls == HSM_CLASS_PUBLIC && other + 1 == handle) ||
	       (cls == HSM_CLASS_PUBLIC && other_cls == HSM_CLASS_PRIVATE && handle + 1 == other));
}

int
store_key_id_taken(struct store *s, const char *id, uint32_t key_class, uint32_t handle,
                   bool *taken)
{
	sqlite3_stmt *st = store_prepare(s,
		"SELECT handle, class FROM keys WHERE key_id = ? AND handle <> ?");
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, handle);
	int rc;
	*taken = false;
	while (!*taken && (rc = sqlite3_step(st)) == SQLITE_ROW)
		*taken = !pair_partner(key_class, handle, (uint32_t)sqlite3_column_int64(st, 1),
		                       (uint32_t)sqlite3_column_int64(st, 0));
	if (!*taken && rc != SQLITE_DONE)
		store_log_error(s, "key id lookup");
	sqlite3_finalize(st);
	return *taken || rc == SQLITE_DONE ? 0 : -1;
}

/* Handles are node id << 18 | a per-node sequence that never goes back, so
 * nodes never hand out the same handle and clones keep theirs. */
int
store_key_next_handle(struct store *s, unsigned node_id, uint32_t *handle)
{
	sqlite3_stmt *st = store_prepare(s,
		"SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'next_key_seq'");
	if (st == NULL)
		return -1;
	int64_t seq = 1;
	if (sqlite3_step(st) == SQLITE_ROW)
		seq = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (seq < 1 || seq >= (1 << HSM_HANDLE_NODE_SHIFT))
		return -1;
	sqlite3_stmt *up = store_prepare(s,
		"INSERT OR REPLACE INTO meta(key, value) VALUES ('next_key_seq', ?)");
	if (up == NULL)
		return -1;
	sqlite3_bind_int64(up, 1, seq + 1);
	if (store_exec_stmt(s, up) != 0)
		return -1;
	*handle = ((uint32_t)node_id << HSM_HANDLE_NODE_SHIFT) | (uint32_t)seq;
	return 0;
}

static int
put_shares(struct store *s, const struct key_obj *k)
{
	sqlite3_stmt *del = store_prepare(s, "DELETE FROM key_shares WHERE handle = ?");
	if (del == NULL)
		return -1;
	sqlite3_bind_int64(del, 1, k->handle);
	if (store_exec_stmt(s, del) != 0)
		return -1;
	for (uint32_t i = 0; i < k->nshares; i++) {
		sqlite3_stmt *st = store_prepare(s,
			"INSERT INTO key_shares(handle, user_id) VALUES (?, ?)");
		if (st == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, k->handle);
		sqlite3_bind_int64(st, 2, k->shares[i]);
		if (store_exec_stmt(s, st) != 0)
			return -1;
	}
	return 0;
}

static int
seal_material(const uint8_t skey[32], const struct key_obj *k, struct hbuf *sealed)
{
	char ctx[128];
	if (material_context(ctx, sizeof(ctx), k) != 0)
		return -1;
	return mask_seal(skey, "stored key", ctx, k->material, k->material_len, sealed);
}

int
store_key_put(struct store *s, const uint8_t skey[32], const struct key_obj *k)
{
	struct hbuf sealed;
	hbuf_init(&sealed);
	if (k->material == NULL || seal_material(skey, k, &sealed) != 0)
		return -1;
	sqlite3_stmt *st = store_prepare(s,
		"INSERT OR REPLACE INTO keys(" KEY_COLUMNS ", material)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	int rc = -1;
	if (st != NULL) {
		sqlite3_bind_int64(st, 1, k->handle);
		sqlite3_bind_int64(st, 2, k->owner);
		sqlite3_bind_int64(st, 3, k->key_class);
		sqlite3_bind_int64(st, 4, k->key_type);
		sqlite3_bind_text(st, 5, k->label, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, k->id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 7, k->flags);
		sqlite3_bind_int64(st, 8, k->value_len);
		sqlite3_bind_blob(st, 9, k->kcv, sizeof(k->kcv), SQLITE_STATIC);
		sqlite3_bind_int64(st, 10, k->m_value);
		sqlite3_bind_blob(st, 11, sealed.data, (int)sealed.len, SQLITE_STATIC);
		rc = store_exec_stmt(s, st) == 0 ? put_shares(s, k) : -1;
	}
	hbuf_free(&sealed);
	return rc;
}

int
store_key_delete(struct store *s, uint32_t handle)
{
	sqlite3_stmt *st = store_prepare(s, "DELETE FROM keys WHERE handle = ?");
	if (st != NULL)
		sqlite3_bind_int64(st, 1, handle);
	return store_exec_stmt(s, st);
}

int
store_key_rewrite(struct store *s, const struct store_key_rewrite *rw)
{
	struct key_obj *keys;
	size_t n;
	if (store_key_list(s, &keys, &n) != 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct key_obj k;
		if (rw->select != NULL && !rw->select(&keys[i], rw->arg))
			continue;
		rc = store_key_get(s, rw->from_skey, keys[i].handle, &k, true) == 0 ? 0 : -1;
		if (rc == 0 && rw->edit != NULL)
			rw->edit(&k, rw->arg);
		if (rc == 0)
			rc = store_key_put(s, rw->to_skey, &k);
		key_obj_clear(&k);
	}
	for (size_t i = 0; i < n; i++)
		key_obj_clear(&keys[i]);
	free(keys);
	return rc;
}

static bool
shared_with(const struct key_obj *k, void *user)
{
	return key_shared_with(k, *(const uint32_t *)user);
}

static void
drop_share(struct key_obj *k, void *user)
{
	for (uint32_t j = 0; j < k->nshares; j++)
		if (k->shares[j] == *(const uint32_t *)user)
			k->shares[j--] = k->shares[--k->nshares];
}

/* Inside a write transaction: every key shared with user stops being shared
 * with it, resealed with its new sharing (deleteUser). */
int
store_key_unshare_user(struct store *s, const uint8_t skey[32], uint32_t user)
{
	const struct store_key_rewrite rw = {
		.from_skey = skey, .to_skey = skey,
		.select = shared_with, .edit = drop_share, .arg = &user,
	};
	return store_key_rewrite(s, &rw);
}
