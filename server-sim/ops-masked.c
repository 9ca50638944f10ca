/* ops-masked.c - extractMaskedObject and insertMaskedObject: a key with all
 * its attributes sealed under the masking key, for its masking domain. Clients
 * also use them to clone new token keys to the other nodes (client-side sync)
 * and CMU's syncKey to copy keys to a node or a cloned cluster. */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "authz.h"
#include "key-attrs.h"
#include "keys.h"
#include "mask.h"
#include "proto.h"
#include "server.h"

/* A key object (material up to 64 KiB plus attributes) once sealed. */
#define MASKED_KEY_MAX (128u * 1024u)
/* 2: the key object, then the names of its owner and share users. */
#define MASKED_KEY_VERSION 2u

/* The owning CU, or any CO or AU (extractMaskedObject page, permission table). */
static hsm_rc
may_extract(const struct session *s, const struct key_obj *k)
{
	if (session_who(s) == HSM_USER_CU)
		return keys_check_owner(s, k);
	return HSM_RC_SUCCESS;
}

static hsm_rc
put_user_name(struct session *s, uint32_t id, struct hbuf *plain)
{
	struct store_user u;
	int found = store_user_get(s->store, id, &u);
	if (found == 0)
		hbuf_put_str(plain, u.name);
	OPENSSL_cleanse(&u, sizeof(u));
	return found == 0 ? HSM_RC_SUCCESS : HSM_RC_INTERNAL;
}

/* Users are named as well as numbered: in a clone the same id may belong
 * to someone else, and the receiving node goes by the names. */
static hsm_rc
masked_key_encode(struct session *s, const struct key_obj *k, struct hbuf *plain)
{
	struct hbuf obj;
	hbuf_init(&obj);
	key_obj_encode(&obj, k);
	hbuf_put_u32(plain, MASKED_KEY_VERSION);
	hbuf_put_bytes(plain, obj.data, obj.len);
	hbuf_free(&obj);
	hsm_rc rc = put_user_name(s, k->owner, plain);
	hbuf_put_u32(plain, k->nshares);
	for (uint32_t i = 0; rc == HSM_RC_SUCCESS && i < k->nshares; i++)
		rc = put_user_name(s, k->shares[i], plain);
	return rc == HSM_RC_SUCCESS && plain->failed ? HSM_RC_INTERNAL : rc;
}

static hsm_rc
extract_checked(struct session *s, uint32_t handle, struct hbuf *reply)
{
	struct key_obj k;
	hsm_rc rc = keys_lookup(s, handle, &k, true);
	if (rc == HSM_RC_SUCCESS)
		rc = may_extract(s, &k);
	if (rc == HSM_RC_SUCCESS && !key_has(&k, KF_TOKEN))
		rc = HSM_RC_KEY_ACCESS_DENIED;    /* session keys stay in their session */
	if (rc == HSM_RC_SUCCESS) {
		struct hbuf plain, sealed;
		hbuf_init(&plain);
		hbuf_init(&sealed);
		rc = masked_key_encode(s, &k, &plain);
		if (rc == HSM_RC_SUCCESS &&
		    mask_seal(s->node->masking_key, "key", mask_domain(&s->node->identity),
		              plain.data, plain.len, &sealed) != 0)
			rc = HSM_RC_INTERNAL;
		if (rc == HSM_RC_SUCCESS)
			hbuf_put_bytes(reply, sealed.data, sealed.len);
		hbuf_free(&plain);
		hbuf_free(&sealed);
	}
	key_obj_clear(&k);
	return rc;
}

/* The id the named user has on this node. */
static hsm_rc
local_user_id(struct session *s, struct hrd *r, uint32_t *id)
{
	char name[HSM_USER_NAME_MAX + 1];
	struct store_user u;
	if (hrd_get_str_fixed(r, name, sizeof(name)) != 0)
		return HSM_RC_MASKED_OBJECT_INVALID;
	int found = store_user_find(s->store, name, &u);
	*id = u.id;
	OPENSSL_cleanse(&u, sizeof(u));
	if (found != 0)
		return found < 0 ? HSM_RC_INTERNAL : HSM_RC_USER_DOES_NOT_EXIST;
	return HSM_RC_SUCCESS;
}

/* Decodes an opened object; the owner and share ids become this node's
 * ids of the same names (keys_check_arrival then checks they are CUs). */
static hsm_rc
masked_key_decode(struct session *s, struct hrd *r, struct key_obj *k)
{
	uint32_t version, nshares;
	const uint8_t *obj;
	size_t len;
	struct hrd inner;
	if (hrd_get_u32(r, &version) != 0 || version != MASKED_KEY_VERSION ||
	    hrd_get_bytes(r, &obj, &len, MASKED_KEY_MAX) != 0)
		return HSM_RC_MASKED_OBJECT_INVALID;
	hrd_init(&inner, obj, len);
	if (key_obj_decode(&inner, k) != 0)
		return HSM_RC_MASKED_OBJECT_INVALID;
	hsm_rc rc = local_user_id(s, r, &k->owner);
	if (rc == HSM_RC_SUCCESS && (hrd_get_u32(r, &nshares) != 0 || nshares != k->nshares))
		rc = HSM_RC_MASKED_OBJECT_INVALID;
	for (uint32_t i = 0; rc == HSM_RC_SUCCESS && i < nshares; i++)
		rc = local_user_id(s, r, &k->shares[i]);
	if (rc == HSM_RC_SUCCESS && hrd_end(r) != 0)
		rc = HSM_RC_MASKED_OBJECT_INVALID;
	return rc;
}

int
op_extract_masked(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	uint32_t handle;
	if (hrd_get_u32(req, &handle) != 0 || hrd_end(req) != 0)
		return -1;
	*rc = extract_checked(s, handle, reply);
	char detail[32];
	snprintf(detail, sizeof(detail), "handle %u", handle);
	session_audit(s, "CN_EXTRACT_MASKED_OBJECT_USER", *rc, detail);
	return 0;
}

/* keep_handle: a clone made by client-side sync keeps its handle; an
 * operator's insertMaskedObject gets a new one from this node. */
static hsm_rc
insert_checked(struct session *s, const struct msg_blob *blob, bool keep_handle,
               uint32_t *handle)
{
	struct hbuf plain;
	struct hrd r;
	struct key_obj k;
	hbuf_init(&plain);
	memset(&k, 0, sizeof(k));
	hsm_rc rc = HSM_RC_MASKED_OBJECT_INVALID;
	if (mask_open(s->node->masking_key, "key", mask_domain(&s->node->identity), blob->data,
	              blob->len, &plain) == 0) {
		hrd_init(&r, plain.data, plain.len);
		rc = masked_key_decode(s, &r, &k);
	}
	hbuf_free(&plain);
	/* A CU inserts only its own keys: it could not clone or remove others'. */
	if (rc == HSM_RC_SUCCESS && session_who(s) == HSM_USER_CU && k.owner != s->user_id)
		rc = HSM_RC_KEY_ACCESS_DENIED;
	if (rc == HSM_RC_SUCCESS && keep_handle) {
		rc = keys_insert_clone(s, &k);
	} else if (rc == HSM_RC_SUCCESS) {
		/* A new handle of this node; owner and sharing travel with the key. */
		struct key_obj *list[] = { &k };
		rc = keys_check_arrival(s, &k);
		if (rc == HSM_RC_SUCCESS)
			rc = keys_create(s, list, 1, false);
	}
	*handle = k.handle;
	key_obj_clear(&k);
	return rc;
}

int
op_insert_masked(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	struct msg_blob blob;
	bool keep;
	uint32_t handle = 0;
	if (hrd_get_bytes(req, &blob.data, &blob.len, MASKED_KEY_MAX) != 0 ||
	    hrd_get_bool(req, &keep) != 0 || hrd_end(req) != 0)
		return -1;
	*rc = insert_checked(s, &blob, keep, &handle);
	if (*rc == HSM_RC_SUCCESS)
		hbuf_put_u32(reply, handle);
	char detail[32];
	snprintf(detail, sizeof(detail), "handle %u", handle);
	session_audit(s, "CN_INSERT_MASKED_OBJECT_USER", *rc, detail);
	return 0;
}
