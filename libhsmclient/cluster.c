/* cluster.c - the client-daemon part of the library: which nodes are up,
 * logging in again on a node that comes back, routing a key operation to a
 * node that holds the key, and client-side sync of new token keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "client-internal.h"
#include "util.h"

/* With a login, a node takes part once logged in; without one, every
 * connected node does, so the HSM itself answers "not logged in". */
bool
cluster_node_active(hsm_client *c, size_t srv)
{
	struct server_conn *s = &c->servers[srv];
	pthread_mutex_lock(&c->cred_lock);
	bool logged = c->cred_set;
	pthread_mutex_unlock(&c->cred_lock);
	pthread_mutex_lock(&s->lock);
	bool active = s->connected && (s->logged_in || !logged);
	pthread_mutex_unlock(&s->lock);
	return active;
}

size_t
cluster_origin(uint32_t handle)
{
	return CLUSTER_ORIGIN(handle);
}

void
node_status_init(hsm_node_status *st, size_t count)
{
	memset(st, 0, sizeof(*st));
	st->count = count < HSM_MAX_SERVERS ? count : HSM_MAX_SERVERS;
}

void
node_status_set(hsm_node_status *st, size_t srv, hsm_rc rc)
{
	if (st == NULL || srv >= st->count)
		return;
	st->used[srv] = true;
	st->rc[srv] = rc;
}

#define RECONNECT_BACKOFF_MS 5000u
#define RECONNECT_ATTEMPT_MS 1500u
#define RECONNECT_SLOW_MS 500u

static void
relogin(hsm_client *c, size_t srv)
{
	char err[256];
	struct server_conn *s = &c->servers[srv];
	/* A refused connection costs nothing and is tried at every command, so
	 * a restarted node is back at once; an attempt that hangs (a frozen
	 * node) is cut short and not repeated for a while. */
	if (s->relogin_refused || hsm_now_ms() < s->retry_after_ms)
		return;
	uint64_t start = hsm_now_ms(), saved = client_deadline();
	uint64_t limit = start + RECONNECT_ATTEMPT_MS;
	client_deadline_set(saved != 0 && saved < limit ? saved : limit);
	hsm_rc connected = hsm_server_connect(c, srv, err, sizeof(err));
	client_deadline_set(saved);
	if (connected != HSM_RC_SUCCESS) {
		if (hsm_now_ms() - start > RECONNECT_SLOW_MS)
			s->retry_after_ms = hsm_now_ms() + RECONNECT_BACKOFF_MS;
		return;
	}
	pthread_mutex_lock(&c->cred_lock);
	hsm_rc rc = c->cred_set ? hsm_login_cu_only(c, srv, c->cred_type, c->cred_name,
	                                            c->cred_password)
	                        : HSM_RC_NOT_LOGGED_IN;
	pthread_mutex_unlock(&c->cred_lock);
	/* Never retry a refused password: each try would count towards lockout. */
	if (rc != HSM_RC_SUCCESS && rc != HSM_RC_CLUSTER_UNAVAILABLE)
		s->relogin_refused = true;
}

void
cluster_refresh(hsm_client *c)
{
	client_drop_dead(c);
	pthread_mutex_lock(&c->cred_lock);
	bool have = c->cred_set;
	pthread_mutex_unlock(&c->cred_lock);
	if (!have)
		return;
	for (size_t i = 0; i < c->count; i++)
		if (!hsm_server_get(c, i).connected)
			relogin(c, i);
}

/* Round robin that several threads of one client may share. */
static size_t
next_start(hsm_client *c)
{
	return __atomic_fetch_add(&c->next_node, 1, __ATOMIC_RELAXED);
}

#define LIVENESS_AGE_MS 2000u
#define LIVENESS_TIMEOUT_MS 1000u

/* A node that has not answered lately is asked a cheap question first, so
 * a stopped (frozen) node costs a second instead of a request timeout. */
static bool
node_responsive(hsm_client *c, size_t srv)
{
	struct server_conn *s = &c->servers[srv];
	pthread_mutex_lock(&s->lock);
	uint64_t last = s->last_reply_ms;
	pthread_mutex_unlock(&s->lock);
	if (hsm_now_ms() - last < LIVENESS_AGE_MS)
		return true;
	struct hbuf req, resp;
	struct hrd payload;
	hbuf_init(&req);
	hbuf_init(&resp);
	hsm_rc rc = client_call_timed(c, srv, OP_HELLO, &req, &resp, &payload,
	                              LIVENESS_TIMEOUT_MS);
	hbuf_free(&req);
	hbuf_free(&resp);
	if (rc == HSM_RC_SUCCESS)
		return true;
	s->retry_after_ms = hsm_now_ms() + RECONNECT_BACKOFF_MS;
	return false;
}

bool
cluster_node_usable(hsm_client *c, size_t srv)
{
	return cluster_node_active(c, srv) && node_responsive(c, srv);
}

hsm_rc
cluster_pick_node(hsm_client *c, size_t *srv)
{
	for (size_t tries = 0; tries < c->count; tries++) {
		size_t i = next_start(c) % c->count;
		if (cluster_node_usable(c, i)) {
			*srv = i;
			return HSM_RC_SUCCESS;
		}
	}
	return HSM_RC_CLUSTER_UNAVAILABLE;
}

static bool
is_transport_error(hsm_rc rc)
{
	return rc == HSM_RC_CLUSTER_UNAVAILABLE || rc == HSM_RC_CLUSTER_PROTOCOL ||
	       rc == HSM_RC_CLUSTER_TIMEOUT;
}

/* A key under quorum is usable only on the node that holds this session's
 * approved token for it (key_mgmt_util gets a USE_KEY token from one node). */
static bool
is_quorum_refusal(hsm_rc rc)
{
	return rc == HSM_RC_MXN_AUTH_FAILED || rc == HSM_RC_TOKEN_EXPIRED;
}

/* The quorum refusals of the nodes passed over, reported only when no node
 * took the operation; an expired token says more than a missing one. */
struct refusals {
	bool at[HSM_MAX_SERVERS];
	hsm_rc rc[HSM_MAX_SERVERS];
	bool expired;
};

static hsm_rc
report_refusals(const struct refusals *r, hsm_node_status *st, hsm_rc last)
{
	bool any = false;
	for (size_t i = 0; i < HSM_MAX_SERVERS; i++) {
		if (r->at[i]) {
			node_status_set(st, i, r->rc[i]);
			any = true;
		}
	}
	if (!any || (last != HSM_RC_INVALID_HANDLE && !is_quorum_refusal(last)))
		return last;
	return r->expired ? HSM_RC_TOKEN_EXPIRED : HSM_RC_MXN_AUTH_FAILED;
}

/* Session keys live on their own node only; token keys anywhere, so start
 * with the next node in turn and move on while a node is down, lacks the key
 * or holds no approved token for it. */
hsm_rc
cluster_on_key_node(hsm_client *c, uint32_t handle, bool token, key_node_fn fn, void *arg,
                    hsm_node_status *st)
{
	size_t origin = CLUSTER_ORIGIN(handle);
	hsm_rc result = HSM_RC_CLUSTER_UNAVAILABLE;
	size_t start = token ? next_start(c) : origin;
	size_t tries = token ? c->count : 1;
	struct refusals refused = { .expired = false };
	for (size_t n = 0; n < tries; n++) {
		size_t i = (start + n) % c->count;
		if (!cluster_node_usable(c, i)) {
			node_status_set(st, i, HSM_RC_CLUSTER_UNAVAILABLE);
			continue;
		}
		hsm_rc rc = fn(c, i, arg);
		if (is_transport_error(rc)) {
			node_status_set(st, i, rc);
			continue;
		}
		if ((rc == HSM_RC_INVALID_HANDLE || is_quorum_refusal(rc)) && n + 1 < tries) {
			result = rc;
			refused.at[i] = is_quorum_refusal(rc);
			refused.rc[i] = rc;
			refused.expired = refused.expired || rc == HSM_RC_TOKEN_EXPIRED;
			continue;
		}
		node_status_set(st, i, rc);
		return rc == HSM_RC_SUCCESS ? rc : report_refusals(&refused, st, rc);
	}
	if (result == HSM_RC_INVALID_HANDLE)
		node_status_set(st, origin < c->count ? origin : 0, result);
	return report_refusals(&refused, st, result);
}

struct key_info_arg {
	uint32_t handle;
	hsm_key_info info;
};

static hsm_rc
key_info_on(hsm_client *c, size_t srv, void *p)
{
	struct key_info_arg *a = p;
	return hsm_server_get_key_info(c, srv, a->handle, &a->info);
}

hsm_rc
cluster_key_is_token(hsm_client *c, uint32_t handle, bool *token, hsm_node_status *st)
{
	struct key_info_arg a = { .handle = handle };
	hsm_rc rc = cluster_on_key_node(c, handle, true, key_info_on, &a, st);
	*token = a.info.token;
	return rc;
}

uint64_t
cluster_deadline_from(const hsm_sync_opts *so)
{
	return so != NULL && so->timeout_s > 0 ? hsm_now_ms() + so->timeout_s * 1000ull : 0;
}

size_t
cluster_active_count(hsm_client *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->count; i++)
		n += cluster_node_active(c, i);
	return n;
}

unsigned
cluster_required_nodes(hsm_client *c, const hsm_sync_opts *so)
{
	unsigned want = so != NULL && so->min_srv > 0 ? so->min_srv : 1;
	return want > c->min_nodes ? want : c->min_nodes;
}

/* Inserts every blob on node dst keeping handles; all or nothing. The
 * command's deadline (client_deadline) bounds each request. */
static hsm_rc
clone_to(hsm_client *c, size_t dst, uint8_t **blobs, const size_t *lens, size_t n,
         const uint32_t *handles)
{
	for (size_t k = 0; k < n; k++) {
		uint32_t got = 0;
		hsm_rc rc = srv_insert_masked(c, dst, blobs[k], lens[k], true, &got, 0);
		if (rc == HSM_RC_SUCCESS && got != handles[k])
			rc = HSM_RC_CLUSTER_PROTOCOL;
		if (rc != HSM_RC_SUCCESS) {
			for (size_t j = 0; j < k; j++)
				(void)srv_delete_key(c, dst, handles[j]);
			return rc;
		}
	}
	return HSM_RC_SUCCESS;
}

/* The SDK 3 daemon's log line when it could neither remove nor mark a copy. */
static void
report_tombstone_failure(uint32_t handle, size_t node)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s liquidSecurity ERR: print_node_ts_status:\n"
	        "[create_object_min_nodes]Key: %u failed to tombstone on node:%zu\n",
	        stamp, handle, node);
}

static void
remove_everywhere(hsm_client *c, const bool *holds, const uint32_t *handles, size_t n)
{
	for (size_t i = 0; i < c->count; i++) {
		if (!holds[i])
			continue;
		for (size_t k = 0; k < n; k++) {
			hsm_rc rc = srv_delete_key(c, i, handles[k]);
			if (rc != HSM_RC_SUCCESS && rc != HSM_RC_INVALID_HANDLE)
				report_tombstone_failure(handles[k], i);
		}
	}
}

static void
free_blobs(uint8_t **blobs, size_t *lens, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		if (blobs[k] != NULL)
			OPENSSL_cleanse(blobs[k], lens[k]);
		free(blobs[k]);
	}
}

hsm_rc
cluster_sync_new(hsm_client *c, size_t src, const uint32_t *handles, size_t n,
                 const hsm_sync_opts *so, bool keep_source, hsm_node_status *st)
{
	uint8_t *blobs[2] = { NULL, NULL };
	size_t lens[2] = { 0, 0 };
	bool holds[HSM_MAX_SERVERS] = { false };
	unsigned have = 1;
	hsm_rc rc = HSM_RC_SUCCESS;
	holds[src] = true;
	for (size_t k = 0; k < n && k < 2 && rc == HSM_RC_SUCCESS; k++)
		rc = srv_extract_masked(c, src, handles[k], &blobs[k], &lens[k], 0);
	for (size_t i = 0; rc == HSM_RC_SUCCESS && i < c->count; i++) {
		if (i == src)
			continue;
		hsm_rc r = cluster_node_active(c, i) ? clone_to(c, i, blobs, lens, n, handles)
		                                     : HSM_RC_CLUSTER_UNAVAILABLE;
		node_status_set(st, i, r);
		if (r == HSM_RC_SUCCESS) {
			holds[i] = true;
			have++;
		}
	}
	free_blobs(blobs, lens, n);
	if (rc == HSM_RC_SUCCESS && have < cluster_required_nodes(c, so))
		rc = HSM_RC_CLUSTER_MIN_NODES;
	if (rc != HSM_RC_SUCCESS) {
		/* Cleaning up is not bounded by the command's -timeout. */
		uint64_t saved = client_deadline();
		client_deadline_set(0);
		holds[src] = !keep_source;
		remove_everywhere(c, holds, handles, n);
		client_deadline_set(saved);
	}
	return rc;
}

/* Can a new token object reach the minimum at all? */
hsm_rc
cluster_min_reachable(hsm_client *c, const hsm_sync_opts *so)
{
	return cluster_required_nodes(c, so) <= c->count ? HSM_RC_SUCCESS : HSM_RC_CLUSTER_MIN_NODES;
}
