/* dispatch.c - the opcode table: permission row, then handler.
 * Authorization happens here, once, before any handler runs. */
#include <string.h>

#include "authz.h"
#include "log.h"
#include "proto.h"
#include "server.h"
#include "util.h"

static const struct {
	uint16_t opcode;
	enum authz_perm perm;
	op_handler handler;
} op_table[] = {
	{ OP_HELLO, PERM_CLUSTER_INFO, op_hello },
	{ OP_LOGIN, PERM_LOGIN, op_login },
	{ OP_LOGOUT, PERM_LOGGED_IN, op_logout },
	{ OP_GET_HSM_INFO, PERM_CLUSTER_INFO, op_get_hsm_info },
	{ OP_GET_CERT, PERM_CLUSTER_INFO, op_get_cert },
	{ OP_E2E_CHALLENGE, PERM_CLUSTER_INFO, op_e2e_challenge },
	{ OP_CLUSTER_INFO, PERM_CLUSTER_INFO, op_cluster_info },
	{ OP_LIST_USERS, PERM_CLUSTER_INFO, op_list_users },
	{ OP_CREATE_USER, PERM_MANAGE_USERS, op_create_user },
	{ OP_DELETE_USER, PERM_MANAGE_USERS, op_delete_user },
	/* Whose password decides the rest: op_change_pswd checks it. */
	{ OP_CHANGE_PSWD, PERM_CHANGE_OWN_PASSWORD, op_change_pswd },
	{ OP_EXTRACT_USER, PERM_MANAGE_USERS, op_extract_user },
	{ OP_INSERT_USER, PERM_MANAGE_USERS, op_insert_user },
	{ OP_GEN_SECRET_KEY, PERM_KEY_MANAGEMENT, op_gen_secret_key },
	{ OP_GEN_KEY_PAIR, PERM_KEY_MANAGEMENT, op_gen_key_pair },
	{ OP_FIND_KEYS, PERM_KEY_MANAGEMENT, op_find_keys },
	{ OP_GET_ATTRIBUTES, PERM_KEY_MANAGEMENT, op_get_attributes },
	/* CU owners, and a CO for OBJ_ATTR_TRUSTED: op_set_attribute decides. */
	{ OP_SET_ATTRIBUTE, PERM_LOGGED_IN, op_set_attribute },
	{ OP_DELETE_KEY, PERM_KEY_MANAGEMENT, op_delete_key },
	{ OP_GET_KEY_INFO, PERM_KEY_MANAGEMENT, op_get_key_info },
	{ OP_SHARE_KEY, PERM_KEY_MANAGEMENT, op_share_key },
	{ OP_EXTRACT_MASKED, PERM_MASKED_OBJECTS, op_extract_masked },
	{ OP_INSERT_MASKED, PERM_MASKED_OBJECTS, op_insert_masked },
	/* Ownership, extractability and key attributes: ops-wrap.c decides. */
	{ OP_WRAP_KEY, PERM_KEY_MANAGEMENT, op_wrap_key },
	{ OP_UNWRAP_KEY, PERM_KEY_MANAGEMENT, op_unwrap_key },
	{ OP_CREATE_PUBLIC_KEY, PERM_KEY_MANAGEMENT, op_create_public_key },
	{ OP_WRAP_DATA, PERM_ENCRYPT_DECRYPT, op_wrap_data },
	{ OP_UNWRAP_DATA, PERM_ENCRYPT_DECRYPT, op_unwrap_data },
	/* CO, PCO and AU: op_find_all_keys refuses crypto users. */
	{ OP_FIND_ALL_KEYS, PERM_SYNC_STATUS, op_find_all_keys },
	{ OP_SIGN, PERM_SIGN_VERIFY, op_sign },
	{ OP_VERIFY, PERM_SIGN_VERIFY, op_verify },
	/* Quorum: crypto-officer commands (the officer services 3 and 4);
	 * registration and tokens concern the caller only, ops-quorum.c checks. */
	{ OP_REGISTER_QUORUM_KEY, PERM_MANAGE_USERS, op_register_quorum_key },
	{ OP_GET_TOKEN, PERM_MANAGE_USERS, op_get_token },
	{ OP_APPROVE_TOKEN, PERM_MANAGE_USERS, op_approve_token },
	{ OP_LIST_TOKENS, PERM_MANAGE_USERS, op_list_tokens },
	{ OP_GET_M_VALUE, PERM_CLUSTER_INFO, op_get_m_value },
	{ OP_SET_M_VALUE, PERM_MANAGE_USERS, op_set_m_value },
	/* Before a 2FA login, and for createUser/changePswd with -2fa. */
	{ OP_TFA_CHALLENGE, PERM_CLUSTER_INFO, op_tfa_challenge },
};

/* Another session's changePswd can retype our user (activation), so read
 * under the node lock. */
hsm_user_type
session_who(const struct session *s)
{
	pthread_mutex_lock(&s->node->lock);
	hsm_user_type t = s->logged_in ? s->user_type : HSM_USER_INVALID;
	pthread_mutex_unlock(&s->node->lock);
	return t;
}

int
dispatch_request(struct session *s, const uint8_t *body, size_t n, struct hbuf *out)
{
	struct proto_hdr h;
	struct hrd payload;
	if (proto_parse(body, n, &h, &payload) != 0 || h.kind != PROTO_REQUEST)
		return -1;
	size_t i;
	for (i = 0; i < ARRAY_SIZE(op_table); i++)
		if (op_table[i].opcode == h.opcode)
			break;
	if (i == ARRAY_SIZE(op_table)) {
		log_warn("session %llu: unknown opcode 0x%04x", (unsigned long long)s->id,
		         h.opcode);
		return -1;
	}
	struct hbuf reply;
	hbuf_init(&reply);
	hsm_rc rc = authz_refusal(op_table[i].perm, session_who(s));
	if (rc == HSM_RC_SUCCESS && op_table[i].handler(s, &payload, &reply, &rc) != 0) {
		hbuf_free(&reply);
		log_warn("session %llu: malformed %s request", (unsigned long long)s->id,
		         proto_op_name(h.opcode));
		return -1;
	}
	if (rc == HSM_RC_SUCCESS && reply.failed)
		rc = HSM_RC_INTERNAL;     /* never send a truncated reply as success */
	if (rc != HSM_RC_SUCCESS)
		hbuf_reset(&reply);
	hbuf_reset(out);
	proto_begin(out, PROTO_RESPONSE, h.opcode, h.id, rc);
	hbuf_put_raw(out, reply.data, reply.len);
	hbuf_free(&reply);
	return proto_finish(out) == 0 ? 0 : -1;
}
