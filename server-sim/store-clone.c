/* store-clone.c - turning a copy of another cluster's node database into a
 * node of a clone (hsm-sim init --from-backup), and the handle window it keeps. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "mask.h"
#include "store-internal.h"
#include "util.h"

#define SEQ_LIMIT (UINT32_C(1) << HSM_HANDLE_NODE_SHIFT)

static int
meta_u32(struct store *s, const char *key, uint32_t dflt, uint32_t *out)
{
	char text[16];
	unsigned long v;
	int rc = store_meta_get(s, key, text, sizeof(text));
	if (rc < 0 || (rc == 0 && !hsm_parse_uint(text, 0, SEQ_LIMIT, &v)))
		return -1;
	*out = rc == 1 ? dflt : (uint32_t)v;
	return 0;
}

static int
meta_put_u32(struct store *s, const char *key, uint32_t v)
{
	char text[16];
	snprintf(text, sizeof(text), "%" PRIu32, v);
	return store_meta_set(s, key, text);
}

int
store_key_seq_unused(struct store *s, uint32_t seq, bool *unused)
{
	uint32_t next, from, to;
	if (meta_u32(s, "next_key_seq", 1, &next) != 0 ||
	    meta_u32(s, "clone_window_start", 0, &from) != 0 ||
	    meta_u32(s, "clone_window_end", 0, &to) != 0)
		return -1;
	*unused = seq >= next || (seq >= from && seq < to);
	return 0;
}

/* The first sequence number this node may call its own: past the copied
 * database's sequence and past every handle of node_id it already holds
 * (keys the source's node of that id made, cloned to the backed-up node). */
static int
clone_base(struct store *s, unsigned node_id, uint32_t *base)
{
	uint32_t next;
	sqlite3_stmt *st = store_prepare(s,
		"SELECT MAX(handle & ?) FROM keys WHERE (handle >> ?) = ?");
	if (st == NULL || meta_u32(s, "next_key_seq", 1, &next) != 0) {
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_bind_int64(st, 1, SEQ_LIMIT - 1);
	sqlite3_bind_int(st, 2, HSM_HANDLE_NODE_SHIFT);
	sqlite3_bind_int64(st, 3, node_id);
	int rc = sqlite3_step(st) == SQLITE_ROW ? 0 : -1;
	if (rc == 0 && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		uint32_t top = (uint32_t)sqlite3_column_int64(st, 0);
		if (top + 1 > next)
			next = top + 1;
	}
	sqlite3_finalize(st);
	*base = next;
	return rc;
}

/* Keys made from now on take sequence numbers from base + gap; the source
 * keeps [base, base + gap) and its keys may come in with those handles. */
static int
set_window(struct store *s, unsigned node_id, uint32_t gap, char *err, size_t errlen)
{
	uint32_t base;
	if (clone_base(s, node_id, &base) != 0) {
		hsm_errf(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
		return -1;
	}
	if (gap >= SEQ_LIMIT || base >= SEQ_LIMIT - gap) {
		hsm_errf(err, errlen, "%s: the key handle sequence is too far along to clone "
		         "(next %" PRIu32 ", room for fewer than %" PRIu32 " more)", s->path, base, gap);
		return -1;
	}
	if (meta_put_u32(s, "clone_window_start", base) != 0 ||
	    meta_put_u32(s, "clone_window_end", base + gap) != 0 ||
	    meta_put_u32(s, "next_key_seq", base + gap) != 0) {
		hsm_errf(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

/* Each node of the clone has its own storage key: every key is opened with
 * the source node's and sealed again with the new one. */
static int
reseal_keys(struct store *s, const uint8_t old_skey[32], const uint8_t new_skey[32])
{
	const struct store_key_rewrite rw = { .from_skey = old_skey, .to_skey = new_skey };
	return store_key_rewrite(s, &rw);
}

/* The copy must say it comes from the cluster the backup file names; the
 * clone inherits its masking domain. */
static int
take_domain(struct store *s, struct store_identity *id, const char *source_cluster,
            char *err, size_t errlen)
{
	struct store_identity old;
	if (store_get_identity(s, &old) != 0 || strcmp(old.cluster_id, source_cluster) != 0) {
		hsm_errf(err, errlen, "%s: the backed-up database is not a node of cluster %s",
		         s->path, source_cluster);
		return -1;
	}
	hsm_strlcpy(id->masking_domain, mask_domain(&old), sizeof(id->masking_domain));
	return 0;
}

int
store_make_clone(const char *path, struct store_identity *id, const char *source_cluster,
                 const uint8_t old_skey[32], const uint8_t new_skey[32],
                 uint32_t gap, char *err, size_t errlen)
{
	struct store *s = store_open(path, err, errlen);
	if (s == NULL)
		return -1;
	int rc = -1;
	if (store_begin(s) != 0)
		hsm_errf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
	else if (take_domain(s, id, source_cluster, err, errlen) != 0 ||
	         set_window(s, id->node_id, gap, err, errlen) != 0)
		;   /* err says why */
	else if (store_identity_write(s, id) != 0)
		hsm_errf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
	else if (reseal_keys(s, old_skey, new_skey) != 0)
		hsm_errf(err, errlen, "%s: a stored key does not open with the backup's "
		         "storage key", path);
	else if (store_commit(s) != 0)
		hsm_errf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
	else
		rc = 0;
	store_rollback(s);
	store_close(s);
	return rc;
}
