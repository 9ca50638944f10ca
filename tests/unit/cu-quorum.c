/* cu-quorum.c - approver keys and signatures for the quorum suites
 * (cu-quorum.h), through OpenSSL's EVP interface. */
#include <string.h>

#include <openssl/x509.h>

#include "cu-quorum.h"

EVP_PKEY *
cu_rsa_key(void)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
}

size_t
cu_pubkey_der(EVP_PKEY *k, uint8_t *out, size_t max)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(k, &der);
	size_t len = n > 0 && (size_t)n <= max ? (size_t)n : 0;
	if (len > 0)
		memcpy(out, der, len);
	OPENSSL_free(der);
	return len;
}

size_t
cu_sign_sha256(EVP_PKEY *k, const void *data, size_t len, uint8_t *sig, size_t max)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t n = max;
	if (ctx == NULL || EVP_DigestSignInit_ex(ctx, NULL, "SHA256", NULL, NULL, k, NULL) != 1 ||
	    EVP_DigestSign(ctx, sig, &n, data, len) != 1)
		n = 0;
	EVP_MD_CTX_free(ctx);
	return n;
}
