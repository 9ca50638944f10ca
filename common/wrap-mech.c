/* wrap-mech.c - AES key wrap (RFC 3394, PKCS #5 padded, RFC 5649), AES-GCM,
 * RSA-OAEP and RSA_AES key wrapping with OpenSSL EVP; plaintext is wiped. */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "wrap-mech.h"

#define KW_BLOCK 8u

static const uint8_t kw_default_iv[WRAP_KW_IV_LEN] = {
	0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6
};

const char *
wrap_mech_name(uint32_t mech)
{
	switch (mech) {
	case HSM_WRAP_AES_KEY_WRAP_PAD_PKCS5: return "AES_KEY_WRAP_PAD_PKCS5";
	case HSM_WRAP_NIST_AES_WRAP_NO_PAD: return "NIST_AES_WRAP_NO_PAD";
	case HSM_WRAP_NIST_AES_WRAP_PAD: return "NIST_AES_WRAP_PAD";
	case HSM_WRAP_RSA_AES: return "RSA_AES";
	case HSM_WRAP_RSA_OAEP: return "RSA_OAEP";
	case HSM_WRAP_AES_GCM: return "AES_GCM";
	case HSM_WRAP_CLOUDHSM_AES_GCM: return "CLOUDHSM_AES_GCM";
	}
	return NULL;
}

static bool
is_rsa_mech(uint32_t mech)
{
	return mech == HSM_WRAP_RSA_AES || mech == HSM_WRAP_RSA_OAEP;
}

static bool
is_gcm_mech(uint32_t mech)
{
	return mech == HSM_WRAP_AES_GCM || mech == HSM_WRAP_CLOUDHSM_AES_GCM;
}

/* The IV each mechanism takes: RFC 3394 variants 0 or 8 bytes; AES_GCM
 * exactly 12 to unwrap and none to wrap (the HSM picks it); others none. */
static bool
iv_ok(const struct wrap_params *p, bool wrap)
{
	switch (p->mech) {
	case HSM_WRAP_AES_KEY_WRAP_PAD_PKCS5:
	case HSM_WRAP_NIST_AES_WRAP_NO_PAD:
		return p->iv_len == 0 || p->iv_len == WRAP_KW_IV_LEN;
	case HSM_WRAP_AES_GCM:
		return p->iv_len == (wrap ? 0 : WRAP_GCM_IV_LEN);
	}
	return p->iv_len == 0;
}

hsm_rc
wrap_check_params(const struct wrap_params *p, bool wrap)
{
	if (wrap_mech_name(p->mech) == NULL)
		return HSM_RC_MECHANISM_INVALID;
	if (!iv_ok(p, wrap) || p->iv_len > WRAP_IV_MAX)
		return HSM_RC_INVALID_INPUT;
	if (!is_gcm_mech(p->mech) && (p->aad_len != 0 || p->tag_len != 0))
		return HSM_RC_INVALID_INPUT;
	if (is_gcm_mech(p->mech) && p->tag_len != 0 &&
	    (p->tag_len < WRAP_GCM_TAG_MIN || p->tag_len > WRAP_GCM_TAG_MAX))
		return HSM_RC_INVALID_INPUT;
	if (!is_rsa_mech(p->mech) && p->hash != 0)
		return HSM_RC_INVALID_INPUT;
	if (is_rsa_mech(p->mech) && p->hash != 0 &&
	    (p->hash < HSM_HASH_SHA1 || p->hash > HSM_HASH_SHA224))
		return HSM_RC_INVALID_INPUT;
	return HSM_RC_SUCCESS;
}

hsm_rc
wrap_check_kek(const struct wrap_params *p, const struct wrap_kek *k, bool wrap)
{
	if (is_rsa_mech(p->mech)) {
		if (k->pkey == NULL || !EVP_PKEY_is_a(k->pkey, "RSA"))
			return HSM_RC_MECHANISM_INVALID;
		return wrap || k->has_private ? HSM_RC_SUCCESS : HSM_RC_MECHANISM_INVALID;
	}
	if (k->aes == NULL || (k->aes_len != 16 && k->aes_len != 24 && k->aes_len != 32))
		return HSM_RC_MECHANISM_INVALID;
	return HSM_RC_SUCCESS;
}

static const EVP_CIPHER *
aes_cipher(size_t keylen, int kind)
{
	static const EVP_CIPHER *(*const table[3][3])(void) = {
		{ EVP_aes_128_wrap, EVP_aes_192_wrap, EVP_aes_256_wrap },
		{ EVP_aes_128_wrap_pad, EVP_aes_192_wrap_pad, EVP_aes_256_wrap_pad },
		{ EVP_aes_128_gcm, EVP_aes_192_gcm, EVP_aes_256_gcm },
	};
	size_t col = keylen == 16 ? 0 : keylen == 24 ? 1 : 2;
	return table[kind][col]();
}

enum { AES_KW, AES_KWP, AES_GCM };

/* One EVP pass of an AES key wrap cipher; the result is appended to out. */
static bool
aes_kw(int kind, const uint8_t *key, size_t keylen, const uint8_t *iv,
       const uint8_t *in, size_t n, bool enc, struct hbuf *out)
{
	size_t cap = n + 2 * KW_BLOCK;
	uint8_t *buf = OPENSSL_malloc(cap);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int len = 0, fin = 0;
	bool ok = buf != NULL && ctx != NULL && n <= INT32_MAX;
	if (ok) {
		EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
		ok = EVP_CipherInit_ex(ctx, aes_cipher(keylen, kind), NULL, key, iv, enc) == 1 &&
		     EVP_CipherUpdate(ctx, buf, &len, in, (int)n) == 1 &&
		     EVP_CipherFinal_ex(ctx, buf + len, &fin) == 1 && (size_t)(len + fin) <= cap;
	}
	if (ok)
		hbuf_put_raw(out, buf, (size_t)(len + fin));
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_clear_free(buf, cap);
	return ok && !out->failed;
}

/* RFC 3394 needs at least two 8-byte blocks to wrap, three to unwrap. */
static hsm_rc
kw_no_pad(const struct wrap_params *p, const struct wrap_kek *k, const uint8_t *in,
          size_t n, bool enc, struct hbuf *out)
{
	const uint8_t *iv = p->iv_len ? p->iv : kw_default_iv;
	if (n % KW_BLOCK != 0 || n < (enc ? 2 : 3) * KW_BLOCK)
		return enc ? HSM_RC_MECHANISM_INVALID : HSM_RC_INVALID_INPUT;
	if (!aes_kw(AES_KW, k->aes, k->aes_len, iv, in, n, enc, out))
		return enc ? HSM_RC_INTERNAL : HSM_RC_INVALID_INPUT;
	return HSM_RC_SUCCESS;
}

/* PKCS #5: 1 to 8 bytes, each the count, so that the length is a multiple
 * of 8 (ki-all.md: the SDK's AES key wrap always pads this way). */
static hsm_rc
kw_pkcs5_wrap(const struct wrap_params *p, const struct wrap_kek *k, const uint8_t *in,
              size_t n, struct hbuf *out)
{
	struct hbuf padded;
	uint8_t pad = (uint8_t)(KW_BLOCK - n % KW_BLOCK);
	hbuf_init(&padded);
	hbuf_put_raw(&padded, in, n);
	for (uint8_t i = 0; i < pad; i++)
		hbuf_put_u8(&padded, pad);
	hsm_rc rc = padded.failed ? HSM_RC_INTERNAL
	                          : kw_no_pad(p, k, padded.data, padded.len, true, out);
	hbuf_free(&padded);
	return rc;
}

static hsm_rc
kw_pkcs5_unwrap(const struct wrap_params *p, const struct wrap_kek *k, const uint8_t *in,
                size_t n, struct hbuf *out)
{
	struct hbuf padded;
	hbuf_init(&padded);
	hsm_rc rc = kw_no_pad(p, k, in, n, false, &padded);
	uint8_t pad = rc == HSM_RC_SUCCESS ? padded.data[padded.len - 1] : 0;
	unsigned bad = pad == 0 || pad > KW_BLOCK;
	for (size_t i = 0; rc == HSM_RC_SUCCESS && !bad && i < pad; i++)
		bad |= padded.data[padded.len - 1 - i] != pad;
	if (rc == HSM_RC_SUCCESS && bad)
		rc = HSM_RC_INVALID_INPUT;
	if (rc == HSM_RC_SUCCESS)
		hbuf_put_raw(out, padded.data, padded.len - pad);
	hbuf_free(&padded);
	return rc;
}

/* RFC 5649 computes its own alternative IV (A65959A6 and the length). */
static hsm_rc
kw_pad(const struct wrap_kek *k, const uint8_t *in, size_t n, bool enc, struct hbuf *out)
{
	if (n == 0 || (!enc && (n % KW_BLOCK != 0 || n < 2 * KW_BLOCK)))
		return enc ? HSM_RC_MECHANISM_INVALID : HSM_RC_INVALID_INPUT;
	if (!aes_kw(AES_KWP, k->aes, k->aes_len, NULL, in, n, enc, out))
		return enc ? HSM_RC_INTERNAL : HSM_RC_INVALID_INPUT;
	return HSM_RC_SUCCESS;
}

static uint32_t
gcm_tag_len(const struct wrap_params *p)
{
	return p->tag_len ? p->tag_len : WRAP_GCM_TAG_MAX;
}

/* AES-GCM, output ciphertext || tag; tag is read (dec) or written (enc). */
static bool
gcm_pass(const struct wrap_params *p, const struct wrap_kek *k, const uint8_t *iv,
         const uint8_t *in, size_t n, uint8_t *tag, bool enc, struct hbuf *out)
{
	uint8_t *buf = OPENSSL_malloc(n + 1);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int len = 0, fin = 0, alen = 0;
	int tl = (int)gcm_tag_len(p);
	bool ok = buf != NULL && ctx != NULL && n <= INT32_MAX && p->aad_len <= INT32_MAX &&
	          EVP_CipherInit_ex(ctx, aes_cipher(k->aes_len, AES_GCM), NULL, NULL, NULL,
	                            enc) == 1 &&
	          EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, WRAP_GCM_IV_LEN, NULL) == 1 &&
	          EVP_CipherInit_ex(ctx, NULL, NULL, k->aes, iv, enc) == 1 &&
	          (p->aad_len == 0 ||
	           EVP_CipherUpdate(ctx, NULL, &alen, p->aad, (int)p->aad_len) == 1) &&
	          EVP_CipherUpdate(ctx, buf, &len, in, (int)n) == 1 &&
	          (enc || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, tl, tag) == 1) &&
	          EVP_CipherFinal_ex(ctx, buf + len, &fin) == 1 &&
	          (!enc || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, tl, tag) == 1);
	if (ok)
		hbuf_put_raw(out, buf, (size_t)(len + fin));
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_clear_free(buf, n + 1);
	return ok && !out->failed;
}

static hsm_rc
gcm_wrap(const struct wrap_params *p, const struct wrap_kek *k, const uint8_t *in,
         size_t n, struct hbuf *out, uint8_t *iv_out, size_t *iv_len)
{
	uint8_t iv[WRAP_GCM_IV_LEN], tag[WRAP_GCM_TAG_MAX];
	if (n == 0)
		return HSM_RC_MECHANISM_INVALID;
	if (RAND_bytes(iv, sizeof(iv)) != 1)
		return HSM_RC_INTERNAL;
	if (p->mech == HSM_WRAP_CLOUDHSM_AES_GCM) {
		hbuf_put_raw(out, iv, sizeof(iv));
	} else {
		memcpy(iv_out, iv, sizeof(iv));
		*iv_len = sizeof(iv);
	}
	if (!gcm_pass(p, k, iv, in, n, tag, true, out))
		return HSM_RC_INTERNAL;
	hbuf_put_raw(out, tag, gcm_tag_len(p));
	return out->failed ? HSM_RC_INTERNAL : HSM_RC_SUCCESS;
}

static hsm_rc
gcm_unwrap(const struct wrap_params *p, const struct wrap_kek *k, const uint8_t *in,
           size_t n, struct hbuf *out)
{
	const uint8_t *iv = p->iv;
	size_t tl = gcm_tag_len(p);
	uint8_t tag[WRAP_GCM_TAG_MAX];
	if (p->mech == HSM_WRAP_CLOUDHSM_AES_GCM) {
		if (n < WRAP_GCM_IV_LEN)
			return HSM_RC_INVALID_INPUT;
		iv = in;
		in += WRAP_GCM_IV_LEN;
		n -= WRAP_GCM_IV_LEN;
	}
	if (n <= tl)
		return HSM_RC_INVALID_INPUT;
	memcpy(tag, in + n - tl, tl);
	return gcm_pass(p, k, iv, in, n - tl, tag, false, out) ? HSM_RC_SUCCESS
	                                                       : HSM_RC_INVALID_INPUT;
}

static const EVP_MD *
oaep_md(uint32_t hash)
{
	switch (hash) {
	case HSM_HASH_SHA1: return EVP_sha1();
	case HSM_HASH_SHA384: return EVP_sha384();
	case HSM_HASH_SHA512: return EVP_sha512();
	case HSM_HASH_SHA224: return EVP_sha224();
	}
	return EVP_sha256();
}

static EVP_PKEY_CTX *
oaep_ctx(const struct wrap_params *p, EVP_PKEY *pkey, bool enc)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	const EVP_MD *md = oaep_md(p->hash);
	if (ctx != NULL && (enc ? EVP_PKEY_encrypt_init(ctx) : EVP_PKEY_decrypt_init(ctx)) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1 &&
	    EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md) == 1 &&
	    EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) == 1)
		return ctx;
	EVP_PKEY_CTX_free(ctx);
	return NULL;
}

/* OAEP can carry at most modulus - 2 * hash - 2 bytes (wrapKey page). */
static hsm_rc
oaep(const struct wrap_params *p, EVP_PKEY *pkey, const uint8_t *in, size_t n, bool enc,
     struct hbuf *out)
{
	size_t k = (size_t)EVP_PKEY_get_size(pkey), hl = (size_t)EVP_MD_get_size(oaep_md(p->hash));
	if (enc && (n == 0 || n + 2 * hl + 2 > k))
		return HSM_RC_KEY_SIZE_RANGE;
	if (!enc && n != k)
		return HSM_RC_INVALID_INPUT;
	EVP_PKEY_CTX *ctx = oaep_ctx(p, pkey, enc);
	uint8_t *buf = OPENSSL_malloc(k);
	size_t len = k;
	bool ok = ctx != NULL && buf != NULL &&
	          (enc ? EVP_PKEY_encrypt(ctx, buf, &len, in, n)
	               : EVP_PKEY_decrypt(ctx, buf, &len, in, n)) == 1;
	if (ok)
		hbuf_put_raw(out, buf, len);
	EVP_PKEY_CTX_free(ctx);
	OPENSSL_clear_free(buf, k);
	if (!ok)
		return enc ? HSM_RC_INTERNAL : HSM_RC_INVALID_INPUT;
	return out->failed ? HSM_RC_INTERNAL : HSM_RC_SUCCESS;
}

/* CKM_RSA_AES_KEY_WRAP: a fresh AES-256 key under RSA-OAEP, then the data
 * under that key with RFC 5649. */
static hsm_rc
rsa_aes_wrap(const struct wrap_params *p, const struct wrap_kek *k, const uint8_t *in,
             size_t n, struct hbuf *out)
{
	uint8_t eph[WRAP_RSA_AES_KEY_LEN];
	struct wrap_kek ek = { .aes = eph, .aes_len = sizeof(eph) };
	if (RAND_priv_bytes(eph, sizeof(eph)) != 1)
		return HSM_RC_INTERNAL;
	hsm_rc rc = oaep(p, k->pkey, eph, sizeof(eph), true, out);
	if (rc == HSM_RC_SUCCESS)
		rc = kw_pad(&ek, in, n, true, out);
	OPENSSL_cleanse(eph, sizeof(eph));
	return rc;
}

static hsm_rc
rsa_aes_unwrap(const struct wrap_params *p, const struct wrap_kek *k, const uint8_t *in,
               size_t n, struct hbuf *out)
{
	size_t klen = (size_t)EVP_PKEY_get_size(k->pkey);
	struct hbuf eph;
	if (n <= klen)
		return HSM_RC_INVALID_INPUT;
	hbuf_init(&eph);
	hsm_rc rc = oaep(p, k->pkey, in, klen, false, &eph);
	if (rc == HSM_RC_SUCCESS && eph.len != 16 && eph.len != 24 && eph.len != 32)
		rc = HSM_RC_INVALID_INPUT;
	if (rc == HSM_RC_SUCCESS) {
		struct wrap_kek ek = { .aes = eph.data, .aes_len = eph.len };
		rc = kw_pad(&ek, in + klen, n - klen, false, out);
	}
	hbuf_free(&eph);
	return rc;
}

hsm_rc
wrap_encrypt(const struct wrap_params *p, const struct wrap_kek *k, const uint8_t *in,
             size_t n, struct hbuf *out, uint8_t iv_out[WRAP_IV_MAX], size_t *iv_len)
{
	*iv_len = 0;
	hsm_rc rc = wrap_check_params(p, true);
	if (rc == HSM_RC_SUCCESS)
		rc = wrap_check_kek(p, k, true);
	if (rc != HSM_RC_SUCCESS)
		return rc;
	switch (p->mech) {
	case HSM_WRAP_AES_KEY_WRAP_PAD_PKCS5: return kw_pkcs5_wrap(p, k, in, n, out);
	case HSM_WRAP_NIST_AES_WRAP_NO_PAD: return kw_no_pad(p, k, in, n, true, out);
	case HSM_WRAP_NIST_AES_WRAP_PAD: return kw_pad(k, in, n, true, out);
	case HSM_WRAP_RSA_AES: return rsa_aes_wrap(p, k, in, n, out);
	case HSM_WRAP_RSA_OAEP: return oaep(p, k->pkey, in, n, true, out);
	}
	return gcm_wrap(p, k, in, n, out, iv_out, iv_len);
}

hsm_rc
wrap_decrypt(const struct wrap_params *p, const struct wrap_kek *k, const uint8_t *in,
             size_t n, struct hbuf *out)
{
	hsm_rc rc = wrap_check_params(p, false);
	if (rc == HSM_RC_SUCCESS)
		rc = wrap_check_kek(p, k, false);
	if (rc != HSM_RC_SUCCESS)
		return rc;
	switch (p->mech) {
	case HSM_WRAP_AES_KEY_WRAP_PAD_PKCS5: return kw_pkcs5_unwrap(p, k, in, n, out);
	case HSM_WRAP_NIST_AES_WRAP_NO_PAD: return kw_no_pad(p, k, in, n, false, out);
	case HSM_WRAP_NIST_AES_WRAP_PAD: return kw_pad(k, in, n, false, out);
	case HSM_WRAP_RSA_AES: return rsa_aes_unwrap(p, k, in, n, out);
	case HSM_WRAP_RSA_OAEP: return oaep(p, k->pkey, in, n, false, out);
	}
	return gcm_unwrap(p, k, in, n, out);
}
