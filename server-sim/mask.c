/* mask.c - AES-256-GCM sealing under HKDF-derived keys (EVP only).
 * The associated data names the purpose and the cluster, never secret. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "mask.h"
#include "store.h"
#include "util.h"

/* HKDF info "hsm-sim masked <purpose> v1": separate keys per purpose. */
static int
derive_key(const uint8_t master[MASKING_KEY_LEN], const char *purpose, uint8_t out[32])
{
	size_t infolen = strlen(purpose) + 32;
	char *info = malloc(infolen);
	EVP_KDF *kdf = info ? EVP_KDF_fetch(NULL, "HKDF", NULL) : NULL;
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	EVP_KDF_free(kdf);
	int rc = -1;
	if (ctx != NULL) {
		snprintf(info, infolen, "hsm-sim masked %s v1", purpose);
		OSSL_PARAM params[] = {
			OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0),
			OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)master,
			                                  MASKING_KEY_LEN),
			OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, strlen(info)),
			OSSL_PARAM_construct_end(),
		};
		rc = EVP_KDF_derive(ctx, out, 32, params) == 1 ? 0 : -1;
	}
	EVP_KDF_CTX_free(ctx);
	free(info);
	return rc;
}

/* The associated data is "hsm-sim masked <purpose> v1|<context>", fed in
 * pieces so that a purpose and context of any length are bound whole. */
static int
add_aad(EVP_CIPHER_CTX *ctx, bool encrypt, const char *purpose, const char *context)
{
	static const char head[] = "hsm-sim masked ", mid[] = " v1|";
	const char *parts[] = { head, purpose, mid, context };
	int len;
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
		const uint8_t *p = (const uint8_t *)parts[i];
		int n = (int)strlen(parts[i]);
		if ((encrypt ? EVP_EncryptUpdate(ctx, NULL, &len, p, n)
		             : EVP_DecryptUpdate(ctx, NULL, &len, p, n)) != 1)
			return -1;
	}
	return 0;
}

int
mask_seal(const uint8_t key[MASKING_KEY_LEN], const char *purpose, const char *context,
          const uint8_t *plain, size_t n, struct hbuf *out)
{
	uint8_t k[32], nonce[MASK_NONCE_LEN], tag[MASK_TAG_LEN];
	int len, rc = -1;
	if (n > HBUF_MAX || derive_key(key, purpose, k) != 0 ||
	    RAND_bytes(nonce, sizeof(nonce)) != 1)
		goto out;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	size_t start = out->len;
	hbuf_put_raw(out, nonce, sizeof(nonce));
	hbuf_put_raw(out, plain, n);     /* reserve room, then encrypt in place */
	if (ctx != NULL && !out->failed &&
	    EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, k, nonce) == 1 &&
	    add_aad(ctx, true, purpose, context) == 0 &&
	    EVP_EncryptUpdate(ctx, out->data + start + MASK_NONCE_LEN, &len, plain, (int)n) == 1 &&
	    EVP_EncryptFinal_ex(ctx, tag, &len) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, MASK_TAG_LEN, tag) == 1) {
		hbuf_put_raw(out, tag, sizeof(tag));
		rc = out->failed ? -1 : 0;
	}
	EVP_CIPHER_CTX_free(ctx);
	if (rc != 0 && !out->failed && out->len > start) {
		/* Never leave the plaintext copy behind on failure. */
		OPENSSL_cleanse(out->data + start, out->len - start);
		out->len = start;
	}
out:
	OPENSSL_cleanse(k, sizeof(k));
	return rc;
}

int
mask_open(const uint8_t key[MASKING_KEY_LEN], const char *purpose, const char *context,
          const uint8_t *blob, size_t n, struct hbuf *plain)
{
	uint8_t k[32], tag[MASK_TAG_LEN];
	int len, rc = -1;
	hbuf_reset(plain);     /* whatever happens, no earlier content survives */
	if (n < MASK_NONCE_LEN + MASK_TAG_LEN || n > HBUF_MAX || derive_key(key, purpose, k) != 0)
		goto out;
	size_t ctlen = n - MASK_NONCE_LEN - MASK_TAG_LEN;
	memcpy(tag, blob + n - MASK_TAG_LEN, MASK_TAG_LEN);
	hbuf_put_raw(plain, blob + MASK_NONCE_LEN, ctlen);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	if (ctx != NULL && !plain->failed &&
	    EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, k, blob) == 1 &&
	    add_aad(ctx, false, purpose, context) == 0 &&
	    EVP_DecryptUpdate(ctx, plain->data, &len, blob + MASK_NONCE_LEN, (int)ctlen) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, MASK_TAG_LEN, tag) == 1 &&
	    EVP_DecryptFinal_ex(ctx, tag, &len) == 1)
		rc = 0;
	EVP_CIPHER_CTX_free(ctx);
	if (rc != 0)
		hbuf_reset(plain);
out:
	OPENSSL_cleanse(k, sizeof(k));
	return rc;
}

/* A database without a masking_domain row belongs to a cluster whose
 * masking key was made for it: the domain is its own cluster id. */
const char *
mask_domain(const struct store_identity *id)
{
	return id->masking_domain[0] != '\0' ? id->masking_domain : id->cluster_id;
}

int
mask_load_key(const char *path, uint8_t key[MASKING_KEY_LEN], char *err, size_t errlen)
{
	char *data = NULL;
	size_t n = 0;
	if (hsm_read_file(path, MASKING_KEY_LEN + 1, &data, &n) != 0) {
		hsm_errf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	int rc = n == MASKING_KEY_LEN ? 0 : -1;
	if (rc == 0)
		memcpy(key, data, MASKING_KEY_LEN);
	else
		hsm_errf(err, errlen, "%s: must hold exactly %d bytes", path, MASKING_KEY_LEN);
	OPENSSL_cleanse(data, n);
	free(data);
	return rc;
}
