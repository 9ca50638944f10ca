/* kdf.c - password hashing for HSM users: PBKDF2-HMAC-SHA256 via EVP_KDF.
 * Salted, slow, compared in constant time; derived bytes are wiped. */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "kdf.h"

int
kdf_derive(const char *password, size_t len, const uint8_t *salt, size_t saltlen,
           uint32_t iterations, uint8_t *out, size_t outlen)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "PBKDF2", NULL);
	if (kdf == NULL)
		return -1;
	EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
	EVP_KDF_free(kdf);
	if (ctx == NULL)
		return -1;
	unsigned int iter = iterations;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
		                                  (void *)password, len),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, saltlen),
		OSSL_PARAM_construct_uint(OSSL_KDF_PARAM_ITER, &iter),
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0),
		OSSL_PARAM_construct_end(),
	};
	int rc = EVP_KDF_derive(ctx, out, outlen, params) == 1 ? 0 : -1;
	EVP_KDF_CTX_free(ctx);
	return rc;
}

int
kdf_set_password(struct store_user *u, const char *password)
{
	if (RAND_bytes(u->salt, sizeof(u->salt)) != 1)
		return -1;
	u->iterations = KDF_DEFAULT_ITERATIONS;
	return kdf_derive(password, strlen(password), u->salt, sizeof(u->salt),
	                  u->iterations, u->hash, sizeof(u->hash));
}

bool
kdf_check_password(const struct store_user *u, const char *password)
{
	uint8_t got[KDF_HASH_LEN];
	if (u->iterations == 0 ||
	    kdf_derive(password, strlen(password), u->salt, sizeof(u->salt),
	               u->iterations, got, sizeof(got)) != 0)
		return false;
	bool ok = CRYPTO_memcmp(got, u->hash, sizeof(got)) == 0;
	OPENSSL_cleanse(got, sizeof(got));
	return ok;
}
