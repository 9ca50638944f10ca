/* api-quorum.c - quorum (M of N) requests on one server: key registration,
 * tokens, approvals, M values; and the token file approvers sign. */
#include <stdlib.h>
#include <string.h>

#include "client-internal.h"
#include "quorum-file.h"
#include "util.h"

static bool
name_sendable(const char *name)
{
	return name != NULL && strlen(name) <= PROTO_STR_MAX;
}

hsm_rc
hsm_register_quorum_key(hsm_client *c, size_t srv, hsm_user_type type, const char *name,
                        const uint8_t *reg_token, size_t reg_len, const uint8_t *sig,
                        size_t sig_len, const uint8_t *pubkey_der, size_t der_len)
{
	if (!name_sendable(name) || reg_len > HSM_QUORUM_REG_TOKEN_MAX ||
	    sig_len > HSM_QUORUM_SIG_MAX || der_len > HSM_QUORUM_PUBKEY_MAX ||
	    (reg_len && !reg_token) || (sig_len && !sig) || (der_len && !pubkey_der))
		return HSM_RC_INVALID_INPUT;
	struct msg_register_key m = {
		.user_type = (uint8_t)type, .name = (char *)name,
		.reg_token = { reg_token, reg_len }, .signature = { sig, sig_len },
		.pubkey = { pubkey_der, der_len },
	};
	struct hbuf req;
	hbuf_init(&req);
	msg_register_key_encode(&req, &m);
	hsm_rc rc = client_call_simple(c, srv, OP_REGISTER_QUORUM_KEY, &req);
	hbuf_free(&req);
	return rc;
}

hsm_rc
hsm_get_token(hsm_client *c, size_t srv, uint32_t service, const char *name,
              hsm_quorum_token *out)
{
	memset(out, 0, sizeof(*out));
	if (!name_sendable(name))
		return HSM_RC_INVALID_INPUT;
	struct msg_get_token m = { service, (char *)name };
	struct hbuf req, resp;
	struct hrd payload;
	hbuf_init(&req);
	hbuf_init(&resp);
	msg_get_token_encode(&req, &m);
	hsm_rc rc = client_call(c, srv, OP_GET_TOKEN, &req, &resp, &payload);
	if (rc == HSM_RC_SUCCESS &&
	    (msg_token_decode(&payload, out) != 0 || hrd_end(&payload) != 0)) {
		hsm_server_disconnect(c, srv);
		rc = HSM_RC_CLUSTER_PROTOCOL;
	}
	hbuf_free(&req);
	hbuf_free(&resp);
	return rc;
}

hsm_rc
hsm_token_file_build(const hsm_quorum_token *tokens, size_t n, char **file, size_t *len)
{
	struct hbuf b;
	*file = NULL;
	*len = 0;
	hbuf_init(&b);
	hsm_rc rc = HSM_RC_INVALID_INPUT;
	if (tokens != NULL && quorum_file_write(&b, tokens, n) == 0) {
		rc = HSM_RC_INTERNAL;
		if ((*file = malloc(b.len + 1)) != NULL) {
			memcpy(*file, b.data, b.len);
			(*file)[b.len] = '\0';
			*len = b.len;
			rc = HSM_RC_SUCCESS;
		}
	}
	hbuf_free(&b);
	return rc;
}

hsm_rc
hsm_approve_token(hsm_client *c, size_t srv, const uint8_t *file, size_t len,
                  const hsm_approval *approvals, size_t n)
{
	struct msg_approve_token m = { .file = { file, len }, .count = (uint32_t)n };
	if (file == NULL || len > HSM_QUORUM_TOKEN_FILE_MAX || n > HSM_QUORUM_MAX_APPROVALS ||
	    (n > 0 && approvals == NULL))
		return HSM_RC_INVALID_INPUT;
	for (size_t i = 0; i < n; i++) {
		const hsm_approval *a = &approvals[i];
		if (a->name == NULL || strlen(a->name) > HSM_USER_NAME_MAX ||
		    a->signature_len > HSM_QUORUM_SIG_MAX || (a->signature_len && !a->signature))
			return HSM_RC_INVALID_INPUT;
		m.approvals[i].user_type = (uint8_t)a->type;
		hsm_strlcpy(m.approvals[i].name, a->name, sizeof(m.approvals[i].name));
		m.approvals[i].signature = (struct msg_blob){ a->signature, a->signature_len };
	}
	struct hbuf req;
	hbuf_init(&req);
	msg_approve_token_encode(&req, &m);
	hsm_rc rc = client_call_simple(c, srv, OP_APPROVE_TOKEN, &req);
	hbuf_free(&req);
	return rc;
}

hsm_rc
hsm_list_tokens(hsm_client *c, size_t srv, hsm_quorum_token_list *out)
{
	struct hbuf req, resp;
	struct hrd payload;
	memset(out, 0, sizeof(*out));
	hbuf_init(&req);
	hbuf_init(&resp);
	hsm_rc rc = client_call(c, srv, OP_LIST_TOKENS, &req, &resp, &payload);
	if (rc == HSM_RC_SUCCESS && msg_token_list_decode(&payload, out) != 0) {
		hsm_server_disconnect(c, srv);
		rc = HSM_RC_CLUSTER_PROTOCOL;
	}
	hbuf_free(&req);
	hbuf_free(&resp);
	return rc;
}

hsm_rc
hsm_get_m_value(hsm_client *c, size_t srv, uint32_t service, uint32_t *m)
{
	struct hbuf req;
	hbuf_init(&req);
	msg_m_value_encode(&req, service, NULL);
	hsm_rc rc = srv_call_u32(c, srv, OP_GET_M_VALUE, &req, m);
	hbuf_free(&req);
	return rc;
}

hsm_rc
hsm_set_m_value(hsm_client *c, size_t srv, uint32_t service, uint32_t m)
{
	struct hbuf req;
	hbuf_init(&req);
	msg_m_value_encode(&req, service, &m);
	hsm_rc rc = client_call_simple(c, srv, OP_SET_M_VALUE, &req);
	hbuf_free(&req);
	return rc;
}
