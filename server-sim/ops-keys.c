/* ops-keys.c - handlers for key generation, findKey, getKeyInfo, deleteKey
 * and shareKey. Ownership and sharing rules are checked here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "key-attrs.h"
#include "keygen.h"
#include "keys.h"
#include "log.h"
#include "proto.h"
#include "server.h"
#include "util.h"

static void
audit_key(struct session *s, const char *opcode, uint32_t h1, uint32_t h2, hsm_rc rc)
{
	char detail[64];
	if (h2 != 0)
		snprintf(detail, sizeof(detail), "handles %u %u", h1, h2);
	else
		snprintf(detail, sizeof(detail), "handle %u", h1);
	session_audit(s, opcode, rc, detail);
}

static hsm_rc
gen_secret(struct session *s, const struct msg_key_template *t, uint32_t *handle)
{
	struct key_obj k;
	memset(&k, 0, sizeof(k));
	hsm_rc rc = keys_check_template(s, t);
	if (rc == HSM_RC_SUCCESS)
		rc = keygen_secret(t, &k);
	if (rc == HSM_RC_SUCCESS) {
		keys_apply_template(&k, t, true);
		key_default_flags(&k, t->extractable, true, !t->session);
		struct key_obj *list[] = { &k };
		rc = keys_create(s, list, 1, t->session);
	}
	*handle = k.handle;
	key_obj_clear(&k);
	return rc;
}

int
op_gen_secret_key(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	struct msg_key_template t;
	uint32_t handle = 0;
	if (msg_key_template_decode(req, &t) != 0)
		return -1;
	if (hrd_end(req) != 0) {
		msg_key_template_clear(&t);
		return -1;
	}
	*rc = gen_secret(s, &t, &handle);
	if (*rc == HSM_RC_SUCCESS)
		hbuf_put_u32(reply, handle);
	audit_key(s, "CN_GENERATE_KEY", handle, 0, *rc);
	msg_key_template_clear(&t);
	return 0;
}

static hsm_rc
gen_pair(struct session *s, const struct msg_key_template *t, uint32_t *pub_h,
         uint32_t *priv_h)
{
	struct key_obj pub, priv;
	memset(&pub, 0, sizeof(pub));
	memset(&priv, 0, sizeof(priv));
	hsm_rc rc = keys_check_template(s, t);
	if (rc == HSM_RC_SUCCESS)
		rc = keygen_pair(t, &pub, &priv);
	if (rc == HSM_RC_SUCCESS) {
		/* Only the private key is shared; public keys are everyone's. */
		keys_apply_template(&pub, t, false);
		keys_apply_template(&priv, t, true);
		key_default_flags(&pub, true, true, !t->session);
		key_default_flags(&priv, t->extractable, true, !t->session);
		struct key_obj *list[] = { &pub, &priv };
		rc = keys_create(s, list, 2, t->session);
	}
	*pub_h = pub.handle;
	*priv_h = priv.handle;
	key_obj_clear(&pub);
	key_obj_clear(&priv);
	return rc;
}

int
op_gen_key_pair(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	struct msg_key_template t;
	uint32_t pub = 0, priv = 0;
	if (msg_key_template_decode(req, &t) != 0)
		return -1;
	if (hrd_end(req) != 0) {
		msg_key_template_clear(&t);
		return -1;
	}
	*rc = gen_pair(s, &t, &pub, &priv);
	if (*rc == HSM_RC_SUCCESS) {
		hbuf_put_u32(reply, pub);
		hbuf_put_u32(reply, priv);
	}
	audit_key(s, "CN_GENERATE_KEY_PAIR", priv, pub, *rc);
	msg_key_template_clear(&t);
	return 0;
}

static bool
usable_by(const struct key_obj *k, uint32_t user)
{
	return k->owner == user || key_shared_with(k, user) || k->key_class == HSM_CLASS_PUBLIC;
}

static bool
modulus_matches(struct session *s, const struct key_obj *meta, const struct msg_blob *m)
{
	struct key_obj k;
	hsm_attribute_list attrs;
	bool same = false;
	if (meta->key_type != HSM_KEY_RSA || keys_lookup(s, meta->handle, &k, true) != HSM_RC_SUCCESS)
		return false;
	if (key_attributes(&k, HSM_ATTR_MODULUS, &attrs) == HSM_RC_SUCCESS) {
		same = attrs.attrs[0].len == m->len &&
		       memcmp(attrs.attrs[0].value, m->data, m->len) == 0;
		hsm_attribute_list_free(&attrs);
	}
	key_obj_clear(&k);
	return same;
}

static bool
filter_matches(struct session *s, const struct key_obj *k, const struct msg_key_filter *f)
{
	if (!usable_by(k, s->user_id))
		return false;
	for (uint32_t i = 0; i < f->nusers; i++)
		if (!usable_by(k, f->users[i]))
			return false;
	if (((f->flags & FILTER_CLASS) && k->key_class != f->key_class) ||
	    ((f->flags & FILTER_TYPE) && k->key_type != f->key_type) ||
	    ((f->flags & FILTER_LABEL) && strcmp(k->label, f->label) != 0) ||
	    ((f->flags & FILTER_ID) && strcmp(k->id, f->id) != 0) ||
	    ((f->flags & FILTER_SESSION) && key_has(k, KF_TOKEN) == f->session) ||
	    ((f->flags & FILTER_KCV) && memcmp(k->kcv, f->kcv, sizeof(k->kcv)) != 0))
		return false;
	return !(f->flags & FILTER_MODULUS) || modulus_matches(s, k, &f->modulus);
}

int
op_find_keys(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	struct msg_key_filter f;
	struct key_obj *keys;
	size_t n;
	if (msg_key_filter_decode(req, &f) != 0)
		return -1;
	*rc = HSM_RC_INTERNAL;
	if (keys_list(s, &keys, &n) == 0) {
		uint32_t *found = calloc(n ? n : 1, sizeof(*found));
		size_t nfound = 0;
		for (size_t i = 0; found != NULL && i < n; i++)
			if (filter_matches(s, &keys[i], &f))
				found[nfound++] = keys[i].handle;
		if (found != NULL) {
			msg_handles_encode(reply, found, nfound);
			*rc = HSM_RC_SUCCESS;
		}
		free(found);
		keys_free_list(keys, n);
	}
	msg_key_filter_clear(&f);
	return 0;
}

static hsm_rc
key_info(struct session *s, uint32_t handle, hsm_key_info *info)
{
	struct key_obj k;
	hsm_rc rc = keys_lookup(s, handle, &k, false);
	if (rc == HSM_RC_SUCCESS)
		rc = keys_check_use(s, &k);
	if (rc == HSM_RC_SUCCESS) {
		memset(info, 0, sizeof(*info));
		info->owner = k.owner;
		info->m_value = k.m_value;
		info->token = key_has(&k, KF_TOKEN);
		info->nshares = k.nshares;
		memcpy(info->shares, k.shares, k.nshares * sizeof(k.shares[0]));
	}
	key_obj_clear(&k);
	return rc;
}

int
op_get_key_info(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	uint32_t handle;
	hsm_key_info info;
	if (hrd_get_u32(req, &handle) != 0 || hrd_end(req) != 0)
		return -1;
	*rc = key_info(s, handle, &info);
	if (*rc == HSM_RC_SUCCESS)
		msg_key_info_encode(reply, &info);
	return 0;
}

static hsm_rc
delete_checked(struct session *s, uint32_t handle)
{
	struct key_obj k;
	hsm_rc rc = keys_lookup(s, handle, &k, false);
	if (rc == HSM_RC_SUCCESS)
		rc = keys_check_owner(s, &k);
	if (rc == HSM_RC_SUCCESS && !key_has(&k, KF_DESTROYABLE))
		rc = HSM_RC_KEY_ACCESS_DENIED;
	if (rc == HSM_RC_SUCCESS)
		rc = keys_remove(s, handle);
	key_obj_clear(&k);
	return rc;
}

int
op_delete_key(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	uint32_t handle;
	(void)reply;
	if (hrd_get_u32(req, &handle) != 0 || hrd_end(req) != 0)
		return -1;
	*rc = delete_checked(s, handle);
	audit_key(s, "CN_DESTROY_OBJECT", handle, 0, *rc);
	return 0;
}

static void
share_apply(struct key_obj *k, const uint32_t *users, uint32_t n, bool share)
{
	for (uint32_t i = 0; i < n; i++) {
		bool present = key_shared_with(k, users[i]);
		if (share && !present && k->nshares < HSM_MAX_SHARES) {
			k->shares[k->nshares++] = users[i];
		} else if (!share && present) {
			for (uint32_t j = 0; j < k->nshares; j++)
				if (k->shares[j] == users[i])
					k->shares[j] = k->shares[--k->nshares];
		}
	}
}

/* Users not yet in the key's list (re-sharing is not an addition). */
static uint32_t
new_shares(const struct key_obj *k, const uint32_t *users, uint32_t n)
{
	uint32_t added = 0;
	for (uint32_t i = 0; i < n; i++)
		added += !key_shared_with(k, users[i]);
	return added;
}

static hsm_rc
share_checked(struct session *s, uint32_t handle, const uint32_t *users, uint32_t n,
              bool share)
{
	struct key_obj k;
	hsm_rc rc = keys_lookup(s, handle, &k, true);
	if (rc == HSM_RC_SUCCESS)
		rc = keys_check_owner(s, &k);
	if (rc == HSM_RC_SUCCESS && k.key_class == HSM_CLASS_PUBLIC)
		rc = HSM_RC_KEY_TYPE_INCONSISTENT;     /* public keys are never shared */
	if (rc == HSM_RC_SUCCESS && n == 0)
		rc = HSM_RC_INVALID_INPUT;
	if (rc == HSM_RC_SUCCESS && share)
		rc = keys_check_share_list(s, k.owner, users, n);
	if (rc == HSM_RC_SUCCESS && share && k.nshares + new_shares(&k, users, n) > HSM_MAX_SHARES)
		rc = HSM_RC_INVALID_INPUT;
	if (rc == HSM_RC_SUCCESS) {
		share_apply(&k, users, n, share);
		/* As at creation: the m_value needs that many users (owner too). */
		if (k.m_value > k.nshares + 1)
			rc = HSM_RC_INVALID_INPUT;
	}
	if (rc == HSM_RC_SUCCESS)
		rc = keys_update_using(s, &k, HSM_SERVICE_MANAGE_KEY);   /* the quorum, last */
	key_obj_clear(&k);
	return rc;
}

int
op_share_key(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	uint32_t handle, n, users[HSM_MAX_SHARES];
	bool share;
	(void)reply;
	if (hrd_get_u32(req, &handle) != 0 || hrd_get_bool(req, &share) != 0 ||
	    msg_user_ids_decode(req, users, &n) != 0 || hrd_end(req) != 0)
		return -1;
	*rc = share_checked(s, handle, users, n, share);
	audit_key(s, "CN_SHARE_OBJECT", handle, 0, *rc);
	return 0;
}
