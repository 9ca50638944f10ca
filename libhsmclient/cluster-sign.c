/* cluster-sign.c - sign and verify on one node that holds the key, spread
 * across the nodes and moved on when one is down; and findAllKeys (CMU). */
#include <stdlib.h>
#include <string.h>

#include "client-internal.h"

struct sign_arg {
	struct msg_sign_req req;
	uint8_t **sig;
	size_t *siglen;
};

/* The signature is copied out of the response, which is then wiped. */
static hsm_rc
sign_on(hsm_client *c, size_t srv, void *p)
{
	struct sign_arg *a = p;
	struct hbuf req, resp;
	struct hrd payload;
	struct msg_blob sig;
	hbuf_init(&req);
	hbuf_init(&resp);
	msg_sign_req_encode(&req, &a->req);
	hsm_rc rc = client_call(c, srv, a->req.with_signature ? OP_VERIFY : OP_SIGN, &req,
	                        &resp, &payload);
	if (rc == HSM_RC_SUCCESS && a->req.with_signature && hrd_end(&payload) != 0)
		rc = HSM_RC_CLUSTER_PROTOCOL;
	if (rc == HSM_RC_SUCCESS && !a->req.with_signature) {
		if (msg_blob_decode(&payload, &sig, SIGN_SIG_MAX) != 0 || sig.len == 0)
			rc = HSM_RC_CLUSTER_PROTOCOL;
		else if ((*a->sig = malloc(sig.len)) == NULL)
			rc = HSM_RC_INTERNAL;
		else {
			memcpy(*a->sig, sig.data, sig.len);
			*a->siglen = sig.len;
		}
	}
	hbuf_free(&req);
	hbuf_free(&resp);
	return rc;
}

/* The status block shows every node: those the operation did not reach
 * report their connection state. */
static void
mark_node_states(hsm_client *c, hsm_node_status *st)
{
	for (size_t i = 0; i < st->count; i++)
		if (!st->used[i])
			node_status_set(st, i, cluster_node_active(c, i) ? HSM_RC_SUCCESS
			                                                  : HSM_RC_CLUSTER_UNAVAILABLE);
}

static hsm_rc
run_on_key_node(hsm_client *c, struct sign_arg *a, hsm_node_status *st)
{
	node_status_init(st, c->count);
	if (a->req.data.len > SIGN_DATA_MAX || (a->req.data.data == NULL && a->req.data.len > 0))
		return HSM_RC_INVALID_INPUT;
	cluster_refresh(c);
	hsm_rc rc = cluster_on_key_node(c, a->req.handle, true, sign_on, a, st);
	mark_node_states(c, st);
	return rc;
}

hsm_rc
hsm_sign(hsm_client *c, uint32_t handle, uint32_t mech, const uint8_t *data, size_t len,
         uint8_t **sig, size_t *siglen, hsm_node_status *st)
{
	struct sign_arg a = {
		.req = { .handle = handle, .mech = mech, .data = { data, len } },
		.sig = sig, .siglen = siglen,
	};
	*sig = NULL;
	*siglen = 0;
	return run_on_key_node(c, &a, st);
}

hsm_rc
hsm_verify(hsm_client *c, uint32_t handle, uint32_t mech, const uint8_t *data, size_t len,
           const uint8_t *sig, size_t siglen, hsm_node_status *st)
{
	struct sign_arg a = {
		.req = { .handle = handle, .mech = mech, .data = { data, len },
		         .with_signature = true, .signature = { sig, siglen } },
	};
	if (siglen > SIGN_SIG_MAX || (sig == NULL && siglen > 0)) {
		node_status_init(st, c->count);
		return HSM_RC_INVALID_INPUT;
	}
	return run_on_key_node(c, &a, st);
}

hsm_rc
hsm_server_find_all_keys(hsm_client *c, size_t srv, uint32_t user, bool with_hash,
                         hsm_user_key_list *out)
{
	struct hbuf req, resp;
	struct hrd payload;
	memset(out, 0, sizeof(*out));
	hbuf_init(&req);
	hbuf_init(&resp);
	msg_find_all_req_encode(&req, user, with_hash);
	hsm_rc rc = client_call(c, srv, OP_FIND_ALL_KEYS, &req, &resp, &payload);
	if (rc == HSM_RC_SUCCESS && msg_user_keys_decode(&payload, out) != 0)
		rc = HSM_RC_CLUSTER_PROTOCOL;
	hbuf_free(&req);
	hbuf_free(&resp);
	return rc;
}
