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
	/* 0x04xx: quorum (M of N) authentication */
	OP_REGISTER_QUORUM_KEY = 0x0401,
	OP_GET_TOKEN = 0x0402,
	OP_APPROVE_TOKEN = 0x0403,
	OP_LIST_TOKENS = 0x0404,
	OP_GET_M_VALUE = 0x0405,
	OP_SET_M_VALUE = 0x0406,
	/* 0x05xx: two-factor authentication of crypto officers */
	OP_TFA_CHALLENGE = 0x0501,
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

/* ---- two-factor family (proto-tfa.c) ---- */
#define TFA_DIGEST_LEN HSM_TFA_DIGEST_LEN   /* the challenge a node issues */
#define TFA_SIGNATURE_MAX 1024u
#define TFA_PUBKEY_MAX 1024u        /* DER SubjectPublicKeyInfo */

/* The second factor after the password of a login, createUser or
 * changePswd request (USER_REQ_FLAG_TFA): the signature of the session's
 * challenge and, for createUser/changePswd, the new public key. Both point
 * into the frame. */
struct msg_tfa {
	const uint8_t *signature;
	size_t signature_len;
	const uint8_t *pubkey;
	size_t pubkey_len;          /* 0 at login */
};
void msg_tfa_encode(struct hbuf *b, const struct msg_tfa *m);
int msg_tfa_decode(struct hrd *r, struct msg_tfa *m);   /* leaves the rest */
/* OP_TFA_CHALLENGE: empty request; the reply is the 32-byte challenge. */
void msg_tfa_challenge_encode(struct hbuf *b, const uint8_t digest[TFA_DIGEST_LEN]);
int msg_tfa_challenge_decode(struct hrd *r, uint8_t digest[TFA_DIGEST_LEN]);

/* login, createUser, deleteUser, changePswd: type, name, password, and the
 * second factor when USER_REQ_FLAG_TFA is set (not for deleteUser). */
enum { LOGIN_FLAG_CU_ONLY = 1, USER_REQ_FLAG_TFA = 2 };
struct msg_user_req {
	uint8_t user_type;
	uint8_t flags;
	char *name;
	char *password;    /* NULL for deleteUser */
	struct msg_tfa tfa;
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

/* ---- crypto family: sign, verify; findAllKeys (proto-crypto.c) ---- */
/* ki-all.md: the SDK signs at most 64 KB of data in one operation. */
#define SIGN_DATA_MAX HSM_SIGN_DATA_MAX
#define SIGN_SIG_MAX HSM_SIGN_SIG_MAX

/* One -m number of sign/verify: digest, key type, padding. */
struct sign_mech {
	uint32_t id;                /* HSM_MECH_* */
	const char *name;           /* "SHA256_RSA_PKCS" */
	const char *digest;         /* OpenSSL digest name */
	uint32_t key_type;          /* HSM_KEY_RSA or HSM_KEY_EC */
	bool pss;                   /* RSA-PSS, salt length = digest length */
};
/* NULL for a number the table does not have. */
const struct sign_mech *sign_mech_lookup(uint32_t id);

/* OP_SIGN: handle, mech, data. OP_VERIFY adds the signature. The blobs
 * point into the frame. OP_SIGN replies with a msg_blob (the signature). */
struct msg_sign_req {
	uint32_t handle;
	uint32_t mech;
	struct msg_blob data;       /* at most SIGN_DATA_MAX */
	bool with_signature;
	struct msg_blob signature;  /* at most SIGN_SIG_MAX */
};
void msg_sign_req_encode(struct hbuf *b, const struct msg_sign_req *m);
int msg_sign_req_decode(struct hrd *r, struct msg_sign_req *m, bool with_signature);

/* OP_FIND_ALL_KEYS: user id and whether the key hash is wanted; the reply
 * is the user's keys with their relation, then the optional hash. */
void msg_find_all_req_encode(struct hbuf *b, uint32_t user, bool with_hash);
int msg_find_all_req_decode(struct hrd *r, uint32_t *user, bool *with_hash);
void msg_user_keys_encode(struct hbuf *b, const hsm_user_key_list *m);
int msg_user_keys_decode(struct hrd *r, hsm_user_key_list *m);

/* ---- wrap family: wrapKey, unWrapKey, host data, public keys (proto-wrap.c) ---- */
#define WRAP_MSG_IV_MAX 16u
#define WRAP_MSG_DATA_MAX 65536u    /* HSM_WRAP_DATA_MAX: key, host data, AAD */
#define WRAP_MSG_OVERHEAD 4096u     /* what wrapping adds (RSA_AES: a modulus) */
#define WRAP_MSG_PUBKEY_MAX 16384u  /* DER SubjectPublicKeyInfo */

/* The blobs of every message below point into the frame. */
struct msg_wrap_params {
	uint32_t mech;                /* HSM_WRAP_* */
	uint32_t hash;                /* HSM_HASH_*, 0 */
	struct msg_blob iv;
	struct msg_blob aad;
	uint32_t tag_len;
};
void msg_wrap_params_encode(struct hbuf *b, const struct msg_wrap_params *m);
int msg_wrap_params_decode(struct hrd *r, struct msg_wrap_params *m);

/* OP_WRAP_KEY: key wrapped under wrapping; HSM_WRAP_NONE with wrapping 0
 * returns a public key in the clear. Replies with msg_wrap_resp. */
struct msg_wrap_key_req {
	uint32_t wrapping;
	uint32_t key;
	struct msg_wrap_params p;
};
void msg_wrap_key_req_encode(struct hbuf *b, const struct msg_wrap_key_req *m);
int msg_wrap_key_req_decode(struct hrd *r, struct msg_wrap_key_req *m);

/* OP_WRAP_DATA, OP_UNWRAP_DATA: host bytes through key. Reply msg_wrap_resp. */
struct msg_wrap_data_req {
	uint32_t key;
	struct msg_wrap_params p;
	struct msg_blob data;
};
void msg_wrap_data_req_encode(struct hbuf *b, const struct msg_wrap_data_req *m);
int msg_wrap_data_req_decode(struct hrd *r, struct msg_wrap_data_req *m);

/* The bytes, the IV AES_GCM chose, and (OP_WRAP_KEY) what the key is. */
struct msg_wrap_resp {
	struct msg_blob data;
	struct msg_blob iv;
	uint32_t key_class;
	uint32_t key_type;
	uint32_t value_len;
	char label[HSM_LABEL_MAX + 1];
	char id[HSM_KEY_ID_MAX + 1];
};
void msg_wrap_resp_encode(struct hbuf *b, const struct msg_wrap_resp *m);
int msg_wrap_resp_decode(struct hrd *r, struct msg_wrap_resp *m);

/* OP_UNWRAP_KEY: replies with the new handle (u32). Clear t after decode. */
struct msg_unwrap_req {
	uint32_t unwrapping;
	struct msg_wrap_params p;
	struct msg_key_template t;    /* key_class and key_type of the new key */
	struct msg_blob data;
};
void msg_unwrap_req_encode(struct hbuf *b, const struct msg_unwrap_req *m);
int msg_unwrap_req_decode(struct hrd *r, struct msg_unwrap_req *m);

/* OP_CREATE_PUBLIC_KEY: DER SubjectPublicKeyInfo; replies with the handle. */
struct msg_create_pub_req {
	struct msg_key_template t;
	struct msg_blob der;
};
void msg_create_pub_req_encode(struct hbuf *b, const struct msg_create_pub_req *m);
int msg_create_pub_req_decode(struct hrd *r, struct msg_create_pub_req *m);

/* ---- quorum family: keys, tokens, approvals, M values (proto-quorum.c) ---- */
/* OP_REGISTER_QUORUM_KEY; the blobs point into the frame. */
struct msg_register_key {
	uint8_t user_type;
	char *name;
	struct msg_blob reg_token;    /* at most HSM_QUORUM_REG_TOKEN_MAX */
	struct msg_blob signature;    /* at most HSM_QUORUM_SIG_MAX */
	struct msg_blob pubkey;       /* at most HSM_QUORUM_PUBKEY_MAX */
};
void msg_register_key_encode(struct hbuf *b, const struct msg_register_key *m);
int msg_register_key_decode(struct hrd *r, struct msg_register_key *m);
void msg_register_key_clear(struct msg_register_key *m);

/* OP_GET_TOKEN: u32 service, str name; replies with one token. */
struct msg_get_token {
	uint32_t service;
	char *name;
};
void msg_get_token_encode(struct hbuf *b, const struct msg_get_token *m);
int msg_get_token_decode(struct hrd *r, struct msg_get_token *m);
void msg_get_token_clear(struct msg_get_token *m);

/* A token in a reply (OP_GET_TOKEN, and each entry of OP_LIST_TOKENS). */
void msg_token_encode(struct hbuf *b, const hsm_quorum_token *t);
int msg_token_decode(struct hrd *r, hsm_quorum_token *t);
/* OP_LIST_TOKENS reply: u32 count (at most HSM_QUORUM_MAX_TOKENS), tokens. */
void msg_token_list_encode(struct hbuf *b, const hsm_quorum_token *t, size_t n);
int msg_token_list_decode(struct hrd *r, hsm_quorum_token_list *out);

/* OP_APPROVE_TOKEN: the signed token file and the approvals; the blobs
 * and names point into the frame or into approval_names. */
struct msg_approval {
	uint8_t user_type;
	char name[HSM_USER_NAME_MAX + 1];
	struct msg_blob signature;    /* at most HSM_QUORUM_SIG_MAX */
};
struct msg_approve_token {
	struct msg_blob file;         /* at most HSM_QUORUM_TOKEN_FILE_MAX */
	uint32_t count;               /* at most HSM_QUORUM_MAX_APPROVALS */
	struct msg_approval approvals[HSM_QUORUM_MAX_APPROVALS];
};
void msg_approve_token_encode(struct hbuf *b, const struct msg_approve_token *m);
int msg_approve_token_decode(struct hrd *r, struct msg_approve_token *m);

/* OP_GET_M_VALUE: u32 service, reply u32 m; OP_SET_M_VALUE: u32 service, u32 m. */
void msg_m_value_encode(struct hbuf *b, uint32_t service, const uint32_t *m);
int msg_m_value_decode(struct hrd *r, uint32_t *service, uint32_t *m);

#endif
