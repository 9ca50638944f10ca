/* test-errors.c - the return-code table and the user-type names against the
 * texts the reference documents (RETURN_CODES.md, OBSERVED.md, compatibility.md). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cu-util.h"
#include "hsmclient.h"

/* RETURN_CODES.md section 2: the numeric codes the pages print, exactly. */
static const struct {
	hsm_rc code;
	const char *message;
} documented[] = {
	{ 0x00, "HSM Return: SUCCESS" },
	{ 0x9d, "HSM Error: user isn't initialized or user with this name doesn't exist" },
	{ 0xa3, "HSM Error: RET_USER_LOGIN_FAILURE" },
	{ 0xa8, "HSM Error: Invalid object handle is passed to this operation" },
	{ 0xb3, "HSM Error: This operation violates the current configured/FIPS policies" },
	{ 0xc6, "HSM Error: Key Access is denied." },
	{ 0xdb, "HSM Error: Invalid User Type." },
	{ 0x30000085, "HSM CLUSTER ERROR: Server in cluster is unavailable" },
	/* 0x1b prints no text of its own; the line after it is this one. */
	{ 0x1b, "CSP Error: ERR_BAD_PKCS_DATA" },
};

static void
test_documented_codes(void)
{
	for (size_t i = 0; i < sizeof(documented) / sizeof(documented[0]); i++) {
		const char *m = hsm_rc_message(documented[i].code);
		if (m == NULL || strcmp(m, documented[i].message) != 0)
			printf("\n    0x%x: \"%s\"", documented[i].code, m ? m : "(null)");
		CU_ASSERT(m != NULL && strcmp(m, documented[i].message) == 0);
		CU_ASSERT_PTR_NOT_NULL(hsm_rc_name(documented[i].code));
	}
}

/* RETURN_CODES.md section 3: names the tools print. */
static void
test_documented_names(void)
{
	const char *n = hsm_rc_name(0xa3);
	CU_ASSERT(n != NULL && strcmp(n, "RET_USER_LOGIN_FAILURE") == 0);
	n = hsm_rc_name(0x1b);
	CU_ASSERT(n != NULL && strcmp(n, "ERR_BAD_PKCS_DATA") == 0);
	/* "createUser failed: RET_MXN_AUTH_FAILED", and compatibility.md prints
	 * "<cmd> failed: <message>": the message is the bare name. */
	n = hsm_rc_name(HSM_RC_MXN_AUTH_FAILED);
	CU_ASSERT(n != NULL && strcmp(n, "RET_MXN_AUTH_FAILED") == 0);
	const char *m = hsm_rc_message(HSM_RC_MXN_AUTH_FAILED);
	CU_ASSERT(m != NULL && strcmp(m, "RET_MXN_AUTH_FAILED") == 0);
}

/* The API's names for the documented numbers. */
static void
test_documented_constants(void)
{
	CU_ASSERT_EQUAL(HSM_RC_SUCCESS, 0x00);
	CU_ASSERT_EQUAL(HSM_RC_BAD_PKCS_DATA, 0x1b);
	CU_ASSERT_EQUAL(HSM_RC_USER_NOT_INITIALIZED, 0x9d);
	CU_ASSERT_EQUAL(HSM_RC_LOGIN_FAILURE, 0xa3);
	CU_ASSERT_EQUAL(HSM_RC_INVALID_HANDLE, 0xa8);
	CU_ASSERT_EQUAL(HSM_RC_POLICY_VIOLATION, 0xb3);
	CU_ASSERT_EQUAL(HSM_RC_KEY_ACCESS_DENIED, 0xc6);
	CU_ASSERT_EQUAL(HSM_RC_BAD_USER_TYPE, 0xdb);
	CU_ASSERT_EQUAL(HSM_RC_CLUSTER_UNAVAILABLE, 0x30000085);
}

/* OBSERVED.md: texts the real CMU printed after "failed: ". */
static void
test_observed_texts(void)
{
	static const struct { hsm_rc code; const char *message; } seen[] = {
		{ HSM_RC_USER_ALREADY_EXISTS, "HSM Error: This user is already created" },
		{ HSM_RC_LOGIN_FAILURE, "HSM Error: RET_USER_LOGIN_FAILURE" },
		{ HSM_RC_INVALID_INPUT, "HSM Error: Invalid input data/params" },
		{ HSM_RC_USER_DOES_NOT_EXIST, "HSM Error: This user does not exist" },
		{ HSM_RC_BAD_USER_TYPE_ARG, "HSM Error: invalid user type" },
		{ HSM_RC_BAD_PASSWORD_LENGTH, "HSM Error: min pswd len 7 and max pswd len 32" },
	};
	for (size_t i = 0; i < sizeof(seen) / sizeof(seen[0]); i++) {
		const char *m = hsm_rc_message(seen[i].code);
		CU_ASSERT(m != NULL && strcmp(m, seen[i].message) == 0);
	}
}

/* compatibility.md, "Users": the codes and texts chosen where pages are silent. */
static void
test_compatibility_decisions(void)
{
	static const struct { hsm_rc code; const char *message; } chosen[] = {
		{ 0xa7, "HSM Error: Maximum number of users reached" },
		{ 0xa4, "HSM Error: User account is locked, a CO must reset its password" },
		{ 0xd2, "HSM Error: A user is already logged in on this session" },
		{ 0xa5, "HSM Error: User is currently logged in" },
		{ 0xa6, "HSM Error: This user owns keys" },
		{ 0xd0, "HSM Error: User is not logged in" },
		{ 0xd1, "HSM Error: This user type is not permitted to perform this operation" },
	};
	for (size_t i = 0; i < sizeof(chosen) / sizeof(chosen[0]); i++) {
		const char *m = hsm_rc_message(chosen[i].code);
		if (m == NULL || strcmp(m, chosen[i].message) != 0)
			printf("\n    0x%x: \"%s\"", chosen[i].code, m ? m : "(null)");
		CU_ASSERT(m != NULL && strcmp(m, chosen[i].message) == 0);
	}
}

/* ---- the whole table, found by scanning the code space ----------------------- */

struct known {
	hsm_rc code;
	const char *name, *message;
};

/* Every code with a message, in the low 16 bits of each top nibble (where the
 * documented families live: 0x000000xx, 0x300000xx, 0x400000xx). */
static size_t
scan_codes(struct known **out)
{
	size_t n = 0, cap = 64;
	struct known *k = malloc(cap * sizeof(*k));
	if (k == NULL) {
		*out = NULL;
		return 0;
	}
	for (uint32_t hi = 0; hi < 16; hi++) {
		for (uint32_t lo = 0; lo <= 0xffff; lo++) {
			hsm_rc rc = (hi << 28) | lo;
			const char *m = hsm_rc_message(rc);
			if (m == NULL)
				continue;
			if (n == cap) {
				struct known *grown = realloc(k, (cap *= 2) * sizeof(*k));
				if (grown == NULL) {
					free(k);
					*out = NULL;
					return 0;
				}
				k = grown;
			}
			k[n++] = (struct known){ rc, hsm_rc_name(rc), m };
		}
	}
	*out = k;
	return n;
}

static bool
has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static bool
message_shape_ok(const struct known *k)
{
	if (has_prefix(k->message, "HSM Return: "))
		return k->code == HSM_RC_SUCCESS;
	if (has_prefix(k->message, "HSM Error: ") || has_prefix(k->message, "HSM CLUSTER ERROR: "))
		return strlen(k->message) > strlen("HSM Error: ");
	return strcmp(k->message, "RET_MXN_AUTH_FAILED") == 0 ||
	       has_prefix(k->message, "CSP Error: ");
}

static void
test_every_code_well_formed(void)
{
	struct known *k = NULL;
	size_t n = scan_codes(&k);
	/* The documented ones, and the ones this project added. */
	CU_ASSERT(n >= sizeof(documented) / sizeof(documented[0]) + 6);
	for (size_t i = 0; i < n; i++) {
		bool ok = k[i].name != NULL && k[i].name[0] != '\0' && message_shape_ok(&k[i]);
		if (!ok)
			printf("\n    0x%x: name %s message \"%s\"", k[i].code,
			       k[i].name ? k[i].name : "(null)", k[i].message);
		CU_ASSERT_TRUE(ok);
		/* Names are identifiers: upper case, digits and '_'. */
		for (const char *c = k[i].name ? k[i].name : ""; *c; c++)
			CU_ASSERT((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_');
		for (size_t j = i + 1; j < n; j++) {
			bool same = k[i].name && k[j].name && strcmp(k[i].name, k[j].name) == 0;
			if (same)
				printf("\n    0x%x and 0x%x share %s", k[i].code, k[j].code, k[i].name);
			CU_ASSERT_FALSE(same);
		}
	}
	free(k);
}

static void
test_unknown_codes(void)
{
	static const hsm_rc unknown[] = { 0x02, 0x1a, 0x9c, 0xff, 0x100, 0x12345678,
		0x30000000, 0x3000ffff, 0x7fffffff, 0x80000000, 0xffffffff };
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		CU_ASSERT_PTR_NULL(hsm_rc_message(unknown[i]));
		CU_ASSERT_PTR_NULL(hsm_rc_name(unknown[i]));
	}
}

/* ---- user types ------------------------------------------------------------------- */

static void
test_user_type_values_and_names(void)
{
	/* Audit-log values (USERS_AND_PERMISSIONS.md section 1). */
	CU_ASSERT_EQUAL(HSM_USER_CU, 1);
	CU_ASSERT_EQUAL(HSM_USER_CO, 2);
	CU_ASSERT_EQUAL(HSM_USER_AU, 5);
	CU_ASSERT_EQUAL(HSM_USER_PRECO, 6);
	static const struct { hsm_user_type t; const char *name; } names[] = {
		{ HSM_USER_CU, "CU" }, { HSM_USER_CO, "CO" }, { HSM_USER_PCO, "PCO" },
		{ HSM_USER_AU, "AU" }, { HSM_USER_PRECO, "PRECO" },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *n = hsm_user_type_name(names[i].t);
		CU_ASSERT(n != NULL && strcmp(n, names[i].name) == 0);
		CU_ASSERT_EQUAL(hsm_user_type_parse(names[i].name), names[i].t);
	}
	static const unsigned invalid[] = { HSM_USER_INVALID, 4, 7, 255, 0xffffffffu };
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
		CU_ASSERT_PTR_NULL(hsm_user_type_name((hsm_user_type)invalid[i]));
}

static void
test_user_type_parse(void)
{
	CU_ASSERT_EQUAL(hsm_user_type_parse("preCO"), HSM_USER_PRECO);
	static const char *bad[] = { "co", "Co", "cO", "cu", "Cu", "pco", "Pco", "preco",
		"PreCO", "PRECo", "precO", "au", "", " CO", "CO ", "C", "COO", "CU\n", "CRYPTO_USER",
		"1", "2" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hsm_user_type t = hsm_user_type_parse(bad[i]);
		if (t != HSM_USER_INVALID)
			printf("\n    \"%s\" parsed as %d", bad[i], t);
		CU_ASSERT_EQUAL(t, HSM_USER_INVALID);
	}
	CU_ASSERT_EQUAL(hsm_user_type_parse(NULL), HSM_USER_INVALID);
}

static CU_TestInfo rc_tests[] = {
	{ "documented codes and texts", test_documented_codes },
	{ "documented names", test_documented_names },
	{ "documented constants", test_documented_constants },
	{ "texts quoted by OBSERVED.md", test_observed_texts },
	{ "compatibility.md decisions", test_compatibility_decisions },
	{ "every code named, prefixed, unique", test_every_code_well_formed },
	{ "unknown codes give NULL", test_unknown_codes },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo type_tests[] = {
	{ "values and names", test_user_type_values_and_names },
	{ "parse is case-sensitive", test_user_type_parse },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "return codes", NULL, NULL, NULL, NULL, rc_tests },
	{ "user types", NULL, NULL, NULL, NULL, type_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_run(suites);
}
