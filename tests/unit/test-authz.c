/* test-authz.c - unit tests of server-sim/authz.h against the permission table.
 * The expected table below is written from USERS_AND_PERMISSIONS.md section 3. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "authz.h"
#include "cu-util.h"

/* Columns: the reference's CO, CU, AU and unauthenticated, plus PCO (acts as
 * CO, createUser page) and PRECO (own password, basic info and logout only). */
enum col { C_CO, C_PCO, C_CU, C_AU, C_PRECO, C_NONE, NCOLS };

static const struct {
	hsm_user_type type;
	const char *name;
} cols[NCOLS] = {
	[C_CO] = { HSM_USER_CO, "CO" },
	[C_PCO] = { HSM_USER_PCO, "PCO" },
	[C_CU] = { HSM_USER_CU, "CU" },
	[C_AU] = { HSM_USER_AU, "AU" },
	[C_PRECO] = { HSM_USER_PRECO, "PRECO" },
	[C_NONE] = { HSM_USER_INVALID, "unauthenticated" },
};

#define Y true
#define N false

/* One row per line of the reference table (manage-hsm-users-cmu.md), plus
 * login/logout which the table takes for granted: login only on a session
 * nobody is logged in on, logout only when someone is. */
static const struct {
	enum authz_perm perm;
	const char *row;
	bool yes[NCOLS];
} expected[] = {
	/*                                                      CO PCO CU AU PRECO none */
	{ PERM_CLUSTER_INFO, "Get basic cluster info",         { Y, Y, Y, Y, Y, Y } },
	{ PERM_LOGIN, "Log in",                                 { N, N, N, N, N, Y } },
	{ PERM_LOGGED_IN, "Log out",                            { Y, Y, Y, Y, Y, N } },
	{ PERM_CHANGE_OWN_PASSWORD, "Change own password",      { Y, Y, Y, Y, Y, N } },
	{ PERM_CHANGE_ANY_PASSWORD, "Change any user's password", { Y, Y, N, N, N, N } },
	{ PERM_MANAGE_USERS, "Add, remove users",               { Y, Y, N, N, N, N } },
	{ PERM_SYNC_STATUS, "Get sync status",                  { Y, Y, Y, Y, N, N } },
	{ PERM_MASKED_OBJECTS, "Extract, insert masked objects", { Y, Y, Y, Y, N, N } },
	{ PERM_KEY_MANAGEMENT, "Key management functions",      { N, N, Y, N, N, N } },
	{ PERM_ENCRYPT_DECRYPT, "Encrypt, decrypt",             { N, N, Y, N, N, N } },
	{ PERM_SIGN_VERIFY, "Sign, verify",                     { N, N, Y, N, N, N } },
	{ PERM_DIGEST_HMAC, "Generate digests and HMACs",       { N, N, Y, N, N, N } },
	/* Quorum pages: officers approve user management, crypto users their keys. */
	{ PERM_QUORUM_KEY, "Register own quorum key",           { Y, Y, Y, N, N, N } },
};
#define NROWS (sizeof(expected) / sizeof(expected[0]))

static void
test_table_covers_every_permission(void)
{
	bool seen[PERM_COUNT];
	memset(seen, 0, sizeof(seen));
	CU_ASSERT_EQUAL(NROWS, PERM_COUNT);
	for (size_t r = 0; r < NROWS; r++) {
		CU_ASSERT((unsigned)expected[r].perm < PERM_COUNT);
		if ((unsigned)expected[r].perm < PERM_COUNT) {
			CU_ASSERT_FALSE(seen[expected[r].perm]);
			seen[expected[r].perm] = true;
		}
	}
}

static void
test_every_cell_allowed(void)
{
	unsigned wrong = 0;
	for (size_t r = 0; r < NROWS; r++) {
		for (int c = 0; c < NCOLS; c++) {
			bool got = authz_allowed(expected[r].perm, cols[c].type);
			if (got != expected[r].yes[c]) {
				printf("\n  %s / %s: allowed=%d, table says %d", expected[r].row,
				       cols[c].name, got, expected[r].yes[c]);
				wrong++;
			}
		}
	}
	CU_ASSERT_EQUAL(wrong, 0);
}

/* The code a refused client sees, derived from the cell and the column. */
static hsm_rc
expected_refusal(size_t r, int c)
{
	if (expected[r].yes[c])
		return HSM_RC_SUCCESS;
	if (expected[r].perm == PERM_LOGIN)
		return HSM_RC_ALREADY_LOGGED_IN;
	return c == C_NONE ? HSM_RC_NOT_LOGGED_IN : HSM_RC_PERMISSION_DENIED;
}

static void
test_every_cell_refusal(void)
{
	unsigned wrong = 0;
	for (size_t r = 0; r < NROWS; r++) {
		for (int c = 0; c < NCOLS; c++) {
			hsm_rc got = authz_refusal(expected[r].perm, cols[c].type);
			hsm_rc want = expected_refusal(r, c);
			if (got != want) {
				printf("\n  %s / %s: refusal 0x%x, want 0x%x", expected[r].row,
				       cols[c].name, got, want);
				wrong++;
			}
		}
	}
	CU_ASSERT_EQUAL(wrong, 0);
}

static void
test_named_refusals(void)
{
	CU_ASSERT_EQUAL(authz_refusal(PERM_MANAGE_USERS, HSM_USER_INVALID), HSM_RC_NOT_LOGGED_IN);
	CU_ASSERT_EQUAL(authz_refusal(PERM_MANAGE_USERS, HSM_USER_CU), HSM_RC_PERMISSION_DENIED);
	CU_ASSERT_EQUAL(authz_refusal(PERM_KEY_MANAGEMENT, HSM_USER_CO), HSM_RC_PERMISSION_DENIED);
	CU_ASSERT_EQUAL(authz_refusal(PERM_LOGIN, HSM_USER_CO), HSM_RC_ALREADY_LOGGED_IN);
	CU_ASSERT_EQUAL(authz_refusal(PERM_LOGIN, HSM_USER_PRECO), HSM_RC_ALREADY_LOGGED_IN);
	CU_ASSERT_EQUAL(authz_refusal(PERM_LOGIN, HSM_USER_INVALID), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(authz_refusal(PERM_LOGGED_IN, HSM_USER_INVALID), HSM_RC_NOT_LOGGED_IN);
	/* The documented numbers, so a renumbered enum cannot slip through. */
	CU_ASSERT_EQUAL(HSM_RC_NOT_LOGGED_IN, 0xd0);
	CU_ASSERT_EQUAL(HSM_RC_PERMISSION_DENIED, 0xd1);
	CU_ASSERT_EQUAL(HSM_RC_ALREADY_LOGGED_IN, 0xd2);
}

/* Anything outside the table is refused: unknown types, unknown rows. */
static void
test_unknown_is_refused(void)
{
	static const unsigned bad_types[] = { 4, 7, 8, 0xff, 0x7fffffff, 0xffffffffu };
	for (size_t r = 0; r < NROWS; r++) {
		for (size_t t = 0; t < sizeof(bad_types) / sizeof(bad_types[0]); t++) {
			hsm_user_type who = (hsm_user_type)bad_types[t];
			CU_ASSERT_FALSE(authz_allowed(expected[r].perm, who));
			CU_ASSERT_NOT_EQUAL(authz_refusal(expected[r].perm, who), HSM_RC_SUCCESS);
		}
	}
	static const unsigned bad_perms[] = { PERM_COUNT, PERM_COUNT + 1, 1000, 0xffffffffu };
	for (size_t p = 0; p < sizeof(bad_perms) / sizeof(bad_perms[0]); p++) {
		for (int c = 0; c < NCOLS; c++) {
			enum authz_perm perm = (enum authz_perm)bad_perms[p];
			CU_ASSERT_FALSE(authz_allowed(perm, cols[c].type));
			CU_ASSERT_NOT_EQUAL(authz_refusal(perm, cols[c].type), HSM_RC_SUCCESS);
		}
	}
}

static void
test_perm_names(void)
{
	for (size_t r = 0; r < NROWS; r++) {
		const char *a = authz_perm_name(expected[r].perm);
		CU_ASSERT(a != NULL && a[0] != '\0');
		for (size_t s = r + 1; s < NROWS && a != NULL; s++) {
			const char *b = authz_perm_name(expected[s].perm);
			CU_ASSERT(b != NULL && strcmp(a, b) != 0);
		}
	}
	CU_ASSERT_PTR_NOT_NULL(authz_perm_name(PERM_COUNT));
	CU_ASSERT_PTR_NOT_NULL(authz_perm_name((enum authz_perm)0xffffffffu));
}

static CU_TestInfo tests[] = {
	{ "table covers every permission", test_table_covers_every_permission },
	{ "authz_allowed, every cell", test_every_cell_allowed },
	{ "authz_refusal, every cell", test_every_cell_refusal },
	{ "named refusal codes", test_named_refusals },
	{ "unknown type or row refused", test_unknown_is_refused },
	{ "permission names", test_perm_names },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "authz permission table", NULL, NULL, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_run(suites);
}
