/* test-store.c - unit tests of server-sim/store.h on a temporary SQLite database,
 * including a writer SIGKILLed mid-stream: what was acknowledged must survive whole. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/rand.h>
#include "cu-db.h"
#include "cu-util.h"
#include "kdf.h"
#include "store-internal.h"
#include "store.h"

#define FAST_ITERATIONS 1000u

static char *tmpdir;
static char *dbpath;
static struct store *st;
static const struct store_identity ident = { 3, "cluster-unit-test", "hsm-unittest01" };

/* ---- fixture: a new database per test ------------------------------------- */

/* store_create() hashes two passwords slowly: the create suite calls it
 * for every test, the others copy one database made the same way. */
static char *template_dir;
static bool use_template;

static int
suite_init_template(void)
{
	char err[512] = "";
	use_template = true;
	if (template_dir != NULL)
		return 0;
	template_dir = cu_mkdtemp("store-template");
	char *path = template_dir ? cu_path(template_dir, STORE_FILE) : NULL;
	int rc = path && store_create(path, &ident, err, sizeof(err)) == 0 ? 0 : -1;
	if (rc != 0)
		printf("template: %s\n", err);
	free(path);
	return rc;
}

static int
suite_init_create(void)
{
	use_template = false;
	return 0;
}

static int
make_db(char *err, size_t errlen)
{
	if (!use_template)
		return store_create(dbpath, &ident, err, errlen);
	char *tpl = cu_path(template_dir, STORE_FILE);
	int rc = tpl ? cu_copy_file(tpl, dbpath) : -1;
	free(tpl);
	return rc;
}

static void
setup(void)
{
	char err[512] = "";
	tmpdir = cu_mkdtemp("store");
	dbpath = tmpdir ? cu_path(tmpdir, STORE_FILE) : NULL;
	st = NULL;
	if (dbpath == NULL || make_db(err, sizeof(err)) != 0) {
		printf("fixture: %s\n", err);
		return;
	}
	st = store_open(dbpath, err, sizeof(err));
	if (st == NULL)
		printf("fixture: %s\n", err);
}

static void
teardown(void)
{
	store_close(st);
	st = NULL;
	free(dbpath);
	dbpath = NULL;
	cu_rmtree(tmpdir);
	tmpdir = NULL;
}

/* A user whose hash is quick to check (the record carries its count). */
static void
make_user(struct store_user *u, const char *name, hsm_user_type type, const char *pw)
{
	memset(u, 0, sizeof(*u));
	snprintf(u->name, sizeof(u->name), "%s", name);
	u->type = type;
	u->iterations = FAST_ITERATIONS;
	if (RAND_bytes(u->salt, KDF_SALT_LEN) != 1 ||
	    kdf_derive(pw, strlen(pw), u->salt, KDF_SALT_LEN, u->iterations, u->hash,
	               KDF_HASH_LEN) != 0)
		u->iterations = 0;
}

static uint32_t
add_user(const char *name, hsm_user_type type, const char *pw)
{
	struct store_user u;
	make_user(&u, name, type, pw);
	return store_user_insert(st, &u) == 0 ? u.id : 0;
}

/* ---- create / open ---------------------------------------------------------- */

static void
test_create_refuses_existing_file(void)
{
	char err[512] = "";
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_EQUAL(store_create(dbpath, &ident, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, dbpath));
	/* The refused create must leave the existing database alone. */
	CU_ASSERT_EQUAL(access(dbpath, F_OK), 0);
	uint32_t count = 0;
	CU_ASSERT(store_user_count(st, &count) == 0 && count == 2);

	char *empty = cu_path(tmpdir, "empty.db");
	CU_ASSERT_EQUAL(cu_write_file(empty, ""), 0);
	err[0] = '\0';
	CU_ASSERT_EQUAL(store_create(empty, &ident, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, empty));
	CU_ASSERT_EQUAL(access(empty, F_OK), 0);
	free(empty);
}

static void
test_create_and_open_errors_name_the_file(void)
{
	char err[512] = "";
	char *missing = cu_path(tmpdir, "no-such-dir/state.db");
	CU_ASSERT_EQUAL(store_create(missing, &ident, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, missing));
	err[0] = '\0';
	CU_ASSERT_PTR_NULL(store_open(missing, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, missing));
	free(missing);

	char *junk = cu_path(tmpdir, "junk.db");
	CU_ASSERT_EQUAL(cu_write_file(junk, "this is not an SQLite database, not at all\n"), 0);
	err[0] = '\0';
	struct store *s = store_open(junk, err, sizeof(err));
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, junk));
	store_close(s);
	free(junk);
}

static void
test_create_file_is_private(void)
{
	struct stat sb;
	CU_ASSERT_EQUAL_FATAL(stat(dbpath, &sb), 0);
	CU_ASSERT_EQUAL(sb.st_mode & 077, 0);
}

static void
test_initial_users(void)
{
	struct store_user u;
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_EQUAL(store_user_get(st, 1, &u), 0);
	CU_ASSERT_STRING_EQUAL(u.name, "admin");
	CU_ASSERT_EQUAL(u.type, HSM_USER_PRECO);
	CU_ASSERT_EQUAL(u.failures, 0);
	CU_ASSERT_TRUE(kdf_check_password(&u, "password"));
	CU_ASSERT_FALSE(kdf_check_password(&u, "Password"));
	CU_ASSERT_EQUAL(store_user_get(st, 2, &u), 0);
	CU_ASSERT_STRING_EQUAL(u.name, "app_user");
	CU_ASSERT_EQUAL(u.type, HSM_USER_AU);
	CU_ASSERT_FALSE(kdf_check_password(&u, "password"));
	CU_ASSERT_FALSE(kdf_check_password(&u, ""));
	uint32_t count = 0;
	CU_ASSERT(store_user_count(st, &count) == 0 && count == 2);
	hsm_user_list l;
	CU_ASSERT_EQUAL_FATAL(store_user_list(st, &l), 0);
	CU_ASSERT_EQUAL(l.count, 2);
	if (l.count == 2) {
		CU_ASSERT(l.users[0].id == 1 && strcmp(l.users[0].name, "admin") == 0 &&
		          l.users[0].type == HSM_USER_PRECO);
		CU_ASSERT(l.users[1].id == 2 && strcmp(l.users[1].name, "app_user") == 0 &&
		          l.users[1].type == HSM_USER_AU);
	}
	hsm_user_list_free(&l);
}

static void
test_two_nodes_get_different_app_user_secrets(void)
{
	char err[512];
	char *other = cu_path(tmpdir, "other.db");
	CU_ASSERT_EQUAL_FATAL(store_create(other, &ident, err, sizeof(err)), 0);
	struct store *s2 = store_open(other, err, sizeof(err));
	struct store_user a, b;
	CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
	CU_ASSERT(store_user_get(st, 2, &a) == 0 && store_user_get(s2, 2, &b) == 0);
	CU_ASSERT_NOT_EQUAL(memcmp(a.hash, b.hash, KDF_HASH_LEN), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(a.salt, b.salt, KDF_SALT_LEN), 0);
	store_close(s2);
	free(other);
}

static void
test_identity_get_set(void)
{
	struct store_identity got;
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_EQUAL(store_get_identity(st, &got), 0);
	CU_ASSERT_EQUAL(got.node_id, 3);
	CU_ASSERT_STRING_EQUAL(got.cluster_id, "cluster-unit-test");
	CU_ASSERT_STRING_EQUAL(got.hsm_id, "hsm-unittest01");
	const struct store_identity next = { 27, "cluster-restored", "hsm-restored001" };
	char err[512] = "";
	CU_ASSERT_EQUAL(store_set_identity(dbpath, &next, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(store_get_identity(st, &got), 0);
	CU_ASSERT_EQUAL(got.node_id, 27);
	CU_ASSERT_STRING_EQUAL(got.cluster_id, "cluster-restored");
	CU_ASSERT_STRING_EQUAL(got.hsm_id, "hsm-restored001");
	/* Users survive an identity change. */
	uint32_t count = 0;
	CU_ASSERT(store_user_count(st, &count) == 0 && count == 2);
	char *missing = cu_path(tmpdir, "missing.db");
	CU_ASSERT_EQUAL(store_set_identity(missing, &next, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, missing));
	free(missing);
}

static void
test_identity_rejects_bad_node_id(void)
{
	struct store_identity got;
	CU_ASSERT_EQUAL_FATAL(cu_db_exec(dbpath, "UPDATE meta SET value = '28' WHERE key = 'node_id'"), 0);
	CU_ASSERT_EQUAL(store_get_identity(st, &got), -1);
	CU_ASSERT_EQUAL_FATAL(cu_db_exec(dbpath, "UPDATE meta SET value = '1x' WHERE key = 'node_id'"), 0);
	CU_ASSERT_EQUAL(store_get_identity(st, &got), -1);
}

/* ---- users ----------------------------------------------------------------- */

static void
test_find_is_case_insensitive(void)
{
	struct store_user u;
	static const char *same[] = { "admin", "ADMIN", "Admin", "aDmIn" };
	for (size_t i = 0; i < 4; i++) {
		memset(&u, 0, sizeof(u));
		CU_ASSERT_EQUAL(store_user_find(st, same[i], &u), 0);
		CU_ASSERT_EQUAL(u.id, 1);
		CU_ASSERT_STRING_EQUAL(u.name, "admin");
	}
	static const char *other[] = { "", "admin ", "admi", "admin_", "app-user" };
	for (size_t i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(store_user_find(st, other[i], &u), 1);
	CU_ASSERT_EQUAL(store_user_get(st, 0, &u), 1);
	CU_ASSERT_EQUAL(store_user_get(st, 3, &u), 1);
	CU_ASSERT_EQUAL(store_user_get(st, 0xffffffffu, &u), 1);
}

static void
test_insert_get_all_fields(void)
{
	struct store_user in, out;
	make_user(&in, "crypto_user", HSM_USER_CU, "cu-password");
	CU_ASSERT_EQUAL_FATAL(store_user_insert(st, &in), 0);
	CU_ASSERT_EQUAL(in.id, 3);
	CU_ASSERT_EQUAL(store_user_get(st, 3, &out), 0);
	CU_ASSERT_EQUAL(out.id, 3);
	CU_ASSERT_STRING_EQUAL(out.name, "crypto_user");
	CU_ASSERT_EQUAL(out.type, HSM_USER_CU);
	CU_ASSERT_EQUAL(memcmp(out.salt, in.salt, KDF_SALT_LEN), 0);
	CU_ASSERT_EQUAL(memcmp(out.hash, in.hash, KDF_HASH_LEN), 0);
	CU_ASSERT_EQUAL(out.iterations, FAST_ITERATIONS);
	CU_ASSERT_EQUAL(out.failures, 0);
	CU_ASSERT_FALSE(out.mofn_pubkey);
	CU_ASSERT_FALSE(out.two_factor);
	CU_ASSERT_TRUE(kdf_check_password(&out, "cu-password"));
	CU_ASSERT_EQUAL(store_user_find(st, "CRYPTO_USER", &out), 0);
	CU_ASSERT_EQUAL(out.id, 3);
}

/* The registered key is what quorum approvals and 2FA logins are checked
 * against: it must read back byte for byte, and 2FA needs a key. */
static void
test_pubkey_set_get_clear(void)
{
	uint8_t der[300];
	struct store_user u;
	RAND_bytes(der, sizeof(der));
	CU_ASSERT_EQUAL_FATAL(add_user("quorum_co", HSM_USER_CO, "password3"), 3);
	CU_ASSERT_EQUAL(store_user_set_pubkey(st, 3, der, sizeof(der), true), 0);
	CU_ASSERT_EQUAL_FATAL(store_user_get(st, 3, &u), 0);
	CU_ASSERT_TRUE(u.mofn_pubkey);
	CU_ASSERT_TRUE(u.two_factor);
	CU_ASSERT_EQUAL(u.pubkey_len, sizeof(der));
	CU_ASSERT_EQUAL(memcmp(u.pubkey, der, sizeof(der)), 0);
	CU_ASSERT_EQUAL(store_user_set_pubkey(st, 3, NULL, 0, true), 0);
	CU_ASSERT_EQUAL_FATAL(store_user_get(st, 3, &u), 0);
	CU_ASSERT_FALSE(u.mofn_pubkey);
	CU_ASSERT_FALSE(u.two_factor);
	CU_ASSERT_EQUAL(u.pubkey_len, 0);
	CU_ASSERT_EQUAL(store_user_set_pubkey(st, 99, der, sizeof(der), false), 1);
	CU_ASSERT_EQUAL(store_user_set_pubkey(st, 3, der, STORE_PUBKEY_MAX + 1, false), -1);
}

/* A user inserted with a key (syncUser of a quorum or 2FA user) keeps it. */
static void
test_insert_keeps_pubkey(void)
{
	struct store_user in, out;
	make_user(&in, "tfa_co", HSM_USER_CO, "password3");
	RAND_bytes(in.pubkey, 294);
	in.pubkey_len = 294;
	in.two_factor = true;
	CU_ASSERT_EQUAL_FATAL(store_user_insert(st, &in), 0);
	CU_ASSERT_EQUAL_FATAL(store_user_get(st, in.id, &out), 0);
	CU_ASSERT_TRUE(out.mofn_pubkey && out.two_factor);
	CU_ASSERT_EQUAL(out.pubkey_len, 294);
	CU_ASSERT_EQUAL(memcmp(out.pubkey, in.pubkey, 294), 0);
}

static void
test_m_values(void)
{
	uint32_t m = 0;
	CU_ASSERT_EQUAL(store_m_value_get(st, 3, &m), 0);
	CU_ASSERT_EQUAL(m, 1);
	CU_ASSERT_EQUAL(store_m_value_set(st, 3, 2), 0);
	CU_ASSERT_EQUAL(store_m_value_set(st, 4, 5), 0);
	CU_ASSERT_EQUAL(store_m_value_set(st, 4, 3), 0);
	CU_ASSERT_EQUAL(store_m_value_get(st, 3, &m), 0);
	CU_ASSERT_EQUAL(m, 2);
	CU_ASSERT_EQUAL(store_m_value_get(st, 4, &m), 0);
	CU_ASSERT_EQUAL(m, 3);
}

static void
test_ids_grow_and_are_not_reused(void)
{
	CU_ASSERT_EQUAL(add_user("u3", HSM_USER_CU, "password3"), 3);
	CU_ASSERT_EQUAL(add_user("u4", HSM_USER_CO, "password4"), 4);
	CU_ASSERT_EQUAL(store_user_delete(st, 3), 0);
	/* 4 still exists: the freed 3 is not handed out again. */
	CU_ASSERT_EQUAL(add_user("u5", HSM_USER_CU, "password5"), 5);
	CU_ASSERT_EQUAL(store_user_delete(st, 5), 0);
	CU_ASSERT_EQUAL(store_user_delete(st, 4), 0);
	CU_ASSERT_EQUAL(add_user("u6", HSM_USER_CU, "password6"), 3);
	/* An explicit id is kept; the next automatic one follows it. */
	struct store_user u;
	make_user(&u, "explicit", HSM_USER_CU, "password7");
	u.id = 10;
	CU_ASSERT(store_user_insert(st, &u) == 0 && u.id == 10);
	CU_ASSERT_EQUAL(add_user("after", HSM_USER_CU, "password8"), 11);
}

static void
test_unique_names(void)
{
	uint32_t count = 0;
	CU_ASSERT_EQUAL(add_user("Bob_1", HSM_USER_CU, "password"), 3);
	CU_ASSERT_EQUAL(add_user("bob_1", HSM_USER_CU, "password"), 0);
	CU_ASSERT_EQUAL(add_user("BOB_1", HSM_USER_CO, "password"), 0);
	CU_ASSERT_EQUAL(add_user("ADMIN", HSM_USER_CO, "password"), 0);
	CU_ASSERT(store_user_count(st, &count) == 0 && count == 3);
	/* An explicit id that is taken is refused too. */
	struct store_user u;
	make_user(&u, "someone_else", HSM_USER_CU, "password");
	u.id = 2;
	CU_ASSERT_EQUAL(store_user_insert(st, &u), -1);
	CU_ASSERT(store_user_get(st, 2, &u) == 0 && strcmp(u.name, "app_user") == 0);
}

static void
test_list_is_ordered_and_complete(void)
{
	static const char *names[] = { "zed", "amy", "Mia", "bo" };
	for (size_t i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(add_user(names[i], HSM_USER_CU, "password"), (uint32_t)(3 + i));
	CU_ASSERT_EQUAL(store_user_set_failures(st, 4, 3), 0);
	hsm_user_list l;
	CU_ASSERT_EQUAL_FATAL(store_user_list(st, &l), 0);
	CU_ASSERT_EQUAL(l.count, 6);
	for (size_t i = 0; i < l.count; i++)
		CU_ASSERT_EQUAL(l.users[i].id, (uint32_t)(i + 1));
	if (l.count == 6) {
		CU_ASSERT_STRING_EQUAL(l.users[4].name, "Mia");
		CU_ASSERT_EQUAL(l.users[3].login_failures, 3);
		CU_ASSERT_EQUAL(l.users[2].login_failures, 0);
		CU_ASSERT_EQUAL(l.users[2].type, HSM_USER_CU);
	}
	hsm_user_list_free(&l);
}

static void
test_delete(void)
{
	struct store_user u;
	uint32_t count = 0;
	CU_ASSERT_EQUAL(add_user("gone", HSM_USER_CU, "password"), 3);
	CU_ASSERT_EQUAL(store_user_delete(st, 3), 0);
	CU_ASSERT_EQUAL(store_user_get(st, 3, &u), 1);
	CU_ASSERT_EQUAL(store_user_find(st, "gone", &u), 1);
	CU_ASSERT(store_user_count(st, &count) == 0 && count == 2);
	/* The name is free again. */
	CU_ASSERT_NOT_EQUAL(add_user("GONE", HSM_USER_CO, "password"), 0);
}

static void
test_set_password_and_failures(void)
{
	struct store_user u;
	CU_ASSERT_EQUAL_FATAL(store_user_set_failures(st, 1, 4), 0);
	CU_ASSERT(store_user_get(st, 1, &u) == 0 && u.failures == 4);
	uint8_t old_salt[KDF_SALT_LEN];
	memcpy(old_salt, u.salt, KDF_SALT_LEN);
	CU_ASSERT_EQUAL_FATAL(kdf_set_password(&u, "activated!"), 0);
	u.type = HSM_USER_CO;
	CU_ASSERT_EQUAL(store_user_set_password(st, &u), 0);
	struct store_user after;
	CU_ASSERT_EQUAL_FATAL(store_user_get(st, 1, &after), 0);
	CU_ASSERT_EQUAL(after.type, HSM_USER_CO);
	CU_ASSERT_EQUAL(after.failures, 0);
	CU_ASSERT_STRING_EQUAL(after.name, "admin");
	CU_ASSERT_NOT_EQUAL(memcmp(after.salt, old_salt, KDF_SALT_LEN), 0);
	CU_ASSERT_TRUE(kdf_check_password(&after, "activated!"));
	CU_ASSERT_FALSE(kdf_check_password(&after, "password"));
	/* Other users are untouched. */
	CU_ASSERT(store_user_get(st, 2, &after) == 0 && after.type == HSM_USER_AU);
}

static void
test_owns_keys(void)
{
	bool owns = true;
	CU_ASSERT_EQUAL(add_user("key_owner", HSM_USER_CU, "password"), 3);
	CU_ASSERT_EQUAL(add_user("keyless", HSM_USER_CU, "password"), 4);
	CU_ASSERT(store_user_owns_keys(st, 3, &owns) == 0 && !owns);
	CU_ASSERT_EQUAL_FATAL(cu_db_insert_key_at(dbpath, 262150, 3), 0);
	owns = false;
	CU_ASSERT(store_user_owns_keys(st, 3, &owns) == 0 && owns);
	owns = true;
	CU_ASSERT(store_user_owns_keys(st, 4, &owns) == 0 && !owns);
	owns = true;
	CU_ASSERT(store_user_owns_keys(st, 99, &owns) == 0 && !owns);
}

static void
test_audit_rows(void)
{
	CU_ASSERT_EQUAL(store_audit(st, "CN_LOGIN", "alice", HSM_RC_LOGIN_FAILURE, "user alice"), 0);
	CU_ASSERT_EQUAL(store_audit(st, "CN_LOGOUT", NULL, HSM_RC_SUCCESS, NULL), 0);
	CU_ASSERT_EQUAL(store_audit(st, "CN_CLUSTER_ERR", "bob", HSM_RC_CLUSTER_UNAVAILABLE, "x"), 0);
	CU_ASSERT_EQUAL(cu_db_int(dbpath, "SELECT count(*) FROM audit WHERE opcode = 'CN_LOGIN'"
	                        " AND user = 'alice' AND response = 163 AND detail = 'user alice'"), 1);
	CU_ASSERT_EQUAL(cu_db_int(dbpath, "SELECT count(*) FROM audit WHERE opcode = 'CN_LOGOUT'"
	                        " AND user IS NULL AND response = 0 AND detail IS NULL"), 1);
	CU_ASSERT_EQUAL(cu_db_int(dbpath, "SELECT response FROM audit WHERE opcode = 'CN_CLUSTER_ERR'"),
	                0x30000085);
	/* In order, each with a time. */
	CU_ASSERT_EQUAL(cu_db_int(dbpath, "SELECT count(*) FROM audit WHERE time IS NULL OR time = ''"), 0);
	CU_ASSERT_EQUAL(cu_db_int(dbpath, "SELECT opcode = 'CN_LOGOUT' FROM audit ORDER BY seq"
	                        " LIMIT 1 OFFSET 1"), 1);
}

/* ---- transactions ------------------------------------------------------------ */

static void
test_rollback_discards(void)
{
	struct store_user u;
	CU_ASSERT_EQUAL_FATAL(store_begin(st), 0);
	CU_ASSERT_EQUAL(add_user("temporary", HSM_USER_CU, "password"), 3);
	CU_ASSERT_EQUAL(store_user_set_failures(st, 1, 2), 0);
	CU_ASSERT_EQUAL(store_audit(st, "CN_CREATE_USER", NULL, 0, "temporary"), 0);
	store_rollback(st);
	CU_ASSERT_EQUAL(store_user_find(st, "temporary", &u), 1);
	CU_ASSERT(store_user_get(st, 1, &u) == 0 && u.failures == 0);
	CU_ASSERT_EQUAL(cu_db_int(dbpath, "SELECT count(*) FROM audit"), 0);
	/* Rolling back outside a transaction is harmless. */
	store_rollback(st);
	CU_ASSERT_EQUAL(add_user("kept", HSM_USER_CU, "password"), 3);
}

static void
test_commit_keeps_and_isolates(void)
{
	char err[512];
	struct store *other = store_open(dbpath, err, sizeof(err));
	struct store_user u;
	CU_ASSERT_PTR_NOT_NULL_FATAL(other);
	CU_ASSERT_EQUAL_FATAL(store_begin(st), 0);
	CU_ASSERT_EQUAL(add_user("pending", HSM_USER_CU, "password"), 3);
	/* Not visible to another connection before COMMIT. */
	CU_ASSERT_EQUAL(store_user_find(other, "pending", &u), 1);
	CU_ASSERT_EQUAL(store_commit(st), 0);
	CU_ASSERT_EQUAL(store_user_find(other, "pending", &u), 0);
	CU_ASSERT_EQUAL(u.id, 3);
	store_close(other);
}

static void
test_begin_commit_misuse(void)
{
	CU_ASSERT_EQUAL(store_commit(st), -1);         /* no transaction */
	CU_ASSERT_EQUAL_FATAL(store_begin(st), 0);
	CU_ASSERT_EQUAL(store_begin(st), -1);          /* nested */
	CU_ASSERT_EQUAL(add_user("inside", HSM_USER_CU, "password"), 3);
	CU_ASSERT_EQUAL(store_commit(st), 0);
	struct store_user u;
	CU_ASSERT_EQUAL(store_user_find(st, "inside", &u), 0);
}

static void
test_failed_commit_rolls_back(void)
{
	/* A deferred foreign-key violation makes COMMIT itself fail. */
	struct store_user u;
	CU_ASSERT_EQUAL_FATAL(store_exec(st, "PRAGMA defer_foreign_keys = ON"), 0);
	CU_ASSERT_EQUAL_FATAL(store_begin(st), 0);
	CU_ASSERT_EQUAL(add_user("doomed", HSM_USER_CU, "password"), 3);
	CU_ASSERT_EQUAL(cu_db_insert_key(st->db, 1, 999), 0);   /* no user 999 */
	CU_ASSERT_EQUAL(store_commit(st), -1);
	/* Nothing of it stays, and the connection is out of the transaction. */
	CU_ASSERT_EQUAL(store_user_find(st, "doomed", &u), 1);
	CU_ASSERT_EQUAL(cu_db_int(dbpath, "SELECT count(*) FROM keys"), 0);
	CU_ASSERT_EQUAL(store_begin(st), 0);
	CU_ASSERT_EQUAL(store_commit(st), 0);
}

/* ---- killed writer -------------------------------------------------------------- */

#define KILL_RUNS 20

/* The child: one transaction per user (user row + audit row), then reports
 * the id on the pipe once COMMIT has returned. Never returns. */
static void
writer_child(const char *path, int wfd, unsigned run)
{
	char err[512];
	struct store *s = store_open(path, err, sizeof(err));
	if (s == NULL)
		_exit(2);
	for (unsigned n = 0;; n++) {
		struct store_user u;
		char name[32], pw[48];
		snprintf(name, sizeof(name), "k%u_%u", run, n);
		snprintf(pw, sizeof(pw), "pw-%s", name);
		make_user(&u, name, HSM_USER_CU, pw);
		if (store_begin(s) != 0)
			_exit(3);
		if (store_user_insert(s, &u) != 0 ||
		    store_audit(s, "TEST_INSERT", NULL, 0, name) != 0)
			_exit(4);
		if (store_commit(s) != 0)
			_exit(5);
		uint32_t id = u.id;
		if (write(wfd, &id, sizeof(id)) != (ssize_t)sizeof(id))
			_exit(6);
	}
}

/* Reads every id the child reported; returns how many (ids has room for max). */
static size_t
read_reported(int rfd, uint32_t *ids, size_t max)
{
	size_t n = 0;
	uint32_t id;
	ssize_t r;
	while ((r = read(rfd, &id, sizeof(id))) == (ssize_t)sizeof(id) || (r < 0 && errno == EINTR))
		if (r > 0 && n < max)
			ids[n++] = id;
	return n;
}

static pid_t
spawn_writer(const char *path, unsigned run, int *rfd)
{
	int p[2];
	if (pipe(p) != 0)
		return -1;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		writer_child(path, p[1], run);
	}
	close(p[1]);
	*rfd = p[0];
	return pid;
}

/* Every reported id is there, whole, with this run's name and password. */
static unsigned
check_reported(struct store *s, unsigned run, const uint32_t *ids, size_t n)
{
	unsigned bad = 0;
	char prefix[16];
	snprintf(prefix, sizeof(prefix), "k%u_", run);
	for (size_t i = 0; i < n; i++) {
		struct store_user u;
		char pw[48];
		if (store_user_get(s, ids[i], &u) != 0) {
			printf("run %u: reported id %u missing\n", run, ids[i]);
			bad++;
			continue;
		}
		snprintf(pw, sizeof(pw), "pw-%s", u.name);
		if (strncmp(u.name, prefix, strlen(prefix)) != 0 || u.type != HSM_USER_CU ||
		    !kdf_check_password(&u, pw)) {
			printf("run %u: id %u (%s) incomplete\n", run, ids[i], u.name);
			bad++;
		}
	}
	return bad;
}

/* Rows of this run that were not reported: at most the one whose COMMIT
 * returned just before the kill, and it must be whole too. */
static unsigned
check_unreported(const char *path, unsigned run, size_t reported)
{
	char sql[256];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM users WHERE name LIKE 'k%u\\_%%' ESCAPE '\\'",
	         run);
	long long present = cu_db_int(path, sql);
	if (present < (long long)reported || present > (long long)reported + 1) {
		printf("run %u: %zu reported, %lld present\n", run, reported, present);
		return 1;
	}
	return 0;
}

static unsigned
check_atomic_pairs(const char *path)
{
	unsigned bad = 0;
	bad += cu_db_int(path, "SELECT count(*) FROM users WHERE name LIKE 'k%' AND name NOT IN"
	                     " (SELECT detail FROM audit WHERE opcode = 'TEST_INSERT')") != 0;
	bad += cu_db_int(path, "SELECT count(*) FROM audit WHERE opcode = 'TEST_INSERT' AND detail"
	                     " NOT IN (SELECT name FROM users)") != 0;
	bad += cu_db_int(path, "SELECT count(*) FROM users WHERE length(salt) != 16 OR"
	                     " length(hash) != 32 OR iterations <= 0") != 0;
	if (bad)
		printf("half-present rows found\n");
	return bad;
}

static unsigned
kill_one_run(unsigned run, unsigned delay_us, size_t *committed)
{
	static uint32_t ids[1 << 16];
	int rfd = -1;
	int status = 0;
	pid_t pid = spawn_writer(dbpath, run, &rfd);
	if (pid < 0)
		return 1;
	/* Kill mid-stream: once the first commit is acknowledged (however slow
	 * the machine, e.g. under valgrind), then after a random delay. */
	struct pollfd p = { .fd = rfd, .events = POLLIN };
	(void)poll(&p, 1, 60000);
	usleep(delay_us);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	size_t n = read_reported(rfd, ids, sizeof(ids) / sizeof(ids[0]));
	close(rfd);
	*committed += n;
	if (!WIFSIGNALED(status)) {
		printf("run %u: writer exited with %d before the kill\n", run, WEXITSTATUS(status));
		return 1;
	}
	unsigned bad = cu_db_integrity_ok(dbpath) ? 0 : 1;
	char err[512];
	struct store *s = store_open(dbpath, err, sizeof(err));
	if (s == NULL) {
		printf("run %u: reopen: %s\n", run, err);
		return bad + 1;
	}
	bad += check_reported(s, run, ids, n);
	store_close(s);
	bad += check_unreported(dbpath, run, n);
	return bad + check_atomic_pairs(dbpath);
}

static void
test_killed_writer(void)
{
	struct cu_rng rng;
	unsigned bad = 0;
	size_t committed = 0;
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	/* No connection of ours may be open across fork(). */
	store_close(st);
	st = NULL;
	cu_rng_seed(&rng, cu_seed("killed writer", 4242));
	for (unsigned run = 0; run < KILL_RUNS; run++)
		bad += kill_one_run(run, cu_rng_below(&rng, 50000), &committed);
	printf("%zu acknowledged inserts over %d kills ", committed, KILL_RUNS);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(committed >= KILL_RUNS);   /* at least one per run */
	/* The survivor is usable: a new user gets an id above every other. */
	char err[512];
	st = store_open(dbpath, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	long long max = cu_db_int(dbpath, "SELECT max(id) FROM users");
	CU_ASSERT_EQUAL(add_user("after_kills", HSM_USER_CU, "password"), (uint32_t)(max + 1));
}

static CU_TestInfo create_tests[] = {
	{ "create refuses an existing file", test_create_refuses_existing_file },
	{ "errors name the file", test_create_and_open_errors_name_the_file },
	{ "database file is private", test_create_file_is_private },
	{ "PRECO admin and AU app_user", test_initial_users },
	{ "app_user secret differs per node", test_two_nodes_get_different_app_user_secrets },
	{ "identity get/set", test_identity_get_set },
	{ "identity with bad node id", test_identity_rejects_bad_node_id },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo user_tests[] = {
	{ "find is case-insensitive", test_find_is_case_insensitive },
	{ "insert/get every field", test_insert_get_all_fields },
	{ "ids grow, not reused below max", test_ids_grow_and_are_not_reused },
	{ "unique names and ids", test_unique_names },
	{ "list ordered and complete", test_list_is_ordered_and_complete },
	{ "delete", test_delete },
	{ "set_password and set_failures", test_set_password_and_failures },
	{ "owns_keys", test_owns_keys },
	{ "audit rows", test_audit_rows },
	{ "public key set, read back, cleared", test_pubkey_set_get_clear },
	{ "insert keeps the public key", test_insert_keeps_pubkey },
	{ "M values default to 1, set, replace", test_m_values },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo txn_tests[] = {
	{ "rollback discards everything", test_rollback_discards },
	{ "commit keeps, isolation before", test_commit_keeps_and_isolates },
	{ "commit without begin, nested begin", test_begin_commit_misuse },
	{ "failed commit rolls back", test_failed_commit_rolls_back },
	{ "SIGKILLed writer", test_killed_writer },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "store create/open", suite_init_create, NULL, setup, teardown, create_tests },
	{ "store users", suite_init_template, NULL, setup, teardown, user_tests },
	{ "store transactions", suite_init_template, NULL, setup, teardown, txn_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	int rc = cu_run(suites);
	cu_rmtree(template_dir);
	return rc;
}
