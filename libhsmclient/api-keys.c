/* api-keys.c - key requests to one server: the building blocks of the
 * cluster operations in cluster*.c and of CMU's per-server key commands. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "client-internal.h"
#include "util.h"

hsm_rc
srv_call_u32(hsm_client *c, size_t srv, uint16_t op, const struct hbuf *req, uint32_t *out)
{
	struct hbuf resp;
	struct hrd payload;
	hbuf_init(&resp);
	hsm_rc rc = client_call(c, srv, op, req, &resp, &payload);
	if (rc == HSM_RC_SUCCESS &&
	    (hrd_get_u32(&payload, out) != 0 || hrd_end(&payload) != 0))
		rc = HSM_RC_CLUSTER_PROTOCOL;
	hbuf_free(&resp);
	return rc;
}

hsm_rc
srv_gen_secret(hsm_client *c, size_t srv, const struct msg_key_template *t, uint32_t *handle)
{
	struct hbuf req;
	hbuf_init(&req);
	msg_key_template_encode(&req, t);
	hsm_rc rc = srv_call_u32(c, srv, OP_GEN_SECRET_KEY, &req, handle);
	hbuf_free(&req);
	return rc;
}

hsm_rc
srv_gen_pair(hsm_client *c, size_t srv, const struct msg_key_template *t, uint32_t *pub,
             uint32_t *priv)
{
	struct hbuf req, resp;
	struct hrd payload;
	hbuf_init(&req);
	hbuf_init(&resp);
	msg_key_template_encode(&req, t);
	hsm_rc rc = client_call(c, srv, OP_GEN_KEY_PAIR, &req, &resp, &payload);
	if (rc == HSM_RC_SUCCESS &&
	    (hrd_get_u32(&payload, pub) != 0 || hrd_get_u32(&payload, priv) != 0 ||
	     hrd_end(&payload) != 0))
		rc = HSM_RC_CLUSTER_PROTOCOL;
	hbuf_free(&req);
	hbuf_free(&resp);
	return rc;
}

hsm_rc
srv_find_keys(hsm_client *c, size_t srv, const struct msg_key_filter *f, uint32_t **handles,
              size_t *n)
{
	struct hbuf req, resp;
	struct hrd payload;
	hbuf_init(&req);
	hbuf_init(&resp);
	msg_key_filter_encode(&req, f);
	hsm_rc rc = client_call(c, srv, OP_FIND_KEYS, &req, &resp, &payload);
	if (rc == HSM_RC_SUCCESS && msg_handles_decode(&payload, handles, n) != 0)
		rc = HSM_RC_CLUSTER_PROTOCOL;
	hbuf_free(&req);
	hbuf_free(&resp);
	return rc;
}

hsm_rc
srv_delete_key(hsm_client *c, size_t srv, uint32_t handle)
{
	struct hbuf req;
	hbuf_init(&req);
	hbuf_put_u32(&req, handle);
	hsm_rc rc = client_call_simple(c, srv, OP_DELETE_KEY, &req);
	hbuf_free(&req);
	return rc;
}

hsm_rc
srv_extract_masked(hsm_client *c, size_t srv, uint32_t handle, uint8_t **blob, size_t *len,
                   unsigned timeout_ms)
{
	struct hbuf req, resp;
	struct hrd payload;
	struct msg_blob b;
	*blob = NULL;
	*len = 0;
	hbuf_init(&req);
	hbuf_init(&resp);
	hbuf_put_u32(&req, handle);
	hsm_rc rc = client_call_timed(c, srv, OP_EXTRACT_MASKED, &req, &resp, &payload,
	                              timeout_ms);
	if (rc == HSM_RC_SUCCESS && msg_blob_decode(&payload, &b, 128u * 1024u) != 0)
		rc = HSM_RC_CLUSTER_PROTOCOL;
	if (rc == HSM_RC_SUCCESS && (*blob = malloc(b.len ? b.len : 1)) == NULL)
		rc = HSM_RC_INTERNAL;
	if (rc == HSM_RC_SUCCESS) {
		memcpy(*blob, b.data, b.len);
		*len = b.len;
	}
	hbuf_free(&req);
	hbuf_free(&resp);
	return rc;
}

hsm_rc
srv_insert_masked(hsm_client *c, size_t srv, const uint8_t *blob, size_t len,
                  bool keep_handle, uint32_t *handle, unsigned timeout_ms)
{
	struct hbuf req, resp;
	struct hrd payload;
	hbuf_init(&req);
	hbuf_init(&resp);
	hbuf_put_bytes(&req, blob, len);
	hbuf_put_u8(&req, keep_handle);
	hsm_rc rc = client_call_timed(c, srv, OP_INSERT_MASKED, &req, &resp, &payload,
	                              timeout_ms);
	if (rc == HSM_RC_SUCCESS &&
	    (hrd_get_u32(&payload, handle) != 0 || hrd_end(&payload) != 0))
		rc = HSM_RC_CLUSTER_PROTOCOL;
	hbuf_free(&req);
	hbuf_free(&resp);
	return rc;
}

/* syncKey: the key leaves src as a masked object and enters dst under the
 * same handle; a reply with another handle is undone. */
hsm_rc
hsm_server_copy_key(hsm_client *c, size_t src, size_t dst, uint32_t handle)
{
	if (src >= c->count || dst >= c->count || src == dst)
		return HSM_RC_INVALID_INPUT;
	uint8_t *blob = NULL;
	size_t len = 0;
	uint32_t got = 0;
	hsm_rc rc = srv_extract_masked(c, src, handle, &blob, &len, 0);
	if (rc == HSM_RC_SUCCESS)
		rc = srv_insert_masked(c, dst, blob, len, true, &got, 0);
	if (rc == HSM_RC_SUCCESS && got != handle) {
		(void)srv_delete_key(c, dst, got);
		rc = HSM_RC_CLUSTER_PROTOCOL;
	}
	if (blob != NULL)
		OPENSSL_cleanse(blob, len);
	free(blob);
	return rc;
}

hsm_rc
hsm_server_get_key_info(hsm_client *c, size_t srv, uint32_t handle, hsm_key_info *out)
{
	struct hbuf req, resp;
	struct hrd payload;
	hbuf_init(&req);
	hbuf_init(&resp);
	hbuf_put_u32(&req, handle);
	hsm_rc rc = client_call(c, srv, OP_GET_KEY_INFO, &req, &resp, &payload);
	if (rc == HSM_RC_SUCCESS && msg_key_info_decode(&payload, out) != 0)
		rc = HSM_RC_CLUSTER_PROTOCOL;
	hbuf_free(&req);
	hbuf_free(&resp);
	return rc;
}

hsm_rc
hsm_server_get_attributes(hsm_client *c, size_t srv, uint32_t handle, uint32_t attr,
                          hsm_attribute_list *out)
{
	struct hbuf req, resp;
	struct hrd payload;
	memset(out, 0, sizeof(*out));
	hbuf_init(&req);
	hbuf_init(&resp);
	hbuf_put_u32(&req, handle);
	hbuf_put_u32(&req, attr);
	hsm_rc rc = client_call(c, srv, OP_GET_ATTRIBUTES, &req, &resp, &payload);
	if (rc == HSM_RC_SUCCESS && msg_attr_list_decode(&payload, out) != 0)
		rc = HSM_RC_CLUSTER_PROTOCOL;
	hbuf_free(&req);
	hbuf_free(&resp);
	return rc;
}

hsm_rc
hsm_server_set_attribute(hsm_client *c, size_t srv, uint32_t handle, uint32_t attr,
                         const uint8_t *value, size_t len)
{
	struct hbuf req;
	hbuf_init(&req);
	hbuf_put_u32(&req, handle);
	hbuf_put_u32(&req, attr);
	hbuf_put_bytes(&req, value, len);
	hsm_rc rc = client_call_simple(c, srv, OP_SET_ATTRIBUTE, &req);
	hbuf_free(&req);
	return rc;
}

hsm_rc
hsm_server_share_key(hsm_client *c, size_t srv, uint32_t handle, const uint32_t *users,
                     size_t nusers, bool share)
{
	if (nusers > HSM_MAX_SHARES)
		return HSM_RC_INVALID_INPUT;
	struct hbuf req;
	hbuf_init(&req);
	hbuf_put_u32(&req, handle);
	hbuf_put_u8(&req, share);
	msg_user_ids_encode(&req, users, nusers);
	hsm_rc rc = client_call_simple(c, srv, OP_SHARE_KEY, &req);
	hbuf_free(&req);
	return rc;
}
