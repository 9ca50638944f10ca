/* test-quorum.c - the quorum (M of N) rules of server-sim/quorum.c on a real
 * node database: keys and signatures, token lifetime and cap, approvals, M. */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "cu-db.h"
#include "cu-node.h"
#include "cu-quorum.h"
#include "cu-util.h"
#include "quorum-file.h"
#include "quorum.h"
#include "server.h"
#include "store.h"
#include "tfa.h"

#define NOW 100000u
#define VALIDITY 600u

/* ---- keys made once: three officers' and a few that must be refused ---------- */

enum { K_OFFICER1, K_OFFICER2, K_OFFICER3, K_OTHER, NKEYS };
static EVP_PKEY *keys[NKEYS];
static uint8_t ders[NKEYS][HSM_QUORUM_PUBKEY_MAX];
static size_t der_lens[NKEYS];

static int
suite_keys_init(void)
{
	for (int i = 0; i < NKEYS; i++) {
		keys[i] = cu_rsa_key();
		if (keys[i] == NULL ||
		    (der_lens[i] = cu_pubkey_der(keys[i], ders[i], sizeof(ders[i]))) == 0)
			return -1;
	}
	return 0;
}

static int
suite_keys_clean(void)
{
	for (int i = 0; i < NKEYS; i++)
		EVP_PKEY_free(keys[i]);
	return 0;
}


/* ---- fixture: a node database and a session on it ------------------------------ */

static char *tmpdir, *template_dir;
static struct node node;
static struct session sess, other;
static struct store *st;

static const struct store_identity identity = { 1, "cluster-quorum", "hsm-quorumtest1", "" };

static int
suite_db_init(void)
{
	template_dir = cu_node_template("quorum-template", &identity);
	return template_dir != NULL ? suite_keys_init() : -1;
}

static int
suite_db_clean(void)
{
	cu_rmtree(template_dir);
	template_dir = NULL;
	return suite_keys_clean();
}

static struct store *
open_store(void)
{
	return cu_node_open(&node);
}

/* A session as node.c makes one, logged in as user id/name (a CO). */
static void
session_fill(struct session *s, uint64_t sid, uint32_t user, const char *name)
{
	cu_session_fill(s, &node, sid, user, HSM_USER_CO, name);
}

/* Officers 3, 4, 5 with their keys; user 6 is a CU. */
static uint32_t
plant_user(const char *name, hsm_user_type type, int key)
{
	return cu_plant_user(st, name, type, key >= 0 ? ders[key] : NULL,
	                     key >= 0 ? der_lens[key] : 0);
}

static void
setup(void)
{
	tmpdir = cu_node_setup(&node, template_dir, "quorum", &identity);
	st = open_store();
	plant_user("officer1", HSM_USER_CO, K_OFFICER1);
	plant_user("officer2", HSM_USER_CO, K_OFFICER2);
	plant_user("officer3", HSM_USER_PCO, K_OFFICER3);
	plant_user("crypto", HSM_USER_CU, K_OTHER);
	session_fill(&sess, 7, 3, "officer1");
	session_fill(&other, 8, 4, "officer2");
}

static void
teardown(void)
{
	store_close(sess.store);
	store_close(other.store);
	store_close(st);
	st = NULL;
	cu_node_teardown(&node, &tmpdir);
}

static long long
db_int(const char *sql)
{
	return cu_db_int(node.db_path, sql);
}

/* A token of session s for service, issued at now. */
static struct store_token
issue(struct session *s, uint32_t service, uint64_t now)
{
	struct store_token t = { .session = s->id, .owner = s->user_id, .service = service };
	snprintf(t.owner_name, sizeof(t.owner_name), "%s", s->user_name);
	CU_ASSERT_EQUAL(quorum_token_issue(s->store, &t, now, VALIDITY), HSM_RC_SUCCESS);
	return t;
}

/* The token file CMU would write for t alone. */
static void
token_file(const struct store_token *t, struct hbuf *b)
{
	hsm_quorum_token w;
	memset(&w, 0, sizeof(w));
	w.id = t->id;
	w.service = t->service;
	w.node_id = node.id;
	snprintf(w.hsm_id, sizeof(w.hsm_id), "%s", node.identity.hsm_id);
	snprintf(w.user, sizeof(w.user), "%s", t->owner_name);
	memcpy(w.value, t->value, sizeof(w.value));
	hbuf_reset(b);
	CU_ASSERT_EQUAL(quorum_file_write(b, &w, 1), 0);
}

/* An approval by name, signed with keys[key] over data. */
static void
approval(struct msg_approval *a, uint8_t *sigbuf, const char *name, int key,
         const struct hbuf *data)
{
	memset(a, 0, sizeof(*a));
	a->user_type = HSM_USER_CO;
	snprintf(a->name, sizeof(a->name), "%s", name);
	a->signature.data = sigbuf;
	a->signature.len = cu_sign_sha256(keys[key], data->data, data->len, sigbuf,
	                                  HSM_QUORUM_SIG_MAX);
	CU_ASSERT(a->signature.len == 256);
}

/* One quorum-controlled change of session s, in its own transaction. */
static hsm_rc
require(struct session *s, uint32_t service, uint64_t now)
{
	CU_ASSERT_EQUAL(store_begin(s->store), 0);
	hsm_rc rc = quorum_require_at(s, service, now);
	CU_ASSERT_EQUAL(store_commit(s->store), 0);
	return rc;
}

/* ---- keys and signatures ------------------------------------------------------- */

static void
test_pubkey_check(void)
{
	CU_ASSERT_EQUAL(tfa_key_check(ders[K_OFFICER1], der_lens[K_OFFICER1]),
	                HSM_RC_SUCCESS);
	EVP_PKEY *small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	EVP_PKEY *big = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
	EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	uint8_t der[HSM_QUORUM_PUBKEY_MAX];
	size_t n = cu_pubkey_der(small, der, sizeof(der));
	CU_ASSERT_EQUAL(tfa_key_check(der, n), HSM_RC_KEY_SIZE_RANGE);
	n = cu_pubkey_der(big, der, sizeof(der));
	CU_ASSERT_EQUAL(tfa_key_check(der, n), HSM_RC_KEY_SIZE_RANGE);
	n = cu_pubkey_der(ec, der, sizeof(der));
	CU_ASSERT_EQUAL(tfa_key_check(der, n), HSM_RC_KEY_TYPE_INCONSISTENT);
	/* Not DER, a trailing byte, cut short, nothing at all. */
	CU_ASSERT_EQUAL(tfa_key_check((const uint8_t *)"-----BEGIN", 10),
	                HSM_RC_INVALID_INPUT);
	memcpy(der, ders[K_OFFICER1], der_lens[K_OFFICER1]);
	der[der_lens[K_OFFICER1]] = 0;
	CU_ASSERT_EQUAL(tfa_key_check(der, der_lens[K_OFFICER1] + 1), HSM_RC_INVALID_INPUT);
	CU_ASSERT_EQUAL(tfa_key_check(der, der_lens[K_OFFICER1] - 1), HSM_RC_INVALID_INPUT);
	CU_ASSERT_EQUAL(tfa_key_check(der, 0), HSM_RC_INVALID_INPUT);
	EVP_PKEY_free(small);
	EVP_PKEY_free(big);
	EVP_PKEY_free(ec);
}

static void
test_signatures(void)
{
	static const char data[] = "token to be signed\n";
	uint8_t sig[512], other_sig[512];
	size_t n = cu_sign_sha256(keys[K_OFFICER1], data, strlen(data), sig, sizeof(sig));
	size_t m = cu_sign_sha256(keys[K_OFFICER2], data, strlen(data), other_sig, sizeof(other_sig));
	const uint8_t *der = ders[K_OFFICER1];
	size_t dl = der_lens[K_OFFICER1];
	CU_ASSERT_EQUAL(n, 256);
	CU_ASSERT_TRUE(quorum_signature_ok(der, dl, (const uint8_t *)data, strlen(data), sig, n));
	/* Another key's signature, other data, a flipped bit, cut, empty. */
	CU_ASSERT_FALSE(quorum_signature_ok(der, dl, (const uint8_t *)data, strlen(data),
	                                    other_sig, m));
	CU_ASSERT_FALSE(quorum_signature_ok(der, dl, (const uint8_t *)data, strlen(data) - 1,
	                                    sig, n));
	sig[100] ^= 0x10;
	CU_ASSERT_FALSE(quorum_signature_ok(der, dl, (const uint8_t *)data, strlen(data), sig, n));
	sig[100] ^= 0x10;
	CU_ASSERT_FALSE(quorum_signature_ok(der, dl, (const uint8_t *)data, strlen(data), sig,
	                                    n - 1));
	CU_ASSERT_FALSE(quorum_signature_ok(der, dl, (const uint8_t *)data, strlen(data), sig, 0));
	CU_ASSERT_FALSE(quorum_signature_ok(NULL, 0, (const uint8_t *)data, strlen(data), sig, n));
	/* A SHA-1 signature of the same data is not the mechanism asked for. */
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t s1 = sizeof(other_sig);
	CU_ASSERT_EQUAL(EVP_DigestSignInit_ex(ctx, NULL, "SHA1", NULL, NULL, keys[K_OFFICER1],
	                                      NULL), 1);
	CU_ASSERT_EQUAL(EVP_DigestSign(ctx, other_sig, &s1, (const uint8_t *)data,
	                               strlen(data)), 1);
	EVP_MD_CTX_free(ctx);
	CU_ASSERT_FALSE(quorum_signature_ok(der, dl, (const uint8_t *)data, strlen(data),
	                                    other_sig, s1));
}

/* ---- M values ---------------------------------------------------------------------- */

static void
test_m_value_rules(void)
{
	CU_ASSERT_EQUAL(quorum_m_value_check(0, 5), HSM_RC_INVALID_INPUT);
	CU_ASSERT_EQUAL(quorum_m_value_check(1, 0), HSM_RC_SUCCESS);   /* quorum off */
	CU_ASSERT_EQUAL(quorum_m_value_check(2, 2), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(quorum_m_value_check(3, 2), HSM_RC_MXN_TOO_FEW_OFFICERS);
	CU_ASSERT_EQUAL(quorum_m_value_check(8, 8), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(quorum_m_value_check(9, 20), HSM_RC_INVALID_INPUT);
	CU_ASSERT_TRUE(quorum_service_valid(3));
	CU_ASSERT_TRUE(quorum_service_valid(4));
	CU_ASSERT_FALSE(quorum_service_valid(0));
	CU_ASSERT_FALSE(quorum_service_valid(5));
	uint32_t n;
	/* officer1, officer2 and the PCO officer3; the PRECO admin is no officer. */
	CU_ASSERT_EQUAL(store_officer_count(st, &n), 0);
	CU_ASSERT_EQUAL(n, 3);
}

static void
test_officer_removal(void)
{
	CU_ASSERT_EQUAL(quorum_officer_removal(st), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(store_m_value_set(st, HSM_SERVICE_USER_MGMT, 3), 0);
	CU_ASSERT_EQUAL(quorum_officer_removal(st), HSM_RC_MXN_TOO_FEW_OFFICERS);
	CU_ASSERT_EQUAL(store_m_value_set(st, HSM_SERVICE_USER_MGMT, 2), 0);
	CU_ASSERT_EQUAL(quorum_officer_removal(st), HSM_RC_SUCCESS);
	/* Service 4 counts as much as service 3. */
	CU_ASSERT_EQUAL(store_m_value_set(st, HSM_SERVICE_MISC_CO, 3), 0);
	CU_ASSERT_EQUAL(quorum_officer_removal(st), HSM_RC_MXN_TOO_FEW_OFFICERS);
}

/* ---- tokens ------------------------------------------------------------------------- */

static void
test_token_issue_and_expiry(void)
{
	struct store_token t = issue(&sess, HSM_SERVICE_USER_MGMT, NOW);
	CU_ASSERT(t.id > 0);
	CU_ASSERT_EQUAL(t.expires, NOW + VALIDITY);
	struct store_token back;
	CU_ASSERT_EQUAL(store_token_get(st, t.id, &back), 0);
	CU_ASSERT_EQUAL(back.session, sess.id);
	CU_ASSERT_STRING_EQUAL(back.owner_name, "officer1");
	CU_ASSERT_EQUAL(memcmp(back.value, t.value, sizeof(t.value)), 0);
	/* Two tokens never share their random bytes; ids grow. */
	struct store_token t2 = issue(&sess, HSM_SERVICE_USER_MGMT, NOW);
	CU_ASSERT(t2.id > t.id);
	CU_ASSERT_NOT_EQUAL(memcmp(t2.value, t.value, sizeof(t.value)), 0);
	/* No validity given: ten minutes. */
	struct store_token t3 = { .session = sess.id, .owner = 3, .service = 3 };
	CU_ASSERT_EQUAL(quorum_token_issue(st, &t3, NOW, 0), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(t3.expires, NOW + 600);
}

/* Fills the node to n tokens of another session expiring at expires. */
static void
fill_tokens(unsigned n, uint64_t expires)
{
	char sql[512];
	snprintf(sql, sizeof(sql),
	         "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < %u)"
	         " INSERT INTO quorum_tokens(session, owner, service, value, expires)"
	         " SELECT 99, 4, 3, randomblob(32), %llu FROM k", n, (unsigned long long)expires);
	CU_ASSERT_EQUAL(cu_db_exec(node.db_path, sql), 0);
}

static void
test_token_cap(void)
{
	fill_tokens(HSM_QUORUM_MAX_TOKENS - 1, NOW + 1000);
	issue(&sess, HSM_SERVICE_USER_MGMT, NOW);     /* the 1,024th fits */
	CU_ASSERT_EQUAL(db_int("SELECT count(*) FROM quorum_tokens"), HSM_QUORUM_MAX_TOKENS);
	/* Full and nothing expired: refused, nothing written. */
	struct store_token t = { .session = sess.id, .owner = 3, .service = 3 };
	CU_ASSERT_EQUAL(quorum_token_issue(st, &t, NOW, VALIDITY), HSM_RC_MAX_TOKENS);
	CU_ASSERT_EQUAL(db_int("SELECT count(*) FROM quorum_tokens"), HSM_QUORUM_MAX_TOKENS);
	/* Two expire: the next token takes the place of the one that expired first. */
	CU_ASSERT_EQUAL(cu_db_exec(node.db_path, "UPDATE quorum_tokens SET expires = 50"
	                           " WHERE id = 10; UPDATE quorum_tokens SET expires = 60"
	                           " WHERE id = 20"), 0);
	CU_ASSERT_EQUAL(quorum_token_issue(st, &t, NOW, VALIDITY), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(db_int("SELECT count(*) FROM quorum_tokens"), HSM_QUORUM_MAX_TOKENS);
	CU_ASSERT_EQUAL(db_int("SELECT count(*) FROM quorum_tokens WHERE id = 10"), 0);
	CU_ASSERT_EQUAL(db_int("SELECT count(*) FROM quorum_tokens WHERE id = 20"), 1);
	CU_ASSERT_EQUAL(db_int("SELECT count(*) FROM quorum_tokens WHERE session = 7"), 2);
}

static void
test_tokens_die_with_session_and_node(void)
{
	issue(&sess, HSM_SERVICE_USER_MGMT, NOW);
	issue(&sess, HSM_SERVICE_MISC_CO, NOW);
	issue(&other, HSM_SERVICE_USER_MGMT, NOW);
	quorum_session_end(&sess);
	CU_ASSERT_EQUAL(db_int("SELECT count(*) FROM quorum_tokens WHERE session = 7"), 0);
	CU_ASSERT_EQUAL(db_int("SELECT count(*) FROM quorum_tokens WHERE session = 8"), 1);
	CU_ASSERT_EQUAL(db_int("SELECT count(*) FROM audit WHERE opcode = 'CN_DELETE_TOKEN'"
	                       " AND detail = '2 tokens of the session'"), 1);
	/* A session without tokens leaves no audit row. */
	quorum_session_end(&sess);
	CU_ASSERT_EQUAL(db_int("SELECT count(*) FROM audit WHERE opcode = 'CN_DELETE_TOKEN'"), 1);
	char err[256] = "";
	CU_ASSERT_EQUAL(quorum_node_start(node.db_path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(db_int("SELECT count(*) FROM quorum_tokens"), 0);
	CU_ASSERT_EQUAL(quorum_node_start("/nonexistent/state.db", err, sizeof(err)), -1);
	CU_ASSERT(strstr(err, "/nonexistent/state.db") != NULL);
}

/* ---- approvals ------------------------------------------------------------------------ */

struct approve_case {
	struct store_token t;
	struct hbuf file;
	struct msg_approve_token m;
	uint8_t sigs[HSM_QUORUM_MAX_APPROVALS][HSM_QUORUM_SIG_MAX];
};

/* M = 2 for user management, a token of sess, and its file. */
static void
approve_case_init(struct approve_case *c)
{
	memset(c, 0, sizeof(*c));
	CU_ASSERT_EQUAL(store_m_value_set(st, HSM_SERVICE_USER_MGMT, 2), 0);
	c->t = issue(&sess, HSM_SERVICE_USER_MGMT, NOW);
	hbuf_init(&c->file);
	token_file(&c->t, &c->file);
	c->m.file = (struct msg_blob){ c->file.data, c->file.len };
}

static void
add_approval(struct approve_case *c, const char *name, int key, const struct hbuf *over)
{
	approval(&c->m.approvals[c->m.count], c->sigs[c->m.count], name, key,
	         over ? over : &c->file);
	c->m.count++;
}

static long long
approvals_recorded(void)
{
	return db_int("SELECT count(*) FROM quorum_approvals");
}

static void
test_approve_good(void)
{
	struct approve_case c;
	uint32_t id;
	approve_case_init(&c);
	/* The owner may approve its own token; a PCO is an officer. */
	add_approval(&c, "officer1", K_OFFICER1, NULL);
	add_approval(&c, "OFFICER3", K_OFFICER3, NULL);
	CU_ASSERT_EQUAL(quorum_approve(&sess, &c.m, NOW + 1, &id), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(id, c.t.id);
	struct store_token back;
	CU_ASSERT_EQUAL(store_token_get(st, c.t.id, &back), 0);
	CU_ASSERT_EQUAL(back.napprovals, 2);
	CU_ASSERT_STRING_EQUAL(back.approvers[0], "officer1");
	CU_ASSERT_STRING_EQUAL(back.approvers[1], "officer3");
	/* Approving again replaces the approvals, it does not add to them. */
	CU_ASSERT_EQUAL(quorum_approve(&sess, &c.m, NOW + 2, &id), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(approvals_recorded(), 2);
	hbuf_free(&c.file);
}

/* Each refusal changes nothing: no approval is recorded. */
static void
expect_refused(struct approve_case *c, struct session *s, uint64_t now, hsm_rc want,
               const char *what)
{
	uint32_t id;
	hsm_rc rc = quorum_approve(s, &c->m, now, &id);
	if (rc != want)
		printf("\n  %s: 0x%x, wanted 0x%x", what, rc, want);
	CU_ASSERT_EQUAL(rc, want);
	CU_ASSERT_EQUAL(approvals_recorded(), 0);
}

static void
test_approve_refusals(void)
{
	struct approve_case c;
	approve_case_init(&c);
	add_approval(&c, "officer1", K_OFFICER1, NULL);
	expect_refused(&c, &sess, NOW, HSM_RC_MXN_AUTH_FAILED, "too few approvals");
	/* The same approver twice. */
	add_approval(&c, "officer1", K_OFFICER1, NULL);
	expect_refused(&c, &sess, NOW, HSM_RC_MXN_AUTH_FAILED, "one approver twice");
	/* A forged approval: officer2's name, another key. */
	c.m.count = 1;
	add_approval(&c, "officer2", K_OTHER, NULL);
	expect_refused(&c, &sess, NOW, HSM_RC_MXN_AUTH_FAILED, "forged signature");
	/* A user without a registered key, one who does not exist, a CU. */
	CU_ASSERT_EQUAL(store_user_set_pubkey(st, 4, NULL, 0, false), 0);
	c.m.count = 1;
	add_approval(&c, "officer2", K_OFFICER2, NULL);
	expect_refused(&c, &sess, NOW, HSM_RC_MXN_AUTH_FAILED, "no registered key");
	CU_ASSERT_EQUAL(store_user_set_pubkey(st, 4, ders[K_OFFICER2], der_lens[K_OFFICER2],
	                                      false), 0);
	c.m.count = 1;
	add_approval(&c, "nobody", K_OFFICER2, NULL);
	expect_refused(&c, &sess, NOW, HSM_RC_MXN_AUTH_FAILED, "no such user");
	c.m.count = 1;
	add_approval(&c, "crypto", K_OTHER, NULL);
	c.m.approvals[1].user_type = HSM_USER_CU;
	expect_refused(&c, &sess, NOW, HSM_RC_MXN_AUTH_FAILED, "a CU for an officer service");
	c.m.approvals[1].user_type = HSM_USER_CO;
	expect_refused(&c, &sess, NOW, HSM_RC_MXN_AUTH_FAILED, "a CU called a CO");
	/* A signature truncated by one byte. */
	c.m.count = 1;
	add_approval(&c, "officer2", K_OFFICER2, NULL);
	c.m.approvals[1].signature.len--;
	expect_refused(&c, &sess, NOW, HSM_RC_MXN_AUTH_FAILED, "truncated signature");
	c.m.approvals[1].signature.len++;
	/* Now good, but expired, or approved by another session. */
	expect_refused(&c, &sess, NOW + VALIDITY, HSM_RC_TOKEN_EXPIRED, "expired");
	expect_refused(&c, &other, NOW, HSM_RC_TOKEN_INVALID, "another session's token");
	hbuf_free(&c.file);
}

static void
test_approve_reused_signature(void)
{
	struct approve_case first, second;
	uint32_t id;
	approve_case_init(&first);
	add_approval(&first, "officer1", K_OFFICER1, NULL);
	add_approval(&first, "officer2", K_OFFICER2, NULL);
	approve_case_init(&second);
	/* Signatures over the first token's file do not approve the second. */
	add_approval(&second, "officer1", K_OFFICER1, &first.file);
	add_approval(&second, "officer2", K_OFFICER2, &first.file);
	expect_refused(&second, &sess, NOW, HSM_RC_MXN_AUTH_FAILED, "another token's signatures");
	CU_ASSERT_EQUAL(quorum_approve(&sess, &first.m, NOW, &id), HSM_RC_SUCCESS);
	/* Used up, the first token's approval file is of no use any more. */
	CU_ASSERT_EQUAL(require(&sess, HSM_SERVICE_USER_MGMT, NOW), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(quorum_approve(&sess, &first.m, NOW, &id), HSM_RC_TOKEN_INVALID);
	hbuf_free(&first.file);
	hbuf_free(&second.file);
}

/* The file must name this node's token exactly as it was issued. */
static void
test_approve_file_must_match(void)
{
	struct approve_case c;
	approve_case_init(&c);
	struct store_token t = c.t;
	static const struct { const char *what; int field; hsm_rc want; } cases[] = {
		{ "other random bytes", 0, HSM_RC_TOKEN_INVALID },
		{ "another service", 1, HSM_RC_TOKEN_INVALID },
		{ "another user", 2, HSM_RC_TOKEN_INVALID },
		{ "another token id", 3, HSM_RC_TOKEN_INVALID },
		{ "another node", 4, HSM_RC_TOKEN_INVALID },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct store_token x = t;
		if (cases[i].field == 0)
			x.value[0] ^= 1;
		else if (cases[i].field == 1)
			x.service = HSM_SERVICE_MISC_CO;
		else if (cases[i].field == 2)
			snprintf(x.owner_name, sizeof(x.owner_name), "officer2");
		else if (cases[i].field == 3)
			x.id = t.id + 100;
		else
			node.id = 2;
		token_file(&x, &c.file);
		node.id = 1;
		c.m.file = (struct msg_blob){ c.file.data, c.file.len };
		c.m.count = 0;
		add_approval(&c, "officer1", K_OFFICER1, NULL);
		add_approval(&c, "officer2", K_OFFICER2, NULL);
		expect_refused(&c, &sess, NOW, cases[i].want, cases[i].what);
	}
	/* A signed file that is not a token file at all. */
	c.m.file = (struct msg_blob){ (const uint8_t *)"hello\n", 6 };
	expect_refused(&c, &sess, NOW, HSM_RC_INVALID_INPUT, "not a token file");
	hbuf_free(&c.file);
}

/* ---- enforcement ------------------------------------------------------------------------ */

static void
approve_with(struct approve_case *c, const char *a, int ka, const char *b, int kb)
{
	uint32_t id;
	add_approval(c, a, ka, NULL);
	add_approval(c, b, kb, NULL);
	CU_ASSERT_EQUAL(quorum_approve(&sess, &c->m, NOW, &id), HSM_RC_SUCCESS);
}

static void
test_require(void)
{
	/* M = 1: nothing to approve. */
	CU_ASSERT_EQUAL(require(&sess, HSM_SERVICE_USER_MGMT, NOW), HSM_RC_SUCCESS);
	struct approve_case c;
	approve_case_init(&c);
	/* Issued but not approved. */
	CU_ASSERT_EQUAL(require(&sess, HSM_SERVICE_USER_MGMT, NOW), HSM_RC_MXN_AUTH_FAILED);
	approve_with(&c, "officer1", K_OFFICER1, "officer2", K_OFFICER2);
	/* Another session, another service: not theirs. */
	CU_ASSERT_EQUAL(require(&other, HSM_SERVICE_USER_MGMT, NOW), HSM_RC_MXN_AUTH_FAILED);
	CU_ASSERT_EQUAL(store_m_value_set(st, HSM_SERVICE_MISC_CO, 2), 0);
	CU_ASSERT_EQUAL(require(&sess, HSM_SERVICE_MISC_CO, NOW), HSM_RC_MXN_AUTH_FAILED);
	/* Expired. */
	CU_ASSERT_EQUAL(require(&sess, HSM_SERVICE_USER_MGMT, NOW + VALIDITY),
	                HSM_RC_TOKEN_EXPIRED);
	/* One operation uses it up. */
	CU_ASSERT_EQUAL(require(&sess, HSM_SERVICE_USER_MGMT, NOW + 5), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(db_int("SELECT count(*) FROM quorum_tokens"), 0);
	CU_ASSERT_EQUAL(require(&sess, HSM_SERVICE_USER_MGMT, NOW + 5), HSM_RC_MXN_AUTH_FAILED);
	hbuf_free(&c.file);
}

static void
test_require_rolls_back_with_the_operation(void)
{
	struct approve_case c;
	approve_case_init(&c);
	approve_with(&c, "officer1", K_OFFICER1, "officer2", K_OFFICER2);
	CU_ASSERT_EQUAL(store_begin(sess.store), 0);
	CU_ASSERT_EQUAL(quorum_require_at(&sess, HSM_SERVICE_USER_MGMT, NOW), HSM_RC_SUCCESS);
	store_rollback(sess.store);              /* the operation failed after all */
	CU_ASSERT_EQUAL(db_int("SELECT count(*) FROM quorum_tokens"), 1);
	/* M raised since the approval: two approvals are not enough for three. */
	CU_ASSERT_EQUAL(store_m_value_set(st, HSM_SERVICE_USER_MGMT, 3), 0);
	CU_ASSERT_EQUAL(require(&sess, HSM_SERVICE_USER_MGMT, NOW), HSM_RC_MXN_AUTH_FAILED);
	hbuf_free(&c.file);
}

static hsm_rc
m_change(uint32_t service)
{
	CU_ASSERT_EQUAL(store_begin(sess.store), 0);
	hsm_rc rc = quorum_require_m_change(&sess, service, NOW);
	CU_ASSERT_EQUAL(store_commit(sess.store), 0);
	return rc;
}

static void
test_m_change_needs_misc_co(void)
{
	/* Both 1: free. */
	CU_ASSERT_EQUAL(m_change(HSM_SERVICE_USER_MGMT), HSM_RC_SUCCESS);
	/* Service 3 at 2, service 4 at 1: changing 3 needs two approvals on a
	 * service 4 token, which cannot be had; raising 4 is free. */
	CU_ASSERT_EQUAL(store_m_value_set(st, HSM_SERVICE_USER_MGMT, 2), 0);
	CU_ASSERT_EQUAL(m_change(HSM_SERVICE_USER_MGMT), HSM_RC_MXN_AUTH_FAILED);
	CU_ASSERT_EQUAL(m_change(HSM_SERVICE_MISC_CO), HSM_RC_SUCCESS);
	/* Service 4 at 2: a service 3 token does not do. */
	struct approve_case c;
	approve_case_init(&c);
	approve_with(&c, "officer1", K_OFFICER1, "officer2", K_OFFICER2);
	CU_ASSERT_EQUAL(store_m_value_set(st, HSM_SERVICE_MISC_CO, 2), 0);
	CU_ASSERT_EQUAL(m_change(HSM_SERVICE_USER_MGMT), HSM_RC_MXN_AUTH_FAILED);
	hbuf_free(&c.file);
	/* A service 4 token with two approvals does, once. */
	memset(&c, 0, sizeof(c));
	c.t = issue(&sess, HSM_SERVICE_MISC_CO, NOW);
	hbuf_init(&c.file);
	token_file(&c.t, &c.file);
	c.m.file = (struct msg_blob){ c.file.data, c.file.len };
	approve_with(&c, "officer2", K_OFFICER2, "officer3", K_OFFICER3);
	CU_ASSERT_EQUAL(m_change(HSM_SERVICE_USER_MGMT), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(m_change(HSM_SERVICE_USER_MGMT), HSM_RC_MXN_AUTH_FAILED);
	hbuf_free(&c.file);
}

/* ---- the handlers: what a request frame's payload gets -------------------------- */

static hsm_rc
call_register(struct session *s, uint8_t type, const char *name, int key, const char *reg)
{
	uint8_t sig[HSM_QUORUM_SIG_MAX];
	size_t sl = cu_sign_sha256(keys[key], reg, strlen(reg), sig, sizeof(sig));
	struct msg_register_key m = { type, (char *)name, { (const uint8_t *)reg, strlen(reg) },
	                              { sig, sl }, { ders[key], der_lens[key] } };
	struct hbuf req, reply;
	struct hrd r;
	hsm_rc rc = 0xffffffffu;
	hbuf_init(&req);
	hbuf_init(&reply);
	msg_register_key_encode(&req, &m);
	hrd_init(&r, req.data, req.len);
	CU_ASSERT_EQUAL(op_register_quorum_key(s, &r, &reply, &rc), 0);
	CU_ASSERT_EQUAL(reply.len, 0);
	hbuf_free(&req);
	hbuf_free(&reply);
	return rc;
}

static bool
registered_key_is(uint32_t user, int key)
{
	struct store_user u;
	return store_user_get(st, user, &u) == 0 && u.pubkey_len == der_lens[key] &&
	       memcmp(u.pubkey, ders[key], der_lens[key]) == 0;
}

static void
test_register_handler(void)
{
	static const char reg[] = "token to be signed\n";
	/* officer1 rotates its key to K_OTHER, proving possession. */
	CU_ASSERT_EQUAL(call_register(&sess, HSM_USER_CO, "OFFICER1", K_OTHER, reg), HSM_RC_SUCCESS);
	CU_ASSERT_TRUE(registered_key_is(3, K_OTHER));
	CU_ASSERT_EQUAL(db_int("SELECT count(*) FROM audit WHERE opcode = 'CN_REGISTER_QUORUM_KEY'"
	                       " AND response = 0 AND detail = 'user OFFICER1'"), 1);
	/* Not for another officer, not as a CU, not with an empty token. */
	CU_ASSERT_EQUAL(call_register(&sess, HSM_USER_CO, "officer2", K_OFFICER1, reg),
	                HSM_RC_PERMISSION_DENIED);
	CU_ASSERT_EQUAL(call_register(&sess, HSM_USER_CU, "officer1", K_OFFICER1, reg),
	                HSM_RC_BAD_USER_TYPE_ARG);
	CU_ASSERT_EQUAL(call_register(&sess, HSM_USER_CO, "officer1", K_OFFICER1, ""),
	                HSM_RC_INVALID_INPUT);
	CU_ASSERT_TRUE(registered_key_is(3, K_OTHER));
	/* A 2FA user's key is its 2FA key: registerQuorumPubKey leaves it. */
	CU_ASSERT_EQUAL(store_user_set_pubkey(st, 3, ders[K_OTHER], der_lens[K_OTHER], true), 0);
	CU_ASSERT_EQUAL(call_register(&sess, HSM_USER_CO, "officer1", K_OFFICER1, reg),
	                HSM_RC_MXN_KEY_IS_2FA);
	CU_ASSERT_TRUE(registered_key_is(3, K_OTHER));
	CU_ASSERT_EQUAL(db_int("SELECT two_factor FROM users WHERE id = 3"), 1);
}

static hsm_rc
call_get_token(struct session *s, uint32_t service, const char *name, hsm_quorum_token *out)
{
	struct msg_get_token m = { service, (char *)name };
	struct hbuf req;
	hbuf_init(&req);
	msg_get_token_encode(&req, &m);
	hsm_rc rc = cu_call_for_token(op_get_token, s, &req, out);
	hbuf_free(&req);
	return rc;
}

static void
test_get_token_handler(void)
{
	hsm_quorum_token t;
	CU_ASSERT_EQUAL(call_get_token(&sess, 3, "officer1", &t), HSM_RC_MXN_NOT_ENABLED);
	CU_ASSERT_EQUAL(call_get_token(&sess, 5, "officer1", &t), HSM_RC_INVALID_INPUT);
	CU_ASSERT_EQUAL(store_m_value_set(st, HSM_SERVICE_USER_MGMT, 2), 0);
	CU_ASSERT_EQUAL(call_get_token(&sess, 3, "officer2", &t), HSM_RC_PERMISSION_DENIED);
	CU_ASSERT_EQUAL(db_int("SELECT count(*) FROM quorum_tokens"), 0);
	node.token_validity_s = 42;
	CU_ASSERT_EQUAL(call_get_token(&sess, 3, "Officer1", &t), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(t.service, 3);
	CU_ASSERT_EQUAL(t.node_id, 1);
	CU_ASSERT_STRING_EQUAL(t.hsm_id, "hsm-quorumtest1");
	CU_ASSERT_STRING_EQUAL(t.user, "officer1");
	CU_ASSERT_EQUAL(t.key_handle, 0);
	CU_ASSERT(t.validity_s >= 41 && t.validity_s <= 42);
	CU_ASSERT_EQUAL(t.required, 2);
	CU_ASSERT_EQUAL(t.napprovals, 0);
	struct store_token back;
	CU_ASSERT_EQUAL(store_token_get(st, t.id, &back), 0);
	CU_ASSERT_EQUAL(back.session, sess.id);
	CU_ASSERT_EQUAL(memcmp(back.value, t.value, sizeof(t.value)), 0);
	/* The audit row names the token, never its bytes. */
	CU_ASSERT_EQUAL(db_int("SELECT count(*) FROM audit WHERE opcode = 'CN_GET_TOKEN'"
	                       " AND response = 0 AND detail LIKE 'service 3 user Officer1 token %'"), 1);
}

static CU_TestInfo key_tests[] = {
	{ "registered keys: RSA-2048 in DER only", test_pubkey_check },
	{ "signatures: good, forged, other data, cut, SHA-1", test_signatures },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo rule_tests[] = {
	{ "M value range and officers", test_m_value_rules },
	{ "deleting an officer keeps M reachable", test_officer_removal },
	{ "token ids, random bytes, validity", test_token_issue_and_expiry },
	{ "1,024 tokens: purge of an expired one, else refusal", test_token_cap },
	{ "tokens die with the session and at node start", test_tokens_die_with_session_and_node },
	{ "approval: good, own token, again", test_approve_good },
	{ "approval refusals change nothing", test_approve_refusals },
	{ "approval: another token's signatures", test_approve_reused_signature },
	{ "approval: the file must name the token", test_approve_file_must_match },
	{ "enforcement: approved, expired, consumed", test_require },
	{ "enforcement: rollback keeps the token; M raised", test_require_rolls_back_with_the_operation },
	{ "setMValue needs a MISC_CO token", test_m_change_needs_misc_co },
	{ "registerQuorumPubKey: own key, proof, 2FA", test_register_handler },
	{ "getToken: M, service, name, validity", test_get_token_handler },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "quorum keys", suite_keys_init, suite_keys_clean, NULL, NULL, key_tests },
	{ "quorum rules", suite_db_init, suite_db_clean, setup, teardown, rule_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_run(suites);
}
