/* key-quorum-bypass.c - a client that skips key_mgmt_util and talks to every
 * node with libhsmclient, trying to use or share keys under quorum without the
 * approvals their m_value asks for (key-quorum-bypass.exp). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "bypass.h"
#include "cu-quorum.h"
#include "hsmclient.h"

static uint32_t priv, aes;        /* alice's keys: m_value 2, shared with bob */

/* ---- uses of the keys --------------------------------------------------------------- */

static hsm_rc
sign_once(hsm_client *c)
{
	static const char msg[] = "sign me";
	uint8_t *sig = NULL;
	size_t n = 0;
	hsm_node_status st;
	hsm_rc rc = hsm_sign(c, priv, HSM_MECH_SHA256_RSA_PKCS, (const uint8_t *)msg,
	                     strlen(msg), &sig, &n, &st);
	free(sig);
	return rc;
}

static hsm_rc
encrypt_once(hsm_client *c)
{
	static const uint8_t data[24] = { 1 };
	hsm_wrap_result r;
	hsm_node_status st;
	hsm_wrap_params p = { .mechanism = HSM_WRAP_AES_KEY_WRAP_PAD_PKCS5 };
	hsm_rc rc = hsm_wrap_data(c, aes, &p, data, sizeof(data), &r, &st);
	if (rc == HSM_RC_SUCCESS)
		hsm_wrap_result_free(&r);
	return rc;
}

static void
expect_no_use(hsm_client *c, const char *what)
{
	char line[160];
	snprintf(line, sizeof(line), "sign (%s)", what);
	expect_rc(line, 0, sign_once(c), HSM_RC_MXN_AUTH_FAILED);
	snprintf(line, sizeof(line), "encrypt (%s)", what);
	expect_rc(line, 0, encrypt_once(c), HSM_RC_MXN_AUTH_FAILED);
	for (size_t i = 0; i < nservers; i++) {
		uint32_t carol = 5;
		snprintf(line, sizeof(line), "shareKey (%s)", what);
		expect_rc(line, i, hsm_server_share_key(c, i, priv, &carol, 1, true),
		          HSM_RC_MXN_AUTH_FAILED);
	}
}

/* ---- tokens and approvals ------------------------------------------------------------ */

struct token {
	hsm_quorum_token t;
	char *file;
	size_t len;
};

static void
get_token(hsm_client *c, size_t srv, uint32_t service, uint32_t handle, const char *name,
          struct token *k)
{
	expect_rc("getToken", srv, hsm_get_key_token(c, srv, service, handle, name, &k->t),
	          HSM_RC_SUCCESS);
	expect_rc("token file", srv, hsm_token_file_build(&k->t, 1, &k->file, &k->len),
	          HSM_RC_SUCCESS);
}

/* approveToken on the token's server, with n approvals by names/keys. */
static hsm_rc
approve(hsm_client *c, size_t srv, const struct token *k, const char *const *names,
        EVP_PKEY *const *keys, size_t n, hsm_user_type type)
{
	uint8_t sigs[2][HSM_QUORUM_SIG_MAX];
	hsm_approval a[2];
	for (size_t j = 0; j < n && j < 2; j++)
		a[j] = (hsm_approval){ type, names[j], sigs[j],
		                       cu_sign_sha256(keys[j], k->file, k->len, sigs[j],
		                                      HSM_QUORUM_SIG_MAX) };
	return hsm_approve_token(c, srv, (const uint8_t *)k->file, k->len, a, n);
}

static void
attempt_bad_approvals(hsm_client *alice, hsm_client *bob, EVP_PKEY *ka, EVP_PKEY *kb)
{
	struct token k = { .file = NULL };
	const char *both[] = { "alice", "bob" }, *twice[] = { "alice", "alice" };
	EVP_PKEY *good[] = { ka, kb }, *same[] = { ka, ka }, *forged[] = { ka, ka };
	get_token(alice, 0, HSM_SERVICE_USE_KEY, priv, "alice", &k);
	expect_no_use(alice, "an unapproved token");
	expect_rc("one approval", 0, approve(alice, 0, &k, both, good, 1, HSM_USER_CU),
	          HSM_RC_MXN_AUTH_FAILED);
	expect_rc("alice twice", 0, approve(alice, 0, &k, twice, same, 2, HSM_USER_CU),
	          HSM_RC_MXN_AUTH_FAILED);
	expect_rc("bob's name, alice's signature", 0,
	          approve(alice, 0, &k, both, forged, 2, HSM_USER_CU), HSM_RC_MXN_AUTH_FAILED);
	expect_rc("approvers as officers", 0, approve(alice, 0, &k, both, good, 2, HSM_USER_CO),
	          HSM_RC_MXN_AUTH_FAILED);
	expect_rc("bob approves alice's token", 0, approve(bob, 0, &k, both, good, 2, HSM_USER_CU),
	          HSM_RC_TOKEN_INVALID);
	uint32_t removed;
	expect_rc("bob deletes alice's token", 0,
	          hsm_delete_tokens(bob, 0, (const uint8_t *)k.file, k.len, &removed),
	          HSM_RC_TOKEN_INVALID);
	for (size_t i = 1; i < nservers; i++)
		expect_rc("the token file on another server", i,
		          approve(alice, i, &k, both, good, 2, HSM_USER_CU), HSM_RC_TOKEN_INVALID);
	expect_no_use(alice, "refused approvals");
	/* bob's own approved token is of no use to alice's session. */
	struct token b = { .file = NULL };
	get_token(bob, 0, HSM_SERVICE_USE_KEY, priv, "bob", &b);
	expect_rc("bob's token approved", 0, approve(bob, 0, &b, both, good, 2, HSM_USER_CU),
	          HSM_RC_SUCCESS);
	expect_no_use(alice, "another session's approved token");
	expect_rc("bob signs once", 0, sign_once(bob), HSM_RC_SUCCESS);
	expect_rc("bob's second signature", 0, sign_once(bob), HSM_RC_MXN_AUTH_FAILED);
	free(b.file);
	free(k.file);
}

/* One approved USE_KEY token on server 0: exactly one use in the cluster,
 * and no share; one MANAGE_KEY token on server 0: one share, there only. */
static void
attempt_reuse(hsm_client *alice, EVP_PKEY *ka, EVP_PKEY *kb)
{
	struct token u = { .file = NULL }, m = { .file = NULL };
	const char *both[] = { "alice", "bob" };
	EVP_PKEY *good[] = { ka, kb };
	uint32_t carol = 5;
	get_token(alice, 0, HSM_SERVICE_USE_KEY, priv, "alice", &u);
	expect_rc("approval", 0, approve(alice, 0, &u, both, good, 2, HSM_USER_CU),
	          HSM_RC_SUCCESS);
	expect_rc("share with a USE_KEY token", 0,
	          hsm_server_share_key(alice, 0, priv, &carol, 1, true), HSM_RC_MXN_AUTH_FAILED);
	expect_rc("encrypt with another key's token", 0, encrypt_once(alice),
	          HSM_RC_MXN_AUTH_FAILED);
	expect_rc("the one signature", 0, sign_once(alice), HSM_RC_SUCCESS);
	for (size_t i = 0; i < nservers + 1; i++)
		expect_rc("another signature", i, sign_once(alice), HSM_RC_MXN_AUTH_FAILED);
	expect_rc("approving the used token again", 0,
	          approve(alice, 0, &u, both, good, 2, HSM_USER_CU), HSM_RC_TOKEN_INVALID);
	get_token(alice, 0, HSM_SERVICE_MANAGE_KEY, priv, "alice", &m);
	expect_rc("approval", 0, approve(alice, 0, &m, both, good, 2, HSM_USER_CU),
	          HSM_RC_SUCCESS);
	expect_rc("sign with a MANAGE_KEY token", 0, sign_once(alice), HSM_RC_MXN_AUTH_FAILED);
	for (size_t i = 1; i < nservers; i++)
		expect_rc("share where no token is", i,
		          hsm_server_share_key(alice, i, priv, &carol, 1, true), HSM_RC_MXN_AUTH_FAILED);
	expect_rc("share with the token", 0, hsm_server_share_key(alice, 0, priv, &carol, 1, true),
	          HSM_RC_SUCCESS);
	expect_rc("unshare after it", 0, hsm_server_share_key(alice, 0, priv, &carol, 1, false),
	          HSM_RC_MXN_AUTH_FAILED);
	free(u.file);
	free(m.file);
}

/* The key opcodes are crypto users', the officer ones officers'. */
static void
attempt_wrong_opcodes(hsm_client *alice, hsm_client *admin)
{
	hsm_quorum_token t;
	for (size_t i = 0; i < nservers; i++) {
		expect_rc("an officer's getToken for a key", i,
		          hsm_get_key_token(admin, i, HSM_SERVICE_USE_KEY, priv, "admin", &t),
		          HSM_RC_PERMISSION_DENIED);
		expect_rc("the officer opcode for service 5", i,
		          hsm_get_token(admin, i, HSM_SERVICE_USE_KEY, "admin", &t),
		          HSM_RC_INVALID_INPUT);
		expect_rc("a crypto user on the officer opcode", i,
		          hsm_get_token(alice, i, HSM_SERVICE_USE_KEY, "alice", &t),
		          HSM_RC_PERMISSION_DENIED);
		expect_rc("a key token of the officer service", i,
		          hsm_get_key_token(alice, i, HSM_SERVICE_USER_MGMT, priv, "alice", &t),
		          HSM_RC_INVALID_INPUT);
		expect_rc("a key token in another's name", i,
		          hsm_get_key_token(alice, i, HSM_SERVICE_USE_KEY, priv, "bob", &t),
		          HSM_RC_PERMISSION_DENIED);
		expect_rc("registering as a CO", i,
		          hsm_register_quorum_key(alice, i, HSM_USER_CO, "alice", NULL, 0, NULL, 0,
		                                  NULL, 0), HSM_RC_BAD_USER_TYPE_ARG);
	}
}

int
main(int argc, char **argv)
{
	if (argc != 7) {
		fprintf(stderr, "usage: key-quorum-bypass CMU_CONFIG ADMIN_PW ALICE_PW BOB_PW "
		                "PRIVATE_KEY AES_KEY\n");
		return 2;
	}
	priv = (uint32_t)strtoul(argv[5], NULL, 10);
	aes = (uint32_t)strtoul(argv[6], NULL, 10);
	EVP_PKEY *ka = cu_rsa_key();
	EVP_PKEY *kb = cu_rsa_key();
	hsm_client *admin = logged_in(argv[1], HSM_USER_CO, "admin", argv[2]);
	hsm_client *alice = logged_in(argv[1], HSM_USER_CU, "alice", argv[3]);
	hsm_client *bob = logged_in(argv[1], HSM_USER_CU, "bob", argv[4]);
	register_key(alice, HSM_USER_CU, "alice", ka);
	register_key(bob, HSM_USER_CU, "bob", kb);
	expect_no_use(alice, "no token");
	attempt_wrong_opcodes(alice, admin);
	attempt_bad_approvals(alice, bob, ka, kb);
	printf("attempts refused: %s\n", failures == 0 ? "all" : "NOT ALL");
	attempt_reuse(alice, ka, kb);
	printf("key-quorum-bypass: %u checks, %u failed\n", checks, failures);
	hsm_client_close(bob);
	hsm_client_close(alice);
	hsm_client_close(admin);
	EVP_PKEY_free(ka);
	EVP_PKEY_free(kb);
	return failures == 0 ? 0 : 1;
}
