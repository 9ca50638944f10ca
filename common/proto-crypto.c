/* proto-crypto.c - the signing mechanisms of sign/verify and the codecs of
 * the crypto and findAllKeys messages; every length is bounded on decode. */
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "util.h"

/* key_mgmt_util-sign.html: the -m numbers of sign and verify. */
static const struct sign_mech sign_mechs[] = {
	{ HSM_MECH_SHA1_RSA_PKCS, "SHA1_RSA_PKCS", "SHA1", HSM_KEY_RSA, false },
	{ HSM_MECH_SHA256_RSA_PKCS, "SHA256_RSA_PKCS", "SHA256", HSM_KEY_RSA, false },
	{ HSM_MECH_SHA384_RSA_PKCS, "SHA384_RSA_PKCS", "SHA384", HSM_KEY_RSA, false },
	{ HSM_MECH_SHA512_RSA_PKCS, "SHA512_RSA_PKCS", "SHA512", HSM_KEY_RSA, false },
	{ HSM_MECH_SHA224_RSA_PKCS, "SHA224_RSA_PKCS", "SHA224", HSM_KEY_RSA, false },
	{ HSM_MECH_SHA1_RSA_PKCS_PSS, "SHA1_RSA_PKCS_PSS", "SHA1", HSM_KEY_RSA, true },
	{ HSM_MECH_SHA256_RSA_PKCS_PSS, "SHA256_RSA_PKCS_PSS", "SHA256", HSM_KEY_RSA, true },
	{ HSM_MECH_SHA384_RSA_PKCS_PSS, "SHA384_RSA_PKCS_PSS", "SHA384", HSM_KEY_RSA, true },
	{ HSM_MECH_SHA512_RSA_PKCS_PSS, "SHA512_RSA_PKCS_PSS", "SHA512", HSM_KEY_RSA, true },
	{ HSM_MECH_SHA224_RSA_PKCS_PSS, "SHA224_RSA_PKCS_PSS", "SHA224", HSM_KEY_RSA, true },
	{ HSM_MECH_ECDSA_SHA1, "ECDSA_SHA1", "SHA1", HSM_KEY_EC, false },
	{ HSM_MECH_ECDSA_SHA224, "ECDSA_SHA224", "SHA224", HSM_KEY_EC, false },
	{ HSM_MECH_ECDSA_SHA256, "ECDSA_SHA256", "SHA256", HSM_KEY_EC, false },
	{ HSM_MECH_ECDSA_SHA384, "ECDSA_SHA384", "SHA384", HSM_KEY_EC, false },
	{ HSM_MECH_ECDSA_SHA512, "ECDSA_SHA512", "SHA512", HSM_KEY_EC, false },
};

const struct sign_mech *
sign_mech_lookup(uint32_t id)
{
	for (size_t i = 0; i < ARRAY_SIZE(sign_mechs); i++)
		if (sign_mechs[i].id == id)
			return &sign_mechs[i];
	return NULL;
}

void
msg_sign_req_encode(struct hbuf *b, const struct msg_sign_req *m)
{
	hbuf_put_u32(b, m->handle);
	hbuf_put_u32(b, m->mech);
	hbuf_put_bytes(b, m->data.data, m->data.len);
	if (m->with_signature)
		hbuf_put_bytes(b, m->signature.data, m->signature.len);
}

int
msg_sign_req_decode(struct hrd *r, struct msg_sign_req *m, bool with_signature)
{
	memset(m, 0, sizeof(*m));
	m->with_signature = with_signature;
	if (hrd_get_u32(r, &m->handle) != 0 || hrd_get_u32(r, &m->mech) != 0 ||
	    hrd_get_bytes(r, &m->data.data, &m->data.len, SIGN_DATA_MAX) != 0)
		return -1;
	if (with_signature &&
	    hrd_get_bytes(r, &m->signature.data, &m->signature.len, SIGN_SIG_MAX) != 0)
		return -1;
	return hrd_end(r);
}

void
msg_find_all_req_encode(struct hbuf *b, uint32_t user, bool with_hash)
{
	hbuf_put_u32(b, user);
	hbuf_put_u8(b, with_hash);
}

int
msg_find_all_req_decode(struct hrd *r, uint32_t *user, bool *with_hash)
{
	if (hrd_get_u32(r, user) != 0 || hrd_get_bool(r, with_hash) != 0)
		return -1;
	return hrd_end(r);
}

void
msg_user_keys_encode(struct hbuf *b, const hsm_user_key_list *m)
{
	hbuf_put_u32(b, (uint32_t)m->count);
	for (size_t i = 0; i < m->count; i++) {
		hbuf_put_u32(b, m->keys[i].handle);
		hbuf_put_u8(b, (uint8_t)m->keys[i].relation);
	}
	hbuf_put_u8(b, m->has_hash);
	if (m->has_hash)
		hbuf_put_raw(b, m->hash, sizeof(m->hash));
}

static int
user_key_decode(struct hrd *r, hsm_user_key *k)
{
	uint8_t rel;
	if (hrd_get_u32(r, &k->handle) != 0 || hrd_get_u8(r, &rel) != 0 ||
	    rel < HSM_KEYREL_OWNER || rel > HSM_KEYREL_OWNER_SHARED)
		return -1;
	k->relation = rel;
	return 0;
}

int
msg_user_keys_decode(struct hrd *r, hsm_user_key_list *m)
{
	uint32_t count;
	memset(m, 0, sizeof(*m));
	/* Each entry takes 5 bytes: refuse counts the frame cannot hold. */
	if (hrd_get_u32(r, &count) != 0 || count > HSM_MAX_KEYS || hrd_left(r) / 5 < count)
		return -1;
	m->keys = calloc(count ? count : 1, sizeof(*m->keys));
	if (m->keys == NULL)
		return -1;
	for (m->count = 0; m->count < count; m->count++)
		if (user_key_decode(r, &m->keys[m->count]) != 0)
			goto bad;
	if (hrd_get_bool(r, &m->has_hash) != 0 ||
	    (m->has_hash && hrd_get_raw(r, m->hash, sizeof(m->hash)) != 0) || hrd_end(r) != 0)
		goto bad;
	return 0;
bad:
	hsm_user_key_list_free(m);
	return -1;
}

void
hsm_user_key_list_free(hsm_user_key_list *l)
{
	if (l == NULL)
		return;
	free(l->keys);
	memset(l, 0, sizeof(*l));
}
