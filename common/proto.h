/* proto.h - the wire protocol between libhsmclient and hsm-sim.
 * Framing, opcodes and the codec of every message (see doc/protocol.md). */
#ifndef HSM_PROTO_H
#define HSM_PROTO_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "hsmclient.h"

#define PROTO_VERSION 1
#define PROTO_STR_MAX 65536u       /* longest string field */
#define PROTO_HDR_LEN 12u          /* version, kind, opcode, id, status */
#define PROTO_NONCE_LEN 32u

enum proto_kind {
	PROTO_REQUEST = 1,
	PROTO_RESPONSE = 2,
};

/* Numbered in groups; a number is never reused for another message. */
enum proto_op {
	/* 0x00xx: session and node */
	OP_HELLO = 0x0001,
	OP_LOGIN = 0x0002,
	OP_LOGOUT = 0x0003,
	OP_GET_HSM_INFO = 0x0004,
	OP_GET_CERT = 0x0005,
	OP_E2E_CHALLENGE = 0x0006,
	OP_CLUSTER_INFO = 0x0007,
	/* 0x01xx: users */
	OP_LIST_USERS = 0x0101,
	OP_CREATE_USER = 0x0102,
	OP_DELETE_USER = 0x0103,
	OP_CHANGE_PSWD = 0x0104,
	OP_EXTRACT_USER = 0x0105,
	OP_INSERT_USER = 0x0106,
	/* 0x02xx: key management */
	OP_GEN_SECRET_KEY = 0x0201,
	OP_GEN_KEY_PAIR = 0x0202,
	OP_FIND_KEYS = 0x0203,
	OP_GET_ATTRIBUTES = 0x0204,
	OP_SET_ATTRIBUTE = 0x0205,
	OP_DELETE_KEY = 0x0206,
	OP_GET_KEY_INFO = 0x0207,
	OP_SHARE_KEY = 0x0208,
	OP_EXTRACT_MASKED = 0x0209,
	OP_INSERT_MASKED = 0x020a,
	OP_FIND_ALL_KEYS = 0x020b,
	/* 0x03xx: cryptographic operations with keys */
	OP_SIGN = 0x0301,
	OP_VERIFY = 0x0302,
	OP_WRAP_KEY = 0x0303,
	OP_UNWRAP_KEY = 0x0304,
	OP_WRAP_DATA = 0x0305,
	OP_UNWRAP_DATA = 0x0306,
	OP_CREATE_PUBLIC_KEY = 0x0307,
};

struct proto_hdr {
	uint8_t version;
	uint8_t kind;
	uint16_t opcode;
	uint32_t id;
	uint32_t status;   /* hsm_rc in responses, 0 in requests */
};

/* Starts a frame: length placeholder and header. */
void proto_begin(struct hbuf *b, enum proto_kind kind, uint16_t op,
                 uint32_t id, uint32_t status);
/* Fills in the length; -1 if the buffer failed or is too large. */
int proto_finish(struct hbuf *b);
/* Parses a frame body (without its length prefix). */
int proto_parse(const uint8_t *body, size_t n, struct proto_hdr *h,
                struct hrd *payload);
const char *proto_op_name(uint16_t op);

/* ---- session family (proto-session.c) ---- */
struct msg_hello {
	uint32_t node_id;
	uint32_t node_count;
	char hsm_id[32];
	char cluster_id[64];
};
void msg_hello_encode(struct hbuf *b, const struct msg_hello *m);
int msg_hello_decode(struct hrd *r, struct msg_hello *m);

/* login, createUser, deleteUser, changePswd: type, name, password. */
enum { LOGIN_FLAG_CU_ONLY = 1 };
struct msg_user_req {
	uint8_t user_type;
	uint8_t flags;
	char *name;
	char *password;    /* NULL for deleteUser */
};
void msg_user_req_encode(struct hbuf *b, const struct msg_user_req *m);
int msg_user_req_decode(struct hrd *r, struct msg_user_req *m, bool with_password);
void msg_user_req_clear(struct msg_user_req *m);   /* wipes the password */

void msg_hsm_info_encode(struct hbuf *b, const hsm_hsm_info *m);
int msg_hsm_info_decode(struct hrd *r, hsm_hsm_info *m);

struct msg_blob {
	const uint8_t *data;   /* points into the frame */
	size_t len;
};
void msg_blob_encode(struct hbuf *b, const struct msg_blob *m);
int msg_blob_decode(struct hrd *r, struct msg_blob *m, size_t max);

struct msg_e2e_resp {
	struct msg_blob cert_pem;
	struct msg_blob signature;
};
void msg_e2e_resp_encode(struct hbuf *b, const struct msg_e2e_resp *m);
int msg_e2e_resp_decode(struct hrd *r, struct msg_e2e_resp *m);

#define CLUSTER_MAX_NODES 28
struct msg_node {
	uint32_t node_id;
	char host[256];
	uint32_t port;
};
struct msg_cluster_info {
	uint32_t count;
	struct msg_node nodes[CLUSTER_MAX_NODES];
};
void msg_cluster_info_encode(struct hbuf *b, const struct msg_cluster_info *m);
int msg_cluster_info_decode(struct hrd *r, struct msg_cluster_info *m);

/* ---- users family (proto-users.c) ---- */
/* extract a masked user by id, or by name when id is 0 */
struct msg_user_ref {
	uint32_t id;
	char *name;
};
void msg_user_ref_encode(struct hbuf *b, const struct msg_user_ref *m);
int msg_user_ref_decode(struct hrd *r, struct msg_user_ref *m);
void msg_user_ref_clear(struct msg_user_ref *m);

void msg_user_list_encode(struct hbuf *b, const hsm_user_list *m);
int msg_user_list_decode(struct hrd *r, hsm_user_list *m);

/* ---- keys family (proto-keys.c) ---- */
/* Key creation: what genSymKey/gen*KeyPair/imports ask for. */
struct msg_key_template {
	uint32_t key_class;
	uint32_t key_type;
	uint32_t size;
	uint64_t public_exponent;
	uint32_t curve_id;
	char *label;
	char *id;
	bool session;
	bool extractable;
	uint32_t m_value;
	uint32_t nshares;
	uint32_t shares[HSM_MAX_SHARES];
};
void msg_key_template_encode(struct hbuf *b, const struct msg_key_template *m);
int msg_key_template_decode(struct hrd *r, struct msg_key_template *m);
void msg_key_template_clear(struct msg_key_template *m);

enum {
	FILTER_CLASS = 1u << 0,
	FILTER_TYPE = 1u << 1,
	FILTER_LABEL = 1u << 2,
	FILTER_ID = 1u << 3,
	FILTER_SESSION = 1u << 4,
	FILTER_MODULUS = 1u << 5,
	FILTER_KCV = 1u << 6,
	FILTER_ALL = (1u << 7) - 1,
};
struct msg_key_filter {
	uint32_t flags;
	uint32_t key_class;
	uint32_t key_type;
	char *label;
	char *id;
	bool session;
	uint32_t nusers;
	uint32_t users[HSM_MAX_SHARES];
	struct msg_blob modulus;      /* points into the frame */
	uint8_t kcv[3];
};
void msg_key_filter_encode(struct hbuf *b, const struct msg_key_filter *m);
int msg_key_filter_decode(struct hrd *r, struct msg_key_filter *m);
void msg_key_filter_clear(struct msg_key_filter *m);

#define PROTO_MAX_HANDLES 65536u
void msg_handles_encode(struct hbuf *b, const uint32_t *h, size_t n);
/* *h is allocated (free it); decoding refuses counts the frame cannot hold. */
int msg_handles_decode(struct hrd *r, uint32_t **h, size_t *n);

void msg_attr_list_encode(struct hbuf *b, const hsm_attribute_list *m);
int msg_attr_list_decode(struct hrd *r, hsm_attribute_list *m);

void msg_key_info_encode(struct hbuf *b, const hsm_key_info *m);
int msg_key_info_decode(struct hrd *r, hsm_key_info *m);

/* A list of user ids after a u32 count, at most HSM_MAX_SHARES. */
void msg_user_ids_encode(struct hbuf *b, const uint32_t *ids, size_t n);
int msg_user_ids_decode(struct hrd *r, uint32_t *ids, uint32_t *n);

/* E2E: what the node signs, bound to the TLS session. */
#define E2E_CONTEXT "hsm-sim e2e v1"

#endif
