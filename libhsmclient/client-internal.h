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
};

struct hsm_client {
	struct server_conn *servers;
	size_t count;
	unsigned timeout_ms;
	unsigned min_nodes;       /* create_object_minimum_nodes */
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
void server_conn_close(struct server_conn *s);

#endif
