/* client-internal.h - the client's view of each server and of the cluster.
 * Private to libhsmclient; the public API is hsmclient.h. */
#ifndef HSM_CLIENT_INTERNAL_H
#define HSM_CLIENT_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "buf.h"
#include "hsmclient.h"
#include "proto.h"

#define CLUSTER_ORIGIN(h) ((size_t)((h) >> HSM_HANDLE_NODE_SHIFT))

#define CLIENT_CONNECT_TIMEOUT_MS 5000u
#define CLIENT_DEFAULT_TIMEOUT_MS 60000u

struct server_conn {
	char *name;
	char *hostname;
	unsigned port;
	char *ca_file;
	char *cert_file;          /* client certificate, may be NULL */
	char *key_file;
	pthread_mutex_t lock;     /* one request at a time per connection */
	SSL_CTX *ctx;
	SSL *ssl;
	int fd;
	bool connected;
	bool e2e;
	struct msg_hello hello;
	uint32_t next_id;
	bool logged_in;
	hsm_user_type login_type;
	char login_name[HSM_USER_NAME_MAX + 1];
	bool relogin_refused;     /* the node refused the kept login: stop trying */
	uint64_t retry_after_ms;  /* no reconnect attempt before this time */
	uint64_t last_reply_ms;   /* when the node last answered anything */
};

struct hsm_client {
	struct server_conn *servers;
	size_t count;
	unsigned timeout_ms;
	unsigned min_nodes;       /* create_object_minimum_nodes */
	/* Cluster mode (key_mgmt_util): the login is kept, as the SDK 3 client
	 * daemon kept it, to log in again on a node that comes back. */
	pthread_mutex_t cred_lock;
	bool cred_set;
	hsm_user_type cred_type;
	char cred_name[HSM_USER_NAME_MAX + 1];
	char *cred_password;
	unsigned next_node;       /* round robin for crypto operations */
};

/* config.c */
hsm_client *client_alloc(void);
int client_add_server(hsm_client *c, const char *name, const char *hostname,
                      unsigned port, const char *ca, const char *cert, const char *key);

/* conn.c: sends one request and waits for its response. resp owns the bytes
 * payload points into. Transport failures disconnect the server. */
hsm_rc client_call(hsm_client *c, size_t srv, uint16_t op, const struct hbuf *req,
                   struct hbuf *resp, struct hrd *payload);
/* client_call for requests whose response carries no payload. */
hsm_rc client_call_simple(hsm_client *c, size_t srv, uint16_t op, const struct hbuf *req);
/* A deadline for every request this thread makes until cleared (0: none):
 * -timeout bounds a whole KMU command, not one request. */
void client_deadline_set(uint64_t deadline_ms);
uint64_t client_deadline(void);
/* Closes connections whose peer has gone (a node that was restarted). */
void client_drop_dead(hsm_client *c);
/* client_call with its own I/O timeout (0: the client's). */
hsm_rc client_call_timed(hsm_client *c, size_t srv, uint16_t op, const struct hbuf *req,
                         struct hbuf *resp, struct hrd *payload, unsigned timeout_ms);

/* api-keys.c: key operations on one server. */
hsm_rc srv_gen_secret(hsm_client *c, size_t srv, const struct msg_key_template *t,
                      uint32_t *handle);
hsm_rc srv_gen_pair(hsm_client *c, size_t srv, const struct msg_key_template *t,
                    uint32_t *pub, uint32_t *priv);
hsm_rc srv_find_keys(hsm_client *c, size_t srv, const struct msg_key_filter *f,
                     uint32_t **handles, size_t *n);
hsm_rc srv_delete_key(hsm_client *c, size_t srv, uint32_t handle);
hsm_rc srv_extract_masked(hsm_client *c, size_t srv, uint32_t handle, uint8_t **blob,
                          size_t *len, unsigned timeout_ms);
hsm_rc srv_insert_masked(hsm_client *c, size_t srv, const uint8_t *blob, size_t len,
                         bool keep_handle, uint32_t *handle, unsigned timeout_ms);
/* A request whose reply is one u32 (a handle). */
hsm_rc srv_call_u32(hsm_client *c, size_t srv, uint16_t op, const struct hbuf *req,
                    uint32_t *out);

/* cluster.c: the client-daemon part shared by every cluster operation. */
/* Nodes connected and logged in. */
bool cluster_node_active(hsm_client *c, size_t srv);
/* Reconnects and logs in again nodes that dropped (cluster mode only). */
void cluster_refresh(hsm_client *c);
/* The node that made a handle, from its high bits. */
size_t cluster_origin(uint32_t handle);
void node_status_init(hsm_node_status *st, size_t count);
void node_status_set(hsm_node_status *st, size_t srv, hsm_rc rc);
/* Runs fn on one node for a key: a session key's own node only; a token key
 * on the next node in turn, moving on while nodes are down or miss it. */
typedef hsm_rc (*key_node_fn)(hsm_client *c, size_t srv, void *arg);
hsm_rc cluster_on_key_node(hsm_client *c, uint32_t handle, bool token, key_node_fn fn,
                           void *arg, hsm_node_status *st);
/* Clones freshly created token keys from node src to the others and checks
 * the minimum; on failure removes the clones, and the source copy too unless
 * keep_source (a session key that was made a token key stays). */
hsm_rc cluster_sync_new(hsm_client *c, size_t src, const uint32_t *handles, size_t n,
                        const hsm_sync_opts *so, bool keep_source, hsm_node_status *st);
/* max(create_object_minimum_nodes, -min_srv). */
unsigned cluster_required_nodes(hsm_client *c, const hsm_sync_opts *so);
/* Nodes connected and logged in now. */
size_t cluster_active_count(hsm_client *c);
/* Active, and answering (a node silent for a while is pinged first). */
bool cluster_node_usable(hsm_client *c, size_t srv);
/* Makes new key(s) with fn on the next active node (moving on while nodes
 * are down), then, for token keys, clones them to the other nodes and checks
 * the minimum (cluster_sync_new). handles[n] receives the handles. */
typedef hsm_rc (*cluster_create_fn)(hsm_client *c, size_t srv, void *arg, uint32_t *handles);
/* preferred: the node to try first (where a session unwrapping key lives),
 * or CLUSTER_NO_PREFERENCE. */
#define CLUSTER_NO_PREFERENCE ((size_t)-1)
hsm_rc cluster_create_and_sync(hsm_client *c, bool session, size_t preferred,
                               cluster_create_fn fn, void *arg, uint32_t *handles, size_t n,
                               const hsm_sync_opts *so, hsm_node_status *st);
/* now + so->timeout_s, or 0 when no -timeout was given. */
uint64_t cluster_deadline_from(const hsm_sync_opts *so);
/* Whether a token object can reach the minimum number of nodes at all. */
hsm_rc cluster_min_reachable(hsm_client *c, const hsm_sync_opts *so);
/* The node a new object is made on: the next active one in turn. */
hsm_rc cluster_pick_node(hsm_client *c, size_t *srv);
/* Is handle a session key on its node? (asks that node) */
hsm_rc cluster_key_is_token(hsm_client *c, uint32_t handle, bool *token,
                            hsm_node_status *st);
void server_conn_close(struct server_conn *s);

#endif
