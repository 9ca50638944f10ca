/* test-kdf.c - unit tests of server-sim/kdf.h, the password hashing of HSM users.
 * Known-answer vectors pin the algorithm; the checks pin what a login accepts. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "cu-util.h"
#include "kdf.h"

/* RFC 7914 section 11, PBKDF2-HMAC-SHA256 (also checked with `openssl kdf`
 * and Python's hashlib.pbkdf2_hmac). */
static const uint8_t rfc7914_1[64] = {
	0x55, 0xac, 0x04, 0x6e, 0x56, 0xe3, 0x08, 0x9f, 0xec, 0x16, 0x91, 0xc2,
	0x25, 0x44, 0xb6, 0x05, 0xf9, 0x41, 0x85, 0x21, 0x6d, 0xde, 0x04, 0x65,
	0xe6, 0x8b, 0x9d, 0x57, 0xc2, 0x0d, 0xac, 0xbc, 0x49, 0xca, 0x9c, 0xcc,
	0xf1, 0x79, 0xb6, 0x45, 0x99, 0x16, 0x64, 0xb3, 0x9d, 0x77, 0xef, 0x31,
	0x7c, 0x71, 0xb8, 0x45, 0xb1, 0xe3, 0x0b, 0xd5, 0x09, 0x11, 0x20, 0x41,
	0xd3, 0xa1, 0x97, 0x83,
};

static const uint8_t rfc7914_2[64] = {
	0x4d, 0xdc, 0xd8, 0xf6, 0x0b, 0x98, 0xbe, 0x21, 0x83, 0x0c, 0xee, 0x5e,
	0xf2, 0x27, 0x01, 0xf9, 0x64, 0x1a, 0x44, 0x18, 0xd0, 0x4c, 0x04, 0x14,
	0xae, 0xff, 0x08, 0x87, 0x6b, 0x34, 0xab, 0x56, 0xa1, 0xd4, 0x25, 0xa1,
	0x22, 0x58, 0x33, 0x54, 0x9a, 0xdb, 0x84, 0x1b, 0x51, 0xc9, 0xb3, 0x17,
	0x6a, 0x27, 0x2b, 0xde, 0xbb, 0xa1, 0xd0, 0x78, 0x47, 0x8f, 0x62, 0xb3,
	0x97, 0xf3, 0x3c, 0x8d,
};

static void
test_rfc7914_one_iteration(void)
{
	uint8_t out[64];
	memset(out, 0, sizeof(out));
	CU_ASSERT_EQUAL(kdf_derive("passwd", 6, (const uint8_t *)"salt", 4, 1, out, 64), 0);
	CU_ASSERT_EQUAL(memcmp(out, rfc7914_1, 64), 0);
}

static void
test_rfc7914_80000_iterations(void)
{
	uint8_t out[64];
	memset(out, 0, sizeof(out));
	CU_ASSERT_EQUAL(kdf_derive("Password", 8, (const uint8_t *)"NaCl", 4, 80000, out, 64), 0);
	CU_ASSERT_EQUAL(memcmp(out, rfc7914_2, 64), 0);
}

/* A shorter output is the prefix of the longer one (PBKDF2 block 1). */
static void
test_derive_prefix_and_length(void)
{
	uint8_t out[32];
	CU_ASSERT_EQUAL(kdf_derive("passwd", 6, (const uint8_t *)"salt", 4, 1, out, 32), 0);
	CU_ASSERT_EQUAL(memcmp(out, rfc7914_1, 32), 0);
	/* The length argument counts, not strlen: "passwdX" cut to 6 is "passwd". */
	CU_ASSERT_EQUAL(kdf_derive("passwdX", 6, (const uint8_t *)"salt", 4, 1, out, 32), 0);
	CU_ASSERT_EQUAL(memcmp(out, rfc7914_1, 32), 0);
}

/* ---- kdf_set_password ----------------------------------------------------- */

static void
test_set_password_stores_pbkdf2(void)
{
	struct store_user u;
	uint8_t want[KDF_HASH_LEN];
	memset(&u, 0, sizeof(u));
	CU_ASSERT_EQUAL(kdf_set_password(&u, "correct horse"), 0);
	/* Slow on purpose: at least ten thousand rounds. */
	CU_ASSERT(u.iterations >= 10000);
	/* Recompute with OpenSSL's own PBKDF2 from the stored salt and count. */
	CU_ASSERT_EQUAL(PKCS5_PBKDF2_HMAC("correct horse", 13, u.salt, KDF_SALT_LEN,
	                                  (int)u.iterations, EVP_sha256(),
	                                  KDF_HASH_LEN, want), 1);
	CU_ASSERT_EQUAL(memcmp(want, u.hash, KDF_HASH_LEN), 0);
}

static bool
all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

static void
test_set_password_fresh_salt(void)
{
	struct store_user a, b;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	CU_ASSERT_EQUAL(kdf_set_password(&a, "same-password"), 0);
	CU_ASSERT_EQUAL(kdf_set_password(&b, "same-password"), 0);
	CU_ASSERT_FALSE(all_zero(a.salt, KDF_SALT_LEN));
	CU_ASSERT_NOT_EQUAL(memcmp(a.salt, b.salt, KDF_SALT_LEN), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(a.hash, b.hash, KDF_HASH_LEN), 0);
	/* Setting again on the same record changes the salt too. */
	uint8_t old[KDF_SALT_LEN];
	memcpy(old, a.salt, KDF_SALT_LEN);
	CU_ASSERT_EQUAL(kdf_set_password(&a, "same-password"), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(old, a.salt, KDF_SALT_LEN), 0);
	CU_ASSERT_TRUE(kdf_check_password(&a, "same-password"));
	CU_ASSERT_TRUE(kdf_check_password(&b, "same-password"));
}

/* ---- kdf_check_password --------------------------------------------------- */

static struct store_user checked;

static int
suite_init_check(void)
{
	memset(&checked, 0, sizeof(checked));
	return kdf_set_password(&checked, "Secret_Pass1") == 0 ? 0 : -1;
}

static void
test_check_accepts_right_password(void)
{
	CU_ASSERT_TRUE(kdf_check_password(&checked, "Secret_Pass1"));
}

static void
test_check_rejects_near_misses(void)
{
	static const char *wrong[] = {
		"", "secret_pass1", "SECRET_PASS1", "Secret_Pass", "S", "Secret_Pass1 ",
		" Secret_Pass1", "Secret_Pass2", "Secret_Pass1Secret_Pass1", "password",
	};
	for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		bool ok = kdf_check_password(&checked, wrong[i]);
		if (ok)
			printf("accepted \"%s\"\n", wrong[i]);
		CU_ASSERT_FALSE(ok);
	}
}

static void
test_check_rejects_damaged_record(void)
{
	struct store_user u = checked;
	u.iterations = 0;
	CU_ASSERT_FALSE(kdf_check_password(&u, "Secret_Pass1"));
	u = checked;
	u.salt[0] ^= 1;
	CU_ASSERT_FALSE(kdf_check_password(&u, "Secret_Pass1"));
	u = checked;
	u.hash[KDF_HASH_LEN - 1] ^= 0x80;
	CU_ASSERT_FALSE(kdf_check_password(&u, "Secret_Pass1"));
	u = checked;
	u.iterations += 1;
	CU_ASSERT_FALSE(kdf_check_password(&u, "Secret_Pass1"));
}

static void
test_check_uses_record_iterations(void)
{
	/* A record made with another count (e.g. an older node) still verifies. */
	struct store_user u;
	memset(&u, 0, sizeof(u));
	memcpy(u.salt, "0123456789abcdef", KDF_SALT_LEN);
	u.iterations = 1000;
	CU_ASSERT_EQUAL(kdf_derive("old-node-pw", 11, u.salt, KDF_SALT_LEN, u.iterations,
	                           u.hash, KDF_HASH_LEN), 0);
	CU_ASSERT_TRUE(kdf_check_password(&u, "old-node-pw"));
	CU_ASSERT_FALSE(kdf_check_password(&u, "old-node-pW"));
}

static CU_TestInfo derive_tests[] = {
	{ "RFC 7914 passwd/salt c=1", test_rfc7914_one_iteration },
	{ "RFC 7914 Password/NaCl c=80000", test_rfc7914_80000_iterations },
	{ "prefix of output, explicit length", test_derive_prefix_and_length },
	{ "set_password stores PBKDF2-SHA256", test_set_password_stores_pbkdf2 },
	{ "set_password uses a fresh salt", test_set_password_fresh_salt },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo check_tests[] = {
	{ "right password accepted", test_check_accepts_right_password },
	{ "wrong, other case, prefix, empty rejected", test_check_rejects_near_misses },
	{ "damaged record rejected", test_check_rejects_damaged_record },
	{ "stored iteration count is used", test_check_uses_record_iterations },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "kdf derive", NULL, NULL, NULL, NULL, derive_tests },
	{ "kdf check", suite_init_check, NULL, NULL, NULL, check_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_run(suites);
}
