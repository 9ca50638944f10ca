/* ops-wrap.c - handlers of the wrap family: wrapping a key out, unwrapping
 * one in, host bytes through an HSM key, and public key import/export. */
#include <stdio.h>
#include <string.h>

#include "key-import.h"
#include "keygen.h"
#include "keys.h"
#include "proto.h"
#include "quorum.h"
#include "server.h"
#include "util.h"
#include "wrap-mech.h"

static const uint8_t kw_default_iv[WRAP_KW_IV_LEN] = {
	0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6
};

static void
audit_wrap(struct session *s, const char *opcode, uint32_t h, uint32_t kek, uint32_t mech,
           hsm_rc rc)
{
	char detail[96];
	snprintf(detail, sizeof(detail), "handle %u wrapping key %u mechanism %u", h, kek, mech);
	session_audit(s, opcode, rc, detail);
}

/* Keys wrap and unwrap only with the IV their algorithm defines
 * (manage-aes-key-wrapping.md): 0xA6A6A6A6A6A6A6A6 if one is given. */
static hsm_rc
params_from_msg(const struct msg_wrap_params *m, struct wrap_params *p, bool key_wrap)
{
	memset(p, 0, sizeof(*p));
	p->mech = m->mech;
	p->hash = m->hash;
	p->tag_len = m->tag_len;
	p->aad = m->aad.data;
	p->aad_len = m->aad.len;
	p->iv_len = m->iv.len;                 /* at most WRAP_MSG_IV_MAX */
	if (m->iv.len > 0)
		memcpy(p->iv, m->iv.data, m->iv.len);
	bool kw = p->mech == HSM_WRAP_AES_KEY_WRAP_PAD_PKCS5 ||
	          p->mech == HSM_WRAP_NIST_AES_WRAP_NO_PAD;
	if (key_wrap && kw && p->iv_len == WRAP_KW_IV_LEN &&
	    memcmp(p->iv, kw_default_iv, WRAP_KW_IV_LEN) != 0)
		return HSM_RC_INVALID_INPUT;
	return HSM_RC_SUCCESS;
}

/* The wrapping key as the mechanisms take it; free kek->pkey. */
static hsm_rc
kek_of(const struct key_obj *k, struct wrap_kek *kek)
{
	memset(kek, 0, sizeof(*kek));
	if (k->key_class == HSM_CLASS_SECRET) {
		if (k->key_type == HSM_KEY_AES) {
			kek->aes = k->material;
			kek->aes_len = k->material_len;
		}
		return HSM_RC_SUCCESS;
	}
	kek->pkey = key_to_pkey(k);
	kek->has_private = k->key_class == HSM_CLASS_PRIVATE;
	return kek->pkey != NULL ? HSM_RC_SUCCESS : HSM_RC_INTERNAL;
}

/* Owner or shared user, and the attribute that allows this use. */
static hsm_rc
usable_for(const struct session *s, const struct key_obj *k, uint32_t flag)
{
	hsm_rc rc = keys_check_use(s, k);
	if (rc == HSM_RC_SUCCESS && !key_has(k, flag))
		rc = HSM_RC_KEY_ACCESS_DENIED;
	return rc;
}

static void
describe(struct msg_wrap_resp *r, const struct key_obj *k)
{
	r->key_class = k->key_class;
	r->key_type = k->key_type;
	r->value_len = k->value_len;
	hsm_strlcpy(r->label, k->label, sizeof(r->label));
	hsm_strlcpy(r->id, k->id, sizeof(r->id));
}

/* Encrypts in[n] with kek; the reply describes key when it is not NULL. */
static hsm_rc
encrypt_to_reply(const struct wrap_params *p, const struct key_obj *kek, const uint8_t *in,
                 size_t n, const struct key_obj *key, struct hbuf *reply)
{
	struct wrap_kek k;
	struct hbuf out;
	uint8_t iv[WRAP_IV_MAX];
	size_t iv_len = 0;
	hbuf_init(&out);
	hsm_rc rc = kek_of(kek, &k);
	if (rc == HSM_RC_SUCCESS)
		rc = wrap_encrypt(p, &k, in, n, &out, iv, &iv_len);
	if (rc == HSM_RC_SUCCESS) {
		struct msg_wrap_resp r;
		memset(&r, 0, sizeof(r));
		r.data = (struct msg_blob){ out.data, out.len };
		r.iv = (struct msg_blob){ iv, iv_len };
		if (key != NULL)
			describe(&r, key);
		msg_wrap_resp_encode(reply, &r);
	}
	EVP_PKEY_free(k.pkey);
	hbuf_free(&out);
	return rc;
}

static hsm_rc
decrypt(const struct wrap_params *p, const struct key_obj *kek, const struct msg_blob *in,
        struct hbuf *out)
{
	struct wrap_kek k;
	hsm_rc rc = kek_of(kek, &k);
	if (rc == HSM_RC_SUCCESS)
		rc = wrap_decrypt(p, &k, in->data, in->len, out);
	EVP_PKEY_free(k.pkey);
	return rc;
}

/* wrapKey, exSymKey, exportPrivateKey: only the owner, only an extractable
 * secret or private key, and a trusted wrapping key when the key says so. */
static hsm_rc
may_wrap(const struct session *s, const struct key_obj *key, const struct key_obj *kek)
{
	hsm_rc rc = keys_check_owner(s, key);
	if (rc == HSM_RC_SUCCESS && key->key_class != HSM_CLASS_SECRET &&
	    key->key_class != HSM_CLASS_PRIVATE)
		rc = HSM_RC_KEY_TYPE_INCONSISTENT;
	if (rc == HSM_RC_SUCCESS && !key_has(key, KF_EXTRACTABLE))
		rc = HSM_RC_KEY_NOT_EXTRACTABLE;
	if (rc == HSM_RC_SUCCESS)
		rc = usable_for(s, kek, KF_WRAP);
	if (rc == HSM_RC_SUCCESS && key_has(key, KF_WRAP_WITH_TRUSTED) &&
	    !key_has(kek, KF_TRUSTED))
		rc = HSM_RC_POLICY_VIOLATION;
	return rc;
}

/* exportPubKey: any CU may read a public key; nothing else comes out clear. */
static hsm_rc
export_public(const struct session *s, const struct msg_wrap_key_req *m,
              const struct key_obj *key, struct hbuf *reply)
{
	if (m->wrapping != 0 || m->p.hash != 0 || m->p.iv.len != 0 || m->p.aad.len != 0 ||
	    m->p.tag_len != 0)
		return HSM_RC_INVALID_INPUT;
	if (key->key_class != HSM_CLASS_PUBLIC)
		return HSM_RC_KEY_TYPE_INCONSISTENT;
	hsm_rc rc = keys_check_use(s, key);
	if (rc == HSM_RC_SUCCESS && !key_has(key, KF_EXTRACTABLE))
		rc = HSM_RC_KEY_NOT_EXTRACTABLE;
	if (rc == HSM_RC_SUCCESS) {
		struct msg_wrap_resp r;
		memset(&r, 0, sizeof(r));
		r.data = (struct msg_blob){ key->material, key->material_len };
		describe(&r, key);
		msg_wrap_resp_encode(reply, &r);
	}
	return rc;
}

/* Wrapping a key out uses both keys: a quorum of each, when it has one. */
static hsm_rc
wrap_key_checked(struct session *s, const struct msg_wrap_key_req *m, struct hbuf *reply)
{
	struct key_obj key, kek;
	struct wrap_params p;
	bool held = false;
	memset(&kek, 0, sizeof(kek));
	hsm_rc rc = keys_lookup(s, m->key, &key, true);
	if (rc == HSM_RC_SUCCESS && m->p.mech == HSM_WRAP_NONE) {
		rc = export_public(s, m, &key, reply);
	} else {
		if (rc == HSM_RC_SUCCESS)
			rc = keys_lookup(s, m->wrapping, &kek, true);
		if (rc == HSM_RC_SUCCESS)
			rc = may_wrap(s, &key, &kek);
		if (rc == HSM_RC_SUCCESS)
			rc = params_from_msg(&m->p, &p, true);
		if (rc == HSM_RC_SUCCESS) {
			const struct key_obj *used[] = { &key, &kek };
			rc = quorum_keys_begin(s, used, 2, HSM_SERVICE_USE_KEY, &held);
		}
		if (rc == HSM_RC_SUCCESS)
			rc = encrypt_to_reply(&p, &kek, key.material, key.material_len, &key, reply);
		rc = quorum_keys_finish(s, held, rc);
	}
	key_obj_clear(&key);
	key_obj_clear(&kek);
	return rc;
}

int
op_wrap_key(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	struct msg_wrap_key_req m;
	if (msg_wrap_key_req_decode(req, &m) != 0)
		return -1;
	*rc = wrap_key_checked(s, &m, reply);
	audit_wrap(s, "CN_WRAP_KEY", m.key, m.wrapping, m.p.mech, *rc);
	return 0;
}

/* A key from outside: OBJ_ATTR_LOCAL 0; public keys are never shared. A key
 * a trusted key unwraps may again be wrapped only by trusted keys (the
 * template the trusted-key page recommends; unwrap templates themselves
 * need PKCS #11). An unwrapping key under quorum uses its token up in the
 * transaction that makes the new key. */
static hsm_rc
create_imported(struct session *s, struct key_obj *k, const struct msg_key_template *t,
                const struct key_obj *kek)
{
	bool public_key = k->key_class == HSM_CLASS_PUBLIC;
	keys_apply_template(k, t, !public_key);
	key_default_flags(k, public_key || t->extractable, false, !t->session);
	if (kek != NULL && key_has(kek, KF_TRUSTED))
		k->flags |= KF_WRAP_WITH_TRUSTED;
	struct key_obj *list[] = { k };
	const struct key_obj *used[] = { kek };
	return keys_create_using(s, list, 1, t->session, used, kek != NULL);
}

static hsm_rc
unwrap_checked(struct session *s, const struct msg_unwrap_req *m, uint32_t *handle)
{
	struct key_obj kek, k;
	struct wrap_params p;
	struct hbuf plain;
	memset(&k, 0, sizeof(k));
	hbuf_init(&plain);
	hsm_rc rc = keys_lookup(s, m->unwrapping, &kek, true);
	if (rc == HSM_RC_SUCCESS)
		rc = usable_for(s, &kek, KF_UNWRAP);
	if (rc == HSM_RC_SUCCESS)
		rc = keys_check_template(s, &m->t);
	if (rc == HSM_RC_SUCCESS && m->t.key_class != HSM_CLASS_SECRET &&
	    m->t.key_class != HSM_CLASS_PRIVATE)
		rc = HSM_RC_KEY_TYPE_INCONSISTENT;
	if (rc == HSM_RC_SUCCESS)
		rc = params_from_msg(&m->p, &p, true);
	if (rc == HSM_RC_SUCCESS)
		rc = decrypt(&p, &kek, &m->data, &plain);
	if (rc == HSM_RC_SUCCESS)
		rc = key_import_material(&k, m->t.key_class, m->t.key_type, plain.data, plain.len);
	if (rc == HSM_RC_SUCCESS)
		rc = create_imported(s, &k, &m->t, &kek);
	*handle = k.handle;
	hbuf_free(&plain);
	key_obj_clear(&k);
	key_obj_clear(&kek);
	return rc;
}

int
op_unwrap_key(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	struct msg_unwrap_req m;
	uint32_t handle = 0;
	if (msg_unwrap_req_decode(req, &m) != 0)
		return -1;
	*rc = unwrap_checked(s, &m, &handle);
	if (*rc == HSM_RC_SUCCESS)
		hbuf_put_u32(reply, handle);
	audit_wrap(s, "CN_UNWRAP_KEY", handle, m.unwrapping, m.p.mech, *rc);
	msg_key_template_clear(&m.t);
	return 0;
}

/* Cfm3WrapHostKey / Cfm3UnWrapHostKey: host bytes in, bytes out; the key
 * needs OBJ_ATTR_ENCRYPT to wrap and OBJ_ATTR_DECRYPT to unwrap. Any 8-byte
 * IV is accepted here (aesWrapUnwrap -i). */
static hsm_rc
host_checked(struct session *s, const struct msg_wrap_data_req *m, bool wrap,
             struct hbuf *reply)
{
	struct key_obj k;
	struct wrap_params p;
	struct hbuf plain;
	hbuf_init(&plain);
	bool held = false;
	hsm_rc rc = keys_lookup(s, m->key, &k, true);
	if (rc == HSM_RC_SUCCESS)
		rc = usable_for(s, &k, wrap ? KF_ENCRYPT : KF_DECRYPT);
	if (rc == HSM_RC_SUCCESS)
		rc = params_from_msg(&m->p, &p, false);
	if (rc == HSM_RC_SUCCESS && wrap && m->data.len > WRAP_MSG_DATA_MAX)
		rc = HSM_RC_INVALID_INPUT;
	if (rc == HSM_RC_SUCCESS) {
		const struct key_obj *used[] = { &k };
		rc = quorum_keys_begin(s, used, 1, HSM_SERVICE_USE_KEY, &held);
	}
	if (rc == HSM_RC_SUCCESS && wrap)
		rc = encrypt_to_reply(&p, &k, m->data.data, m->data.len, NULL, reply);
	if (rc == HSM_RC_SUCCESS && !wrap)
		rc = decrypt(&p, &k, &m->data, &plain);
	if (rc == HSM_RC_SUCCESS && !wrap) {
		struct msg_wrap_resp r;
		memset(&r, 0, sizeof(r));
		r.data = (struct msg_blob){ plain.data, plain.len };
		msg_wrap_resp_encode(reply, &r);
	}
	rc = quorum_keys_finish(s, held, rc);
	hbuf_free(&plain);
	key_obj_clear(&k);
	return rc;
}

static int
host_op(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc, bool wrap)
{
	struct msg_wrap_data_req m;
	if (msg_wrap_data_req_decode(req, &m) != 0)
		return -1;
	*rc = host_checked(s, &m, wrap, reply);
	audit_wrap(s, "CN_NIST_AES_WRAP", 0, m.key, m.p.mech, *rc);
	return 0;
}

int
op_wrap_data(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	return host_op(s, req, reply, rc, true);
}

int
op_unwrap_data(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	return host_op(s, req, reply, rc, false);
}

static hsm_rc
create_public_checked(struct session *s, const struct msg_create_pub_req *m,
                      uint32_t *handle)
{
	struct key_obj k;
	memset(&k, 0, sizeof(k));
	hsm_rc rc = keys_check_template(s, &m->t);
	if (rc == HSM_RC_SUCCESS && (m->t.nshares != 0 || m->t.m_value != 0))
		rc = HSM_RC_INVALID_INPUT;      /* public keys are everyone's */
	if (rc == HSM_RC_SUCCESS)
		rc = key_import_material(&k, HSM_CLASS_PUBLIC, m->t.key_type, m->der.data,
		                         m->der.len);
	if (rc == HSM_RC_SUCCESS)
		rc = create_imported(s, &k, &m->t, NULL);
	*handle = k.handle;
	key_obj_clear(&k);
	return rc;
}

int
op_create_public_key(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	struct msg_create_pub_req m;
	uint32_t handle = 0;
	if (msg_create_pub_req_decode(req, &m) != 0)
		return -1;
	*rc = create_public_checked(s, &m, &handle);
	if (*rc == HSM_RC_SUCCESS)
		hbuf_put_u32(reply, handle);
	char detail[32];
	snprintf(detail, sizeof(detail), "handle %u", handle);
	session_audit(s, "CN_CREATE_OBJECT", *rc, detail);
	msg_key_template_clear(&m.t);
	return 0;
}
