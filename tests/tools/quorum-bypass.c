/* quorum-bypass.c - a client that skips cloudhsm_mgmt_util and talks to every
 * node with libhsmclient, trying to get round quorum (quorum-bypass.exp). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "bypass.h"
#include "cu-quorum.h"
#include "hsmclient.h"

#define OFFICER "bypass_officer"
#define OFFICER_PW "Bypass_pw_1"
#define VICTIM "bypass_cu"
#define OTHER_CO "bypass_co2"
#define STRAY "bypass_stray"

/* Signatures as an approver's openssl makes them. */
static size_t
sign(EVP_PKEY *k, const void *data, size_t len, uint8_t *sig)
{
	return cu_sign_sha256(k, data, len, sig, HSM_QUORUM_SIG_MAX);
}

/* ---- what the nodes hold, before and after --------------------------------------- */

struct snapshot {
	char users[HSM_MAX_SERVERS][4096];
	uint32_t m3[HSM_MAX_SERVERS], m4[HSM_MAX_SERVERS];
};

static void
take_snapshot(hsm_client *c, struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < nservers; i++) {
		hsm_user_list l;
		expect_rc("listUsers", i, hsm_list_users(c, i, &l), HSM_RC_SUCCESS);
		for (size_t u = 0; u < l.count; u++) {
			size_t n = strlen(s->users[i]);
			snprintf(s->users[i] + n, sizeof(s->users[i]) - n, "%u %d %s %d %u|",
			         l.users[u].id, (int)l.users[u].type, l.users[u].name,
			         l.users[u].mofn_pubkey, l.users[u].login_failures);
		}
		hsm_user_list_free(&l);
		expect_rc("getMValue 3", i, hsm_get_m_value(c, i, 3, &s->m3[i]), HSM_RC_SUCCESS);
		expect_rc("getMValue 4", i, hsm_get_m_value(c, i, 4, &s->m4[i]), HSM_RC_SUCCESS);
	}
}

/* ---- the attempts ------------------------------------------------------------------ */

/* Every quorum-controlled change without an approved token; stray is a user
 * that only server 0 has, victim a copy of one that every server has. */
static void
attempt_without_token(hsm_client *c, const uint8_t *stray, size_t stray_len,
                      const uint8_t *victim, size_t victim_len)
{
	for (size_t i = 0; i < nservers; i++) {
		expect_rc("createUser", i, hsm_create_user(c, i, HSM_USER_CU, "bypass_new",
		                                           "Bypass_pw_2"), HSM_RC_MXN_AUTH_FAILED);
		expect_rc("deleteUser", i, hsm_delete_user(c, i, HSM_USER_CU, VICTIM),
		          HSM_RC_MXN_AUTH_FAILED);
		expect_rc("changePswd of a CU", i, hsm_change_password(c, i, HSM_USER_CU, VICTIM,
		                                                       "Bypass_pw_3"),
		          HSM_RC_MXN_AUTH_FAILED);
		expect_rc("changePswd of another CO", i,
		          hsm_change_password(c, i, HSM_USER_CO, OTHER_CO, "Bypass_pw_3"),
		          HSM_RC_MXN_AUTH_FAILED);
		expect_rc("setMValue 3 1", i, hsm_set_m_value(c, i, 3, 1), HSM_RC_MXN_AUTH_FAILED);
		expect_rc("setMValue 3 3", i, hsm_set_m_value(c, i, 3, 3), HSM_RC_MXN_AUTH_FAILED);
		if (i > 0)
			expect_rc("insert of a masked user", i,
			          hsm_user_insert_masked(c, i, stray, stray_len),
			          HSM_RC_MXN_AUTH_FAILED);
		expect_rc("insert of a user's old credentials", i,
		          hsm_user_insert_masked(c, i, victim, victim_len), HSM_RC_MXN_AUTH_FAILED);
	}
}

struct issued {
	hsm_quorum_token tokens[HSM_MAX_SERVERS];
	char *file;
	size_t len;
};

static void
get_tokens(hsm_client *c, const char *name, struct issued *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < nservers; i++)
		expect_rc("getToken", i, hsm_get_token(c, i, 3, name, &t->tokens[i]),
		          HSM_RC_SUCCESS);
	expect_rc("token file", 0, hsm_token_file_build(t->tokens, nservers, &t->file, &t->len),
	          HSM_RC_SUCCESS);
}

/* approveToken with the given signers (names and keys) over data. */
static void
approve(hsm_client *c, const struct issued *t, const void *data, size_t len,
        const char *const *names, EVP_PKEY *const *keys, size_t n, hsm_rc want,
        const char *what)
{
	uint8_t sigs[4][HSM_QUORUM_SIG_MAX];
	hsm_approval a[4];
	for (size_t j = 0; j < n && j < 4; j++)
		a[j] = (hsm_approval){ HSM_USER_CO, names[j], sigs[j],
		                       sign(keys[j], data, len, sigs[j]) };
	for (size_t i = 0; i < nservers; i++)
		expect_rc(what, i, hsm_approve_token(c, i, (const uint8_t *)t->file, t->len, a, n),
		          want);
}

static void
attempt_bad_approvals(hsm_client *admin, hsm_client *officer, EVP_PKEY *ka, EVP_PKEY *kb,
                      EVP_PKEY *kforged)
{
	struct issued t;
	get_tokens(admin, "admin", &t);
	for (size_t i = 0; i < nservers; i++)
		expect_rc("createUser with an unapproved token", i,
		          hsm_create_user(admin, i, HSM_USER_CU, "bypass_new", "Bypass_pw_2"),
		          HSM_RC_MXN_AUTH_FAILED);
	const char *both[] = { "admin", OFFICER }, *twice[] = { "admin", "admin" };
	EVP_PKEY *forged[] = { ka, kforged }, *good[] = { ka, kb }, *same[] = { ka, ka };
	approve(admin, &t, t.file, t.len, both, forged, 2, HSM_RC_MXN_AUTH_FAILED, "forged approval");
	approve(admin, &t, t.file, t.len, twice, same, 2, HSM_RC_MXN_AUTH_FAILED, "one approver twice");
	approve(admin, &t, t.file, t.len, both, good, 1, HSM_RC_MXN_AUTH_FAILED, "one approval");
	approve(admin, &t, "other data", 10, both, good, 2, HSM_RC_MXN_AUTH_FAILED,
	        "signatures over other data");
	/* The right signatures, but sent by a session that does not hold the token. */
	approve(officer, &t, t.file, t.len, both, good, 2, HSM_RC_TOKEN_INVALID,
	        "another session's token");
	/* A file naming the same token ids with other random bytes. */
	struct issued fake = t;
	for (size_t i = 0; i < nservers; i++)
		fake.tokens[i].value[0] ^= 0x80;
	expect_rc("fake token file", 0,
	          hsm_token_file_build(fake.tokens, nservers, &fake.file, &fake.len),
	          HSM_RC_SUCCESS);
	approve(admin, &fake, fake.file, fake.len, both, good, 2, HSM_RC_TOKEN_INVALID,
	        "a token file with other random bytes");
	free(fake.file);
	for (size_t i = 0; i < nservers; i++)
		expect_rc("createUser after the refused approvals", i,
		          hsm_create_user(admin, i, HSM_USER_CU, "bypass_new", "Bypass_pw_2"),
		          HSM_RC_MXN_AUTH_FAILED);
	/* Approved now; still no use to another session. */
	approve(admin, &t, t.file, t.len, both, good, 2, HSM_RC_SUCCESS, "approval");
	for (size_t i = 0; i < nservers; i++)
		expect_rc("createUser by another session", i,
		          hsm_create_user(officer, i, HSM_USER_CU, "bypass_new", "Bypass_pw_2"),
		          HSM_RC_MXN_AUTH_FAILED);
	free(t.file);
}

/* ---- set-up and the run -------------------------------------------------------------- */

/* Two officers, a victim and a user on server 0 only, keys of admin and officer,
 * then M = 2 for user management; cp gets masked copies of the stray user and
 * of the victim. */
struct copies {
	uint8_t *stray, *victim;
	size_t stray_len, victim_len;
};

static void
set_up(hsm_client *admin, const char *cfg, EVP_PKEY *ka, EVP_PKEY *kb, struct copies *cp,
       hsm_client **officer)
{
	for (size_t i = 0; i < nservers; i++) {
		expect_rc("createUser CO", i, hsm_create_user(admin, i, HSM_USER_CO, OFFICER,
		                                              OFFICER_PW), HSM_RC_SUCCESS);
		expect_rc("createUser CO", i, hsm_create_user(admin, i, HSM_USER_CO, OTHER_CO,
		                                              OFFICER_PW), HSM_RC_SUCCESS);
		expect_rc("createUser CU", i, hsm_create_user(admin, i, HSM_USER_CU, VICTIM,
		                                              "Bypass_pw_0"), HSM_RC_SUCCESS);
	}
	expect_rc("createUser on server 0 only", 0,
	          hsm_create_user(admin, 0, HSM_USER_CU, STRAY, "Bypass_pw_0"), HSM_RC_SUCCESS);
	expect_rc("extract the masked user", 0,
	          hsm_user_extract_masked(admin, 0, 0, STRAY, &cp->stray, &cp->stray_len),
	          HSM_RC_SUCCESS);
	expect_rc("extract a masked copy of the CU", 0,
	          hsm_user_extract_masked(admin, 0, 0, VICTIM, &cp->victim, &cp->victim_len),
	          HSM_RC_SUCCESS);
	register_key(admin, HSM_USER_CO, "admin", ka);
	*officer = logged_in(cfg, HSM_USER_CO, OFFICER, OFFICER_PW);
	register_key(*officer, HSM_USER_CO, OFFICER, kb);
	for (size_t i = 0; i < nservers; i++)
		expect_rc("setMValue 3 2", i, hsm_set_m_value(admin, i, 3, 2), HSM_RC_SUCCESS);
}

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: quorum-bypass CMU_CONFIG ADMIN_PASSWORD\n");
		return 2;
	}
	EVP_PKEY *ka = cu_rsa_key();
	EVP_PKEY *kb = cu_rsa_key();
	EVP_PKEY *kf = cu_rsa_key();
	hsm_client *officer = NULL, *admin = logged_in(argv[1], HSM_USER_CO, "admin", argv[2]);
	struct copies cp = { 0 };
	set_up(admin, argv[1], ka, kb, &cp, &officer);
	struct snapshot before, after;
	take_snapshot(admin, &before);
	attempt_without_token(admin, cp.stray, cp.stray_len, cp.victim, cp.victim_len);
	attempt_bad_approvals(admin, officer, ka, kb, kf);
	/* Changing one's own password needs no quorum. */
	for (size_t i = 0; i < nservers; i++)
		expect_rc("changePswd of oneself", i,
		          hsm_change_password(admin, i, HSM_USER_CO, "admin", argv[2]), HSM_RC_SUCCESS);
	take_snapshot(admin, &after);
	expect_true("users and M values unchanged after every attempt",
	            memcmp(&before, &after, sizeof(before)) == 0);
	printf("attempts refused: %s\n", failures == 0 ? "all" : "NOT ALL");
	/* The approved token works once, for its own session. */
	for (size_t i = 0; i < nservers; i++) {
		expect_rc("createUser with the approved token", i,
		          hsm_create_user(admin, i, HSM_USER_CU, "bypass_new", "Bypass_pw_2"),
		          HSM_RC_SUCCESS);
		expect_rc("a second createUser", i,
		          hsm_create_user(admin, i, HSM_USER_CU, "bypass_new2", "Bypass_pw_2"),
		          HSM_RC_MXN_AUTH_FAILED);
	}
	printf("quorum-bypass: %u checks, %u failed\n", checks, failures);
	free(cp.stray);
	free(cp.victim);
	hsm_client_close(officer);
	hsm_client_close(admin);
	EVP_PKEY_free(ka);
	EVP_PKEY_free(kb);
	EVP_PKEY_free(kf);
	return failures == 0 ? 0 : 1;
}
