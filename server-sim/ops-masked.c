/* ops-masked.c - extractMaskedObject and insertMaskedObject: a key with all
 * its attributes sealed under the cluster masking key. Clients also use them
 * to clone new token keys to the other nodes (client-side sync). */
#include <stdio.h>
#include <string.h>

#include "authz.h"
#include "key-attrs.h"
#include "keys.h"
#include "mask.h"
#include "proto.h"
#include "server.h"

/* A key object (material up to 64 KiB plus attributes) once sealed. */
#define MASKED_KEY_MAX (128u * 1024u)

/* The owning CU, or any CO or AU (extractMaskedObject page, permission table). */
static hsm_rc
may_extract(const struct session *s, const struct key_obj *k)
{
	if (session_who(s) == HSM_USER_CU)
		return keys_check_owner(s, k);
	return HSM_RC_SUCCESS;
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
		key_obj_encode(&plain, &k);
		rc = !plain.failed && mask_seal(s->node->masking_key, "key",
		                                s->node->identity.cluster_id, plain.data,
		                                plain.len, &sealed) == 0
		     ? HSM_RC_SUCCESS : HSM_RC_INTERNAL;
		if (rc == HSM_RC_SUCCESS)
			hbuf_put_bytes(reply, sealed.data, sealed.len);
		hbuf_free(&plain);
		hbuf_free(&sealed);
	}
	key_obj_clear(&k);
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
	if (mask_open(s->node->masking_key, "key", s->node->identity.cluster_id, blob->data,
	              blob->len, &plain) == 0) {
		hrd_init(&r, plain.data, plain.len);
		if (key_obj_decode(&r, &k) == 0)
			rc = HSM_RC_SUCCESS;
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
