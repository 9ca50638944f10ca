/* proto.c - framing of the wire protocol.
 * A frame is u32 length, then version, kind, opcode, request id, status. */
#include <string.h>

#include "proto.h"
#include "util.h"

void
proto_begin(struct hbuf *b, enum proto_kind kind, uint16_t op, uint32_t id,
            uint32_t status)
{
	hbuf_put_u32(b, 0);
	hbuf_put_u8(b, PROTO_VERSION);
	hbuf_put_u8(b, (uint8_t)kind);
	hbuf_put_u16(b, op);
	hbuf_put_u32(b, id);
	hbuf_put_u32(b, status);
}

int
proto_finish(struct hbuf *b)
{
	if (b->failed || b->len < 4 + PROTO_HDR_LEN || b->len - 4 > HBUF_MAX)
		return -1;
	hbuf_patch_u32(b, 0, (uint32_t)(b->len - 4));
	return 0;
}

int
proto_parse(const uint8_t *body, size_t n, struct proto_hdr *h, struct hrd *payload)
{
	struct hrd r;
	hrd_init(&r, body, n);
	if (hrd_get_u8(&r, &h->version) != 0 || hrd_get_u8(&r, &h->kind) != 0 ||
	    hrd_get_u16(&r, &h->opcode) != 0 || hrd_get_u32(&r, &h->id) != 0 ||
	    hrd_get_u32(&r, &h->status) != 0)
		return -1;
	if (h->version != PROTO_VERSION)
		return -1;
	if (h->kind != PROTO_REQUEST && h->kind != PROTO_RESPONSE)
		return -1;
	if (h->kind == PROTO_REQUEST && h->status != 0)
		return -1;
	hrd_init(payload, body + r.off, n - r.off);
	return 0;
}

static const struct {
	uint16_t op;
	const char *name;
} op_names[] = {
	{ OP_HELLO, "HELLO" },
	{ OP_LOGIN, "LOGIN" },
	{ OP_LOGOUT, "LOGOUT" },
	{ OP_GET_HSM_INFO, "GET_HSM_INFO" },
	{ OP_GET_CERT, "GET_CERT" },
	{ OP_E2E_CHALLENGE, "E2E_CHALLENGE" },
	{ OP_CLUSTER_INFO, "CLUSTER_INFO" },
	{ OP_LIST_USERS, "LIST_USERS" },
	{ OP_CREATE_USER, "CREATE_USER" },
	{ OP_DELETE_USER, "DELETE_USER" },
	{ OP_CHANGE_PSWD, "CHANGE_PSWD" },
	{ OP_EXTRACT_USER, "EXTRACT_USER" },
	{ OP_INSERT_USER, "INSERT_USER" },
	{ OP_GEN_SECRET_KEY, "GEN_SECRET_KEY" },
	{ OP_GEN_KEY_PAIR, "GEN_KEY_PAIR" },
	{ OP_FIND_KEYS, "FIND_KEYS" },
	{ OP_GET_ATTRIBUTES, "GET_ATTRIBUTES" },
	{ OP_SET_ATTRIBUTE, "SET_ATTRIBUTE" },
	{ OP_DELETE_KEY, "DELETE_KEY" },
	{ OP_GET_KEY_INFO, "GET_KEY_INFO" },
	{ OP_SHARE_KEY, "SHARE_KEY" },
	{ OP_EXTRACT_MASKED, "EXTRACT_MASKED" },
	{ OP_INSERT_MASKED, "INSERT_MASKED" },
	{ OP_FIND_ALL_KEYS, "FIND_ALL_KEYS" },
	{ OP_SIGN, "SIGN" },
	{ OP_VERIFY, "VERIFY" },
	{ OP_WRAP_KEY, "WRAP_KEY" },
	{ OP_UNWRAP_KEY, "UNWRAP_KEY" },
	{ OP_WRAP_DATA, "WRAP_DATA" },
	{ OP_UNWRAP_DATA, "UNWRAP_DATA" },
	{ OP_CREATE_PUBLIC_KEY, "CREATE_PUBLIC_KEY" },
	{ OP_REGISTER_QUORUM_KEY, "REGISTER_QUORUM_KEY" },
	{ OP_GET_TOKEN, "GET_TOKEN" },
	{ OP_APPROVE_TOKEN, "APPROVE_TOKEN" },
	{ OP_LIST_TOKENS, "LIST_TOKENS" },
	{ OP_GET_M_VALUE, "GET_M_VALUE" },
	{ OP_SET_M_VALUE, "SET_M_VALUE" },
	{ OP_TFA_CHALLENGE, "TFA_CHALLENGE" },
};

const char *
proto_op_name(uint16_t op)
{
	for (size_t i = 0; i < ARRAY_SIZE(op_names); i++)
		if (op_names[i].op == op)
			return op_names[i].name;
	return "UNKNOWN";
}
