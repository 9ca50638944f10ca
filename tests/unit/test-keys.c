/* test-keys.c - the simulator's key layer on a real node database: key rows and
 * their sealing, handles, ID rules and the key service (keys.c).  Key
 * generation is in test-keygen.c. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "cu-db.h"
#include "cu-util.h"
#include "keygen.h"
#include "keys.h"
#include "server.h"
#include "store.h"
#include "util.h"

#define NODE_ID 1u
/* doc/storage.md section 4: handle = node id << 18 | seq, seq 1 ... 262,143,
 * and a restore moves the sequence on by 8,192. */
#define H(node_id, seq) (((uint32_t)(node_id) << 18) | (uint32_t)(seq))
#define SEQ_LAST 262143u
#define RESTORE_GAP 8192u
#define MAX_KEYS 3300u          /* limits.md: keys per cluster */
#define SEAL_OVERHEAD (12u + 16u)  /* GCM nonce and tag around the material */
#define MAX_TEST_SESSIONS 8

/* Users planted in the template database (admin is 1, app_user 2). */
enum { ALICE = 3, BOB = 4, CAROL = 5, OFFICER = 6, NOBODY = 77 };

static const uint8_t storage_key[32] = {
	0x73, 0x74, 0x6f, 0x72, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14,
	0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c,
};

/* ---- fixture: a node, its database, and sessions ------------------------- */

static char *tmpdir;
static char *template_dir;
static struct node node;
static struct store *st;             /* the test's own connection */
static struct session *sessions[MAX_TEST_SESSIONS];

static int
plant_user(struct store *s, const char *name, hsm_user_type type, uint32_t want_id)
{
	struct store_user u;
	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "%s", name);
	u.type = type;
	u.iterations = 1;
	return store_user_insert(s, &u) == 0 && u.id == want_id ? 0 : -1;
}

/* store_create() hashes two passwords slowly: made once, copied per test. */
static int
suite_init(void)
{
	char err[512] = "";
	if (template_dir != NULL)
		return 0;
	const struct store_identity id = { NODE_ID, "cluster-keys", "hsm-keys0000001" };
	template_dir = cu_mkdtemp("keys-template");
	char *path = template_dir ? cu_path(template_dir, STORE_FILE) : NULL;
	struct store *s = NULL;
	int rc = path != NULL && store_create(path, &id, err, sizeof(err)) == 0 &&
	         (s = store_open(path, err, sizeof(err))) != NULL &&
	         plant_user(s, "alice", HSM_USER_CU, ALICE) == 0 &&
	         plant_user(s, "bob", HSM_USER_CU, BOB) == 0 &&
	         plant_user(s, "carol", HSM_USER_CU, CAROL) == 0 &&
	         plant_user(s, "officer", HSM_USER_CO, OFFICER) == 0 ? 0 : -1;
	if (rc != 0)
		printf("template: %s\n", err);
	store_close(s);
	free(path);
	return rc;
}

static void
setup(void)
{
	char err[512] = "";
	memset(&node, 0, sizeof(node));
	memset(sessions, 0, sizeof(sessions));
	st = NULL;
	tmpdir = cu_mkdtemp("keys");
	if (tmpdir == NULL)
		return;
	node.id = NODE_ID;
	node.identity.node_id = NODE_ID;
	snprintf(node.db_path, sizeof(node.db_path), "%s/%s", tmpdir, STORE_FILE);
	memcpy(node.storage_key, storage_key, sizeof(storage_key));
	char *tpl = cu_path(template_dir, STORE_FILE);
	if (tpl == NULL || cu_copy_file(tpl, node.db_path) != 0 ||
	    (st = store_open(node.db_path, err, sizeof(err))) == NULL)
		printf("fixture: %s\n", err);
	free(tpl);
}

static void
sess_close(struct session *s)
{
	if (s == NULL)
		return;
	keys_session_drop(s);
	store_close(s->store);
	free(s);
}

static void
teardown(void)
{
	for (size_t i = 0; i < MAX_TEST_SESSIONS; i++) {
		sess_close(sessions[i]);
		sessions[i] = NULL;
	}
	store_close(st);
	st = NULL;
	cu_rmtree(tmpdir);
	tmpdir = NULL;
}

/* A logged-in session of user on its own connection; closed by teardown. */
static struct session *
sess_as(uint32_t user, hsm_user_type type)
{
	char err[512] = "";
	size_t slot = 0;
	while (slot < MAX_TEST_SESSIONS && sessions[slot] != NULL)
		slot++;
	struct session *s = slot < MAX_TEST_SESSIONS ? calloc(1, sizeof(*s)) : NULL;
	if (s == NULL)
		return NULL;
	s->node = &node;
	s->fd = -1;
	s->logged_in = true;
	s->user_id = user;
	s->user_type = type;
	if ((s->store = store_open(node.db_path, err, sizeof(err))) == NULL) {
		printf("session: %s\n", err);
		free(s);
		return NULL;
	}
	sessions[slot] = s;
	return s;
}

/* ---- key helpers --------------------------------------------------------- */

/* A fresh AES key (random material) owned by owner, default attributes. */
static int
make_aes(struct key_obj *k, uint32_t owner, size_t len)
{
	uint8_t raw[32];
	memset(k, 0, sizeof(*k));
	k->key_type = HSM_KEY_AES;
	k->owner = owner;
	int rc = len <= sizeof(raw) && RAND_bytes(raw, (int)len) == 1 &&
	         key_fill_secret(k, raw, len) == 0 ? 0 : -1;
	key_default_flags(k, true, true, true);
	return rc;
}

/* An EC P-256 pair (curve id 2) owned by owner with the given id. */
static int
make_ec_pair(struct key_obj *pub, struct key_obj *priv, uint32_t owner, const char *id)
{
	struct msg_key_template t;
	memset(&t, 0, sizeof(t));
	memset(pub, 0, sizeof(*pub));
	memset(priv, 0, sizeof(*priv));
	t.key_type = HSM_KEY_EC;
	t.curve_id = 2;
	if (keygen_pair(&t, pub, priv) != HSM_RC_SUCCESS)
		return -1;
	key_default_flags(pub, true, true, true);
	key_default_flags(priv, true, true, true);
	pub->owner = priv->owner = owner;
	snprintf(pub->id, sizeof(pub->id), "%s", id);
	snprintf(priv->id, sizeof(priv->id), "%s", id);
	return 0;
}

/* Stores k under its own handle in one transaction. */
static int
put_at(struct key_obj *k, uint32_t handle)
{
	k->handle = handle;
	if (store_begin(st) != 0)
		return -1;
	int rc = store_key_put(st, storage_key, k) == 0 && store_commit(st) == 0 ? 0 : -1;
	store_rollback(st);
	return rc;
}

static int
next_handle(uint32_t *h)
{
	if (store_begin(st) != 0)
		return -1;
	int rc = store_key_next_handle(st, NODE_ID, h) == 0 && store_commit(st) == 0 ? 0 : -1;
	store_rollback(st);
	return rc;
}

/* 0 opens with the material intact, 1 not found, -1 refused. */
static int
opens(uint32_t handle, const struct key_obj *want)
{
	struct key_obj got;
	int rc = store_key_get(st, storage_key, handle, &got, true);
	if (rc == 0 && want != NULL &&
	    (got.material_len != want->material_len ||
	     memcmp(got.material, want->material, want->material_len) != 0))
		rc = -2;
	key_obj_clear(&got);
	return rc;
}

static long long
db_int(const char *sql_prefix, uint32_t handle)
{
	char sql[512];
	snprintf(sql, sizeof(sql), "%s %u", sql_prefix, handle);
	return cu_db_int(node.db_path, sql);
}

/* Runs "<stmt>" + " AND handle = <h>" on a fresh connection. */
static int
db_edit(const char *stmt, uint32_t handle)
{
	char sql[512];
	snprintf(sql, sizeof(sql), "%s AND handle = %u", stmt, handle);
	return cu_db_exec(node.db_path, sql);
}

static void
assert_same_key(const struct key_obj *a, const struct key_obj *b, bool material)
{
	CU_ASSERT_EQUAL(a->handle, b->handle);
	CU_ASSERT_EQUAL(a->owner, b->owner);
	CU_ASSERT_EQUAL(a->key_class, b->key_class);
	CU_ASSERT_EQUAL(a->key_type, b->key_type);
	CU_ASSERT_EQUAL(a->flags, b->flags);
	CU_ASSERT_EQUAL(a->value_len, b->value_len);
	CU_ASSERT_EQUAL(a->m_value, b->m_value);
	CU_ASSERT_STRING_EQUAL(a->label, b->label);
	CU_ASSERT_STRING_EQUAL(a->id, b->id);
	CU_ASSERT_EQUAL(memcmp(a->kcv, b->kcv, 3), 0);
	CU_ASSERT_EQUAL(a->nshares, b->nshares);
	CU_ASSERT_EQUAL(memcmp(a->shares, b->shares, a->nshares * sizeof(a->shares[0])), 0);
	if (!material)
		return;
	CU_ASSERT_EQUAL_FATAL(a->material_len, b->material_len);
	CU_ASSERT_EQUAL(memcmp(a->material, b->material, a->material_len), 0);
}

/* A key whose every field has a distinctive value. */
static void
make_full_key(struct key_obj *k)
{
	static const uint8_t mat[24] = "material-of-the-key-24b";
	memset(k, 0, sizeof(*k));
	k->owner = ALICE;
	k->key_class = HSM_CLASS_SECRET;
	k->key_type = HSM_KEY_DES3;
	k->flags = 0x1a5a5u;
	k->value_len = 24;
	k->m_value = 2;
	memset(k->label, 'L', HSM_LABEL_MAX);     /* the longest label */
	snprintf(k->id, sizeof(k->id), "orig-id");
	k->kcv[0] = 0xa1;
	k->kcv[1] = 0xb2;
	k->kcv[2] = 0xc3;
	k->nshares = 2;
	k->shares[0] = CAROL;                      /* unsorted on purpose */
	k->shares[1] = BOB;
	(void)key_obj_set_material(k, mat, sizeof(mat));
}

/* ---- store: rows --------------------------------------------------------- */

static void
test_put_get_every_field(void)
{
	struct key_obj k, got;
	make_full_key(&k);
	CU_ASSERT_EQUAL_FATAL(put_at(&k, H(NODE_ID, 7)), 0);
	/* The store hands shares back in id order. */
	k.shares[0] = BOB;
	k.shares[1] = CAROL;
	CU_ASSERT_EQUAL_FATAL(store_key_get(st, storage_key, k.handle, &got, true), 0);
	assert_same_key(&got, &k, true);
	key_obj_clear(&got);
	CU_ASSERT_EQUAL_FATAL(store_key_get(st, storage_key, k.handle, &got, false), 0);
	assert_same_key(&got, &k, false);
	CU_ASSERT_PTR_NULL(got.material);
	CU_ASSERT_EQUAL(got.material_len, 0);
	key_obj_clear(&got);
	CU_ASSERT_EQUAL(store_key_get(st, storage_key, H(NODE_ID, 8), &got, true), 1);
	key_obj_clear(&k);
}

static void
test_list_count_delete(void)
{
	struct key_obj k[3], *list = NULL;
	size_t n = 0;
	uint32_t count = 99;
	CU_ASSERT(store_key_count(st, &count) == 0 && count == 0);
	for (size_t i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL_FATAL(make_aes(&k[i], ALICE, 16), 0);
		k[i].nshares = i;                  /* 0, 1 and 2 shares */
		k[i].shares[0] = BOB;
		k[i].shares[1] = CAROL;
		CU_ASSERT_EQUAL_FATAL(put_at(&k[i], H(NODE_ID, 30 - 10 * i)), 0);
	}
	CU_ASSERT(store_key_count(st, &count) == 0 && count == 3);
	CU_ASSERT_EQUAL_FATAL(store_key_list(st, &list, &n), 0);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	for (size_t i = 0; i < 3; i++) {            /* handle order: 10, 20, 30 */
		assert_same_key(&list[i], &k[2 - i], false);
		CU_ASSERT_PTR_NULL(list[i].material);
		key_obj_clear(&list[i]);
	}
	free(list);
	CU_ASSERT_EQUAL(store_key_delete(st, H(NODE_ID, 10)), 0);
	CU_ASSERT(store_key_count(st, &count) == 0 && count == 2);
	CU_ASSERT_EQUAL(opens(H(NODE_ID, 10), NULL), 1);
	CU_ASSERT_EQUAL(db_int("SELECT count(*) FROM key_shares WHERE handle =", H(NODE_ID, 10)), 0);
	CU_ASSERT_EQUAL(opens(H(NODE_ID, 20), &k[1]), 0);
	CU_ASSERT_EQUAL(opens(H(NODE_ID, 30), &k[0]), 0);
	for (size_t i = 0; i < 3; i++)
		key_obj_clear(&k[i]);
}

/* ---- store: handles ------------------------------------------------------ */

static void
test_handles_shape_and_order(void)
{
	uint32_t h = 0, prev;
	CU_ASSERT_EQUAL_FATAL(next_handle(&h), 0);
	CU_ASSERT_EQUAL(h, 262145u);               /* node 1's first handle */
	CU_ASSERT_EQUAL(h, H(NODE_ID, 1));
	for (uint32_t i = 2; i <= 5; i++) {
		prev = h;
		CU_ASSERT_EQUAL_FATAL(next_handle(&h), 0);
		CU_ASSERT_EQUAL(h, H(NODE_ID, i));
		CU_ASSERT(h > prev);
	}
	/* Another node id gives that node's handles from the same sequence. */
	CU_ASSERT(store_key_next_handle(st, 0, &h) == 0 && h == 6);
	CU_ASSERT(store_key_next_handle(st, 27, &h) == 0 && h == H(27, 7));
}

static void
test_handles_never_reused(void)
{
	struct key_obj k;
	char err[512];
	uint32_t h1 = 0, h2 = 0, h3 = 0;
	CU_ASSERT_EQUAL_FATAL(make_aes(&k, ALICE, 16), 0);
	CU_ASSERT_EQUAL_FATAL(next_handle(&h1), 0);
	CU_ASSERT_EQUAL_FATAL(put_at(&k, h1), 0);
	CU_ASSERT_EQUAL_FATAL(store_key_delete(st, h1), 0);
	CU_ASSERT_EQUAL_FATAL(next_handle(&h2), 0);
	CU_ASSERT(h2 > h1);
	store_close(st);
	st = store_open(node.db_path, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_EQUAL_FATAL(next_handle(&h3), 0);
	CU_ASSERT(h3 > h2);
	/* A rolled-back allocation may be handed out again: nothing used it. */
	CU_ASSERT_EQUAL_FATAL(store_begin(st), 0);
	CU_ASSERT_EQUAL(store_key_next_handle(st, NODE_ID, &h1), 0);
	store_rollback(st);
	CU_ASSERT(next_handle(&h2) == 0 && h2 == h1 && h2 == h3 + 1);
	key_obj_clear(&k);
}

static void
test_handle_sequence_exhausted(void)
{
	uint32_t h = 0;
	char sql[128];
	snprintf(sql, sizeof(sql),
	         "INSERT OR REPLACE INTO meta(key, value) VALUES ('next_key_seq', '%u')", SEQ_LAST);
	CU_ASSERT_EQUAL_FATAL(cu_db_exec(node.db_path, sql), 0);
	CU_ASSERT(next_handle(&h) == 0 && h == H(NODE_ID, SEQ_LAST));
	CU_ASSERT_EQUAL(next_handle(&h), -1);
	/* Key creation then fails with 0xef (doc/storage.md section 4). */
	struct session *s = sess_as(ALICE, HSM_USER_CU);
	struct key_obj k, *one = &k;
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(make_aes(&k, 0, 16), 0);
	CU_ASSERT_EQUAL(keys_create(s, &one, 1, false), HSM_RC_INTERNAL);
	CU_ASSERT_EQUAL(keys_create(s, &one, 1, true), HSM_RC_INTERNAL);
	CU_ASSERT_EQUAL(s->nskeys, 0);
	key_obj_clear(&k);
}

/* Restoring an image moves its sequence on by the gap, past handles the
 * node may have handed out since the backup. */
static void
check_restore_gap(uint32_t image_next_seq)
{
	char err[512] = "";
	uint32_t h = 0;
	const struct store_identity other = { 2, "cluster-keys", "hsm-keys0000002" };
	store_close(st);
	st = NULL;
	CU_ASSERT_EQUAL_FATAL(store_set_identity(node.db_path, &other, err, sizeof(err)), 0);
	st = store_open(node.db_path, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_EQUAL_FATAL(store_key_next_handle(st, 2, &h), 0);
	CU_ASSERT_EQUAL(h, H(2, image_next_seq + RESTORE_GAP));
	if (h != H(2, image_next_seq + RESTORE_GAP))
		printf("\n    image's next seq %u: restored next handle %u, want %u\n",
		       image_next_seq, h, H(2, image_next_seq + RESTORE_GAP));
}

static void
test_restore_gap_after_keys(void)
{
	uint32_t h;
	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL_FATAL(next_handle(&h), 0);
	check_restore_gap(6);
}

/* An image whose node never made a key has no next_key_seq row (= 1). */
static void
test_restore_gap_before_any_key(void)
{
	check_restore_gap(1);
}

/* ---- store: sealing at rest ---------------------------------------------- */

static void
test_material_not_plaintext(void)
{
	struct key_obj k;
	CU_ASSERT_EQUAL_FATAL(make_aes(&k, ALICE, 32), 0);
	CU_ASSERT_EQUAL_FATAL(put_at(&k, H(NODE_ID, 40)), 0);
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	CU_ASSERT_EQUAL_FATAL(sqlite3_open(node.db_path, &db), SQLITE_OK);
	CU_ASSERT_EQUAL_FATAL(sqlite3_prepare_v2(db, "SELECT material FROM keys", -1, &q, NULL),
	                      SQLITE_OK);
	CU_ASSERT_EQUAL_FATAL(sqlite3_step(q), SQLITE_ROW);
	const uint8_t *blob = sqlite3_column_blob(q, 0);
	size_t n = (size_t)sqlite3_column_bytes(q, 0);
	CU_ASSERT_EQUAL(n, k.material_len + SEAL_OVERHEAD);
	/* Not even 8 consecutive bytes of the key appear in the row. */
	for (size_t off = 0; blob != NULL && off + 8 <= k.material_len; off++)
		CU_ASSERT_PTR_NULL(memmem(blob, n, k.material + off, 8));
	sqlite3_finalize(q);
	sqlite3_close(db);
	key_obj_clear(&k);
}

/* Each edit is "<statement> WHERE <condition>"; the handle is appended. */
static const struct {
	const char *what;
	const char *edit;
	const char *undo;
} row_edits[] = {
	{ "owner", "UPDATE keys SET owner = 4 WHERE 1", "UPDATE keys SET owner = 3 WHERE 1" },
	{ "class", "UPDATE keys SET class = 3 WHERE 1", "UPDATE keys SET class = 4 WHERE 1" },
	{ "key_type", "UPDATE keys SET key_type = 31 WHERE 1",
	  "UPDATE keys SET key_type = 21 WHERE 1" },
	{ "flags", "UPDATE keys SET flags = flags + 1 WHERE 1",
	  "UPDATE keys SET flags = flags - 1 WHERE 1" },
	{ "label", "UPDATE keys SET label = substr(label, 2) WHERE 1",
	  "UPDATE keys SET label = 'L' || label WHERE 1" },
	{ "key_id", "UPDATE keys SET key_id = 'other-id' WHERE 1",
	  "UPDATE keys SET key_id = 'orig-id' WHERE 1" },
	{ "key_id emptied", "UPDATE keys SET key_id = '' WHERE 1",
	  "UPDATE keys SET key_id = 'orig-id' WHERE 1" },
	{ "value_len", "UPDATE keys SET value_len = 16 WHERE 1",
	  "UPDATE keys SET value_len = 24 WHERE 1" },
	{ "kcv", "UPDATE keys SET kcv = X'a1b2c4' WHERE 1",
	  "UPDATE keys SET kcv = X'a1b2c3' WHERE 1" },
	{ "m_value", "UPDATE keys SET m_value = 0 WHERE 1",
	  "UPDATE keys SET m_value = 2 WHERE 1" },
	{ "share added", "INSERT INTO key_shares SELECT handle, 6 FROM keys WHERE 1",
	  "DELETE FROM key_shares WHERE user_id = 6" },
	{ "share removed", "DELETE FROM key_shares WHERE user_id = 4",
	  "INSERT INTO key_shares SELECT handle, 4 FROM keys WHERE 1" },
	{ "share changed", "UPDATE key_shares SET user_id = 1 WHERE user_id = 4",
	  "UPDATE key_shares SET user_id = 4 WHERE user_id = 1" },
};

static void
test_every_column_is_authenticated(void)
{
	struct key_obj k, other;
	make_full_key(&k);
	CU_ASSERT_EQUAL_FATAL(make_aes(&other, ALICE, 16), 0);
	CU_ASSERT_EQUAL_FATAL(put_at(&k, H(NODE_ID, 50)), 0);
	CU_ASSERT_EQUAL_FATAL(put_at(&other, H(NODE_ID, 51)), 0);
	for (size_t i = 0; i < ARRAY_SIZE(row_edits); i++) {
		CU_ASSERT_EQUAL_FATAL(db_edit(row_edits[i].edit, k.handle), 0);
		int edited = opens(k.handle, &k);
		CU_ASSERT_EQUAL(edited, -1);
		if (edited != -1)
			printf("\n    row with %s edited still opens", row_edits[i].what);
		CU_ASSERT_EQUAL_FATAL(db_edit(row_edits[i].undo, k.handle), 0);
		CU_ASSERT_EQUAL(opens(k.handle, &k), 0);     /* the edit was the cause */
		CU_ASSERT_EQUAL(opens(other.handle, &other), 0);
	}
	key_obj_clear(&k);
	key_obj_clear(&other);
}

/* Values the columns cannot hold for a real key but that read back as the
 * original (64-bit integers, text past the field, an embedded NUL) are edits
 * too: SQL that filters on the column (owns_keys, id uniqueness) sees them. */
static const struct {
	const char *what;
	const char *edit;
} aliasing_edits[] = {
	{ "owner + 2^32", "UPDATE keys SET owner = owner + 4294967296 WHERE 1" },
	{ "flags + 2^32", "UPDATE keys SET flags = flags + 4294967296 WHERE 1" },
	{ "key_id + NUL + junk", "UPDATE keys SET key_id = key_id || char(0) || 'x' WHERE 1" },
	{ "label beyond 127", "UPDATE keys SET label = label || 'tail' WHERE 1" },
};

static void
test_aliased_column_values_do_not_open(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(aliasing_edits); i++) {
		struct key_obj k;
		make_full_key(&k);
		CU_ASSERT_EQUAL_FATAL(put_at(&k, H(NODE_ID, 60 + i)), 0);
		CU_ASSERT_EQUAL_FATAL(db_edit(aliasing_edits[i].edit, k.handle), 0);
		int rc = opens(k.handle, &k);
		CU_ASSERT_EQUAL(rc, -1);
		if (rc != -1)
			printf("\n    row with %s still opens", aliasing_edits[i].what);
		key_obj_clear(&k);
	}
}

/* What such an edit hides: a key that opens as BOB's while the store says BOB
 * owns no key (so deleteUser would remove him). */
static void
test_owner_alias_keeps_ownership(void)
{
	struct key_obj k;
	bool owns = false;
	CU_ASSERT_EQUAL_FATAL(make_aes(&k, BOB, 16), 0);
	CU_ASSERT_EQUAL_FATAL(put_at(&k, H(NODE_ID, 65)), 0);
	CU_ASSERT_EQUAL_FATAL(db_edit("UPDATE keys SET owner = owner + 4294967296 WHERE 1",
	                              k.handle), 0);
	CU_ASSERT_EQUAL(store_user_owns_keys(st, BOB, &owns), 0);
	CU_ASSERT(!owns ? opens(k.handle, NULL) == -1 : true);
	key_obj_clear(&k);
}

static void
test_material_bound_to_its_row(void)
{
	struct key_obj a, b;
	CU_ASSERT_EQUAL_FATAL(make_aes(&a, ALICE, 16), 0);
	CU_ASSERT_EQUAL_FATAL(key_obj_copy(&b, &a), 0);   /* same columns but handle */
	(void)RAND_bytes(b.material, (int)b.material_len);
	CU_ASSERT_EQUAL_FATAL(put_at(&a, H(NODE_ID, 70)), 0);
	CU_ASSERT_EQUAL_FATAL(put_at(&b, H(NODE_ID, 71)), 0);
	char sql[256];
	snprintf(sql, sizeof(sql), "UPDATE keys SET material = (SELECT material FROM keys"
	         " WHERE handle = %u) WHERE handle = %u", a.handle, b.handle);
	CU_ASSERT_EQUAL_FATAL(cu_db_exec(node.db_path, sql), 0);
	CU_ASSERT_EQUAL(opens(b.handle, NULL), -1);
	CU_ASSERT_EQUAL(opens(a.handle, &a), 0);
	/* A row moved to another handle does not open there either. */
	CU_ASSERT_EQUAL_FATAL(db_edit("UPDATE keys SET handle = 72 WHERE 1", a.handle), 0);
	CU_ASSERT_EQUAL(opens(72, NULL), -1);
	CU_ASSERT_EQUAL(opens(a.handle, NULL), 1);
	key_obj_clear(&a);
	key_obj_clear(&b);
}

static void
test_other_storage_key_cannot_open(void)
{
	struct key_obj k, got;
	uint8_t other[32];
	memcpy(other, storage_key, sizeof(other));
	other[31] ^= 0x01;
	CU_ASSERT_EQUAL_FATAL(make_aes(&k, ALICE, 16), 0);
	CU_ASSERT_EQUAL_FATAL(put_at(&k, H(NODE_ID, 80)), 0);
	CU_ASSERT_EQUAL(store_key_get(st, other, k.handle, &got, true), -1);
	CU_ASSERT_PTR_NULL(got.material);
	/* The listing needs no key at all. */
	CU_ASSERT_EQUAL(store_key_get(st, other, k.handle, &got, false), 0);
	key_obj_clear(&got);
	CU_ASSERT_EQUAL(opens(k.handle, &k), 0);
	key_obj_clear(&k);
}

static void
test_unshare_user_reseals(void)
{
	struct key_obj k[3], got;
	const uint32_t nshares[3] = { 2, 1, 0 };
	for (size_t i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL_FATAL(make_aes(&k[i], ALICE, 16), 0);
		k[i].nshares = nshares[i];
		k[i].shares[0] = BOB;
		k[i].shares[1] = CAROL;
		CU_ASSERT_EQUAL_FATAL(put_at(&k[i], H(NODE_ID, 90 + i)), 0);
	}
	CU_ASSERT_EQUAL_FATAL(store_begin(st), 0);
	CU_ASSERT_EQUAL(store_key_unshare_user(st, storage_key, BOB), 0);
	CU_ASSERT_EQUAL_FATAL(store_commit(st), 0);
	const uint32_t left[3] = { 1, 0, 0 };
	for (size_t i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL_FATAL(store_key_get(st, storage_key, k[i].handle, &got, true), 0);
		CU_ASSERT_EQUAL(got.nshares, left[i]);
		CU_ASSERT_FALSE(key_shared_with(&got, BOB));
		CU_ASSERT(got.material_len == 16 && memcmp(got.material, k[i].material, 16) == 0);
		key_obj_clear(&got);
		key_obj_clear(&k[i]);
	}
	CU_ASSERT_EQUAL(cu_db_int(node.db_path, "SELECT count(*) FROM key_shares"), 1);
	CU_ASSERT_EQUAL(cu_db_int(node.db_path, "SELECT user_id FROM key_shares"), CAROL);
}

/* ---- key IDs ------------------------------------------------------------- */

static bool
taken(const char *id, uint32_t cls, uint32_t handle)
{
	bool t = false;
	CU_ASSERT_EQUAL(store_key_id_taken(st, id, cls, handle, &t), 0);
	return t;
}

static void
put_with_id(uint32_t handle, uint32_t cls, const char *id)
{
	struct key_obj k;
	CU_ASSERT_EQUAL_FATAL(make_aes(&k, ALICE, 16), 0);
	k.key_class = cls;
	snprintf(k.id, sizeof(k.id), "%s", id);
	CU_ASSERT_EQUAL(put_at(&k, handle), 0);
	key_obj_clear(&k);
}

static void
test_id_taken_rules(void)
{
	put_with_id(10, HSM_CLASS_SECRET, "sym");
	put_with_id(20, HSM_CLASS_PUBLIC, "pair");
	put_with_id(21, HSM_CLASS_PRIVATE, "pair");
	put_with_id(30, HSM_CLASS_PRIVATE, "backwards");
	CU_ASSERT_TRUE(taken("sym", HSM_CLASS_SECRET, 0));       /* a new key */
	CU_ASSERT_TRUE(taken("sym", HSM_CLASS_SECRET, 11));
	CU_ASSERT_FALSE(taken("sym", HSM_CLASS_SECRET, 10));     /* itself */
	CU_ASSERT_FALSE(taken("fresh", HSM_CLASS_SECRET, 0));
	/* Public h and private h + 1 of one pair share their id... */
	CU_ASSERT_FALSE(taken("pair", HSM_CLASS_PRIVATE, 21));
	CU_ASSERT_FALSE(taken("pair", HSM_CLASS_PUBLIC, 20));
	/* ...and nothing else does: a second pair, or the wrong way round. */
	CU_ASSERT_TRUE(taken("pair", HSM_CLASS_PUBLIC, 22));
	CU_ASSERT_TRUE(taken("pair", HSM_CLASS_PRIVATE, 23));
	CU_ASSERT_TRUE(taken("pair", HSM_CLASS_PRIVATE, 0));
	CU_ASSERT_TRUE(taken("pair", HSM_CLASS_SECRET, 21));
	CU_ASSERT_TRUE(taken("backwards", HSM_CLASS_PUBLIC, 31));
	CU_ASSERT_FALSE(taken("backwards", HSM_CLASS_PUBLIC, 29));  /* its public half */
	CU_ASSERT_TRUE(taken("pair", HSM_CLASS_PUBLIC, 19));
}

static hsm_rc
create_pair(struct session *s, const char *id, bool session_key, uint32_t *pub_handle)
{
	struct key_obj pub, priv, *pair[2] = { &pub, &priv };
	if (make_ec_pair(&pub, &priv, 0, id) != 0)
		return HSM_RC_INTERNAL;
	if (session_key) {
		pub.flags &= ~(uint32_t)KF_TOKEN;
		priv.flags &= ~(uint32_t)KF_TOKEN;
	}
	hsm_rc rc = keys_create(s, pair, 2, session_key);
	if (pub_handle != NULL)
		*pub_handle = pub.handle;
	if (rc == HSM_RC_SUCCESS && priv.handle != pub.handle + 1)
		rc = HSM_RC_INTERNAL;
	key_obj_clear(&pub);
	key_obj_clear(&priv);
	return rc;
}

static hsm_rc
create_aes(struct session *s, const char *id, bool session_key, uint32_t *handle)
{
	struct key_obj k, *one = &k;
	if (make_aes(&k, 0, 16) != 0)
		return HSM_RC_INTERNAL;
	if (session_key)
		k.flags &= ~(uint32_t)KF_TOKEN;
	snprintf(k.id, sizeof(k.id), "%s", id);
	hsm_rc rc = keys_create(s, &one, 1, session_key);
	if (handle != NULL)
		*handle = k.handle;
	key_obj_clear(&k);
	return rc;
}

static void
test_id_unique_on_create(void)
{
	struct session *a = sess_as(ALICE, HSM_USER_CU), *b = sess_as(BOB, HSM_USER_CU);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	uint32_t h = 0;
	CU_ASSERT_EQUAL(create_pair(a, "ec-1", false, &h), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(db_int("SELECT count(*) FROM keys WHERE key_id = 'ec-1' AND handle >=", h),
	                2);
	CU_ASSERT_EQUAL(create_pair(a, "ec-1", false, NULL), HSM_RC_ID_NOT_UNIQUE);
	CU_ASSERT_EQUAL(create_pair(b, "ec-1", false, NULL), HSM_RC_ID_NOT_UNIQUE);
	CU_ASSERT_EQUAL(create_aes(b, "ec-1", false, NULL), HSM_RC_ID_NOT_UNIQUE);
	CU_ASSERT_EQUAL(create_aes(a, "ec-1", true, NULL), HSM_RC_ID_NOT_UNIQUE);
	/* Session keys: unique against the token keys and the session's own. */
	CU_ASSERT_EQUAL(create_pair(a, "sess-1", true, NULL), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(create_aes(a, "sess-1", true, NULL), HSM_RC_ID_NOT_UNIQUE);
	CU_ASSERT_EQUAL(create_pair(a, "sess-1", true, NULL), HSM_RC_ID_NOT_UNIQUE);
	CU_ASSERT_EQUAL(create_aes(a, "sess-1", false, NULL), HSM_RC_ID_NOT_UNIQUE);
	CU_ASSERT_EQUAL(a->nskeys, 2);
	/* Keys without an id never collide. */
	CU_ASSERT_EQUAL(create_aes(a, "", false, NULL), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(create_aes(b, "", false, NULL), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(cu_db_int(node.db_path, "SELECT count(*) FROM keys"), 4);
}

/* The halves of one pair keep their shared id when made token one by one
 * (in either order) and when they arrive as clones. */
static void
test_id_shared_by_pair_halves(void)
{
	struct session *s = sess_as(ALICE, HSM_USER_CU);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	uint32_t p1 = 0, p2 = 0;
	CU_ASSERT_EQUAL_FATAL(create_pair(s, "half-1", true, &p1), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL_FATAL(create_pair(s, "half-2", true, &p2), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(keys_make_token(s, p1), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(keys_make_token(s, p1 + 1), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(keys_make_token(s, p2 + 1), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(keys_make_token(s, p2), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(s->nskeys, 0);
	struct key_obj pub, priv;
	CU_ASSERT_EQUAL_FATAL(make_ec_pair(&pub, &priv, ALICE, "cloned"), 0);
	pub.handle = H(2, 10);
	priv.handle = H(2, 11);
	CU_ASSERT_EQUAL(keys_insert_clone(s, &pub), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(keys_insert_clone(s, &priv), HSM_RC_SUCCESS);
	priv.handle = H(2, 13);                 /* another pair's private half */
	CU_ASSERT_EQUAL(keys_insert_clone(s, &priv), HSM_RC_ID_NOT_UNIQUE);
	pub.handle = H(2, 12);
	CU_ASSERT_EQUAL(keys_insert_clone(s, &pub), HSM_RC_ID_NOT_UNIQUE);
	CU_ASSERT_EQUAL(cu_db_int(node.db_path, "SELECT count(*) FROM keys"), 6);
	key_obj_clear(&pub);
	key_obj_clear(&priv);
}

/* ---- the key service ----------------------------------------------------- */

static void
test_create_token_key(void)
{
	struct session *s = sess_as(ALICE, HSM_USER_CU);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	struct key_obj k, got, *one = &k;
	CU_ASSERT_EQUAL_FATAL(make_aes(&k, 0, 32), 0);
	CU_ASSERT_EQUAL_FATAL(keys_create(s, &one, 1, false), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(k.owner, ALICE);                 /* 0 became the caller */
	CU_ASSERT_EQUAL(k.handle, H(NODE_ID, 1));
	CU_ASSERT_EQUAL(s->nskeys, 0);
	CU_ASSERT_EQUAL_FATAL(store_key_get(st, storage_key, k.handle, &got, true), 0);
	assert_same_key(&got, &k, true);
	key_obj_clear(&got);
	CU_ASSERT_EQUAL(keys_lookup(s, k.handle, &got, false), HSM_RC_SUCCESS);
	CU_ASSERT_PTR_NOT_NULL(got.material);            /* token keys always open */
	key_obj_clear(&got);
	CU_ASSERT_EQUAL(keys_lookup(s, k.handle + 1, &got, true), HSM_RC_INVALID_HANDLE);
	key_obj_clear(&got);
	key_obj_clear(&k);
}

/* Expected keys_check_use / keys_check_owner for each CU and each key. */
static void
test_visibility_for_cus(void)
{
	struct session *who[3] = { sess_as(ALICE, HSM_USER_CU), sess_as(BOB, HSM_USER_CU),
	                           sess_as(CAROL, HSM_USER_CU) };
	for (size_t i = 0; i < 3; i++)
		CU_ASSERT_PTR_NOT_NULL_FATAL(who[i]);
	struct key_obj secret, shared, pub, priv;
	CU_ASSERT_EQUAL_FATAL(make_aes(&secret, ALICE, 16), 0);
	CU_ASSERT_EQUAL_FATAL(make_aes(&shared, ALICE, 16), 0);
	shared.nshares = 1;
	shared.shares[0] = BOB;
	CU_ASSERT_EQUAL_FATAL(make_ec_pair(&pub, &priv, ALICE, ""), 0);
	const struct key_obj *keys[4] = { &secret, &shared, &pub, &priv };
	const hsm_rc ok = HSM_RC_SUCCESS, no = HSM_RC_KEY_ACCESS_DENIED;
	/* [key][alice, bob, carol] */
	const hsm_rc use[4][3] = { { ok, no, no }, { ok, ok, no }, { ok, ok, ok }, { ok, no, no } };
	const hsm_rc own[4][3] = { { ok, no, no }, { ok, no, no }, { ok, no, no }, { ok, no, no } };
	for (size_t k = 0; k < 4; k++)
		for (size_t u = 0; u < 3; u++) {
			CU_ASSERT_EQUAL(keys_check_use(who[u], keys[k]), use[k][u]);
			CU_ASSERT_EQUAL(keys_check_owner(who[u], keys[k]), own[k][u]);
		}
	/* A CO owns nothing and shares nothing. */
	struct session *co = sess_as(OFFICER, HSM_USER_CO);
	CU_ASSERT_PTR_NOT_NULL_FATAL(co);
	CU_ASSERT_EQUAL(keys_check_use(co, &secret), no);
	CU_ASSERT_EQUAL(keys_check_owner(co, &pub), no);
	key_obj_clear(&secret);
	key_obj_clear(&shared);
	key_obj_clear(&pub);
	key_obj_clear(&priv);
}

static void
test_session_keys_stay_in_memory(void)
{
	struct session *a = sess_as(ALICE, HSM_USER_CU), *b = sess_as(ALICE, HSM_USER_CU);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	uint32_t sym = 0, pair = 0, tok = 0;
	struct key_obj got;
	CU_ASSERT_EQUAL_FATAL(create_aes(a, "s-aes", true, &sym), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL_FATAL(create_pair(a, "s-ec", true, &pair), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(a->nskeys, 3);
	CU_ASSERT_EQUAL(cu_db_int(node.db_path, "SELECT count(*) FROM keys"), 0);
	/* Their handles come from the node's sequence like any other. */
	CU_ASSERT(sym == H(NODE_ID, 1) && pair == H(NODE_ID, 2));
	CU_ASSERT_EQUAL_FATAL(create_aes(b, "", false, &tok), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(tok, H(NODE_ID, 4));
	CU_ASSERT_EQUAL(keys_lookup(a, sym, &got, true), HSM_RC_SUCCESS);
	CU_ASSERT(got.material_len == 16 && got.owner == ALICE && !key_has(&got, KF_TOKEN));
	key_obj_clear(&got);
	/* Another session of the same user does not see them. */
	CU_ASSERT_EQUAL(keys_lookup(b, sym, &got, true), HSM_RC_INVALID_HANDLE);
	key_obj_clear(&got);
	CU_ASSERT_EQUAL(keys_lookup(b, pair + 1, &got, true), HSM_RC_INVALID_HANDLE);
	key_obj_clear(&got);
	keys_session_drop(a);
	CU_ASSERT(a->nskeys == 0 && a->skeys == NULL);
	CU_ASSERT_EQUAL(keys_lookup(a, sym, &got, true), HSM_RC_INVALID_HANDLE);
	key_obj_clear(&got);
	CU_ASSERT_EQUAL(keys_lookup(a, pair, &got, true), HSM_RC_INVALID_HANDLE);
	key_obj_clear(&got);
	CU_ASSERT_EQUAL(cu_db_int(node.db_path, "SELECT count(*) FROM keys"), 1);
}

static void
test_make_token(void)
{
	struct session *s = sess_as(ALICE, HSM_USER_CU);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	uint32_t h = 0, other = 0;
	struct key_obj got;
	CU_ASSERT_EQUAL_FATAL(create_aes(s, "to-token", true, &h), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL_FATAL(create_aes(s, "", true, &other), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(keys_make_token(s, h), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(s->nskeys, 1);
	CU_ASSERT_EQUAL(s->skeys[0].handle, other);
	CU_ASSERT_EQUAL_FATAL(store_key_get(st, storage_key, h, &got, true), 0);
	CU_ASSERT(key_has(&got, KF_TOKEN) && got.owner == ALICE && got.material_len == 16);
	CU_ASSERT_STRING_EQUAL(got.id, "to-token");
	key_obj_clear(&got);
	CU_ASSERT_EQUAL(keys_make_token(s, h), HSM_RC_ATTRIBUTE_READ_ONLY);
	/* A session key whose id a token key took meanwhile stays a session key. */
	struct session *t = sess_as(BOB, HSM_USER_CU);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	uint32_t sk = 0;
	CU_ASSERT_EQUAL_FATAL(create_aes(t, "later", true, &sk), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL_FATAL(create_aes(s, "later", false, NULL), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(keys_make_token(t, sk), HSM_RC_ID_NOT_UNIQUE);
	CU_ASSERT(t->nskeys == 1 && !key_has(&t->skeys[0], KF_TOKEN));
	CU_ASSERT_EQUAL(store_key_get(st, storage_key, sk, &got, false), 1);
	key_obj_clear(&got);
}

static void
test_update_and_remove(void)
{
	struct session *s = sess_as(ALICE, HSM_USER_CU);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	uint32_t tok = 0, ses = 0;
	struct key_obj k, got;
	CU_ASSERT_EQUAL_FATAL(create_aes(s, "", false, &tok), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL_FATAL(create_aes(s, "", true, &ses), HSM_RC_SUCCESS);
	/* Token key: the row is rewritten and resealed. */
	CU_ASSERT_EQUAL_FATAL(keys_lookup(s, tok, &k, true), HSM_RC_SUCCESS);
	snprintf(k.label, sizeof(k.label), "relabelled");
	k.flags &= ~(uint32_t)KF_ENCRYPT;
	k.nshares = 1;
	k.shares[0] = CAROL;
	CU_ASSERT_EQUAL(keys_update(s, &k), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL_FATAL(store_key_get(st, storage_key, tok, &got, true), 0);
	assert_same_key(&got, &k, true);
	key_obj_clear(&got);
	key_obj_clear(&k);
	/* Session key: changed in memory only. */
	CU_ASSERT_EQUAL_FATAL(keys_lookup(s, ses, &k, true), HSM_RC_SUCCESS);
	snprintf(k.label, sizeof(k.label), "session-relabelled");
	CU_ASSERT_EQUAL(keys_update(s, &k), HSM_RC_SUCCESS);
	CU_ASSERT_STRING_EQUAL(s->skeys[0].label, "session-relabelled");
	CU_ASSERT_EQUAL(cu_db_int(node.db_path, "SELECT count(*) FROM keys"), 1);
	key_obj_clear(&k);
	/* Remove both. */
	CU_ASSERT_EQUAL(keys_remove(s, ses), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(s->nskeys, 0);
	CU_ASSERT_EQUAL(keys_remove(s, tok), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(cu_db_int(node.db_path, "SELECT count(*) FROM keys"), 0);
	CU_ASSERT_EQUAL(cu_db_int(node.db_path, "SELECT count(*) FROM key_shares"), 0);
	CU_ASSERT_EQUAL(keys_lookup(s, tok, &got, true), HSM_RC_INVALID_HANDLE);
	key_obj_clear(&got);
}

/* A clone as client-side sync sends it: node 2's handle, a token key. */
static void
make_clone(struct key_obj *k, uint32_t seq)
{
	CU_ASSERT_EQUAL(make_aes(k, ALICE, 16), 0);
	k->handle = H(2, seq);
}

static void
test_insert_clone(void)
{
	struct session *s = sess_as(ALICE, HSM_USER_CU);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	struct key_obj k;
	make_clone(&k, 5);
	CU_ASSERT_EQUAL(keys_insert_clone(s, &k), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(opens(H(2, 5), &k), 0);
	CU_ASSERT_EQUAL(keys_insert_clone(s, &k), HSM_RC_INVALID_INPUT);  /* handle taken */
	/* Our own node id: only a handle this database never handed out. */
	uint32_t h;
	for (int i = 0; i < 9; i++)
		CU_ASSERT_EQUAL_FATAL(next_handle(&h), 0);                /* next: seq 10 */
	k.handle = H(NODE_ID, 5);
	CU_ASSERT_EQUAL(keys_insert_clone(s, &k), HSM_RC_INVALID_INPUT);
	CU_ASSERT_EQUAL(opens(H(NODE_ID, 5), NULL), 1);
	k.handle = H(NODE_ID, 12);                                        /* past our sequence */
	CU_ASSERT_EQUAL(keys_insert_clone(s, &k), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(opens(H(NODE_ID, 12), &k), 0);
	/* A clone's window: sequence numbers its source kept for itself. */
	CU_ASSERT_EQUAL_FATAL(cu_db_exec(node.db_path, "INSERT INTO meta VALUES "
	                                 "('clone_window_start', '4'), ('clone_window_end', '7')"), 0);
	k.handle = H(NODE_ID, 6);
	CU_ASSERT_EQUAL(keys_insert_clone(s, &k), HSM_RC_SUCCESS);
	k.handle = H(NODE_ID, 7);
	CU_ASSERT_EQUAL(keys_insert_clone(s, &k), HSM_RC_INVALID_INPUT);
	CU_ASSERT_EQUAL(opens(H(NODE_ID, 7), NULL), 1);
	/* New keys then step over the copy taken in past our sequence. */
	CU_ASSERT(create_aes(s, "", false, &h) == HSM_RC_SUCCESS && h == H(NODE_ID, 10));
	CU_ASSERT(create_aes(s, "", false, &h) == HSM_RC_SUCCESS && h == H(NODE_ID, 11));
	CU_ASSERT(create_aes(s, "", false, &h) == HSM_RC_SUCCESS && h == H(NODE_ID, 13));
	k.handle = H(2, 6);
	k.flags &= ~(uint32_t)KF_TOKEN;                                  /* a session key */
	CU_ASSERT_EQUAL(keys_insert_clone(s, &k), HSM_RC_INVALID_INPUT);
	key_obj_clear(&k);
	const struct {
		uint32_t owner, share;
		const char *id;
		hsm_rc want;
	} refused[] = {
		{ OFFICER, 0, "", HSM_RC_BAD_USER_TYPE },
		{ NOBODY, 0, "", HSM_RC_USER_DOES_NOT_EXIST },
		{ ALICE, OFFICER, "", HSM_RC_BAD_USER_TYPE },
		{ ALICE, NOBODY, "", HSM_RC_USER_DOES_NOT_EXIST },
		{ ALICE, ALICE, "", HSM_RC_INVALID_INPUT },
		{ ALICE, 0, "dup", HSM_RC_ID_NOT_UNIQUE },
	};
	CU_ASSERT_EQUAL_FATAL(create_aes(s, "dup", false, NULL), HSM_RC_SUCCESS);
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
		make_clone(&k, 10 + i);
		k.owner = refused[i].owner;
		k.nshares = refused[i].share != 0;
		k.shares[0] = refused[i].share;
		snprintf(k.id, sizeof(k.id), "%s", refused[i].id);
		CU_ASSERT_EQUAL(keys_insert_clone(s, &k), refused[i].want);
		CU_ASSERT_EQUAL(opens(k.handle, NULL), 1);
		key_obj_clear(&k);
	}
}

static void
test_new_handles_skip_taken_ones(void)
{
	struct session *s = sess_as(ALICE, HSM_USER_CU);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	struct key_obj planted;
	CU_ASSERT_EQUAL_FATAL(make_aes(&planted, ALICE, 16), 0);
	CU_ASSERT_EQUAL_FATAL(put_at(&planted, H(NODE_ID, 1)), 0);   /* as a restore brings */
	CU_ASSERT_EQUAL_FATAL(put_at(&planted, H(NODE_ID, 2)), 0);
	uint32_t h = 0, sh = 0;
	CU_ASSERT_EQUAL(create_aes(s, "", false, &h), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(h, H(NODE_ID, 3));
	CU_ASSERT_EQUAL(opens(H(NODE_ID, 1), &planted), 0);           /* not overwritten */
	/* A handle one of the session's keys holds is skipped too. */
	CU_ASSERT_EQUAL_FATAL(create_aes(s, "", true, &sh), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(sh, H(NODE_ID, 4));
	CU_ASSERT_EQUAL_FATAL(cu_db_exec(node.db_path,
		"UPDATE meta SET value = '4' WHERE key = 'next_key_seq'"), 0);
	CU_ASSERT(create_aes(s, "", false, &h) == HSM_RC_SUCCESS && h == H(NODE_ID, 5));
	key_obj_clear(&planted);
}

/* Fills the database to count keys through the store, in one transaction. */
static int
fill_keys(uint32_t count)
{
	struct key_obj k;
	if (make_aes(&k, ALICE, 16) != 0 || store_begin(st) != 0)
		return -1;
	int rc = 0;
	for (uint32_t i = 1; rc == 0 && i <= count; i++) {
		k.handle = H(3, i);
		rc = store_key_put(st, storage_key, &k);
	}
	rc = rc == 0 && store_commit(st) == 0 ? 0 : -1;
	store_rollback(st);
	key_obj_clear(&k);
	return rc;
}

static void
test_max_keys(void)
{
	struct session *s = sess_as(ALICE, HSM_USER_CU);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	uint32_t sk = 0;
	CU_ASSERT_EQUAL_FATAL(create_aes(s, "", true, &sk), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL_FATAL(fill_keys(MAX_KEYS - 1), 0);
	CU_ASSERT_EQUAL(create_pair(s, "", false, NULL), HSM_RC_MAX_KEYS);
	CU_ASSERT_EQUAL(cu_db_int(node.db_path, "SELECT count(*) FROM keys"), MAX_KEYS - 1);
	CU_ASSERT_EQUAL(create_aes(s, "", false, NULL), HSM_RC_SUCCESS);   /* the 3,300th */
	CU_ASSERT_EQUAL(create_aes(s, "", false, NULL), HSM_RC_MAX_KEYS);
	CU_ASSERT_EQUAL(keys_make_token(s, sk), HSM_RC_MAX_KEYS);
	CU_ASSERT(s->nskeys == 1 && !key_has(&s->skeys[0], KF_TOKEN));
	struct key_obj k;
	make_clone(&k, 1);
	CU_ASSERT_EQUAL(keys_insert_clone(s, &k), HSM_RC_MAX_KEYS);
	key_obj_clear(&k);
	CU_ASSERT_EQUAL(cu_db_int(node.db_path, "SELECT count(*) FROM keys"), MAX_KEYS);
}

/* ---- registration -------------------------------------------------------- */

static CU_TestInfo store_tests[] = {
	{ "put/get every field", test_put_get_every_field },
	{ "list without material, count, delete", test_list_count_delete },
	{ "handles: node << 18 | seq, increasing", test_handles_shape_and_order },
	{ "handles never reused (delete, reopen)", test_handles_never_reused },
	{ "handle sequence exhausted", test_handle_sequence_exhausted },
	{ "restore gap after keys", test_restore_gap_after_keys },
	{ "restore gap before any key", test_restore_gap_before_any_key },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo seal_tests[] = {
	{ "material is not the plaintext", test_material_not_plaintext },
	{ "every other column is authenticated", test_every_column_is_authenticated },
	{ "aliased column values do not open", test_aliased_column_values_do_not_open },
	{ "owner alias keeps ownership", test_owner_alias_keeps_ownership },
	{ "material bound to its row", test_material_bound_to_its_row },
	{ "other storage key cannot open", test_other_storage_key_cannot_open },
	{ "unshare_user reseals", test_unshare_user_reseals },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo id_tests[] = {
	{ "store_key_id_taken rules", test_id_taken_rules },
	{ "unique ids on create", test_id_unique_on_create },
	{ "pair halves share their id", test_id_shared_by_pair_halves },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo service_tests[] = {
	{ "create a token key", test_create_token_key },
	{ "use/owner rules for CUs", test_visibility_for_cus },
	{ "session keys stay in memory", test_session_keys_stay_in_memory },
	{ "make_token", test_make_token },
	{ "update and remove", test_update_and_remove },
	{ "insert_clone", test_insert_clone },
	{ "new handles skip taken ones", test_new_handles_skip_taken_ones },
	{ "HSM_MAX_KEYS", test_max_keys },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "key store", suite_init, NULL, setup, teardown, store_tests },
	{ "key sealing at rest", suite_init, NULL, setup, teardown, seal_tests },
	{ "key ids", suite_init, NULL, setup, teardown, id_tests },
	{ "key service", suite_init, NULL, setup, teardown, service_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	int rc = cu_run(suites);
	cu_rmtree(template_dir);
	return rc;
}
