/* server.h - state of a running node and of each client session.
 * Shared by node.c (I/O, threads), dispatch.c and the ops-*.c handlers. */
#ifndef HSM_SERVER_H
#define HSM_SERVER_H

#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "buf.h"
#include "cluster.h"
#include "hsmclient.h"
#include "keyobj.h"
#include "store.h"
#include "tfa.h"

struct session;

struct node {
	struct cluster cluster;
	unsigned id;
	struct store_identity identity;
	char db_path[PATH_MAX];
	SSL_CTX *tls;
	EVP_PKEY *node_key;           /* signs e2e challenges */
	uint8_t masking_key[32];      /* cluster-wide: masked objects */
	uint8_t storage_key[32];      /* this node: key material at rest */
	unsigned max_sessions;
	unsigned idle_timeout_s;
	unsigned token_validity_s;    /* quorum tokens (cluster.json) */
	pthread_mutex_t lock;         /* guards the fields below */
	pthread_cond_t idle;          /* signalled when nsessions drops */
	struct session **sessions;
	unsigned nsessions;
	uint64_t next_session_id;
	volatile sig_atomic_t stopping;
};

struct session {
	struct node *node;
	uint64_t id;
	int fd;
	SSL *ssl;
	struct store *store;          /* this thread's own connection */
	bool logged_in;
	uint32_t user_id;
	hsm_user_type user_type;
	char user_name[HSM_USER_NAME_MAX + 1];
	struct key_obj *skeys;        /* session keys: only this thread */
	size_t nskeys;
	struct tfa_challenge tfa;     /* the 2FA challenge last issued (ops-tfa.c) */
};

/* The session's user type, or HSM_USER_INVALID when nobody is logged in. */
hsm_user_type session_who(const struct session *s);
/* Is user_id logged in on any session other than except? */
bool node_user_logged_in(struct node *n, uint32_t user_id, const struct session *except);
/* Updates the login state of sessions of user_id (after activation). */
void node_user_retype(struct node *n, uint32_t user_id, hsm_user_type type);

/* Handles one request frame body; fills the response frame in out.
 * Returns -1 when the request is malformed: the caller closes the session. */
int dispatch_request(struct session *s, const uint8_t *body, size_t n, struct hbuf *out);

/* Handlers: decode the request, act, encode the reply payload.
 * Return -1 for a malformed request, else 0 with *rc set. */
typedef int (*op_handler)(struct session *s, struct hrd *req, struct hbuf *reply,
                          hsm_rc *rc);

int op_hello(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_login(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_logout(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_get_hsm_info(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_get_cert(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_e2e_challenge(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_cluster_info(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_list_users(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_create_user(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_delete_user(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_change_pswd(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_extract_user(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_insert_user(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_gen_secret_key(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_gen_key_pair(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_find_keys(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_get_attributes(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_set_attribute(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_delete_key(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_get_key_info(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_share_key(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_extract_masked(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_insert_masked(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_wrap_key(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_unwrap_key(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_wrap_data(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_unwrap_data(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_create_public_key(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_sign(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_verify(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_find_all_keys(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
/* ops-quorum.c */
int op_register_quorum_key(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_get_token(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_approve_token(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_list_tokens(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_get_m_value(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
int op_set_m_value(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);
/* two-factor authentication (ops-tfa.c) */
int op_tfa_challenge(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc);

/* Records one command in the audit log; never a secret. */
void session_audit(struct session *s, const char *opcode, hsm_rc rc, const char *detail);

#endif
