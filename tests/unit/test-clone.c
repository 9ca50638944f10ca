/* test-clone.c - unit tests of the masking domain (mask_domain) and of making a
 * copy of a node database a node of a clone (store_make_clone, the handle window). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cu-db.h"
#include "cu-util.h"
#include "keygen.h"
#include "keyobj.h"
#include "mask.h"
#include "store.h"

#define H(node_id, seq) (((uint32_t)(node_id) << 18) | (uint32_t)(seq))
#define SEQ_LIMIT 262144u
#define GAP 100u

static const uint8_t masking_key[MASKING_KEY_LEN] = {
	0x6d, 0x61, 0x73, 0x6b, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00, 0x01, 0x02, 0x03, 0x04,
	0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
};
static const uint8_t other_key[MASKING_KEY_LEN] = { 1 };
static const uint8_t source_skey[32] = { 0x53, 0x4b, 1, 2, 3 };
static const uint8_t clone_skey[32] = { 0x43, 0x4b, 9, 8, 7 };

static const struct store_identity source = { 0, "cluster-source", "hsm-source00000", "" };
static const struct store_identity clone_node = { 1, "cluster-clone", "hsm-clone000000",
                                             "cluster-source" };
static const struct store_identity clone_of_clone = { 2, "cluster-grandchild",
                                                      "hsm-grandchild0", "cluster-source" };
static const struct store_identity stranger = { 0, "cluster-stranger", "hsm-stranger000", "" };

/* ---- the masking domain ---------------------------------------------------- */

static void
test_domain_rule(void)
{
	CU_ASSERT_STRING_EQUAL(mask_domain(&source), "cluster-source");
	CU_ASSERT_STRING_EQUAL(mask_domain(&clone_node), "cluster-source");
	CU_ASSERT_STRING_EQUAL(mask_domain(&clone_of_clone), "cluster-source");
	CU_ASSERT_STRING_EQUAL(mask_domain(&stranger), "cluster-stranger");
}

/* 0 opens, -1 refused: an object sealed by one node, opened by another. */
static int
travels(const struct store_identity *from, const uint8_t *from_key,
        const struct store_identity *to, const uint8_t *to_key)
{
	static const char object[] = "a key with its owner, sharing and material";
	struct hbuf sealed, plain;
	hbuf_init(&sealed);
	hbuf_init(&plain);
	int rc = mask_seal(from_key, "key", mask_domain(from), (const uint8_t *)object,
	                   sizeof(object), &sealed);
	if (rc == 0)
		rc = mask_open(to_key, "key", mask_domain(to), sealed.data, sealed.len, &plain);
	if (rc == 0 && (plain.len != sizeof(object) || memcmp(plain.data, object, plain.len) != 0))
		rc = -2;
	hbuf_free(&sealed);
	hbuf_free(&plain);
	return rc;
}

static void
test_objects_open_in_the_domain_only(void)
{
	/* Source, clone and a clone of the clone: every direction. */
	const struct store_identity *family[] = { &source, &clone_node, &clone_of_clone };
	for (size_t i = 0; i < 3; i++)
		for (size_t j = 0; j < 3; j++)
			CU_ASSERT_EQUAL(travels(family[i], masking_key, family[j], masking_key), 0);
	/* A cluster with the same masking key but not of the domain refuses... */
	CU_ASSERT_EQUAL(travels(&source, masking_key, &stranger, masking_key), -1);
	CU_ASSERT_EQUAL(travels(&stranger, masking_key, &clone_node, masking_key), -1);
	/* ...and so does one claiming the domain without its masking key. */
	CU_ASSERT_EQUAL(travels(&source, masking_key, &clone_node, other_key), -1);
	CU_ASSERT_EQUAL(travels(&clone_node, other_key, &source, masking_key), -1);
}

/* ---- store_make_clone --------------------------------------------------------- */

static char *tmpdir, *src_path, *copy_path;

/* The source node's database: one key of node 1's id at seq 40 owned by a
 * planted CU, and its own sequence at 10. */
static int
make_source(void)
{
	char err[512] = "";
	struct store *s;
	struct store_user u;
	struct key_obj k;
	uint8_t raw[16] = { 0x4b, 0x45, 0x59 };
	memset(&u, 0, sizeof(u));
	memset(&k, 0, sizeof(k));
	snprintf(u.name, sizeof(u.name), "alice");
	u.type = HSM_USER_CU;
	u.iterations = 1;
	k.key_type = HSM_KEY_AES;
	k.handle = H(1, 40);
	key_default_flags(&k, true, true, true);
	if (store_create(src_path, &source, err, sizeof(err)) != 0 ||
	    (s = store_open(src_path, err, sizeof(err))) == NULL) {
		printf("source: %s\n", err);
		return -1;
	}
	int rc = store_begin(s) == 0 && store_user_insert(s, &u) == 0 &&
	         (k.owner = u.id, key_fill_secret(&k, raw, sizeof(raw))) == 0 &&
	         store_key_put(s, source_skey, &k) == 0 && store_commit(s) == 0 ? 0 : -1;
	store_rollback(s);
	store_close(s);
	key_obj_clear(&k);
	return rc == 0 && cu_db_exec(src_path, "INSERT INTO meta VALUES ('next_key_seq', '10')") == 0
	       ? 0 : -1;
}

static void
setup(void)
{
	tmpdir = cu_mkdtemp("clone");
	src_path = tmpdir ? cu_path(tmpdir, "source.db") : NULL;
	copy_path = tmpdir ? cu_path(tmpdir, "clone.db") : NULL;
	if (copy_path == NULL || make_source() != 0 || cu_copy_file(src_path, copy_path) != 0)
		printf("fixture failed\n");
}

static void
teardown(void)
{
	free(src_path);
	free(copy_path);
	cu_rmtree(tmpdir);
	tmpdir = src_path = copy_path = NULL;
}

static int
make_clone(const struct store_identity *want, const char *from, uint32_t gap,
           struct store_identity *id, char *err, size_t errlen)
{
	memset(id, 0, sizeof(*id));
	id->node_id = want->node_id;
	snprintf(id->cluster_id, sizeof(id->cluster_id), "%s", want->cluster_id);
	snprintf(id->hsm_id, sizeof(id->hsm_id), "%s", want->hsm_id);
	err[0] = '\0';
	return store_make_clone(copy_path, id, from, source_skey, clone_skey, gap, err, errlen);
}

static int
read_identity(const char *path, struct store_identity *id)
{
	char err[512];
	struct store *s = store_open(path, err, sizeof(err));
	int rc = s != NULL ? store_get_identity(s, id) : -1;
	store_close(s);
	return rc;
}

static void
test_cloneentity_and_domain(void)
{
	struct store_identity id, back;
	char err[512];
	CU_ASSERT_EQUAL_FATAL(make_clone(&clone_node, "cluster-source", GAP, &id, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(id.masking_domain, "cluster-source");
	CU_ASSERT_EQUAL_FATAL(read_identity(copy_path, &back), 0);
	CU_ASSERT_EQUAL(back.node_id, 1);
	CU_ASSERT_STRING_EQUAL(back.cluster_id, "cluster-clone");
	CU_ASSERT_STRING_EQUAL(back.hsm_id, "hsm-clone000000");
	CU_ASSERT_STRING_EQUAL(mask_domain(&back), "cluster-source");
	/* The source has no masking_domain row: its domain is its own id. */
	CU_ASSERT_EQUAL_FATAL(read_identity(src_path, &back), 0);
	CU_ASSERT_STRING_EQUAL(back.masking_domain, "");
	CU_ASSERT_STRING_EQUAL(mask_domain(&back), "cluster-source");
}

static void
test_clone_of_a_clone_keeps_the_domain(void)
{
	struct store_identity id;
	char err[512];
	CU_ASSERT_EQUAL_FATAL(make_clone(&clone_node, "cluster-source", GAP, &id, err, sizeof(err)), 0);
	/* The first clone's node is backed up and cloned again. */
	memset(&id, 0, sizeof(id));
	id.node_id = clone_of_clone.node_id;
	snprintf(id.cluster_id, sizeof(id.cluster_id), "%s", clone_of_clone.cluster_id);
	snprintf(id.hsm_id, sizeof(id.hsm_id), "%s", clone_of_clone.hsm_id);
	CU_ASSERT_EQUAL_FATAL(store_make_clone(copy_path, &id, "cluster-clone", clone_skey,
	                                       source_skey, GAP, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(id.masking_domain, "cluster-source");
}

static void
test_keys_resealed_for_the_clone(void)
{
	struct store_identity id;
	struct key_obj k;
	char err[512];
	CU_ASSERT_EQUAL_FATAL(make_clone(&clone_node, "cluster-source", GAP, &id, err, sizeof(err)), 0);
	struct store *s = store_open(copy_path, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(store_key_get(s, clone_skey, H(1, 40), &k, true), 0);
	CU_ASSERT(k.material_len == 16 && k.material[0] == 0x4b && k.material[2] == 0x59);
	key_obj_clear(&k);
	CU_ASSERT_EQUAL(store_key_get(s, source_skey, H(1, 40), &k, true), -1);
	store_close(s);
}

/* The source keeps [base, base + gap) for keys it makes after the backup;
 * base is past the copied sequence and past every handle of our node id. */
static void
test_handle_window(void)
{
	struct store_identity id;
	char err[512];
	bool unused;
	uint32_t h;
	CU_ASSERT_EQUAL_FATAL(make_clone(&clone_node, "cluster-source", GAP, &id, err, sizeof(err)), 0);
	struct store *s = store_open(copy_path, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(store_begin(s), 0);
	const struct { uint32_t seq; bool unused; } cases[] = {
		{ 1, false }, { 9, false }, { 40, false },      /* may be handed out here */
		{ 41, true }, { 41 + GAP - 1, true },           /* the source's window */
		{ 41 + GAP, true }, { SEQ_LIMIT - 1, true },    /* past our own sequence */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL(store_key_seq_unused(s, cases[i].seq, &unused), 0);
		CU_ASSERT_EQUAL(unused, cases[i].unused);
		if (unused != cases[i].unused)
			printf("seq %u\n", cases[i].seq);
	}
	CU_ASSERT_EQUAL(store_key_next_handle(s, 1, &h), 0);
	CU_ASSERT_EQUAL(h, H(1, 41 + GAP));
	CU_ASSERT_EQUAL(store_key_seq_unused(s, 41 + GAP, &unused), 0);
	CU_ASSERT_FALSE(unused);          /* handed out now */
	CU_ASSERT_EQUAL(store_key_seq_unused(s, 50, &unused), 0);
	CU_ASSERT_TRUE(unused);           /* the window stays */
	store_rollback(s);
	store_close(s);
}

/* A node id with no handle in the database starts from the copied sequence. */
static void
test_window_from_the_sequence(void)
{
	struct store_identity id;
	const struct store_identity node0 = { 0, "cluster-clone", "hsm-clone000000", "" };
	char err[512];
	bool unused;
	CU_ASSERT_EQUAL_FATAL(make_clone(&node0, "cluster-source", GAP, &id, err, sizeof(err)), 0);
	struct store *s = store_open(copy_path, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT(store_key_seq_unused(s, 9, &unused) == 0 && !unused);
	CU_ASSERT(store_key_seq_unused(s, 10, &unused) == 0 && unused);
	CU_ASSERT(store_key_seq_unused(s, 10 + GAP - 1, &unused) == 0 && unused);
	store_close(s);
	CU_ASSERT_EQUAL(cu_db_int(copy_path, "SELECT value FROM meta WHERE key = 'next_key_seq'"),
	                10 + GAP);
}

/* Refusals change nothing: the copy keeps the source's identity. */
static void
expect_refused(const struct store_identity *want, const char *from, uint32_t gap,
               const char *why)
{
	struct store_identity id, back;
	char err[512];
	CU_ASSERT_EQUAL(make_clone(want, from, gap, &id, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, why));
	if (strstr(err, why) == NULL)
		printf("error: %s\n", err);
	CU_ASSERT_EQUAL_FATAL(read_identity(copy_path, &back), 0);
	CU_ASSERT_STRING_EQUAL(back.cluster_id, "cluster-source");
	CU_ASSERT_STRING_EQUAL(back.masking_domain, "");
	CU_ASSERT_EQUAL(cu_db_int(copy_path, "SELECT value FROM meta WHERE key = 'next_key_seq'"),
	                10);
}

static void
test_refusals(void)
{
	expect_refused(&clone_node, "cluster-other", GAP, "is not a node of cluster cluster-other");
	expect_refused(&clone_node, "cluster-source", SEQ_LIMIT - 41, "too far along to clone");
	CU_ASSERT_EQUAL(cu_db_exec(copy_path, "UPDATE keys SET label = 'edited'"), 0);
	expect_refused(&clone_node, "cluster-source", GAP, "does not open with the backup's");
}

static CU_TestInfo domain_tests[] = {
	{ "mask_domain: own id unless inherited", test_domain_rule },
	{ "objects open in the domain only", test_objects_open_in_the_domain_only },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo clone_tests[] = {
	{ "identity and inherited domain", test_cloneentity_and_domain },
	{ "a clone of a clone keeps the domain", test_clone_of_a_clone_keeps_the_domain },
	{ "keys resealed under the new storage key", test_keys_resealed_for_the_clone },
	{ "the source's handle window", test_handle_window },
	{ "window starts at the copied sequence", test_window_from_the_sequence },
	{ "refusals change nothing", test_refusals },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "masking domain", NULL, NULL, NULL, NULL, domain_tests },
	{ "store_make_clone", NULL, NULL, setup, teardown, clone_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_run(suites);
}
