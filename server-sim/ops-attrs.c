/* ops-attrs.c - getAttribute and setAttribute on the server.
 * Owners change attributes; only a crypto officer may set OBJ_ATTR_TRUSTED. */
#include <stdio.h>
#include <string.h>

#include "authz.h"
#include "key-attrs.h"
#include "keys.h"
#include "proto.h"
#include "server.h"

int
op_get_attributes(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	uint32_t handle, attr;
	struct key_obj k;
	hsm_attribute_list list;
	if (hrd_get_u32(req, &handle) != 0 || hrd_get_u32(req, &attr) != 0 ||
	    hrd_end(req) != 0)
		return -1;
	*rc = keys_lookup(s, handle, &k, true);
	if (*rc == HSM_RC_SUCCESS)
		*rc = keys_check_use(s, &k);
	if (*rc == HSM_RC_SUCCESS)
		*rc = key_attributes(&k, attr, &list);
	if (*rc == HSM_RC_SUCCESS) {
		msg_attr_list_encode(reply, &list);
		hsm_attribute_list_free(&list);
	}
	key_obj_clear(&k);
	return 0;
}

/* Who may set attr on k: the owning CU, or a CO for OBJ_ATTR_TRUSTED. */
static hsm_rc
may_set(const struct session *s, const struct key_obj *k, uint32_t attr)
{
	hsm_user_type who = session_who(s);
	if (attr == HSM_ATTR_TRUSTED)
		return authz_allowed(PERM_MANAGE_USERS, who) ? HSM_RC_SUCCESS
		                                              : HSM_RC_PERMISSION_DENIED;
	if (!authz_allowed(PERM_KEY_MANAGEMENT, who))
		return HSM_RC_PERMISSION_DENIED;
	return keys_check_owner(s, k);
}

static hsm_rc
set_checked(struct session *s, uint32_t handle, uint32_t attr, const struct msg_blob *v)
{
	struct key_obj k;
	hsm_rc rc = keys_lookup(s, handle, &k, true);
	if (rc == HSM_RC_SUCCESS)
		rc = may_set(s, &k, attr);
	if (rc == HSM_RC_SUCCESS && attr == HSM_ATTR_TOKEN) {
		/* Only a session key can become a token key; never the reverse. */
		rc = v->len == 1 && v->data[0] == 1 ? keys_make_token(s, handle)
		                                   : HSM_RC_ATTRIBUTE_READ_ONLY;
	} else if (rc == HSM_RC_SUCCESS) {
		rc = key_set_attribute(&k, attr, v->data, v->len);
		if (rc == HSM_RC_SUCCESS)
			rc = keys_update(s, &k);
	}
	key_obj_clear(&k);
	return rc;
}

int
op_set_attribute(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	uint32_t handle, attr;
	struct msg_blob v;
	(void)reply;
	if (hrd_get_u32(req, &handle) != 0 || hrd_get_u32(req, &attr) != 0 ||
	    msg_blob_decode(req, &v, 4096) != 0)
		return -1;
	*rc = set_checked(s, handle, attr, &v);
	char detail[64];
	snprintf(detail, sizeof(detail), "handle %u attribute %u", handle, attr);
	session_audit(s, "CN_MODIFY_OBJECT", *rc, detail);
	return 0;
}
