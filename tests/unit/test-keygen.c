/* test-keygen.c - the simulator's key generation (keygen.c): size rules,
 * check values, parity, RSA and EC pairs checked with OpenSSL independently,
 * refused templates, and default attributes from the reference's dumps. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "cu-util.h"
#include "keygen.h"
#include "keys.h"
#include "server.h"
#include "util.h"

/* ---- keygen -------------------------------------------------------------- */

static void
test_check_secret_sizes(void)
{
	static const struct {
		uint32_t type, size;
		hsm_rc want;
	} cases[] = {
		{ HSM_KEY_AES, 16, HSM_RC_SUCCESS }, { HSM_KEY_AES, 24, HSM_RC_SUCCESS },
		{ HSM_KEY_AES, 32, HSM_RC_SUCCESS }, { HSM_KEY_AES, 0, HSM_RC_KEY_SIZE_RANGE },
		{ HSM_KEY_AES, 8, HSM_RC_KEY_SIZE_RANGE }, { HSM_KEY_AES, 15, HSM_RC_KEY_SIZE_RANGE },
		{ HSM_KEY_AES, 17, HSM_RC_KEY_SIZE_RANGE }, { HSM_KEY_AES, 31, HSM_RC_KEY_SIZE_RANGE },
		{ HSM_KEY_AES, 33, HSM_RC_KEY_SIZE_RANGE }, { HSM_KEY_AES, 256, HSM_RC_KEY_SIZE_RANGE },
		{ HSM_KEY_DES3, 24, HSM_RC_SUCCESS }, { HSM_KEY_DES3, 8, HSM_RC_KEY_SIZE_RANGE },
		{ HSM_KEY_DES3, 16, HSM_RC_KEY_SIZE_RANGE }, { HSM_KEY_DES3, 23, HSM_RC_KEY_SIZE_RANGE },
		{ HSM_KEY_DES3, 25, HSM_RC_KEY_SIZE_RANGE }, { HSM_KEY_DES3, 0, HSM_RC_KEY_SIZE_RANGE },
		{ HSM_KEY_GENERIC_SECRET, 1, HSM_RC_SUCCESS },
		{ HSM_KEY_GENERIC_SECRET, 64, HSM_RC_SUCCESS },
		{ HSM_KEY_GENERIC_SECRET, 3583, HSM_RC_SUCCESS },
		{ HSM_KEY_GENERIC_SECRET, 0, HSM_RC_KEY_SIZE_RANGE },
		{ HSM_KEY_GENERIC_SECRET, 3584, HSM_RC_KEY_SIZE_RANGE },
		{ HSM_KEY_GENERIC_SECRET, UINT32_MAX, HSM_RC_KEY_SIZE_RANGE },
		{ HSM_KEY_RC4, 16, HSM_RC_POLICY_VIOLATION }, { HSM_KEY_RC4, 5, HSM_RC_POLICY_VIOLATION },
		{ HSM_KEY_RC4, 0, HSM_RC_POLICY_VIOLATION },
		/* Not a secret key type: wrong class/type (doc/compatibility.md). */
		{ HSM_KEY_RSA, 32, HSM_RC_KEY_TYPE_INCONSISTENT },
		{ HSM_KEY_EC, 32, HSM_RC_KEY_TYPE_INCONSISTENT },
		{ 99, 16, HSM_RC_KEY_TYPE_INCONSISTENT },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		hsm_rc rc = keygen_check_secret(cases[i].type, cases[i].size);
		CU_ASSERT_EQUAL(rc, cases[i].want);
		if (rc != cases[i].want)
			printf("\n    type %u size %u: 0x%x, want 0x%x", cases[i].type, cases[i].size,
			       (unsigned)rc, (unsigned)cases[i].want);
	}
}

/* The first 3 bytes of a zero block encrypted under key in ECB mode. */
static void
ecb_kcv(const EVP_CIPHER *c, const uint8_t *key, size_t block, uint8_t kcv[3])
{
	uint8_t zero[16] = { 0 }, out[32];
	int n = 0, fin = 0;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	CU_ASSERT_FATAL(ctx != NULL && EVP_EncryptInit_ex(ctx, c, NULL, key, NULL) == 1);
	EVP_CIPHER_CTX_set_padding(ctx, 0);
	CU_ASSERT(EVP_EncryptUpdate(ctx, out, &n, zero, (int)block) == 1 &&
	          EVP_EncryptFinal_ex(ctx, out + n, &fin) == 1 && (size_t)(n + fin) == block);
	memcpy(kcv, out, 3);
	EVP_CIPHER_CTX_free(ctx);
}

static void
gen_secret(uint32_t type, uint32_t size, struct key_obj *k)
{
	struct msg_key_template t;
	memset(&t, 0, sizeof(t));
	memset(k, 0, sizeof(*k));
	t.key_type = type;
	t.size = size;
	CU_ASSERT_EQUAL_FATAL(keygen_secret(&t, k), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(k->key_class, HSM_CLASS_SECRET);
	CU_ASSERT_EQUAL(k->key_type, type);
	CU_ASSERT_EQUAL(k->material_len, size);
	CU_ASSERT_EQUAL(k->value_len, size);    /* genSymKey dump: 24 bytes -> 0x18 */
}

static void
test_aes_keys_and_kcv(void)
{
	const struct {
		uint32_t size;
		const EVP_CIPHER *(*cipher)(void);
	} aes[] = { { 16, EVP_aes_128_ecb }, { 24, EVP_aes_192_ecb }, { 32, EVP_aes_256_ecb } };
	for (size_t i = 0; i < ARRAY_SIZE(aes); i++) {
		struct key_obj a, b;
		uint8_t want[3];
		gen_secret(HSM_KEY_AES, aes[i].size, &a);
		gen_secret(HSM_KEY_AES, aes[i].size, &b);
		CU_ASSERT_NOT_EQUAL(memcmp(a.material, b.material, aes[i].size), 0);
		ecb_kcv(aes[i].cipher(), a.material, 16, want);
		CU_ASSERT_EQUAL(memcmp(a.kcv, want, 3), 0);
		key_obj_clear(&a);
		key_obj_clear(&b);
	}
	/* FIPS-197 / SP 800-38A: AES-128 of a zero block under a zero key is 66e94bd4... */
	struct key_obj z;
	uint8_t zero[16] = { 0 };
	const uint8_t want[3] = { 0x66, 0xe9, 0x4b };
	memset(&z, 0, sizeof(z));
	z.key_type = HSM_KEY_AES;
	CU_ASSERT_EQUAL_FATAL(key_fill_secret(&z, zero, sizeof(zero)), 0);
	CU_ASSERT_EQUAL(memcmp(z.kcv, want, 3), 0);
	key_obj_clear(&z);
}

static bool
odd_parity(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned ones = 0;
		for (unsigned bit = 0; bit < 8; bit++)
			ones += (p[i] >> bit) & 1u;
		if (ones % 2 == 0)
			return false;
	}
	return true;
}

static void
test_des3_keys(void)
{
	for (int i = 0; i < 16; i++) {
		struct key_obj k;
		uint8_t want[3];
		gen_secret(HSM_KEY_DES3, 24, &k);
		CU_ASSERT_TRUE(odd_parity(k.material, k.material_len));
		ecb_kcv(EVP_des_ede3_ecb(), k.material, 8, want);
		CU_ASSERT_EQUAL(memcmp(k.kcv, want, 3), 0);
		key_obj_clear(&k);
	}
}

static void
test_generic_secret_sizes(void)
{
	const uint32_t sizes[] = { 1, 20, 3583 };
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct key_obj k;
		gen_secret(HSM_KEY_GENERIC_SECRET, sizes[i], &k);
		key_obj_clear(&k);
	}
	struct msg_key_template t;
	struct key_obj k;
	memset(&t, 0, sizeof(t));
	memset(&k, 0, sizeof(k));
	t.key_type = HSM_KEY_RC4;
	t.size = 16;
	CU_ASSERT_EQUAL(keygen_secret(&t, &k), HSM_RC_POLICY_VIOLATION);
	CU_ASSERT_PTR_NULL(k.material);
	t.key_type = HSM_KEY_AES;
	t.size = 20;
	CU_ASSERT_EQUAL(keygen_secret(&t, &k), HSM_RC_KEY_SIZE_RANGE);
	CU_ASSERT_PTR_NULL(k.material);
}

/* The asymmetric key in k's material, parsed here without keygen.c. */
static EVP_PKEY *
parse_material(const struct key_obj *k)
{
	const unsigned char *p = k->material;
	if (k->key_class == HSM_CLASS_PUBLIC)
		return d2i_PUBKEY(NULL, &p, (long)k->material_len);
	PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)k->material_len);
	EVP_PKEY *pkey = p8 ? EVP_PKCS82PKEY(p8) : NULL;
	PKCS8_PRIV_KEY_INFO_free(p8);
	return pkey;
}

/* KCV of a key pair: first 3 bytes of SHA-1 over the DER SubjectPublicKeyInfo. */
static void
assert_pair_kcv(const struct key_obj *k, EVP_PKEY *pkey)
{
	uint8_t *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int n = i2d_PUBKEY(pkey, &der);
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL(EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha1(), NULL), 1);
	CU_ASSERT_EQUAL(memcmp(k->kcv, md, 3), 0);
	OPENSSL_free(der);
}

/* Both halves parse, match, carry their class and type, and the pair KCV. */
static void
check_pair(const struct key_obj *pub, const struct key_obj *priv, uint32_t type,
           EVP_PKEY **out_pub)
{
	EVP_PKEY *a = parse_material(pub), *b = parse_material(priv);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(EVP_PKEY_eq(a, b), 1);
	CU_ASSERT(pub->key_class == HSM_CLASS_PUBLIC && priv->key_class == HSM_CLASS_PRIVATE);
	CU_ASSERT(pub->key_type == type && priv->key_type == type);
	assert_pair_kcv(pub, a);
	assert_pair_kcv(priv, a);
	EVP_PKEY_free(b);
	*out_pub = a;
}

static void
test_rsa_pairs(void)
{
	const struct {
		uint32_t bits;
		uint64_t e;
	} cases[] = { { 2048, 65537 }, { 2048, 195193 }, { 3072, 65537 } };
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct msg_key_template t;
		struct key_obj pub, priv;
		EVP_PKEY *pk = NULL;
		BIGNUM *e = NULL;
		memset(&t, 0, sizeof(t));
		memset(&pub, 0, sizeof(pub));
		memset(&priv, 0, sizeof(priv));
		t.key_type = HSM_KEY_RSA;
		t.size = cases[i].bits;
		t.public_exponent = cases[i].e;
		CU_ASSERT_EQUAL_FATAL(keygen_pair(&t, &pub, &priv), HSM_RC_SUCCESS);
		check_pair(&pub, &priv, HSM_KEY_RSA, &pk);
		CU_ASSERT_EQUAL(EVP_PKEY_get_bits(pk), (int)cases[i].bits);
		CU_ASSERT_EQUAL(EVP_PKEY_get_bn_param(pk, "e", &e), 1);
		CU_ASSERT(e != NULL && BN_get_word(e) == cases[i].e);
		/* genRSAKeyPair dump: a 2048-bit public key has OBJ_ATTR_VALUE_LEN 0x200. */
		if (cases[i].bits == 2048)
			CU_ASSERT_EQUAL(pub.value_len, 0x200);
		BN_free(e);
		EVP_PKEY_free(pk);
		key_obj_clear(&pub);
		key_obj_clear(&priv);
	}
}

static void
test_ec_pairs(void)
{
	const struct {
		uint32_t id;
		const char *group;    /* COMMANDS.md 6.2 names */
	} curves[] = { { 2, "prime256v1" }, { 14, "secp384r1" }, { 16, "secp256k1" } };
	for (size_t i = 0; i < ARRAY_SIZE(curves); i++) {
		struct msg_key_template t;
		struct key_obj pub, priv;
		EVP_PKEY *pk = NULL;
		char group[64] = "";
		memset(&t, 0, sizeof(t));
		memset(&pub, 0, sizeof(pub));
		memset(&priv, 0, sizeof(priv));
		t.key_type = HSM_KEY_EC;
		t.curve_id = curves[i].id;
		CU_ASSERT_EQUAL_FATAL(keygen_pair(&t, &pub, &priv), HSM_RC_SUCCESS);
		check_pair(&pub, &priv, HSM_KEY_EC, &pk);
		CU_ASSERT_EQUAL(EVP_PKEY_get_utf8_string_param(pk, "group", group, sizeof(group), NULL),
		                1);
		CU_ASSERT_STRING_EQUAL(group, curves[i].group);
		/* genECCKeyPair dump: a P-256 private key has OBJ_ATTR_VALUE_LEN 0x8a. */
		if (curves[i].id == 2)
			CU_ASSERT_EQUAL(priv.value_len, 0x8a);
		EVP_PKEY_free(pk);
		key_obj_clear(&pub);
		key_obj_clear(&priv);
	}
}

static void
test_refused_pair_templates(void)
{
	static const struct {
		uint32_t type, size, curve;
		uint64_t e;
		hsm_rc want;
	} cases[] = {
		{ HSM_KEY_EC, 0, 1, 0, HSM_RC_POLICY_VIOLATION },      /* P-192: 0xb3 */
		{ HSM_KEY_RSA, 1024, 0, 65537, HSM_RC_KEY_SIZE_RANGE }, /* -m >= 2048: 0xaf */
		{ HSM_KEY_RSA, 2048, 0, 65538, HSM_RC_INVALID_INPUT },  /* even -e: 0x01 */
		{ HSM_KEY_RSA, 2048, 0, 3, HSM_RC_INVALID_INPUT },      /* -e >= 65537 */
		{ HSM_KEY_RSA, 2048, 0, 65535, HSM_RC_INVALID_INPUT },
		{ HSM_KEY_DSA, 1024, 0, 0, HSM_RC_KEY_SIZE_RANGE },     /* DSA: only 2048 */
		{ HSM_KEY_AES, 32, 0, 0, HSM_RC_KEY_TYPE_INCONSISTENT },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct msg_key_template t;
		struct key_obj pub, priv;
		memset(&t, 0, sizeof(t));
		memset(&pub, 0, sizeof(pub));
		memset(&priv, 0, sizeof(priv));
		t.key_type = cases[i].type;
		t.size = cases[i].size;
		t.curve_id = cases[i].curve;
		t.public_exponent = cases[i].e;
		hsm_rc rc = keygen_pair(&t, &pub, &priv);
		CU_ASSERT_EQUAL(rc, cases[i].want);
		if (rc != cases[i].want)
			printf("\n    case %zu: 0x%x, want 0x%x", i, (unsigned)rc, (unsigned)cases[i].want);
		CU_ASSERT(pub.material == NULL && priv.material == NULL);
		key_obj_clear(&pub);
		key_obj_clear(&priv);
	}
}

/* ---- default attributes, from the reference's attribute dumps ------------ */

static const struct {
	uint32_t flag;
	const char *name;
} flag_names[] = {
	{ KF_TOKEN, "TOKEN" }, { KF_PRIVATE, "PRIVATE" }, { KF_TRUSTED, "TRUSTED" },
	{ KF_SENSITIVE, "SENSITIVE" }, { KF_ENCRYPT, "ENCRYPT" }, { KF_DECRYPT, "DECRYPT" },
	{ KF_WRAP, "WRAP" }, { KF_UNWRAP, "UNWRAP" }, { KF_SIGN, "SIGN" },
	{ KF_VERIFY, "VERIFY" }, { KF_DERIVE, "DERIVE" }, { KF_EXTRACTABLE, "EXTRACTABLE" },
	{ KF_LOCAL, "LOCAL" }, { KF_NEVER_EXTRACTABLE, "NEVER_EXTRACTABLE" },
	{ KF_ALWAYS_SENSITIVE, "ALWAYS_SENSITIVE" }, { KF_DESTROYABLE, "DESTROYABLE" },
	{ KF_WRAP_WITH_TRUSTED, "WRAP_WITH_TRUSTED" },
};

/* Every flag the page shows as 0x01 is in on, every 0x00 in off. */
struct doc_dump {
	const char *page;
	uint32_t key_class, key_type;
	bool extractable, token;
	uint32_t on, off;
};

static const struct doc_dump dumps[] = {
	{ "key_mgmt_util-genSymKey.md (3DES)", HSM_CLASS_SECRET, HSM_KEY_DES3, true, true,
	  KF_TOKEN | KF_PRIVATE | KF_ENCRYPT | KF_DECRYPT | KF_LOCAL | KF_SENSITIVE | KF_EXTRACTABLE,
	  KF_WRAP | KF_UNWRAP | KF_SIGN | KF_VERIFY },
	{ "key_mgmt_util-getAttribute.md (AES)", HSM_CLASS_SECRET, HSM_KEY_AES, true, true,
	  KF_TOKEN | KF_PRIVATE | KF_ENCRYPT | KF_DECRYPT | KF_WRAP | KF_UNWRAP | KF_LOCAL |
	  KF_SENSITIVE | KF_EXTRACTABLE,
	  KF_SIGN | KF_VERIFY },
	{ "key_mgmt_util-genRSAKeyPair.md (public)", HSM_CLASS_PUBLIC, HSM_KEY_RSA, true, true,
	  KF_TOKEN | KF_PRIVATE | KF_ENCRYPT | KF_WRAP | KF_VERIFY | KF_LOCAL | KF_EXTRACTABLE |
	  KF_DESTROYABLE,
	  KF_DECRYPT | KF_UNWRAP | KF_SIGN | KF_SENSITIVE | KF_TRUSTED | KF_WRAP_WITH_TRUSTED |
	  KF_DERIVE | KF_ALWAYS_SENSITIVE | KF_NEVER_EXTRACTABLE },
	{ "key_mgmt_util-genECCKeyPair.md (private)", HSM_CLASS_PRIVATE, HSM_KEY_EC, true, true,
	  KF_TOKEN | KF_PRIVATE | KF_SIGN | KF_LOCAL | KF_SENSITIVE | KF_EXTRACTABLE,
	  KF_ENCRYPT | KF_DECRYPT | KF_WRAP | KF_UNWRAP | KF_VERIFY },
	/* -sess: OBJ_ATTR_TOKEN 0 (key-attribute-table.md). */
	{ "genSymKey -sess", HSM_CLASS_SECRET, HSM_KEY_AES, true, false,
	  KF_ENCRYPT | KF_DECRYPT | KF_EXTRACTABLE, KF_TOKEN },
	/* -nex: not extractable, never was (key-attribute-table.md). */
	{ "genSymKey -nex", HSM_CLASS_SECRET, HSM_KEY_AES, false, true,
	  KF_TOKEN | KF_NEVER_EXTRACTABLE, KF_EXTRACTABLE },
	{ "genECCKeyPair -nex (private)", HSM_CLASS_PRIVATE, HSM_KEY_EC, false, true,
	  KF_SIGN | KF_SENSITIVE | KF_NEVER_EXTRACTABLE, KF_EXTRACTABLE },
	/* genRSAKeyPair -nex: "Public keys are always extractable". */
	{ "genRSAKeyPair -nex (public)", HSM_CLASS_PUBLIC, HSM_KEY_RSA, false, true,
	  KF_EXTRACTABLE | KF_VERIFY, KF_NEVER_EXTRACTABLE | KF_SENSITIVE },
};

static void
check_dump(const struct doc_dump *d)
{
	struct key_obj k;
	memset(&k, 0, sizeof(k));
	k.key_class = d->key_class;
	k.key_type = d->key_type;
	key_default_flags(&k, d->extractable, true, d->token);
	for (size_t i = 0; i < ARRAY_SIZE(flag_names); i++) {
		uint32_t f = flag_names[i].flag;
		if ((d->on & f) != 0 && !key_has(&k, f))
			printf("\n    %s: %s is 0, the page says 1", d->page, flag_names[i].name);
		if ((d->off & f) != 0 && key_has(&k, f))
			printf("\n    %s: %s is 1, the page says 0", d->page, flag_names[i].name);
		CU_ASSERT(!((d->on & f) != 0 && !key_has(&k, f)));
		CU_ASSERT(!((d->off & f) != 0 && key_has(&k, f)));
	}
}

static void
test_default_flags_match_the_pages(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(dumps); i++)
		check_dump(&dumps[i]);
}

/* ---- registration -------------------------------------------------------- */

static CU_TestInfo keygen_tests[] = {
	{ "keygen_check_secret table", test_check_secret_sizes },
	{ "AES keys and KCV", test_aes_keys_and_kcv },
	{ "3DES parity and KCV", test_des3_keys },
	{ "generic secret and refusals", test_generic_secret_sizes },
	{ "RSA pairs", test_rsa_pairs },
	{ "EC pairs", test_ec_pairs },
	{ "refused pair templates", test_refused_pair_templates },
	{ "default flags match the pages", test_default_flags_match_the_pages },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "keygen", NULL, NULL, NULL, NULL, keygen_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_run(suites);
}
