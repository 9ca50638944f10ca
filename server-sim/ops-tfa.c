/* ops-tfa.c - two-factor authentication on a node: the challenge handler and
 * the checks login, createUser and changePswd call before changing anything. */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "log.h"
#include "server.h"
#include "store.h"
#include "tfa.h"
#include "util.h"

#define TFA_KEY_BITS 2048

_Static_assert(TFA_PUBKEY_MAX <= STORE_PUBKEY_MAX, "a 2FA key must fit the users table");

int
tfa_challenge_issue(struct tfa_challenge *c, uint64_t now_ms)
{
	c->live = false;
	if (RAND_bytes(c->digest, sizeof(c->digest)) != 1)
		return -1;
	c->issued_ms = now_ms;
	c->live = true;
	return 0;
}

bool
tfa_challenge_take(struct tfa_challenge *c, uint64_t now_ms, uint8_t out[TFA_DIGEST_LEN])
{
	bool good = c->live && now_ms >= c->issued_ms &&
	            now_ms - c->issued_ms <= TFA_CHALLENGE_TTL_MS;
	if (good)
		memcpy(out, c->digest, TFA_DIGEST_LEN);
	OPENSSL_cleanse(c, sizeof(*c));
	return good;
}

bool
tfa_session_take(struct session *s, uint8_t out[TFA_DIGEST_LEN])
{
	return tfa_challenge_take(&s->tfa, hsm_now_ms(), out);
}

/* The key of a DER SubjectPublicKeyInfo with nothing after it; NULL if not. */
static EVP_PKEY *
key_from_der(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	if (der == NULL || len == 0 || len > TFA_PUBKEY_MAX)
		return NULL;
	EVP_PKEY *pk = d2i_PUBKEY(NULL, &p, (long)len);
	if (pk != NULL && p != der + len) {
		EVP_PKEY_free(pk);
		pk = NULL;
	}
	return pk;
}

hsm_rc
tfa_key_check(const uint8_t *der, size_t len)
{
	EVP_PKEY *pk = key_from_der(der, len);
	hsm_rc rc = HSM_RC_SUCCESS;
	if (pk == NULL)
		rc = HSM_RC_INVALID_INPUT;
	else if (!EVP_PKEY_is_a(pk, "RSA"))
		rc = HSM_RC_KEY_TYPE_INCONSISTENT;
	else if (EVP_PKEY_get_bits(pk) != TFA_KEY_BITS)
		rc = HSM_RC_KEY_SIZE_RANGE;
	EVP_PKEY_free(pk);
	return rc;
}

bool
tfa_signature_valid(const uint8_t *der, size_t len, const uint8_t digest[TFA_DIGEST_LEN],
                    const uint8_t *sig, size_t siglen)
{
	if (tfa_key_check(der, len) != HSM_RC_SUCCESS || sig == NULL || siglen == 0)
		return false;
	EVP_PKEY *pk = key_from_der(der, len);
	EVP_PKEY_CTX *ctx = pk ? EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL) : NULL;
	bool ok = ctx != NULL && EVP_PKEY_verify_init(ctx) == 1 &&
	          EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
	          EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) == 1 &&
	          EVP_PKEY_verify(ctx, sig, siglen, digest, TFA_DIGEST_LEN) == 1;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return ok;
}

bool
tfa_login_factor_ok(const struct store_user *u, const struct msg_user_req *m,
                    const uint8_t *digest)
{
	if (!u->two_factor)
		return true;
	return digest != NULL && (m->flags & USER_REQ_FLAG_TFA) &&
	       tfa_signature_valid(u->pubkey, u->pubkey_len, digest, m->tfa.signature,
	                           m->tfa.signature_len);
}

hsm_rc
tfa_new_key_check(hsm_user_type target, const struct msg_user_req *m, const uint8_t *digest)
{
	if (!(m->flags & USER_REQ_FLAG_TFA))
		return HSM_RC_SUCCESS;
	if (target != HSM_USER_CO && target != HSM_USER_PCO)
		return HSM_RC_BAD_USER_TYPE;
	hsm_rc rc = tfa_key_check(m->tfa.pubkey, m->tfa.pubkey_len);
	if (rc != HSM_RC_SUCCESS)
		return rc;
	if (digest == NULL || !tfa_signature_valid(m->tfa.pubkey, m->tfa.pubkey_len, digest,
	                                           m->tfa.signature, m->tfa.signature_len))
		return HSM_RC_TFA_SIGNATURE_INVALID;
	return HSM_RC_SUCCESS;
}

int
tfa_apply_password_change(struct store *st, const struct store_user *u,
                          const struct msg_user_req *m)
{
	if (m->flags & USER_REQ_FLAG_TFA)
		return store_user_set_pubkey(st, u->id, m->tfa.pubkey, m->tfa.pubkey_len, true)
		       == 0 ? 0 : -1;
	if (!u->two_factor)
		return 0;
	return store_user_set_pubkey(st, u->id, NULL, 0, false) == 0 ? 0 : -1;
}

int
op_tfa_challenge(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	if (hrd_end(req) != 0)
		return -1;
	if (tfa_challenge_issue(&s->tfa, hsm_now_ms()) != 0) {
		log_warn("session %llu: no random bytes for a 2FA challenge",
		         (unsigned long long)s->id);
		*rc = HSM_RC_INTERNAL;
		return 0;
	}
	msg_tfa_challenge_encode(reply, s->tfa.digest);
	*rc = HSM_RC_SUCCESS;
	return 0;
}
