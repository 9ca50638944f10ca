/* test-keyattrs.c - getAttribute/setAttribute on the simulator (key-attrs.c), the
 * masked-object key codec, and attribute printing (attr-format.c), per the pages. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include "attr-format.h"
#include "buf.h"
#include "cu-util.h"
#include "key-attrs.h"
#include "keygen.h"
#include "util.h"

/* Attribute constants as key-attribute-table.md numbers them. */
enum {
	A_CLASS = 0, A_TOKEN = 1, A_PRIVATE = 2, A_LABEL = 3, A_TRUSTED = 134,
	A_KEY_TYPE = 256, A_ID = 258, A_SENSITIVE = 259, A_ENCRYPT = 260, A_DECRYPT = 261,
	A_WRAP = 262, A_UNWRAP = 263, A_SIGN = 264, A_VERIFY = 266, A_DERIVE = 268,
	A_MODULUS = 288, A_MODULUS_BITS = 289, A_PUBLIC_EXPONENT = 290, A_VALUE_LEN = 353,
	A_EXTRACTABLE = 354, A_LOCAL = 355, A_NEVER_EXTRACTABLE = 356,
	A_ALWAYS_SENSITIVE = 357, A_DESTROYABLE = 370, A_KCV = 371, A_ALL = 512,
	A_WRAP_WITH_TRUSTED = 528, A_WRAP_TEMPLATE = 1073742353,
	A_UNWRAP_TEMPLATE = 1073742354,
};

/* COMMANDS.md 6.5: the dump order; symmetric keys stop after KCV (17), the EC
 * example adds MODULUS and MODULUS_BITS (19), RSA has all 26. */
static const uint32_t dump_order[] = {
	A_CLASS, A_KEY_TYPE, A_TOKEN, A_PRIVATE, A_ENCRYPT, A_DECRYPT, A_WRAP, A_UNWRAP,
	A_SIGN, A_VERIFY, A_LOCAL, A_SENSITIVE, A_EXTRACTABLE, A_LABEL, A_ID, A_VALUE_LEN,
	A_KCV, A_MODULUS, A_MODULUS_BITS, A_PUBLIC_EXPONENT, A_TRUSTED, A_WRAP_WITH_TRUSTED,
	A_DESTROYABLE, A_DERIVE, A_ALWAYS_SENSITIVE, A_NEVER_EXTRACTABLE,
};
#define DUMP_SYMMETRIC 17u
#define DUMP_EC 19u
#define DUMP_RSA 26u

/* Boolean attributes and the key_obj flag each one reads. */
static const struct {
	uint32_t attr, flag;
} bool_attrs[] = {
	{ A_TOKEN, KF_TOKEN }, { A_PRIVATE, KF_PRIVATE }, { A_TRUSTED, KF_TRUSTED },
	{ A_SENSITIVE, KF_SENSITIVE }, { A_ENCRYPT, KF_ENCRYPT }, { A_DECRYPT, KF_DECRYPT },
	{ A_WRAP, KF_WRAP }, { A_UNWRAP, KF_UNWRAP }, { A_SIGN, KF_SIGN },
	{ A_VERIFY, KF_VERIFY }, { A_DERIVE, KF_DERIVE }, { A_EXTRACTABLE, KF_EXTRACTABLE },
	{ A_LOCAL, KF_LOCAL }, { A_NEVER_EXTRACTABLE, KF_NEVER_EXTRACTABLE },
	{ A_ALWAYS_SENSITIVE, KF_ALWAYS_SENSITIVE }, { A_DESTROYABLE, KF_DESTROYABLE },
	{ A_WRAP_WITH_TRUSTED, KF_WRAP_WITH_TRUSTED },
};

/* cloudhsm_mgmt_util-setAttribute.md: the flags a CU may change. */
static const uint32_t settable_flags[] = {
	A_TRUSTED, A_ENCRYPT, A_DECRYPT, A_WRAP, A_UNWRAP, A_SIGN, A_VERIFY, A_DERIVE,
	A_DESTROYABLE, A_WRAP_WITH_TRUSTED,
};

/* ---- fixture: one key of each kind, made once ---------------------------- */

enum { K_AES, K_DES3, K_RSA_PUB, K_RSA_PRIV, K_EC_PUB, K_EC_PRIV, K_COUNT };
static struct key_obj keys[K_COUNT];
static const char *const key_names[K_COUNT] = {
	"AES-256", "3DES", "RSA public", "RSA private", "EC public", "EC private",
};

static int
make_secret(struct key_obj *k, uint32_t type, uint32_t size)
{
	struct msg_key_template t;
	memset(&t, 0, sizeof(t));
	t.key_type = type;
	t.size = size;
	if (keygen_secret(&t, k) != HSM_RC_SUCCESS)
		return -1;
	key_default_flags(k, true, true, true);
	return 0;
}

static int
make_pair(struct key_obj *pub, struct key_obj *priv, uint32_t type)
{
	struct msg_key_template t;
	memset(&t, 0, sizeof(t));
	t.key_type = type;
	t.size = 2048;
	t.public_exponent = 65537;
	t.curve_id = 2;
	if (keygen_pair(&t, pub, priv) != HSM_RC_SUCCESS)
		return -1;
	key_default_flags(pub, true, true, true);
	key_default_flags(priv, true, true, true);
	return 0;
}

static int
suite_init(void)
{
	memset(keys, 0, sizeof(keys));
	if (make_secret(&keys[K_AES], HSM_KEY_AES, 32) != 0 ||
	    make_secret(&keys[K_DES3], HSM_KEY_DES3, 24) != 0 ||
	    make_pair(&keys[K_RSA_PUB], &keys[K_RSA_PRIV], HSM_KEY_RSA) != 0 ||
	    make_pair(&keys[K_EC_PUB], &keys[K_EC_PRIV], HSM_KEY_EC) != 0)
		return -1;
	snprintf(keys[K_AES].label, sizeof(keys[K_AES].label), "aes256");
	snprintf(keys[K_AES].id, sizeof(keys[K_AES].id), "test_01");
	snprintf(keys[K_RSA_PUB].label, sizeof(keys[K_RSA_PUB].label), "rsa_test");
	snprintf(keys[K_EC_PRIV].label, sizeof(keys[K_EC_PRIV].label), "ecc2");
	for (size_t i = 0; i < K_COUNT; i++) {
		keys[i].handle = 262145u + (uint32_t)i;
		keys[i].owner = 3;
	}
	return 0;
}

static int
suite_clean(void)
{
	for (size_t i = 0; i < K_COUNT; i++)
		key_obj_clear(&keys[i]);
	return 0;
}

/* ---- helpers ------------------------------------------------------------- */

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t
flag_of(uint32_t attr)
{
	for (size_t i = 0; i < ARRAY_SIZE(bool_attrs); i++)
		if (bool_attrs[i].attr == attr)
			return bool_attrs[i].flag;
	return 0;
}

static bool
is_bytes(const hsm_attribute *a, const void *want, size_t n)
{
	return a->len == n && (n == 0 || memcmp(a->value, want, n) == 0);
}

/* The public half of k's pair (its SubjectPublicKeyInfo), parsed here. */
static EVP_PKEY *
public_of(const struct key_obj *k)
{
	const struct key_obj *pub = k->key_type == HSM_KEY_RSA ? &keys[K_RSA_PUB] : &keys[K_EC_PUB];
	const unsigned char *p = pub->material;
	return d2i_PUBKEY(NULL, &p, (long)pub->material_len);
}

/* RSA: the big-endian bytes of n. EC: the uncompressed point, which is the
 * content of the SubjectPublicKeyInfo's BIT STRING: its last bytes. */
static bool
modulus_ok(const struct key_obj *k, const hsm_attribute *a)
{
	if (k->key_type == HSM_KEY_EC) {
		const struct key_obj *pub = &keys[K_EC_PUB];
		return a->len == 65 && a->value[0] == 0x04 &&
		       memcmp(a->value, pub->material + pub->material_len - 65, 65) == 0;
	}
	EVP_PKEY *pk = public_of(k);
	BIGNUM *n = NULL;
	uint8_t buf[512];
	int len = pk != NULL && EVP_PKEY_get_bn_param(pk, "n", &n) == 1 ? BN_bn2bin(n, buf) : -1;
	bool ok = len == 256 && is_bytes(a, buf, (size_t)len);
	BN_free(n);
	EVP_PKEY_free(pk);
	return ok;
}

/* The value of one attribute as the key and the pages say it must be. */
static bool
value_ok(const struct key_obj *k, const hsm_attribute *a)
{
	static const uint8_t f4[3] = { 0x01, 0x00, 0x01 };
	uint32_t flag = flag_of(a->id);
	if (flag != 0)
		return a->len == 1 && a->value[0] == (key_has(k, flag) ? 1 : 0);
	switch (a->id) {
	case A_CLASS: return a->len == 4 && be32(a->value) == k->key_class;
	case A_KEY_TYPE: return a->len == 4 && be32(a->value) == k->key_type;
	case A_VALUE_LEN: return a->len == 4 && be32(a->value) == k->value_len;
	case A_LABEL: return is_bytes(a, k->label, strlen(k->label));
	case A_ID: return is_bytes(a, k->id, strlen(k->id));
	case A_KCV: return is_bytes(a, k->kcv, 3);
	case A_MODULUS: return modulus_ok(k, a);
	case A_MODULUS_BITS:
		return a->len == 4 && (k->key_type != HSM_KEY_RSA || be32(a->value) == 2048);
	case A_PUBLIC_EXPONENT: return is_bytes(a, f4, sizeof(f4));
	}
	return false;
}

static size_t
dump_length(const struct key_obj *k)
{
	if (k->key_type == HSM_KEY_RSA)
		return DUMP_RSA;
	return k->key_type == HSM_KEY_EC ? DUMP_EC : DUMP_SYMMETRIC;
}

/* ---- key_attributes ------------------------------------------------------ */

static void
check_all(size_t which)
{
	const struct key_obj *k = &keys[which];
	hsm_attribute_list l;
	CU_ASSERT_EQUAL_FATAL(key_attributes(k, A_ALL, &l), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(l.count, dump_length(k));
	for (size_t i = 0; i < l.count && i < ARRAY_SIZE(dump_order); i++) {
		CU_ASSERT_EQUAL(l.attrs[i].id, dump_order[i]);
		bool ok = value_ok(k, &l.attrs[i]);
		CU_ASSERT_TRUE(ok);
		if (!ok || l.attrs[i].id != dump_order[i])
			printf("\n    %s: entry %zu is %u (want %u), value %s", key_names[which], i,
			       l.attrs[i].id, dump_order[i], ok ? "ok" : "wrong");
	}
	hsm_attribute_list_free(&l);
}

static void
test_all_attributes_in_order(void)
{
	for (size_t i = 0; i < K_COUNT; i++)
		check_all(i);
}

/* Each attribute alone gives one entry, the same bytes as in the whole dump. */
static void
check_singles(size_t which)
{
	const struct key_obj *k = &keys[which];
	hsm_attribute_list all, one;
	CU_ASSERT_EQUAL_FATAL(key_attributes(k, A_ALL, &all), HSM_RC_SUCCESS);
	for (size_t i = 0; i < all.count; i++) {
		CU_ASSERT_EQUAL_FATAL(key_attributes(k, all.attrs[i].id, &one), HSM_RC_SUCCESS);
		CU_ASSERT_EQUAL(one.count, 1);
		CU_ASSERT(one.count == 1 && one.attrs[0].id == all.attrs[i].id &&
		          is_bytes(&one.attrs[0], all.attrs[i].value, all.attrs[i].len));
		hsm_attribute_list_free(&one);
	}
	hsm_attribute_list_free(&all);
	/* Attributes outside the dump of a symmetric key still read alone. */
	const uint32_t extra[] = { A_TRUSTED, A_WRAP_WITH_TRUSTED, A_DESTROYABLE, A_DERIVE,
	                           A_ALWAYS_SENSITIVE, A_NEVER_EXTRACTABLE };
	for (size_t i = 0; i < ARRAY_SIZE(extra); i++) {
		CU_ASSERT_EQUAL_FATAL(key_attributes(k, extra[i], &one), HSM_RC_SUCCESS);
		CU_ASSERT(one.count == 1 && value_ok(k, &one.attrs[0]));
		hsm_attribute_list_free(&one);
	}
}

static void
test_single_attributes(void)
{
	for (size_t i = 0; i < K_COUNT; i++)
		check_singles(i);
}

static void
expect_invalid(size_t which, uint32_t attr)
{
	hsm_attribute_list l;
	hsm_rc rc = key_attributes(&keys[which], attr, &l);
	CU_ASSERT_EQUAL(rc, HSM_RC_ATTRIBUTE_INVALID);
	CU_ASSERT_EQUAL(l.count, 0);
	if (rc != HSM_RC_ATTRIBUTE_INVALID)
		printf("\n    %s: attribute %u gave 0x%x", key_names[which], attr, (unsigned)rc);
	hsm_attribute_list_free(&l);
}

static void
test_missing_attributes(void)
{
	const uint32_t rsa_only[] = { A_MODULUS, A_MODULUS_BITS, A_PUBLIC_EXPONENT };
	const uint32_t unknown[] = { 4, 133, 257, 265, 267, 291, 511, 9999, UINT32_MAX };
	for (size_t i = 0; i < ARRAY_SIZE(rsa_only); i++) {
		expect_invalid(K_AES, rsa_only[i]);       /* "modulus of AES is an error" */
		expect_invalid(K_DES3, rsa_only[i]);
	}
	expect_invalid(K_EC_PUB, A_PUBLIC_EXPONENT);
	expect_invalid(K_EC_PRIV, A_PUBLIC_EXPONENT);
	for (size_t k = 0; k < K_COUNT; k++)
		for (size_t i = 0; i < ARRAY_SIZE(unknown); i++)
			expect_invalid(k, unknown[i]);
}

/* ---- whole dumps as the pages print them --------------------------------- */

#define DOC_N1 "bb9301cc362c1d9724eb93da8adab0364296bde7124a241087d9436b9be57e4f7780040df03c2c"
#define DOC_N2 "1c0fe6e3b61aa83c205280119452868f66541bbbffacbbe787b8284fc81deaeef2b8ec0ba25a077d"
#define DOC_N3 "6983c77a1de7b17cbe8e15b203868704c6452c2810344a7f2736012424cf0703cf15a37183a1d2d0"
#define DOC_N4 "97240829f8f90b063dd3a41171402b162578d581980976653935431da0c1260bfe756d85dca63857"
#define DOC_N5 "d9f27a541676cb9c7def0ef6a2a89c9b9304bcac16fdf8183c0a555421f9ad5dfeb534cf26b65873"
#define DOC_N6 "970cdf1a07484f1c128b53e10209cc6f7ac308669112968c81a5de408e7f644fe58b1a9ae1286fec"
#define DOC_N7 "b3e4203294a96fae06f8f0db7982cb5d7f"
#define DOC_EC_POINT "044a0f9d01d10f7437d9fa20995f0cc742552e5ba16d3d7e9a65a33e20ad3e569e68eb" \
	"62477a9960a87911e6121d112b698e469a0329a665eba74ee5ac55eae9f5"

/* key_mgmt_util-genSymKey.md: getAttribute -o 7 -a 512 of a shared 3DES key. */
static const char doc_3des_dump[] =
	"OBJ_ATTR_CLASS\n" "0x04\n" "OBJ_ATTR_KEY_TYPE\n" "0x15\n"
	"OBJ_ATTR_TOKEN\n" "0x01\n" "OBJ_ATTR_PRIVATE\n" "0x01\n"
	"OBJ_ATTR_ENCRYPT\n" "0x01\n" "OBJ_ATTR_DECRYPT\n" "0x01\n"
	"OBJ_ATTR_WRAP\n" "0x00\n" "OBJ_ATTR_UNWRAP\n" "0x00\n"
	"OBJ_ATTR_SIGN\n" "0x00\n" "OBJ_ATTR_VERIFY\n" "0x00\n"
	"OBJ_ATTR_LOCAL\n" "0x01\n" "OBJ_ATTR_SENSITIVE\n" "0x01\n"
	"OBJ_ATTR_EXTRACTABLE\n" "0x01\n" "OBJ_ATTR_LABEL\n" "3DES_shared\n"
	"OBJ_ATTR_ID\n" "IT-02\n" "OBJ_ATTR_VALUE_LEN\n" "0x00000018\n"
	"OBJ_ATTR_KCV\n" "0x59a46e\n";

/* key_mgmt_util-genRSAKeyPair.md: getAttribute -o 2100177 -a 512, a public key. */
static const char doc_rsa_public_dump[] =
	"OBJ_ATTR_CLASS\n" "0x02\n" "OBJ_ATTR_KEY_TYPE\n" "0x00\n"
	"OBJ_ATTR_TOKEN\n" "0x01\n" "OBJ_ATTR_PRIVATE\n" "0x01\n"
	"OBJ_ATTR_ENCRYPT\n" "0x01\n" "OBJ_ATTR_DECRYPT\n" "0x00\n"
	"OBJ_ATTR_WRAP\n" "0x01\n" "OBJ_ATTR_UNWRAP\n" "0x00\n"
	"OBJ_ATTR_SIGN\n" "0x00\n" "OBJ_ATTR_VERIFY\n" "0x01\n"
	"OBJ_ATTR_LOCAL\n" "0x01\n" "OBJ_ATTR_SENSITIVE\n" "0x00\n"
	"OBJ_ATTR_EXTRACTABLE\n" "0x01\n" "OBJ_ATTR_LABEL\n" "rsa_test\n"
	"OBJ_ATTR_ID\n" "\n" "OBJ_ATTR_VALUE_LEN\n" "0x00000200\n"
	"OBJ_ATTR_KCV\n" "0xc51c18\n"
	"OBJ_ATTR_MODULUS\n" "0x" DOC_N1 "\n" DOC_N2 "\n" DOC_N3 "\n" DOC_N4 "\n" DOC_N5 "\n"
	DOC_N6 "\n" DOC_N7 "\n"
	"OBJ_ATTR_MODULUS_BITS\n" "0x00000800\n" "OBJ_ATTR_PUBLIC_EXPONENT\n" "0x010001\n"
	"OBJ_ATTR_TRUSTED\n" "0x00\n" "OBJ_ATTR_WRAP_WITH_TRUSTED\n" "0x00\n"
	"OBJ_ATTR_DESTROYABLE\n" "0x01\n" "OBJ_ATTR_DERIVE\n" "0x00\n"
	"OBJ_ATTR_ALWAYS_SENSITIVE\n" "0x00\n" "OBJ_ATTR_NEVER_EXTRACTABLE\n" "0x00\n";

static size_t
unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	for (; s[0] != '\0' && s[1] != '\0' && n < max; s += 2) {
		unsigned v = 0;
		if (sscanf(s, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
	}
	return n;
}

/* The -a 512 file: name line, value line, for every attribute. */
static char *
dump_text(const struct key_obj *k)
{
	hsm_attribute_list l;
	struct hbuf out;
	hbuf_init(&out);
	if (key_attributes(k, A_ALL, &l) != HSM_RC_SUCCESS)
		return NULL;
	for (size_t i = 0; i < l.count; i++) {
		char *v = attr_format_value(&l.attrs[i], k->key_type, false);
		const char *name = hsm_attr_name(l.attrs[i].id);
		hbuf_put_raw(&out, name ? name : "?", name ? strlen(name) : 1);
		hbuf_put_raw(&out, "\n", 1);
		hbuf_put_raw(&out, v ? v : "?", v ? strlen(v) : 1);
		hbuf_put_raw(&out, "\n", 1);
		free(v);
	}
	hsm_attribute_list_free(&l);
	char *s = out.failed ? NULL : strndup((const char *)out.data, out.len);
	hbuf_free(&out);
	return s;
}

static void
assert_dump(const struct key_obj *k, const char *want)
{
	char *got = dump_text(k);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_STRING_EQUAL(got, want);
	if (strcmp(got, want) != 0)
		printf("\n--- got:\n%s--- want:\n%s", got, want);
	free(got);
}

static void
test_3des_dump_as_the_page(void)
{
	struct key_obj k;
	memset(&k, 0, sizeof(k));
	k.key_class = HSM_CLASS_SECRET;
	k.key_type = HSM_KEY_DES3;
	k.flags = KF_TOKEN | KF_PRIVATE | KF_ENCRYPT | KF_DECRYPT | KF_LOCAL | KF_SENSITIVE |
	          KF_EXTRACTABLE;
	snprintf(k.label, sizeof(k.label), "3DES_shared");
	snprintf(k.id, sizeof(k.id), "IT-02");
	k.value_len = 24;
	k.kcv[0] = 0x59;
	k.kcv[1] = 0xa4;
	k.kcv[2] = 0x6e;
	assert_dump(&k, doc_3des_dump);
}

/* The page's public key rebuilt from its modulus and exponent. */
static int
doc_rsa_public(struct key_obj *k)
{
	uint8_t n[256];
	size_t nlen = unhex(DOC_N1 DOC_N2 DOC_N3 DOC_N4 DOC_N5 DOC_N6 DOC_N7, n, sizeof(n));
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *bn = BN_bin2bn(n, (int)nlen, NULL), *e = BN_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY *pkey = NULL;
	uint8_t *der = NULL;
	int len = -1;
	if (bld != NULL && bn != NULL && e != NULL && ctx != NULL && BN_set_word(e, 65537) == 1 &&
	    OSSL_PARAM_BLD_push_BN(bld, "n", bn) == 1 && OSSL_PARAM_BLD_push_BN(bld, "e", e) == 1 &&
	    (params = OSSL_PARAM_BLD_to_param(bld)) != NULL && EVP_PKEY_fromdata_init(ctx) == 1 &&
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) == 1)
		len = i2d_PUBKEY(pkey, &der);
	int rc = nlen == 256 && len > 0 && key_obj_set_material(k, der, (size_t)len) == 0 ? 0 : -1;
	OPENSSL_free(der);
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(e);
	return rc;
}

static void
test_rsa_public_dump_as_the_page(void)
{
	struct key_obj k;
	memset(&k, 0, sizeof(k));
	CU_ASSERT_EQUAL_FATAL(doc_rsa_public(&k), 0);
	k.key_class = HSM_CLASS_PUBLIC;
	k.key_type = HSM_KEY_RSA;
	k.flags = KF_TOKEN | KF_PRIVATE | KF_ENCRYPT | KF_WRAP | KF_VERIFY | KF_LOCAL |
	          KF_EXTRACTABLE | KF_DESTROYABLE;
	snprintf(k.label, sizeof(k.label), "rsa_test");
	k.value_len = 0x200;
	k.kcv[0] = 0xc5;
	k.kcv[1] = 0x1c;
	k.kcv[2] = 0x18;
	assert_dump(&k, doc_rsa_public_dump);
	key_obj_clear(&k);
}

/* ---- attr_format_value --------------------------------------------------- */

static const struct {
	uint32_t id, key_type;
	const char *hex;          /* the value bytes */
	bool single;
	const char *want;
} formats[] = {
	/* Whole dumps: flags and types 0x%02x (COMMANDS.md 6.5). */
	{ A_CLASS, HSM_KEY_AES, "00000004", false, "0x04" },
	{ A_KEY_TYPE, HSM_KEY_AES, "0000001f", false, "0x1f" },
	{ A_TOKEN, HSM_KEY_AES, "01", false, "0x01" },
	{ A_WRAP, HSM_KEY_AES, "00", false, "0x00" },
	/* A single attribute: 0x%08x (CMU getAttribute 354, KMU 0x00000015). */
	{ A_EXTRACTABLE, HSM_KEY_AES, "01", true, "0x00000001" },
	{ A_EXTRACTABLE, HSM_KEY_AES, "00", true, "0x00000000" },
	{ A_KEY_TYPE, HSM_KEY_DES3, "00000015", true, "0x00000015" },
	{ A_CLASS, HSM_KEY_RSA, "00000002", true, "0x00000002" },
	/* Lengths are 0x%08x in both. */
	{ A_VALUE_LEN, HSM_KEY_AES, "00000020", false, "0x00000020" },
	{ A_VALUE_LEN, HSM_KEY_AES, "00000020", true, "0x00000020" },
	{ A_MODULUS_BITS, HSM_KEY_RSA, "00000800", false, "0x00000800" },
	/* KCV: 0x and 6 hex digits, leading zeros kept. */
	{ A_KCV, HSM_KEY_AES, "1a4b31", false, "0x1a4b31" },
	{ A_KCV, HSM_KEY_AES, "000a0b", false, "0x000a0b" },
	{ A_KCV, HSM_KEY_AES, "c51c18", true, "0xc51c18" },
	{ A_PUBLIC_EXPONENT, HSM_KEY_RSA, "010001", false, "0x010001" },
	/* Label and ID raw; an empty ID is an empty line. */
	{ A_LABEL, HSM_KEY_AES, "616573323536", false, "aes256" },
	{ A_ID, HSM_KEY_AES, "", false, "" },
	/* EC point: bare hex on one line (genECCKeyPair.md). */
	{ A_MODULUS, HSM_KEY_EC, DOC_EC_POINT, false, DOC_EC_POINT },
	/* RSA modulus: 0x then hex, 80 characters a line (genRSAKeyPair.md). */
	{ A_MODULUS, HSM_KEY_RSA, DOC_N1 DOC_N2 DOC_N3 DOC_N4 DOC_N5 DOC_N6 DOC_N7, false,
	  "0x" DOC_N1 "\n" DOC_N2 "\n" DOC_N3 "\n" DOC_N4 "\n" DOC_N5 "\n" DOC_N6 "\n" DOC_N7 },
};

static void
test_attr_format(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
		uint8_t v[512];
		hsm_attribute a = { formats[i].id, v, unhex(formats[i].hex, v, sizeof(v)) };
		char *got = attr_format_value(&a, formats[i].key_type, formats[i].single);
		CU_ASSERT_PTR_NOT_NULL_FATAL(got);
		CU_ASSERT_STRING_EQUAL(got, formats[i].want);
		if (strcmp(got, formats[i].want) != 0)
			printf("\n    attr %u: \"%s\", want \"%s\"", formats[i].id, got, formats[i].want);
		free(got);
	}
}

/* ---- key_set_attribute --------------------------------------------------- */

static uint8_t
read_flag(const struct key_obj *k, uint32_t attr)
{
	hsm_attribute_list l;
	uint8_t v = 0xee;
	if (key_attributes(k, attr, &l) == HSM_RC_SUCCESS && l.count == 1 && l.attrs[0].len == 1)
		v = l.attrs[0].value[0];
	hsm_attribute_list_free(&l);
	return v;
}

static hsm_rc
set1(struct key_obj *k, uint32_t attr, uint8_t v)
{
	return key_set_attribute(k, attr, &v, 1);
}

/* Every settable flag goes to 1 and back to 0 on every kind of key, and
 * nothing else about the key changes. */
static void
test_set_settable_flags(void)
{
	for (size_t which = 0; which < K_COUNT; which++)
		for (size_t i = 0; i < ARRAY_SIZE(settable_flags); i++) {
			struct key_obj k;
			uint32_t attr = settable_flags[i];
			CU_ASSERT_EQUAL_FATAL(key_obj_copy(&k, &keys[which]), 0);
			k.flags &= ~(uint32_t)KF_WRAP_WITH_TRUSTED;
			uint32_t before = k.flags;
			CU_ASSERT_EQUAL(set1(&k, attr, 1), HSM_RC_SUCCESS);
			CU_ASSERT_EQUAL(read_flag(&k, attr), 1);
			CU_ASSERT_EQUAL(k.flags, before | flag_of(attr));
			if (attr != A_WRAP_WITH_TRUSTED) {
				CU_ASSERT_EQUAL(set1(&k, attr, 0), HSM_RC_SUCCESS);
				CU_ASSERT_EQUAL(read_flag(&k, attr), 0);
				CU_ASSERT_EQUAL(k.flags, before & ~flag_of(attr));
			}
			CU_ASSERT_STRING_EQUAL(k.label, keys[which].label);
			key_obj_clear(&k);
		}
}

/* cloudhsm_using_trusted_keys_control_key_wrap.md: once 1, read-only. */
static void
test_wrap_with_trusted_one_way(void)
{
	struct key_obj k;
	CU_ASSERT_EQUAL_FATAL(key_obj_copy(&k, &keys[K_AES]), 0);
	k.flags &= ~(uint32_t)KF_WRAP_WITH_TRUSTED;
	CU_ASSERT_EQUAL(set1(&k, A_WRAP_WITH_TRUSTED, 0), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(read_flag(&k, A_WRAP_WITH_TRUSTED), 0);
	CU_ASSERT_EQUAL(set1(&k, A_WRAP_WITH_TRUSTED, 1), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(set1(&k, A_WRAP_WITH_TRUSTED, 1), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(set1(&k, A_WRAP_WITH_TRUSTED, 0), HSM_RC_ATTRIBUTE_READ_ONLY);
	CU_ASSERT_EQUAL(read_flag(&k, A_WRAP_WITH_TRUSTED), 1);
	key_obj_clear(&k);
}

static void
test_set_label(void)
{
	struct key_obj k;
	char longest[HSM_LABEL_MAX + 2];
	CU_ASSERT_EQUAL_FATAL(key_obj_copy(&k, &keys[K_AES]), 0);
	CU_ASSERT_EQUAL(key_set_attribute(&k, A_LABEL, (const uint8_t *)"new label", 9),
	                HSM_RC_SUCCESS);
	CU_ASSERT_STRING_EQUAL(k.label, "new label");
	memset(longest, 'x', sizeof(longest));
	CU_ASSERT_EQUAL(key_set_attribute(&k, A_LABEL, (const uint8_t *)longest, 127),
	                HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(strlen(k.label), 127);
	longest[0] = 'y';
	CU_ASSERT_EQUAL(key_set_attribute(&k, A_LABEL, (const uint8_t *)longest, 128),
	                HSM_RC_INVALID_INPUT);
	CU_ASSERT_EQUAL(key_set_attribute(&k, A_LABEL, (const uint8_t *)longest, sizeof(longest)),
	                HSM_RC_INVALID_INPUT);
	CU_ASSERT_EQUAL(key_set_attribute(&k, A_LABEL, (const uint8_t *)"a\0b", 3),
	                HSM_RC_INVALID_INPUT);
	CU_ASSERT_EQUAL(key_set_attribute(&k, A_LABEL, (const uint8_t *)"\0", 1),
	                HSM_RC_INVALID_INPUT);
	CU_ASSERT_EQUAL(strlen(k.label), 127);              /* refusals change nothing */
	CU_ASSERT_EQUAL(k.label[0], 'x');
	CU_ASSERT_EQUAL(key_set_attribute(&k, A_LABEL, (const uint8_t *)"", 0), HSM_RC_SUCCESS);
	CU_ASSERT_STRING_EQUAL(k.label, "");
	CU_ASSERT_EQUAL(k.flags, keys[K_AES].flags);
	key_obj_clear(&k);
}

static void
expect_set(uint32_t attr, const uint8_t *v, size_t n, hsm_rc want)
{
	for (size_t which = 0; which < K_COUNT; which++) {
		struct key_obj k;
		CU_ASSERT_EQUAL_FATAL(key_obj_copy(&k, &keys[which]), 0);
		hsm_rc rc = key_set_attribute(&k, attr, v, n);
		CU_ASSERT_EQUAL(rc, want);
		if (rc != want)
			printf("\n    %s: set %u (%zu bytes): 0x%x, want 0x%x", key_names[which], attr, n,
			       (unsigned)rc, (unsigned)want);
		CU_ASSERT(k.flags == keys[which].flags && strcmp(k.label, keys[which].label) == 0 &&
		          strcmp(k.id, keys[which].id) == 0 && k.key_class == keys[which].key_class &&
		          k.key_type == keys[which].key_type && k.value_len == keys[which].value_len);
		key_obj_clear(&k);
	}
}

static void
test_set_read_only(void)
{
	const uint32_t ro[] = { A_CLASS, A_TOKEN, A_PRIVATE, A_KEY_TYPE, A_ID, A_SENSITIVE,
	                        A_MODULUS, A_MODULUS_BITS, A_PUBLIC_EXPONENT, A_VALUE_LEN,
	                        A_EXTRACTABLE, A_LOCAL, A_NEVER_EXTRACTABLE, A_ALWAYS_SENSITIVE,
	                        A_KCV, A_WRAP_TEMPLATE, A_UNWRAP_TEMPLATE };
	const uint8_t zero = 0, one = 1;
	for (size_t i = 0; i < ARRAY_SIZE(ro); i++) {
		expect_set(ro[i], &zero, 1, HSM_RC_ATTRIBUTE_READ_ONLY);
		expect_set(ro[i], &one, 1, HSM_RC_ATTRIBUTE_READ_ONLY);
	}
}

static void
test_set_unknown(void)
{
	const uint32_t unknown[] = { 4, 133, 135, 257, 265, 267, 269, 291, A_ALL, 9999,
	                             UINT32_MAX };
	const uint8_t one = 1;
	for (size_t i = 0; i < ARRAY_SIZE(unknown); i++)
		expect_set(unknown[i], &one, 1, HSM_RC_ATTRIBUTE_INVALID);
}

static void
test_set_bad_values(void)
{
	static const struct {
		uint8_t v[4];
		size_t n;
	} bad[] = {
		{ { 0 }, 0 }, { { 0, 1 }, 2 }, { { 2 }, 1 }, { { 0xff }, 1 }, { { '1' }, 1 },
		{ { 0, 0, 0, 1 }, 4 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(settable_flags); i++)
		for (size_t j = 0; j < ARRAY_SIZE(bad); j++)
			expect_set(settable_flags[i], bad[j].v, bad[j].n, HSM_RC_INVALID_INPUT);
}

/* ---- key_obj_encode / key_obj_decode ------------------------------------- */

static void
encode(const struct key_obj *k, struct hbuf *b)
{
	hbuf_init(b);
	key_obj_encode(b, k);
	CU_ASSERT_FALSE(b->failed);
}

static void
test_codec_round_trip(void)
{
	for (size_t which = 0; which < K_COUNT; which++) {
		struct key_obj k, back;
		struct hbuf a, b;
		struct hrd r;
		CU_ASSERT_EQUAL_FATAL(key_obj_copy(&k, &keys[which]), 0);
		k.m_value = 2;
		k.nshares = 2;
		k.shares[0] = 5;
		k.shares[1] = 4;
		encode(&k, &a);
		hrd_init(&r, a.data, a.len);
		CU_ASSERT_EQUAL_FATAL(key_obj_decode(&r, &back), 0);
		CU_ASSERT(back.handle == k.handle && back.owner == k.owner &&
		          back.key_class == k.key_class && back.key_type == k.key_type &&
		          back.flags == k.flags && back.value_len == k.value_len && back.m_value == 2 &&
		          strcmp(back.label, k.label) == 0 && strcmp(back.id, k.id) == 0 &&
		          memcmp(back.kcv, k.kcv, 3) == 0 && back.nshares == 2 &&
		          back.shares[0] == 5 && back.shares[1] == 4);
		CU_ASSERT(back.material_len == k.material_len &&
		          memcmp(back.material, k.material, k.material_len) == 0);
		encode(&back, &b);
		CU_ASSERT(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
		hbuf_free(&a);
		hbuf_free(&b);
		key_obj_clear(&k);
		key_obj_clear(&back);
	}
}

/* Decodes p[n]: -1 refused, 0 accepted and re-encoded to the same bytes,
 * 1 accepted but re-encoded differently. */
static int
decode_reencode(const uint8_t *p, size_t n)
{
	struct key_obj k;
	struct hrd r;
	struct hbuf again;
	hrd_init(&r, p, n);
	if (key_obj_decode(&r, &k) != 0) {
		key_obj_clear(&k);
		return -1;
	}
	hbuf_init(&again);
	key_obj_encode(&again, &k);
	int rc = !again.failed && again.len == n && memcmp(again.data, p, n) == 0 ? 0 : 1;
	hbuf_free(&again);
	key_obj_clear(&k);
	return rc;
}

static void
mutate_one(const struct key_obj *k, const char *name)
{
	struct hbuf b;
	size_t refused = 0, accepted = 0, changed = 0;
	encode(k, &b);
	uint8_t *m = malloc(b.len + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	for (size_t cut = 0; cut < b.len; cut++)
		CU_ASSERT_EQUAL(decode_reencode(b.data, cut), -1);
	memcpy(m, b.data, b.len);
	m[b.len] = 0;
	CU_ASSERT_EQUAL(decode_reencode(m, b.len + 1), -1);     /* a trailing byte */
	for (size_t i = 0; i < b.len * 8; i++) {
		memcpy(m, b.data, b.len);
		m[i / 8] ^= (uint8_t)(1u << (i % 8));
		int rc = decode_reencode(m, b.len);
		refused += rc == -1;
		accepted += rc == 0;
		changed += rc == 1;
	}
	CU_ASSERT_EQUAL(changed, 0);
	CU_ASSERT(refused >= 32 && accepted > 0);    /* the version word alone: 32 */
	printf("\n    %s: %zu bit flips refused, %zu decoded canonically, %zu not", name, refused,
	       accepted, changed);
	free(m);
	hbuf_free(&b);
}

static void
test_codec_mutations(void)
{
	for (size_t which = 0; which < K_COUNT; which++) {
		struct key_obj k;
		CU_ASSERT_EQUAL_FATAL(key_obj_copy(&k, &keys[which]), 0);
		k.nshares = 1;
		k.shares[0] = 4;
		mutate_one(&k, key_names[which]);
		key_obj_clear(&k);
	}
}

/* Well-formed encodings of keys no HSM can hold are refused too. */
static void
corrupt_class(struct key_obj *k)
{
	k->key_class = 5;
}

static void
corrupt_secret_type(struct key_obj *k)
{
	k->key_type = HSM_KEY_RSA;
}

static void
corrupt_rc4(struct key_obj *k)
{
	k->key_type = HSM_KEY_RC4;
}

static void
corrupt_aes_size(struct key_obj *k)
{
	k->material_len = 15;
}

static void
corrupt_pair_type(struct key_obj *k)
{
	k->key_class = HSM_CLASS_PRIVATE;
}

static void
corrupt_m_value(struct key_obj *k)
{
	k->m_value = 9;
}

static void
test_codec_refuses_impossible_keys(void)
{
	static void (*const corrupt[])(struct key_obj *) = {
		corrupt_class, corrupt_secret_type, corrupt_rc4, corrupt_aes_size,
		corrupt_pair_type, corrupt_m_value,
	};
	for (size_t i = 0; i < ARRAY_SIZE(corrupt); i++) {
		struct key_obj k;
		struct hbuf b;
		CU_ASSERT_EQUAL_FATAL(key_obj_copy(&k, &keys[K_AES]), 0);
		corrupt[i](&k);
		encode(&k, &b);
		CU_ASSERT_EQUAL(decode_reencode(b.data, b.len), -1);
		hbuf_free(&b);
		k.material_len = keys[K_AES].material_len;
		key_obj_clear(&k);
	}
}

/* ---- registration -------------------------------------------------------- */

static CU_TestInfo get_tests[] = {
	{ "512: documented attributes in order", test_all_attributes_in_order },
	{ "single attributes and encodings", test_single_attributes },
	{ "attributes a key lacks, unknown ids", test_missing_attributes },
	{ "3DES dump as genSymKey.md prints it", test_3des_dump_as_the_page },
	{ "RSA public dump as genRSAKeyPair.md prints it", test_rsa_public_dump_as_the_page },
	{ "attr_format_value", test_attr_format },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo set_tests[] = {
	{ "settable flags, 1 and back to 0", test_set_settable_flags },
	{ "WRAP_WITH_TRUSTED is one way", test_wrap_with_trusted_one_way },
	{ "label", test_set_label },
	{ "read-only attributes", test_set_read_only },
	{ "unknown attributes", test_set_unknown },
	{ "values other than one byte 0/1", test_set_bad_values },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo codec_tests[] = {
	{ "encode/decode round trip", test_codec_round_trip },
	{ "truncations and bit flips", test_codec_mutations },
	{ "impossible keys refused", test_codec_refuses_impossible_keys },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "key attributes", suite_init, suite_clean, NULL, NULL, get_tests },
	{ "setAttribute rules", suite_init, suite_clean, NULL, NULL, set_tests },
	{ "key object codec", suite_init, suite_clean, NULL, NULL, codec_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_run(suites);
}
