/* bypass.c - the tally, logins and key registration of the quorum-bypass
 * tools (bypass.h); signatures as openssl makes them (tests/unit/cu-quorum.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "bypass.h"
#include "cu-quorum.h"

unsigned checks, failures;
size_t nservers;

void
expect_rc(const char *what, size_t srv, hsm_rc got, hsm_rc want)
{
	checks++;
	if (got == want)
		return;
	failures++;
	printf("FAIL: %s on server %zu: got 0x%x (%s), want 0x%x (%s)\n", what, srv, got,
	       hsm_rc_name(got) ? hsm_rc_name(got) : "?", want,
	       hsm_rc_name(want) ? hsm_rc_name(want) : "?");
}

void
expect_true(const char *what, int ok)
{
	checks++;
	if (!ok) {
		failures++;
		printf("FAIL: %s\n", what);
	}
}

hsm_client *
logged_in(const char *cfg, hsm_user_type type, const char *name, const char *pw)
{
	char err[512];
	hsm_client *c = hsm_client_open_cmu(cfg, err, sizeof(err));
	if (c == NULL) {
		printf("FAIL: %s\n", err);
		exit(1);
	}
	nservers = hsm_server_count(c);
	for (size_t i = 0; i < nservers; i++) {
		expect_rc("connect", i, hsm_server_connect(c, i, err, sizeof(err)), HSM_RC_SUCCESS);
		expect_rc("login", i, hsm_login(c, i, type, name, pw), HSM_RC_SUCCESS);
	}
	return c;
}

void
register_key(hsm_client *c, hsm_user_type type, const char *name, EVP_PKEY *k)
{
	static const char reg[] = "token to be signed\n";
	uint8_t sig[HSM_QUORUM_SIG_MAX], der[HSM_QUORUM_PUBKEY_MAX];
	size_t sl = cu_sign_sha256(k, reg, strlen(reg), sig, sizeof(sig));
	size_t dl = cu_pubkey_der(k, der, sizeof(der));
	for (size_t i = 0; i < nservers; i++)
		expect_rc("registerQuorumPubKey", i,
		          hsm_register_quorum_key(c, i, type, name, (const uint8_t *)reg, strlen(reg),
		                                  sig, sl, der, dl),
		          HSM_RC_SUCCESS);
}
