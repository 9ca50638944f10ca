/* ops-sign.c - sign and verify on the server, through OpenSSL EVP only.
 * Who may use the key and whether the mechanism fits it are checked here. */
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "keygen.h"
#include "keys.h"
#include "proto.h"
#include "quorum.h"
#include "server.h"

/* Signing needs a private key with OBJ_ATTR_SIGN, verifying a public key
 * with OBJ_ATTR_VERIFY; a key under quorum is checked last (sign_or_verify). */
static hsm_rc
check_key(const struct session *s, const struct key_obj *k, const struct sign_mech *m,
          bool signing)
{
	hsm_rc rc = keys_check_use(s, k);
	if (rc != HSM_RC_SUCCESS)
		return rc;
	if (k->key_class != (signing ? HSM_CLASS_PRIVATE : HSM_CLASS_PUBLIC))
		return HSM_RC_KEY_TYPE_INCONSISTENT;
	if (!key_has(k, signing ? KF_SIGN : KF_VERIFY))
		return HSM_RC_KEY_ACCESS_DENIED;
	if (m == NULL || m->key_type != k->key_type)
		return HSM_RC_MECHANISM_INVALID;
	return HSM_RC_SUCCESS;
}

/* Digest and padding of the mechanism on a fresh context. */
static int
init_ctx(EVP_MD_CTX *md, EVP_PKEY *pkey, const struct sign_mech *m, bool signing)
{
	EVP_PKEY_CTX *pctx = NULL;
	int ok = signing ? EVP_DigestSignInit_ex(md, &pctx, m->digest, NULL, NULL, pkey, NULL)
	                 : EVP_DigestVerifyInit_ex(md, &pctx, m->digest, NULL, NULL, pkey, NULL);
	if (ok != 1)
		return -1;
	if (m->pss &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	     EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, m->digest, NULL) != 1 ||
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1))
		return -1;
	return 0;
}

static hsm_rc
do_sign(EVP_PKEY *pkey, const struct sign_mech *m, const struct msg_blob *data,
        struct hbuf *reply)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char *sig = NULL;
	size_t siglen = 0;
	hsm_rc rc = HSM_RC_INTERNAL;
	if (md != NULL && init_ctx(md, pkey, m, true) == 0 &&
	    EVP_DigestSign(md, NULL, &siglen, data->data, data->len) == 1 &&
	    siglen <= SIGN_SIG_MAX && (sig = OPENSSL_malloc(siglen)) != NULL &&
	    EVP_DigestSign(md, sig, &siglen, data->data, data->len) == 1) {
		struct msg_blob out = { sig, siglen };
		msg_blob_encode(reply, &out);
		rc = HSM_RC_SUCCESS;
	}
	OPENSSL_free(sig);
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return rc;
}

/* Any mismatch (wrong key, data, mechanism or a malformed signature) is
 * the one documented verify failure. */
static hsm_rc
do_verify(EVP_PKEY *pkey, const struct sign_mech *m, const struct msg_sign_req *req)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	hsm_rc rc = HSM_RC_INTERNAL;
	if (md != NULL && init_ctx(md, pkey, m, false) == 0)
		rc = EVP_DigestVerify(md, req->signature.data, req->signature.len,
		                      req->data.data, req->data.len) == 1
		     ? HSM_RC_SUCCESS : HSM_RC_BAD_PKCS_DATA;
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return rc;
}

static hsm_rc
sign_or_verify(struct session *s, const struct msg_sign_req *req, struct hbuf *reply)
{
	struct key_obj k;
	const struct sign_mech *m = sign_mech_lookup(req->mech);
	bool signing = !req->with_signature;
	bool held = false;
	hsm_rc rc = keys_lookup(s, req->handle, &k, true);
	if (rc == HSM_RC_SUCCESS)
		rc = check_key(s, &k, m, signing);
	if (rc == HSM_RC_SUCCESS) {
		const struct key_obj *used[] = { &k };
		rc = quorum_keys_begin(s, used, 1, HSM_SERVICE_USE_KEY, &held);
	}
	if (rc == HSM_RC_SUCCESS) {
		EVP_PKEY *pkey = key_to_pkey(&k);
		if (pkey == NULL)
			rc = HSM_RC_INTERNAL;
		else
			rc = signing ? do_sign(pkey, m, &req->data, reply) : do_verify(pkey, m, req);
		EVP_PKEY_free(pkey);
	}
	rc = quorum_keys_finish(s, held, rc);
	key_obj_clear(&k);
	return rc;
}

/* Crypto operations are not audit events (the audit log records
 * management commands only: cloudhsm-audit-log-reference.md). */
int
op_sign(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	struct msg_sign_req m;
	if (msg_sign_req_decode(req, &m, false) != 0)
		return -1;
	*rc = sign_or_verify(s, &m, reply);
	return 0;
}

int
op_verify(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	struct msg_sign_req m;
	if (msg_sign_req_decode(req, &m, true) != 0)
		return -1;
	*rc = sign_or_verify(s, &m, reply);
	return 0;
}
