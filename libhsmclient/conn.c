/* conn.c - TLS connections to the servers and the request/response path.
 * A transport failure marks the server disconnected; others go on. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "client-internal.h"
#include "tls.h"
#include "util.h"

void
server_conn_close(struct server_conn *s)
{
	tls_close(s->ssl);
	s->ssl = NULL;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->connected = false;
	s->e2e = false;
	s->logged_in = false;
	s->login_type = HSM_USER_INVALID;
	s->login_name[0] = '\0';
}

static __thread uint64_t op_deadline;

void
client_deadline_set(uint64_t deadline_ms)
{
	op_deadline = deadline_ms;
}

uint64_t
client_deadline(void)
{
	return op_deadline;
}

/* The I/O timeout for the next step: the request's, the client's, or what
 * is left of the operation's deadline; 0 when the deadline has passed. */
static unsigned
effective_timeout(const hsm_client *c, unsigned want)
{
	unsigned t = want ? want : c->timeout_ms;
	if (op_deadline == 0)
		return t ? t : UINT32_MAX;
	uint64_t now = hsm_now_ms();
	if (now >= op_deadline)
		return 0;
	uint64_t left = op_deadline - now;
	return t != 0 && t < left ? t : (unsigned)(left < UINT32_MAX ? left : UINT32_MAX);
}

void
client_drop_dead(hsm_client *c)
{
	for (size_t i = 0; i < c->count; i++) {
		struct server_conn *s = &c->servers[i];
		pthread_mutex_lock(&s->lock);
		if (s->connected && tcp_peer_gone(s->fd))
			server_conn_close(s);
		pthread_mutex_unlock(&s->lock);
	}
}

static hsm_rc
hello(hsm_client *c, size_t srv)
{
	struct hbuf req, resp;
	struct hrd payload;
	hbuf_init(&req);
	hbuf_init(&resp);
	hsm_rc rc = client_call(c, srv, OP_HELLO, &req, &resp, &payload);
	if (rc == HSM_RC_SUCCESS && msg_hello_decode(&payload, &c->servers[srv].hello) != 0) {
		server_conn_close(&c->servers[srv]);
		rc = HSM_RC_CLUSTER_PROTOCOL;
	}
	hbuf_free(&req);
	hbuf_free(&resp);
	return rc;
}

static int
open_transport(hsm_client *c, struct server_conn *s, char *err, size_t errlen)
{
	if (s->ctx == NULL)
		s->ctx = tls_client_ctx_new(s->ca_file, s->cert_file, s->key_file, err, errlen);
	if (s->ctx == NULL)
		return -1;
	unsigned limit = effective_timeout(c, CLIENT_CONNECT_TIMEOUT_MS);
	if (limit == 0) {
		hsm_errf(err, errlen, "timed out");
		return -1;
	}
	s->fd = tcp_connect(s->hostname, s->port, limit, err, errlen);
	if (s->fd < 0)
		return -1;
	/* A node that accepts but never answers (stopped) must not hold us:
	 * the handshake gets the connect timeout, requests their own. */
	tcp_set_timeout(s->fd, limit);
	s->ssl = tls_client_handshake(s->ctx, s->fd, s->hostname, err, errlen);
	if (s->ssl == NULL) {
		server_conn_close(s);
		return -1;
	}
	s->connected = true;
	s->next_id = 1;
	return 0;
}

hsm_rc
hsm_server_connect(hsm_client *c, size_t srv, char *err, size_t errlen)
{
	if (srv >= c->count)
		return HSM_RC_INVALID_INPUT;
	struct server_conn *s = &c->servers[srv];
	pthread_mutex_lock(&s->lock);
	if (s->connected) {
		pthread_mutex_unlock(&s->lock);
		return HSM_RC_SUCCESS;
	}
	int rc = open_transport(c, s, err, errlen);
	pthread_mutex_unlock(&s->lock);
	if (rc != 0)
		return HSM_RC_CLUSTER_UNAVAILABLE;
	hsm_rc hrc = hello(c, srv);
	if (hrc != HSM_RC_SUCCESS)
		hsm_errf(err, errlen, "%s", hsm_rc_message(hrc));
	return hrc;
}

void
hsm_server_disconnect(hsm_client *c, size_t srv)
{
	if (srv >= c->count)
		return;
	pthread_mutex_lock(&c->servers[srv].lock);
	server_conn_close(&c->servers[srv]);
	pthread_mutex_unlock(&c->servers[srv].lock);
}

void
hsm_client_set_timeout(hsm_client *c, unsigned ms)
{
	c->timeout_ms = ms;
}

/* Reads frames until the response to id arrives; anything else is an error
 * because the server answers strictly in order. */
static hsm_rc
await_response(struct server_conn *s, uint16_t op, uint32_t id, struct hbuf *resp,
               struct hrd *payload)
{
	struct proto_hdr h;
	if (tls_recv_frame(s->ssl, resp) != 0)
		return HSM_RC_CLUSTER_UNAVAILABLE;
	if (proto_parse(resp->data, resp->len, &h, payload) != 0 ||
	    h.kind != PROTO_RESPONSE || h.id != id || h.opcode != op)
		return HSM_RC_CLUSTER_PROTOCOL;
	/* A failure carries no payload. */
	if (h.status != HSM_RC_SUCCESS && hrd_end(payload) != 0)
		return HSM_RC_CLUSTER_PROTOCOL;
	return h.status;
}

hsm_rc
client_call(hsm_client *c, size_t srv, uint16_t op, const struct hbuf *req,
            struct hbuf *resp, struct hrd *payload)
{
	return client_call_timed(c, srv, op, req, resp, payload, 0);
}

hsm_rc
client_call_timed(hsm_client *c, size_t srv, uint16_t op, const struct hbuf *req,
                  struct hbuf *resp, struct hrd *payload, unsigned timeout_ms)
{
	if (srv >= c->count)
		return HSM_RC_INVALID_INPUT;
	struct server_conn *s = &c->servers[srv];
	struct hbuf frame;
	hbuf_init(&frame);
	pthread_mutex_lock(&s->lock);
	hsm_rc rc = HSM_RC_CLUSTER_UNAVAILABLE;
	if (!s->connected)
		goto out;
	uint32_t id = s->next_id++;
	proto_begin(&frame, PROTO_REQUEST, op, id, 0);
	hbuf_put_raw(&frame, req->data, req->len);
	if (req->failed || proto_finish(&frame) != 0) {
		rc = HSM_RC_INVALID_INPUT;    /* too large to send */
		goto out;
	}
	unsigned limit = effective_timeout(c, timeout_ms);
	if (limit == 0) {
		rc = HSM_RC_CLUSTER_TIMEOUT;    /* the command's -timeout is spent */
		goto out;
	}
	tcp_set_timeout(s->fd, limit == UINT32_MAX ? 0 : limit);
	if (tls_send(s->ssl, frame.data, frame.len) != 0)
		rc = HSM_RC_CLUSTER_UNAVAILABLE;
	else
		rc = await_response(s, op, id, resp, payload);
	if (rc == HSM_RC_CLUSTER_UNAVAILABLE && op_deadline != 0 && hsm_now_ms() >= op_deadline)
		rc = HSM_RC_CLUSTER_TIMEOUT;
	if (rc != HSM_RC_CLUSTER_UNAVAILABLE && rc != HSM_RC_CLUSTER_PROTOCOL &&
	    rc != HSM_RC_CLUSTER_TIMEOUT)
		s->last_reply_ms = hsm_now_ms();
	/* After a failure or timeout the stream is out of step: drop it. */
	if (rc == HSM_RC_CLUSTER_UNAVAILABLE || rc == HSM_RC_CLUSTER_PROTOCOL ||
	    rc == HSM_RC_CLUSTER_TIMEOUT)
		server_conn_close(s);
	else if (s->fd >= 0)
		tcp_set_timeout(s->fd, c->timeout_ms);
out:
	pthread_mutex_unlock(&s->lock);
	hbuf_free(&frame);
	return rc;
}

hsm_rc
client_call_simple(hsm_client *c, size_t srv, uint16_t op, const struct hbuf *req)
{
	struct hbuf resp;
	struct hrd payload;
	hbuf_init(&resp);
	hsm_rc rc = client_call(c, srv, op, req, &resp, &payload);
	if (rc == HSM_RC_SUCCESS && hrd_end(&payload) != 0) {
		hsm_server_disconnect(c, srv);
		rc = HSM_RC_CLUSTER_PROTOCOL;
	}
	hbuf_free(&resp);
	return rc;
}

size_t
hsm_server_count(const hsm_client *c)
{
	return c->count;
}

hsm_server_state
hsm_server_get(const hsm_client *c, size_t srv)
{
	hsm_server_state st;
	memset(&st, 0, sizeof(st));
	if (srv >= c->count)
		return st;
	struct server_conn *s = &c->servers[srv];
	pthread_mutex_lock(&s->lock);
	st.name = s->name;
	st.hostname = s->hostname;
	st.port = s->port;
	st.connected = s->connected;
	st.e2e = s->e2e;
	st.partition = s->connected ? s->hello.hsm_id : "";
	st.cluster_id = s->connected ? s->hello.cluster_id : "";
	st.node_id = s->hello.node_id;
	st.logged_in = s->logged_in;
	st.login_type = s->login_type;
	st.login_name = s->login_name;
	pthread_mutex_unlock(&s->lock);
	return st;
}

void
hsm_client_close(hsm_client *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->count; i++) {
		struct server_conn *s = &c->servers[i];
		server_conn_close(s);
		SSL_CTX_free(s->ctx);
		free(s->name);
		free(s->hostname);
		free(s->ca_file);
		free(s->cert_file);
		free(s->key_file);
		pthread_mutex_destroy(&s->lock);
	}
	free(c->servers);
	hsm_free_secret(c->cred_password);
	pthread_mutex_destroy(&c->cred_lock);
	free(c);
}

struct fanout_job {
	hsm_client *c;
	size_t srv;
	hsm_server_fn fn;
	void *arg;
	hsm_rc rc;
};

static void *
fanout_main(void *p)
{
	struct fanout_job *j = p;
	j->rc = j->fn(j->c, j->srv, j->arg);
	return NULL;
}

void
hsm_for_each_server(hsm_client *c, const bool *selected, hsm_server_fn fn, void *arg,
                    hsm_rc *rcs)
{
	size_t n = c->count ? c->count : 1;
	struct fanout_job *jobs = calloc(n, sizeof(*jobs));
	pthread_t *threads = calloc(n, sizeof(*threads));
	bool *started = calloc(n, sizeof(*started));
	for (size_t i = 0; i < c->count; i++) {
		if (selected != NULL && !selected[i])
			continue;
		/* Without memory for threads, run the job here: slower, still correct. */
		if (jobs == NULL || threads == NULL || started == NULL) {
			rcs[i] = fn(c, i, arg);
			continue;
		}
		jobs[i] = (struct fanout_job){ c, i, fn, arg, HSM_RC_INTERNAL };
		if (pthread_create(&threads[i], NULL, fanout_main, &jobs[i]) == 0)
			started[i] = true;
		else
			rcs[i] = fn(c, i, arg);
	}
	for (size_t i = 0; started != NULL && i < c->count; i++) {
		if (started[i]) {
			pthread_join(threads[i], NULL);
			rcs[i] = jobs[i].rc;
		}
	}
	free(jobs);
	free(threads);
	free(started);
}
