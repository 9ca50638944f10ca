/* test-tfa.c - two-factor authentication on the node: the challenge's life,
 * the signature checks, and the 2FA rules of login, createUser, changePswd. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "cu-util.h"
#include "kdf.h"
#include "proto.h"
#include "server.h"
#include "store.h"
#include "tfa.h"

static EVP_PKEY *key_a, *key_b, *key_small, *key_ec;

/* DER SubjectPublicKeyInfo of pk. */
struct der {
	uint8_t b[TFA_PUBKEY_MAX];
	size_t n;
};

static struct der
der_of(EVP_PKEY *pk)
{
	struct der d = { .n = 0 };
	unsigned char *p = d.b;
	int n = i2d_PUBKEY(pk, NULL);
	if (n > 0 && (size_t)n <= sizeof(d.b) && i2d_PUBKEY(pk, &p) == n)
		d.n = (size_t)n;
	return d;
}

/* What the operator does: RSA PKCS#1 v1.5 over the digest as a SHA-256
 * hash (openssl pkeyutl -sign -pkeyopt digest:sha256). pss for the wrong
 * padding. Returns the signature length. */
static size_t
sign_digest(EVP_PKEY *pk, const uint8_t digest[TFA_DIGEST_LEN], uint8_t *sig, bool pss)
{
	size_t n = 512;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
	bool ok = ctx != NULL && EVP_PKEY_sign_init(ctx) == 1 &&
	          EVP_PKEY_CTX_set_rsa_padding(ctx, pss ? RSA_PKCS1_PSS_PADDING
	                                                : RSA_PKCS1_PADDING) == 1 &&
	          EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) == 1 &&
	          EVP_PKEY_sign(ctx, sig, &n, digest, TFA_DIGEST_LEN) == 1;
	EVP_PKEY_CTX_free(ctx);
	return ok ? n : 0;
}

/* openssl dgst -sha256 -sign: the digest hashed once more, then signed. */
static size_t
sign_hashed_again(EVP_PKEY *pk, const uint8_t digest[TFA_DIGEST_LEN], uint8_t *sig)
{
	size_t n = 512;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	bool ok = md != NULL && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pk) == 1 &&
	          EVP_DigestSign(md, sig, &n, digest, TFA_DIGEST_LEN) == 1;
	EVP_MD_CTX_free(md);
	return ok ? n : 0;
}

static int
init_keys(void)
{
	key_a = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	key_b = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	key_small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	key_ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	return key_a && key_b && key_small && key_ec ? 0 : -1;
}

static int
free_keys(void)
{
	EVP_PKEY_free(key_a);
	EVP_PKEY_free(key_b);
	EVP_PKEY_free(key_small);
	EVP_PKEY_free(key_ec);
	return 0;
}

/* ---- the challenge ------------------------------------------------------------ */

static void
test_challenge_single_use(void)
{
	struct tfa_challenge c;
	uint8_t out[TFA_DIGEST_LEN], first[TFA_DIGEST_LEN];
	memset(&c, 0, sizeof(c));
	CU_ASSERT_FALSE(tfa_challenge_take(&c, 1000, out));    /* never issued */
	CU_ASSERT_EQUAL_FATAL(tfa_challenge_issue(&c, 1000), 0);
	memcpy(first, c.digest, sizeof(first));
	CU_ASSERT_TRUE(tfa_challenge_take(&c, 1001, out));
	CU_ASSERT(memcmp(out, first, sizeof(out)) == 0);
	CU_ASSERT_FALSE(tfa_challenge_take(&c, 1002, out));    /* used up */
	/* A new challenge replaces the old and differs from it. */
	CU_ASSERT_EQUAL_FATAL(tfa_challenge_issue(&c, 2000), 0);
	CU_ASSERT_EQUAL_FATAL(tfa_challenge_issue(&c, 2001), 0);
	CU_ASSERT(memcmp(c.digest, first, sizeof(first)) != 0);
	memcpy(first, c.digest, sizeof(first));
	CU_ASSERT_TRUE(tfa_challenge_take(&c, 2002, out));
	CU_ASSERT(memcmp(out, first, sizeof(out)) == 0);
}

static void
test_challenge_lifetime(void)
{
	struct tfa_challenge c;
	uint8_t out[TFA_DIGEST_LEN];
	CU_ASSERT_EQUAL_FATAL(tfa_challenge_issue(&c, 5000), 0);
	CU_ASSERT_TRUE(tfa_challenge_take(&c, 5000 + TFA_CHALLENGE_TTL_MS, out));
	CU_ASSERT_EQUAL_FATAL(tfa_challenge_issue(&c, 5000), 0);
	CU_ASSERT_FALSE(tfa_challenge_take(&c, 5001 + TFA_CHALLENGE_TTL_MS, out));
	/* Expired is also used up: it does not come back. */
	CU_ASSERT_FALSE(tfa_challenge_take(&c, 5000, out));
	/* A clock that went backwards is not trusted. */
	CU_ASSERT_EQUAL_FATAL(tfa_challenge_issue(&c, 5000), 0);
	CU_ASSERT_FALSE(tfa_challenge_take(&c, 4999, out));
	CU_ASSERT_EQUAL(TFA_CHALLENGE_TTL_MS, 600000u);
}

/* ---- signatures --------------------------------------------------------------- */

static void
test_key_check(void)
{
	struct der a = der_of(key_a), s = der_of(key_small), e = der_of(key_ec);
	CU_ASSERT_EQUAL(tfa_key_check(a.b, a.n), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(tfa_key_check(s.b, s.n), HSM_RC_KEY_SIZE_RANGE);
	CU_ASSERT_EQUAL(tfa_key_check(e.b, e.n), HSM_RC_KEY_TYPE_INCONSISTENT);
	CU_ASSERT_EQUAL(tfa_key_check(a.b, a.n - 1), HSM_RC_INVALID_INPUT);
	a.b[a.n] = 0;
	CU_ASSERT_EQUAL(tfa_key_check(a.b, a.n + 1), HSM_RC_INVALID_INPUT);  /* trailing */
	CU_ASSERT_EQUAL(tfa_key_check(NULL, 0), HSM_RC_INVALID_INPUT);
	CU_ASSERT_EQUAL(tfa_key_check((const uint8_t *)"garbage", 7), HSM_RC_INVALID_INPUT);
}

static void
test_signature_checks(void)
{
	uint8_t d1[TFA_DIGEST_LEN], d2[TFA_DIGEST_LEN], sig[512];
	struct der a = der_of(key_a), b = der_of(key_b);
	CU_ASSERT_FATAL(RAND_bytes(d1, sizeof(d1)) == 1 && RAND_bytes(d2, sizeof(d2)) == 1);
	size_t n = sign_digest(key_a, d1, sig, false);
	CU_ASSERT_EQUAL_FATAL(n, 256);
	CU_ASSERT_TRUE(tfa_signature_valid(a.b, a.n, d1, sig, n));
	CU_ASSERT_FALSE(tfa_signature_valid(b.b, b.n, d1, sig, n));      /* wrong key */
	CU_ASSERT_FALSE(tfa_signature_valid(a.b, a.n, d2, sig, n));      /* other node's */
	CU_ASSERT_FALSE(tfa_signature_valid(a.b, a.n, d1, sig, n - 1));  /* truncated */
	CU_ASSERT_FALSE(tfa_signature_valid(a.b, a.n, d1, sig, 0));
	CU_ASSERT_FALSE(tfa_signature_valid(a.b, a.n, d1, NULL, 0));
	sig[100] ^= 0x01;
	CU_ASSERT_FALSE(tfa_signature_valid(a.b, a.n, d1, sig, n));      /* a flipped bit */
	/* Only the documented form verifies: not PSS, not the digest hashed again. */
	n = sign_digest(key_a, d1, sig, true);
	CU_ASSERT_EQUAL_FATAL(n, 256);
	CU_ASSERT_FALSE(tfa_signature_valid(a.b, a.n, d1, sig, n));
	n = sign_hashed_again(key_a, d1, sig);
	CU_ASSERT_EQUAL_FATAL(n, 256);
	CU_ASSERT_FALSE(tfa_signature_valid(a.b, a.n, d1, sig, n));
	/* A key that is not RSA-2048 never verifies, even its own signature. */
	struct der s = der_of(key_small);
	n = sign_digest(key_small, d1, sig, false);
	CU_ASSERT_EQUAL_FATAL(n, 128);
	CU_ASSERT_FALSE(tfa_signature_valid(s.b, s.n, d1, sig, n));
}

/* ---- the rules on the dispatch path --------------------------------------------- */

#define FAST_ITERATIONS 1000u
static char *tmpdir;
static struct node node;
static struct store *direct;
static uint32_t next_id = 1;

static void
setup(void)
{
	char err[256] = "";
	struct store_identity id = { .node_id = 0, .cluster_id = "cluster-tfa",
	                             .hsm_id = "hsm-tfa000" };
	memset(&node, 0, sizeof(node));
	tmpdir = cu_mkdtemp("tfa");
	if (tmpdir == NULL)
		return;
	snprintf(node.db_path, sizeof(node.db_path), "%s/%s", tmpdir, STORE_FILE);
	node.identity = id;
	node.max_sessions = 8;
	node.sessions = calloc(node.max_sessions, sizeof(*node.sessions));
	pthread_mutex_init(&node.lock, NULL);
	if (store_create(node.db_path, &id, err, sizeof(err)) != 0 ||
	    (direct = store_open(node.db_path, err, sizeof(err))) == NULL)
		printf("fixture: %s\n", err);
}

static void
teardown(void)
{
	for (unsigned i = 0; i < node.nsessions; i++) {
		store_close(node.sessions[i]->store);
		free(node.sessions[i]);
	}
	store_close(direct);
	direct = NULL;
	free(node.sessions);
	pthread_mutex_destroy(&node.lock);
	cu_rmtree(tmpdir);
	tmpdir = NULL;
}

static struct session *
sess_open(void)
{
	char err[256];
	struct session *s = calloc(1, sizeof(*s));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	s->node = &node;
	s->fd = -1;
	s->store = store_open(node.db_path, err, sizeof(err));
	s->id = ++node.next_session_id;
	node.sessions[node.nsessions++] = s;
	return s;
}

/* A CO straight into the store; with a key, a 2FA user (or only a quorum
 * user when two_factor is false). */
static uint32_t
plant_officer(const char *name, const char *pw, EVP_PKEY *pk, bool two_factor)
{
	struct store_user u;
	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "%s", name);
	u.type = HSM_USER_CO;
	u.iterations = FAST_ITERATIONS;
	if (RAND_bytes(u.salt, KDF_SALT_LEN) != 1 ||
	    kdf_derive(pw, strlen(pw), u.salt, KDF_SALT_LEN, u.iterations, u.hash,
	               KDF_HASH_LEN) != 0 || store_user_insert(direct, &u) != 0)
		return 0;
	if (pk != NULL) {
		struct der d = der_of(pk);
		if (store_user_set_pubkey(direct, u.id, d.b, d.n, two_factor) != 0)
			return 0;
	}
	return u.id;
}

static struct store_user
stored(const char *name)
{
	struct store_user u;
	memset(&u, 0, sizeof(u));
	CU_ASSERT_EQUAL(store_user_find(direct, name, &u), 0);
	return u;
}

/* Sends one request; returns the status (payload into reply when given). */
static hsm_rc
call(struct session *s, uint16_t op, const struct hbuf *payload, struct hbuf *reply)
{
	struct hbuf req, out;
	struct proto_hdr h;
	struct hrd pl;
	uint32_t id = next_id++;
	hbuf_init(&req);
	hbuf_init(&out);
	proto_begin(&req, PROTO_REQUEST, op, id, 0);
	if (payload != NULL)
		hbuf_put_raw(&req, payload->data, payload->len);
	CU_ASSERT_EQUAL_FATAL(proto_finish(&req), 0);
	hsm_rc rc = 0xffffffffu;
	if (dispatch_request(s, req.data + 4, req.len - 4, &out) == 0 &&
	    proto_parse(out.data + 4, out.len - 4, &h, &pl) == 0 && h.id == id) {
		rc = h.status;
		if (reply != NULL)
			hbuf_put_raw(reply, pl.p + pl.off, hrd_left(&pl));
	}
	hbuf_free(&req);
	hbuf_free(&out);
	return rc;
}

static void
challenge(struct session *s, uint8_t digest[TFA_DIGEST_LEN])
{
	struct hbuf reply;
	struct hrd r;
	hbuf_init(&reply);
	CU_ASSERT_EQUAL_FATAL(call(s, OP_TFA_CHALLENGE, NULL, &reply), HSM_RC_SUCCESS);
	hrd_init(&r, reply.data, reply.len);
	CU_ASSERT_EQUAL(msg_tfa_challenge_decode(&r, digest), 0);
	hbuf_free(&reply);
}

/* A login/createUser/changePswd; with sig (and key) it carries a second factor. */
static hsm_rc
user_op(struct session *s, uint16_t op, hsm_user_type type, const char *name,
        const char *pw, const uint8_t *sig, size_t siglen, EVP_PKEY *newkey)
{
	struct der d = { .n = 0 };
	if (newkey != NULL)
		d = der_of(newkey);
	struct msg_user_req m = { .user_type = (uint8_t)type, .name = (char *)name,
	                          .password = (char *)pw };
	if (sig != NULL) {
		m.flags = USER_REQ_FLAG_TFA;
		m.tfa = (struct msg_tfa){ sig, siglen, d.b, d.n };
	}
	struct hbuf p;
	hbuf_init(&p);
	msg_user_req_encode(&p, &m);
	hsm_rc rc = call(s, op, &p, NULL);
	hbuf_free(&p);
	return rc;
}

/* A login with pk's signature of a fresh challenge (pk NULL: a plain login). */
static hsm_rc
login_signed(struct session *s, const char *name, const char *pw, EVP_PKEY *pk)
{
	uint8_t d[TFA_DIGEST_LEN], sig[512];
	if (pk == NULL)
		return user_op(s, OP_LOGIN, HSM_USER_CO, name, pw, NULL, 0, NULL);
	challenge(s, d);
	size_t n = sign_digest(pk, d, sig, false);
	return user_op(s, OP_LOGIN, HSM_USER_CO, name, pw, sig, n, NULL);
}

static void
test_login_rules(void)
{
	uint8_t d[TFA_DIGEST_LEN], sig[512];
	CU_ASSERT_NOT_EQUAL_FATAL(plant_officer("alice", "Alice_pw_1", key_a, true), 0);
	struct session *s = sess_open();
	/* A client that skips CMU and sends a plain login gets nothing. */
	CU_ASSERT_EQUAL(login_signed(s, "alice", "Alice_pw_1", NULL), HSM_RC_LOGIN_FAILURE);
	CU_ASSERT_EQUAL(stored("alice").failures, 1);
	/* A second factor without a challenge first. */
	CU_ASSERT_EQUAL(user_op(s, OP_LOGIN, HSM_USER_CO, "alice", "Alice_pw_1",
	                        (const uint8_t *)"x", 1, NULL), HSM_RC_LOGIN_FAILURE);
	CU_ASSERT_EQUAL(login_signed(s, "alice", "Alice_pw_1", key_b), HSM_RC_LOGIN_FAILURE);
	CU_ASSERT_EQUAL(login_signed(s, "alice", "Wrong_pw_1", key_a), HSM_RC_LOGIN_FAILURE);
	CU_ASSERT_EQUAL(stored("alice").failures, 4);
	CU_ASSERT_FALSE(s->logged_in);
	/* The right signature and password; the count goes back to 0. */
	challenge(s, d);
	size_t n = sign_digest(key_a, d, sig, false);
	CU_ASSERT_EQUAL(user_op(s, OP_LOGIN, HSM_USER_CO, "alice", "Alice_pw_1", sig, n, NULL),
	                HSM_RC_SUCCESS);
	CU_ASSERT_TRUE(s->logged_in);
	CU_ASSERT_EQUAL(stored("alice").failures, 0);
	/* Replays: the used challenge on the same session, and the old signature
	 * against another session's fresh challenge. */
	CU_ASSERT_EQUAL(call(s, OP_LOGOUT, NULL, NULL), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(user_op(s, OP_LOGIN, HSM_USER_CO, "alice", "Alice_pw_1", sig, n, NULL),
	                HSM_RC_LOGIN_FAILURE);
	struct session *s2 = sess_open();
	challenge(s2, d);
	CU_ASSERT_EQUAL(user_op(s2, OP_LOGIN, HSM_USER_CO, "alice", "Alice_pw_1", sig, n, NULL),
	                HSM_RC_LOGIN_FAILURE);
	CU_ASSERT_EQUAL(stored("alice").failures, 2);
	/* An expired challenge. */
	challenge(s2, d);
	s2->tfa.issued_ms -= TFA_CHALLENGE_TTL_MS + 1;
	n = sign_digest(key_a, d, sig, false);
	CU_ASSERT_EQUAL(user_op(s2, OP_LOGIN, HSM_USER_CO, "alice", "Alice_pw_1", sig, n, NULL),
	                HSM_RC_LOGIN_FAILURE);
	/* Lockout after five, whatever the second factor then. */
	CU_ASSERT_EQUAL(login_signed(s2, "alice", "Alice_pw_1", key_b), HSM_RC_LOGIN_FAILURE);
	CU_ASSERT_EQUAL(login_signed(s2, "alice", "Alice_pw_1", key_b), HSM_RC_LOGIN_FAILURE);
	CU_ASSERT_EQUAL(stored("alice").failures, 5);
	CU_ASSERT_EQUAL(login_signed(s2, "alice", "Alice_pw_1", key_a), HSM_RC_USER_LOCKED);
}

static void
test_second_factor_ignored_without_2fa(void)
{
	CU_ASSERT_NOT_EQUAL_FATAL(plant_officer("bob", "Bob_pw_1", NULL, false), 0);
	CU_ASSERT_NOT_EQUAL_FATAL(plant_officer("quinn", "Quinn_pw_1", key_a, false), 0);
	struct session *s = sess_open();
	CU_ASSERT_EQUAL(login_signed(s, "bob", "Bob_pw_1", key_b), HSM_RC_SUCCESS);
	struct session *s2 = sess_open();
	CU_ASSERT_EQUAL(user_op(s2, OP_LOGIN, HSM_USER_CO, "bob", "Bob_pw_1",
	                        (const uint8_t *)"junk", 4, NULL), HSM_RC_SUCCESS);
	/* A quorum key alone (no 2FA) asks for no second factor. */
	struct session *s3 = sess_open();
	CU_ASSERT_EQUAL(login_signed(s3, "quinn", "Quinn_pw_1", NULL), HSM_RC_SUCCESS);
}

/* A logged-in CO for createUser/changePswd. */
static struct session *
officer_session(void)
{
	CU_ASSERT_NOT_EQUAL(plant_officer("boss", "Boss_pw_1", NULL, false), 0);
	struct session *s = sess_open();
	CU_ASSERT_EQUAL_FATAL(login_signed(s, "boss", "Boss_pw_1", NULL), HSM_RC_SUCCESS);
	return s;
}

/* createUser or changePswd with key's proof, made by signer over the
 * session's fresh challenge. */
static hsm_rc
key_op(struct session *s, uint16_t op, hsm_user_type type, const char *name, const char *pw,
       EVP_PKEY *key, EVP_PKEY *signer)
{
	uint8_t d[TFA_DIGEST_LEN], sig[512];
	challenge(s, d);
	size_t n = sign_digest(signer, d, sig, false);
	return user_op(s, op, type, name, pw, sig, n, key);
}

static void
test_create_rules(void)
{
	struct session *s = officer_session();
	CU_ASSERT_EQUAL(key_op(s, OP_CREATE_USER, HSM_USER_CU, "cu1", "Cu1_pw_1", key_a, key_a),
	                HSM_RC_BAD_USER_TYPE);
	CU_ASSERT_EQUAL(key_op(s, OP_CREATE_USER, HSM_USER_CO, "co1", "Co1_pw_1", key_a, key_b),
	                HSM_RC_TFA_SIGNATURE_INVALID);
	CU_ASSERT_EQUAL(key_op(s, OP_CREATE_USER, HSM_USER_CO, "co1", "Co1_pw_1", key_small,
	                       key_small), HSM_RC_KEY_SIZE_RANGE);
	CU_ASSERT_EQUAL(key_op(s, OP_CREATE_USER, HSM_USER_CO, "co1", "Co1_pw_1", key_ec,
	                       key_a), HSM_RC_KEY_TYPE_INCONSISTENT);
	/* No challenge asked for: no proof. */
	uint8_t d[TFA_DIGEST_LEN], sig[512];
	RAND_bytes(d, sizeof(d));
	size_t n = sign_digest(key_a, d, sig, false);
	CU_ASSERT_EQUAL(user_op(s, OP_CREATE_USER, HSM_USER_CO, "co1", "Co1_pw_1", sig, n,
	                        key_a), HSM_RC_TFA_SIGNATURE_INVALID);
	struct store_user u;
	CU_ASSERT_EQUAL(store_user_find(direct, "co1", &u), 1);    /* nothing made */
	CU_ASSERT_EQUAL(key_op(s, OP_CREATE_USER, HSM_USER_CO, "co1", "Co1_pw_1", key_a, key_a),
	                HSM_RC_SUCCESS);
	u = stored("co1");
	struct der a = der_of(key_a);
	CU_ASSERT_TRUE(u.two_factor);
	CU_ASSERT_TRUE(u.mofn_pubkey);
	CU_ASSERT_EQUAL(u.pubkey_len, a.n);
	CU_ASSERT(memcmp(u.pubkey, a.b, a.n) == 0);
	/* The new 2FA officer logs in with that key only. */
	struct session *s2 = sess_open();
	CU_ASSERT_EQUAL(login_signed(s2, "co1", "Co1_pw_1", key_b), HSM_RC_LOGIN_FAILURE);
	CU_ASSERT_EQUAL(login_signed(s2, "co1", "Co1_pw_1", key_a), HSM_RC_SUCCESS);
}

static void
test_change_rules(void)
{
	struct session *s = officer_session();
	CU_ASSERT_NOT_EQUAL_FATAL(plant_officer("alice", "Alice_pw_1", key_a, true), 0);
	CU_ASSERT_NOT_EQUAL_FATAL(plant_officer("quinn", "Quinn_pw_1", key_a, false), 0);
	CU_ASSERT_NOT_EQUAL_FATAL(plant_officer("plain", "Plain_pw_1", NULL, false), 0);
	struct der a = der_of(key_a), b = der_of(key_b);
	/* Rotation: proven with the new key; nothing changes without the proof. */
	CU_ASSERT_EQUAL(key_op(s, OP_CHANGE_PSWD, HSM_USER_CO, "alice", "Alice_pw_2", key_b,
	                       key_a), HSM_RC_TFA_SIGNATURE_INVALID);
	CU_ASSERT(memcmp(stored("alice").pubkey, a.b, a.n) == 0);
	CU_ASSERT_EQUAL(key_op(s, OP_CHANGE_PSWD, HSM_USER_CO, "alice", "Alice_pw_2", key_b,
	                       key_b), HSM_RC_SUCCESS);
	struct store_user u = stored("alice");
	CU_ASSERT_TRUE(u.two_factor);
	CU_ASSERT_EQUAL(u.pubkey_len, b.n);
	CU_ASSERT(memcmp(u.pubkey, b.b, b.n) == 0);
	/* Without -2fa a 2FA user loses 2FA and the quorum key. */
	CU_ASSERT_EQUAL(user_op(s, OP_CHANGE_PSWD, HSM_USER_CO, "alice", "Alice_pw_3", NULL, 0,
	                        NULL), HSM_RC_SUCCESS);
	u = stored("alice");
	CU_ASSERT_FALSE(u.two_factor);
	CU_ASSERT_FALSE(u.mofn_pubkey);
	CU_ASSERT_EQUAL(u.pubkey_len, 0);
	/* A quorum user without 2FA keeps the quorum key over a plain change. */
	CU_ASSERT_EQUAL(user_op(s, OP_CHANGE_PSWD, HSM_USER_CO, "quinn", "Quinn_pw_2", NULL, 0,
	                        NULL), HSM_RC_SUCCESS);
	u = stored("quinn");
	CU_ASSERT_FALSE(u.two_factor);
	CU_ASSERT_TRUE(u.mofn_pubkey);
	/* ... and the key given with -2fa becomes both. */
	CU_ASSERT_EQUAL(key_op(s, OP_CHANGE_PSWD, HSM_USER_CO, "quinn", "Quinn_pw_3", key_b,
	                       key_b), HSM_RC_SUCCESS);
	u = stored("quinn");
	CU_ASSERT_TRUE(u.two_factor);
	CU_ASSERT(memcmp(u.pubkey, b.b, b.n) == 0);
	/* Adding 2FA to a plain officer; not to a crypto user. */
	CU_ASSERT_EQUAL(key_op(s, OP_CHANGE_PSWD, HSM_USER_CO, "plain", "Plain_pw_2", key_a,
	                       key_a), HSM_RC_SUCCESS);
	CU_ASSERT_TRUE(stored("plain").two_factor);
	CU_ASSERT_EQUAL(key_op(s, OP_CHANGE_PSWD, HSM_USER_AU, "app_user", "App_pw_1", key_a,
	                       key_a), HSM_RC_BAD_USER_TYPE);
	CU_ASSERT_FALSE(stored("app_user").two_factor);
}

static void
test_malformed_second_factor(void)
{
	struct session *s = sess_open();
	struct hbuf p;
	hbuf_init(&p);
	/* The flag without the two blobs: a malformed frame drops the session. */
	struct msg_user_req m = { .user_type = HSM_USER_CO, .flags = USER_REQ_FLAG_TFA,
	                          .name = "alice", .password = "Alice_pw_1" };
	hbuf_put_u8(&p, m.user_type);
	hbuf_put_u8(&p, m.flags);
	hbuf_put_str(&p, m.name);
	hbuf_put_str(&p, m.password);
	CU_ASSERT_EQUAL(call(s, OP_LOGIN, &p, NULL), 0xffffffffu);
	/* A signature over the limit. */
	hbuf_put_u32(&p, TFA_SIGNATURE_MAX + 1);
	CU_ASSERT_EQUAL(call(s, OP_LOGIN, &p, NULL), 0xffffffffu);
	hbuf_free(&p);
	/* A challenge request with a payload. */
	hbuf_init(&p);
	hbuf_put_u8(&p, 1);
	CU_ASSERT_EQUAL(call(s, OP_TFA_CHALLENGE, &p, NULL), 0xffffffffu);
	hbuf_free(&p);
}

static CU_TestInfo challenge_tests[] = {
	{ "single use, replaced by a new one", test_challenge_single_use },
	{ "ten minutes, then gone", test_challenge_lifetime },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo signature_tests[] = {
	{ "RSA-2048 keys only", test_key_check },
	{ "good, wrong key, other digest, truncated, other forms", test_signature_checks },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo rule_tests[] = {
	{ "2FA login: plain, wrong, replayed, expired, lockout", test_login_rules },
	{ "users without 2FA: the second factor is ignored",
	  test_second_factor_ignored_without_2fa },
	{ "createUser -2fa: officers, RSA-2048, proof", test_create_rules },
	{ "changePswd: rotate, remove, quorum key", test_change_rules },
	{ "malformed second factors", test_malformed_second_factor },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "tfa challenge", NULL, NULL, NULL, NULL, challenge_tests },
	{ "tfa signatures", init_keys, free_keys, NULL, NULL, signature_tests },
	{ "tfa rules on the node", init_keys, free_keys, setup, teardown, rule_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_run(suites);
}
