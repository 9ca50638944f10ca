/* key-import.c - checks and converts key material that comes from outside
 * the HSM: unwrapped secret and private keys, imported public keys. */
#include <limits.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/x509.h>

#include "ec-curves.h"
#include "key-import.h"
#include "keygen.h"

/* Imported keys follow the sizes the HSM generates (genRSAKeyPair,
 * genDSAKeyPair), without genRSAKeyPair's 256-bit steps. */
#define IMPORT_RSA_BITS_MIN 2048
#define IMPORT_RSA_BITS_MAX 4096
#define IMPORT_DSA_BITS_MIN 2048
#define IMPORT_DSA_BITS_MAX 3072

static uint32_t
pkey_type(EVP_PKEY *pkey)
{
	if (EVP_PKEY_is_a(pkey, "RSA"))
		return HSM_KEY_RSA;
	if (EVP_PKEY_is_a(pkey, "DSA"))
		return HSM_KEY_DSA;
	if (EVP_PKEY_is_a(pkey, "EC"))
		return HSM_KEY_EC;
	return UINT32_MAX;
}

/* Named curves that FIPS mode allows (ec-curves.c); explicit parameters
 * and other curves are refused. */
static hsm_rc
ec_policy(EVP_PKEY *pkey)
{
	char group[80];
	size_t len = 0;
	if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group,
	                                   sizeof(group), &len) != 1)
		return HSM_RC_POLICY_VIOLATION;
	const struct ec_curve *c = ec_curve_by_group(group);
	return c != NULL && c->fips ? HSM_RC_SUCCESS : HSM_RC_POLICY_VIOLATION;
}

/* The exponents genRSAKeyPair accepts: odd, at least 65537. */
static bool
rsa_exponent_ok(EVP_PKEY *pkey)
{
	BIGNUM *e = NULL;
	bool ok = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) == 1 &&
	          BN_is_odd(e) && BN_num_bits(e) >= 17;
	BN_free(e);
	return ok;
}

static hsm_rc
pkey_policy(EVP_PKEY *pkey, uint32_t key_type)
{
	int bits = EVP_PKEY_get_bits(pkey);
	if (pkey_type(pkey) != key_type)
		return HSM_RC_KEY_TYPE_INCONSISTENT;
	switch (key_type) {
	case HSM_KEY_RSA:
		if (bits < IMPORT_RSA_BITS_MIN || bits > IMPORT_RSA_BITS_MAX)
			return HSM_RC_KEY_SIZE_RANGE;
		return rsa_exponent_ok(pkey) ? HSM_RC_SUCCESS : HSM_RC_INVALID_INPUT;
	case HSM_KEY_DSA:
		return bits >= IMPORT_DSA_BITS_MIN && bits <= IMPORT_DSA_BITS_MAX
		       ? HSM_RC_SUCCESS : HSM_RC_KEY_SIZE_RANGE;
	}
	return ec_policy(pkey);
}

/* A private key must match its own public half; a public key must be
 * well formed (odd modulus, point on the curve, ...). */
static hsm_rc
pkey_consistent(EVP_PKEY *pkey, bool private_part)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	int ok = ctx != NULL && (private_part ? EVP_PKEY_pairwise_check(ctx)
	                                      : EVP_PKEY_public_check(ctx)) == 1;
	EVP_PKEY_CTX_free(ctx);
	return ok ? HSM_RC_SUCCESS : HSM_RC_INVALID_INPUT;
}

/* Exactly one DER structure: trailing bytes are an error too. */
static EVP_PKEY *
decode_der(const uint8_t *p, size_t n, bool private_part)
{
	const unsigned char *q = p;
	EVP_PKEY *pkey = NULL;
	if (n == 0 || n > LONG_MAX)
		return NULL;
	if (private_part) {
		PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &q, (long)n);
		if (p8 != NULL && q == p + n)
			pkey = EVP_PKCS82PKEY(p8);
		PKCS8_PRIV_KEY_INFO_free(p8);
		return pkey;
	}
	pkey = d2i_PUBKEY(NULL, &q, (long)n);
	if (pkey != NULL && q != p + n) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	return pkey;
}

static hsm_rc
import_pkey(struct key_obj *k, uint32_t key_type, const uint8_t *p, size_t n,
            bool private_part)
{
	if (key_type != HSM_KEY_RSA && key_type != HSM_KEY_DSA && key_type != HSM_KEY_EC)
		return HSM_RC_KEY_TYPE_INCONSISTENT;
	EVP_PKEY *pkey = decode_der(p, n, private_part);
	if (pkey == NULL)
		return HSM_RC_INVALID_INPUT;
	hsm_rc rc = pkey_policy(pkey, key_type);
	if (rc == HSM_RC_SUCCESS)
		rc = pkey_consistent(pkey, private_part);
	if (rc == HSM_RC_SUCCESS && key_fill_from_pkey(k, pkey, private_part) != 0)
		rc = HSM_RC_INTERNAL;
	EVP_PKEY_free(pkey);
	return rc;
}

static hsm_rc
import_secret(struct key_obj *k, uint32_t key_type, const uint8_t *p, size_t n)
{
	hsm_rc rc = keygen_check_secret(key_type, n > UINT32_MAX ? UINT32_MAX : (uint32_t)n);
	if (rc != HSM_RC_SUCCESS)
		return rc;
	k->key_type = key_type;
	return key_fill_secret(k, p, n) == 0 ? HSM_RC_SUCCESS : HSM_RC_INTERNAL;
}

hsm_rc
key_import_material(struct key_obj *k, uint32_t key_class, uint32_t key_type,
                    const uint8_t *p, size_t n)
{
	switch (key_class) {
	case HSM_CLASS_SECRET:
		return import_secret(k, key_type, p, n);
	case HSM_CLASS_PRIVATE:
		return import_pkey(k, key_type, p, n, true);
	case HSM_CLASS_PUBLIC:
		return import_pkey(k, key_type, p, n, false);
	}
	return HSM_RC_KEY_TYPE_INCONSISTENT;
}
