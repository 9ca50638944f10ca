/* cluster-wrap.c - wrapping across the cluster: wraps and host-data
 * operations run on a node that holds the key; unwraps and public key
 * imports make the key on one node (the unwrapping key's own when it can,
 * since a session key lives only there) and clone it to the others. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "client-internal.h"
#include "util.h"

void
hsm_wrap_result_free(hsm_wrap_result *r)
{
	if (r == NULL)
		return;
	if (r->data != NULL)
		OPENSSL_cleanse(r->data, r->len);
	free(r->data);
	OPENSSL_cleanse(r, sizeof(*r));
}

static hsm_rc
params_to_msg(const hsm_wrap_params *p, struct msg_wrap_params *m)
{
	memset(m, 0, sizeof(*m));
	if (p == NULL || p->iv_len > WRAP_MSG_IV_MAX || p->aad_len > WRAP_MSG_DATA_MAX ||
	    (p->iv_len > 0 && p->iv == NULL) || (p->aad_len > 0 && p->aad == NULL))
		return HSM_RC_INVALID_INPUT;
	m->mech = p->mechanism;
	m->hash = p->hash;
	m->iv = (struct msg_blob){ p->iv, p->iv_len };
	m->aad = (struct msg_blob){ p->aad, p->aad_len };
	m->tag_len = p->tag_len;
	return HSM_RC_SUCCESS;
}

static hsm_rc
result_from_resp(const struct msg_wrap_resp *r, hsm_wrap_result *out)
{
	out->data = malloc(r->data.len ? r->data.len : 1);
	if (out->data == NULL)
		return HSM_RC_INTERNAL;
	if (r->data.len > 0)
		memcpy(out->data, r->data.data, r->data.len);
	out->len = r->data.len;
	if (r->iv.len > 0)
		memcpy(out->iv, r->iv.data, r->iv.len);    /* at most WRAP_MSG_IV_MAX */
	out->iv_len = r->iv.len;
	out->key_class = r->key_class;
	out->key_type = r->key_type;
	out->value_len = r->value_len;
	hsm_strlcpy(out->label, r->label, sizeof(out->label));
	hsm_strlcpy(out->id, r->id, sizeof(out->id));
	return HSM_RC_SUCCESS;
}

struct wrap_call {
	uint16_t op;
	const struct hbuf *req;
	hsm_wrap_result *out;
};

static hsm_rc
wrap_call_on(hsm_client *c, size_t srv, void *arg)
{
	struct wrap_call *w = arg;
	struct hbuf resp;
	struct hrd payload;
	struct msg_wrap_resp r;
	hbuf_init(&resp);
	hsm_rc rc = client_call(c, srv, w->op, w->req, &resp, &payload);
	if (rc == HSM_RC_SUCCESS && msg_wrap_resp_decode(&payload, &r) != 0)
		rc = HSM_RC_CLUSTER_PROTOCOL;
	if (rc == HSM_RC_SUCCESS) {
		hsm_wrap_result_free(w->out);
		rc = result_from_resp(&r, w->out);
	}
	hbuf_free(&resp);
	return rc;
}

/* Runs a request whose reply is a msg_wrap_resp on a node holding handle;
 * frees (and wipes) the request. */
static hsm_rc
run_on_key(hsm_client *c, uint32_t handle, uint16_t op, struct hbuf *req,
           hsm_wrap_result *out, hsm_node_status *st)
{
	struct wrap_call w = { op, req, out };
	node_status_init(st, c->count);
	cluster_refresh(c);
	hsm_rc rc = req->failed ? HSM_RC_INVALID_INPUT
	                        : cluster_on_key_node(c, handle, true, wrap_call_on, &w, st);
	hbuf_free(req);
	return rc;
}

hsm_rc
hsm_wrap_key(hsm_client *c, uint32_t wrapping_key, uint32_t key, const hsm_wrap_params *p,
             hsm_wrap_result *out, hsm_node_status *st)
{
	struct msg_wrap_key_req m = { .wrapping = wrapping_key, .key = key };
	struct hbuf req;
	memset(out, 0, sizeof(*out));
	node_status_init(st, c->count);
	if (params_to_msg(p, &m.p) != HSM_RC_SUCCESS)
		return HSM_RC_INVALID_INPUT;
	hbuf_init(&req);
	msg_wrap_key_req_encode(&req, &m);
	return run_on_key(c, key, OP_WRAP_KEY, &req, out, st);
}

hsm_rc
hsm_export_public_key(hsm_client *c, uint32_t key, hsm_wrap_result *out,
                      hsm_node_status *st)
{
	hsm_wrap_params p = { .mechanism = HSM_WRAP_NONE };
	return hsm_wrap_key(c, 0, key, &p, out, st);
}

static hsm_rc
host_call(hsm_client *c, uint16_t op, uint32_t key, const hsm_wrap_params *p,
          const uint8_t *data, size_t len, hsm_wrap_result *out, hsm_node_status *st)
{
	struct msg_wrap_data_req m = { .key = key, .data = { data, len } };
	struct hbuf req;
	memset(out, 0, sizeof(*out));
	node_status_init(st, c->count);
	if (params_to_msg(p, &m.p) != HSM_RC_SUCCESS || (len > 0 && data == NULL) ||
	    len > WRAP_MSG_DATA_MAX + WRAP_MSG_OVERHEAD)
		return HSM_RC_INVALID_INPUT;
	hbuf_init(&req);
	msg_wrap_data_req_encode(&req, &m);
	return run_on_key(c, key, op, &req, out, st);
}

hsm_rc
hsm_wrap_data(hsm_client *c, uint32_t key, const hsm_wrap_params *p, const uint8_t *data,
              size_t len, hsm_wrap_result *out, hsm_node_status *st)
{
	return host_call(c, OP_WRAP_DATA, key, p, data, len, out, st);
}

hsm_rc
hsm_unwrap_data(hsm_client *c, uint32_t key, const hsm_wrap_params *p, const uint8_t *data,
                size_t len, hsm_wrap_result *out, hsm_node_status *st)
{
	return host_call(c, OP_UNWRAP_DATA, key, p, data, len, out, st);
}

/* The label, id, session, sharing part of a key template. */
static hsm_rc
template_fill(const hsm_key_template *t, uint32_t key_class, struct msg_key_template *m)
{
	memset(m, 0, sizeof(*m));
	if (t == NULL || t->label == NULL || strlen(t->label) > PROTO_STR_MAX ||
	    (t->id != NULL && strlen(t->id) > PROTO_STR_MAX) || t->nshares > HSM_MAX_SHARES ||
	    (t->nshares > 0 && t->shares == NULL))
		return HSM_RC_INVALID_INPUT;
	m->key_class = key_class;
	m->key_type = t->key_type;
	m->label = (char *)t->label;
	m->id = (char *)(t->id ? t->id : "");
	m->session = t->session;
	m->extractable = t->extractable;
	m->m_value = t->m_value;
	m->nshares = (uint32_t)t->nshares;
	if (t->nshares > 0)
		memcpy(m->shares, t->shares, t->nshares * sizeof(t->shares[0]));
	return HSM_RC_SUCCESS;
}

struct create_call {
	uint16_t op;
	const struct hbuf *req;
};

static hsm_rc
create_on(hsm_client *c, size_t srv, void *arg, uint32_t *h)
{
	const struct create_call *a = arg;
	return srv_call_u32(c, srv, a->op, a->req, &h[0]);
}

hsm_rc
hsm_unwrap_key(hsm_client *c, uint32_t unwrapping_key, const hsm_wrap_params *p,
               uint32_t key_class, const hsm_key_template *t, const uint8_t *data,
               size_t len, const hsm_sync_opts *so, uint32_t *handle, hsm_node_status *st)
{
	struct msg_unwrap_req m = { .unwrapping = unwrapping_key, .data = { data, len } };
	struct hbuf req;
	*handle = 0;
	node_status_init(st, c->count);
	if (params_to_msg(p, &m.p) != HSM_RC_SUCCESS ||
	    template_fill(t, key_class, &m.t) != HSM_RC_SUCCESS || (len > 0 && data == NULL) ||
	    len > WRAP_MSG_DATA_MAX + WRAP_MSG_OVERHEAD)
		return HSM_RC_INVALID_INPUT;
	hbuf_init(&req);
	msg_unwrap_req_encode(&req, &m);
	struct create_call a = { OP_UNWRAP_KEY, &req };
	hsm_rc rc = req.failed ? HSM_RC_INVALID_INPUT
	                       /* First on the node that made the unwrapping key: the
	                        * only one holding it when it is a session key. */
	                       : cluster_create_and_sync(c, t->session,
	                                                 CLUSTER_ORIGIN(unwrapping_key), create_on,
	                                                 &a, handle, 1, so, st);
	hbuf_free(&req);
	return rc;
}

hsm_rc
hsm_create_public_key(hsm_client *c, const hsm_key_template *t, const uint8_t *der,
                      size_t len, const hsm_sync_opts *so, uint32_t *handle,
                      hsm_node_status *st)
{
	struct msg_create_pub_req m = { .der = { der, len } };
	struct hbuf req;
	*handle = 0;
	node_status_init(st, c->count);
	if (template_fill(t, HSM_CLASS_PUBLIC, &m.t) != HSM_RC_SUCCESS ||
	    (len > 0 && der == NULL) || len > WRAP_MSG_PUBKEY_MAX)
		return HSM_RC_INVALID_INPUT;
	hbuf_init(&req);
	msg_create_pub_req_encode(&req, &m);
	struct create_call a = { OP_CREATE_PUBLIC_KEY, &req };
	hsm_rc rc = req.failed ? HSM_RC_INVALID_INPUT
	                       : cluster_create_and_sync(c, t->session, CLUSTER_NO_PREFERENCE,
	                                                 create_on, &a, handle, 1, so, st);
	hbuf_free(&req);
	return rc;
}
