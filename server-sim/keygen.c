/* keygen.c - making key material with OpenSSL EVP: random secrets, RSA, DSA
 * and EC pairs, PKCS#8/SPKI encodings, key check values, default attributes. */
#include <pthread.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "ec-curves.h"
#include "keygen.h"

#define GENERIC_SECRET_MAX 3583u   /* "< 3584" bytes */
#define RSA_BITS_MIN 2048u
#define RSA_BITS_MAX 4096u
#define DSA_BITS 2048u

hsm_rc
keygen_check_secret(uint32_t key_type, uint32_t size)
{
	switch (key_type) {
	case HSM_KEY_AES:
		return size == 16 || size == 24 || size == 32 ? HSM_RC_SUCCESS
		                                             : HSM_RC_KEY_SIZE_RANGE;
	case HSM_KEY_DES3:
		return size == 24 ? HSM_RC_SUCCESS : HSM_RC_KEY_SIZE_RANGE;
	case HSM_KEY_GENERIC_SECRET:
		return size >= 1 && size <= GENERIC_SECRET_MAX ? HSM_RC_SUCCESS
		                                               : HSM_RC_KEY_SIZE_RANGE;
	case HSM_KEY_RC4:
		return HSM_RC_POLICY_VIOLATION;    /* not in FIPS mode */
	}
	return HSM_RC_KEY_TYPE_INCONSISTENT;
}

const EVP_CIPHER *
key_ecb_cipher(const struct key_obj *k)
{
	if (k->key_type == HSM_KEY_DES3 && k->material_len == 24)
		return EVP_des_ede3_ecb();
	if (k->key_type != HSM_KEY_AES)
		return NULL;
	switch (k->material_len) {
	case 16: return EVP_aes_128_ecb();
	case 24: return EVP_aes_192_ecb();
	case 32: return EVP_aes_256_ecb();
	}
	return NULL;
}

/* Symmetric KCV: first 3 bytes of a zero block encrypted with the key. */
static int
secret_kcv(struct key_obj *k)
{
	const EVP_CIPHER *c = key_ecb_cipher(k);
	memset(k->kcv, 0, sizeof(k->kcv));
	if (c == NULL)
		return 0;    /* generic secrets (HMAC keys) have none */
	uint8_t zero[16] = { 0 }, out[32];
	int len, fin;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int ok = ctx && EVP_EncryptInit_ex(ctx, c, NULL, k->material, NULL) == 1 &&
	         EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
	         EVP_EncryptUpdate(ctx, out, &len, zero, EVP_CIPHER_get_block_size(c)) == 1 &&
	         EVP_EncryptFinal_ex(ctx, out + len, &fin) == 1;
	EVP_CIPHER_CTX_free(ctx);
	if (ok)
		memcpy(k->kcv, out, sizeof(k->kcv));
	OPENSSL_cleanse(out, sizeof(out));
	return ok ? 0 : -1;
}

/* DES keys carry odd parity in the low bit of each byte. */
static void
des_set_odd_parity(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t b = p[i] & 0xfe;
		p[i] = b | (uint8_t)(__builtin_parity(b) ? 0 : 1);
	}
}

int
key_fill_secret(struct key_obj *k, const uint8_t *raw, size_t n)
{
	k->key_class = HSM_CLASS_SECRET;
	if (key_obj_set_material(k, raw, n) != 0)
		return -1;
	k->value_len = (uint32_t)n;
	return secret_kcv(k);
}

hsm_rc
keygen_secret(const struct msg_key_template *t, struct key_obj *k)
{
	hsm_rc rc = keygen_check_secret(t->key_type, t->size);
	if (rc != HSM_RC_SUCCESS)
		return rc;
	uint8_t raw[GENERIC_SECRET_MAX];
	if (RAND_priv_bytes(raw, (int)t->size) != 1)
		return HSM_RC_INTERNAL;
	if (t->key_type == HSM_KEY_DES3)
		des_set_odd_parity(raw, t->size);
	k->key_type = t->key_type;
	rc = key_fill_secret(k, raw, t->size) == 0 ? HSM_RC_SUCCESS : HSM_RC_INTERNAL;
	OPENSSL_cleanse(raw, t->size);
	return rc;
}

int
key_public_der(const struct key_obj *k, uint8_t **der, size_t *len)
{
	EVP_PKEY *pkey = key_to_pkey(k);
	int n = pkey ? i2d_PUBKEY(pkey, der) : -1;
	EVP_PKEY_free(pkey);
	if (n <= 0)
		return -1;
	*len = (size_t)n;
	return 0;
}

/* Asymmetric KCV: first 3 bytes of SHA-1 over the DER public key. */
static int
pkey_kcv(EVP_PKEY *pkey, uint8_t kcv[3])
{
	uint8_t *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	int n = i2d_PUBKEY(pkey, &der);
	int ok = n > 0 && EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha1(), NULL) == 1;
	if (ok)
		memcpy(kcv, md, 3);
	OPENSSL_free(der);
	return ok ? 0 : -1;
}

static uint32_t
pkey_type_of(EVP_PKEY *pkey)
{
	if (EVP_PKEY_is_a(pkey, "RSA"))
		return HSM_KEY_RSA;
	if (EVP_PKEY_is_a(pkey, "DSA"))
		return HSM_KEY_DSA;
	if (EVP_PKEY_is_a(pkey, "EC"))
		return HSM_KEY_EC;
	return UINT32_MAX;
}

static int
pkey_private_der(EVP_PKEY *pkey, uint8_t **der, int *n)
{
	PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(pkey);
	*n = p8 ? i2d_PKCS8_PRIV_KEY_INFO(p8, der) : -1;
	PKCS8_PRIV_KEY_INFO_free(p8);
	return *n > 0 ? 0 : -1;
}

int
key_fill_from_pkey(struct key_obj *k, EVP_PKEY *pkey, bool private_part)
{
	uint8_t *der = NULL;
	int n = -1;
	k->key_type = pkey_type_of(pkey);
	k->key_class = private_part ? HSM_CLASS_PRIVATE : HSM_CLASS_PUBLIC;
	if (k->key_type == UINT32_MAX)
		return -1;
	if (private_part)
		(void)pkey_private_der(pkey, &der, &n);
	else
		n = i2d_PUBKEY(pkey, &der);
	int rc = n > 0 && key_obj_set_material(k, der, (size_t)n) == 0 &&
	         pkey_kcv(pkey, k->kcv) == 0 ? 0 : -1;
	/* RSA reports twice the modulus bytes as the docs show; others the DER. */
	k->value_len = k->key_type == HSM_KEY_RSA ? (uint32_t)EVP_PKEY_get_size(pkey) * 2
	                                          : (uint32_t)(n > 0 ? n : 0);
	if (der != NULL) {
		OPENSSL_cleanse(der, n > 0 ? (size_t)n : 0);
		OPENSSL_free(der);
	}
	return rc;
}

EVP_PKEY *
key_to_pkey(const struct key_obj *k)
{
	const unsigned char *p = k->material;
	if (p == NULL)
		return NULL;
	if (k->key_class == HSM_CLASS_PUBLIC)
		return d2i_PUBKEY(NULL, &p, (long)k->material_len);
	if (k->key_class != HSM_CLASS_PRIVATE)
		return NULL;
	PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)k->material_len);
	EVP_PKEY *pkey = p8 ? EVP_PKCS82PKEY(p8) : NULL;
	PKCS8_PRIV_KEY_INFO_free(p8);
	return pkey;
}

static EVP_PKEY *
gen_rsa(uint32_t bits, uint64_t exponent)
{
	EVP_PKEY *pkey = NULL;
	BIGNUM *e = BN_new();
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (e != NULL && ctx != NULL && BN_set_word(e, (BN_ULONG)exponent) == 1 &&
	    EVP_PKEY_keygen_init(ctx) == 1 &&
	    EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, (int)bits) == 1 &&
	    EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, e) == 1)
		(void)EVP_PKEY_generate(ctx, &pkey);
	EVP_PKEY_CTX_free(ctx);
	BN_free(e);
	return pkey;
}

/* DSA domain parameters are slow to make: one set per node process. */
static pthread_mutex_t dsa_lock = PTHREAD_MUTEX_INITIALIZER;
static EVP_PKEY *dsa_params;

static EVP_PKEY *
dsa_domain(void)
{
	pthread_mutex_lock(&dsa_lock);
	if (dsa_params == NULL) {
		EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "DSA", NULL);
		if (ctx != NULL && EVP_PKEY_paramgen_init(ctx) == 1 &&
		    EVP_PKEY_CTX_set_dsa_paramgen_bits(ctx, DSA_BITS) == 1 &&
		    EVP_PKEY_CTX_set_dsa_paramgen_q_bits(ctx, 256) == 1)
			(void)EVP_PKEY_paramgen(ctx, &dsa_params);
		EVP_PKEY_CTX_free(ctx);
	}
	EVP_PKEY *p = dsa_params;
	if (p != NULL)
		EVP_PKEY_up_ref(p);
	pthread_mutex_unlock(&dsa_lock);
	return p;
}

static EVP_PKEY *
gen_dsa(void)
{
	EVP_PKEY *params = dsa_domain(), *pkey = NULL;
	EVP_PKEY_CTX *ctx = params ? EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL) : NULL;
	if (ctx != NULL && EVP_PKEY_keygen_init(ctx) == 1)
		(void)EVP_PKEY_generate(ctx, &pkey);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(params);
	return pkey;
}

static hsm_rc
check_pair_template(const struct msg_key_template *t)
{
	switch (t->key_type) {
	case HSM_KEY_RSA:
		if (t->size < RSA_BITS_MIN || t->size > RSA_BITS_MAX || t->size % 256 != 0)
			return HSM_RC_KEY_SIZE_RANGE;
		if (t->public_exponent < 65537 || (t->public_exponent & 1) == 0 ||
		    t->public_exponent > UINT32_MAX)
			return HSM_RC_INVALID_INPUT;
		return HSM_RC_SUCCESS;
	case HSM_KEY_DSA:
		return t->size == DSA_BITS ? HSM_RC_SUCCESS : HSM_RC_KEY_SIZE_RANGE;
	case HSM_KEY_EC: {
		const struct ec_curve *c = ec_curve_by_id(t->curve_id);
		if (c == NULL)
			return HSM_RC_INVALID_INPUT;
		return c->fips ? HSM_RC_SUCCESS : HSM_RC_POLICY_VIOLATION;
	}
	}
	return HSM_RC_KEY_TYPE_INCONSISTENT;
}

static EVP_PKEY *
gen_pkey(const struct msg_key_template *t)
{
	switch (t->key_type) {
	case HSM_KEY_RSA:
		return gen_rsa(t->size, t->public_exponent);
	case HSM_KEY_DSA:
		return gen_dsa();
	case HSM_KEY_EC:
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", ec_curve_by_id(t->curve_id)->group);
	}
	return NULL;
}

hsm_rc
keygen_pair(const struct msg_key_template *t, struct key_obj *pub, struct key_obj *priv)
{
	hsm_rc rc = check_pair_template(t);
	if (rc != HSM_RC_SUCCESS)
		return rc;
	EVP_PKEY *pkey = gen_pkey(t);
	if (pkey == NULL)
		return HSM_RC_INTERNAL;
	rc = key_fill_from_pkey(pub, pkey, false) == 0 && key_fill_from_pkey(priv, pkey, true) == 0
	     ? HSM_RC_SUCCESS : HSM_RC_INTERNAL;
	EVP_PKEY_free(pkey);
	return rc;
}

static uint32_t
usage_flags(const struct key_obj *k)
{
	if (k->key_class == HSM_CLASS_SECRET) {
		if (k->key_type == HSM_KEY_AES)
			return KF_ENCRYPT | KF_DECRYPT | KF_WRAP | KF_UNWRAP;
		return k->key_type == HSM_KEY_DES3 ? KF_ENCRYPT | KF_DECRYPT : 0;
	}
	bool rsa = k->key_type == HSM_KEY_RSA;
	if (k->key_class == HSM_CLASS_PUBLIC)
		return KF_VERIFY | (rsa ? KF_ENCRYPT | KF_WRAP : 0);
	return KF_SIGN | (rsa ? KF_DECRYPT | KF_UNWRAP : 0);
}

void
key_default_flags(struct key_obj *k, bool extractable, bool local, bool token)
{
	bool public_key = k->key_class == HSM_CLASS_PUBLIC;
	k->flags = usage_flags(k) | KF_PRIVATE | KF_DESTROYABLE;
	if (token)
		k->flags |= KF_TOKEN;
	if (local)
		k->flags |= KF_LOCAL;
	/* Public keys are always extractable and never sensitive. */
	if (public_key || extractable)
		k->flags |= KF_EXTRACTABLE;
	else
		k->flags |= KF_NEVER_EXTRACTABLE;
	if (!public_key)
		k->flags |= KF_SENSITIVE | KF_ALWAYS_SENSITIVE;
}
