/* node.c - one simulated HSM: TLS listener, one thread per client session.
 * A stalled or hostile client holds only its own thread and connection. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netdb.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/pem.h>

#include "keys.h"
#include "log.h"
#include "mask.h"
#include "node.h"
#include "pidfile.h"
#include "quorum.h"
#include "server.h"
#include "tls.h"
#include "util.h"

#define HANDSHAKE_TIMEOUT_MS 10000u
#define SHUTDOWN_GRACE_S 5
#define SESSION_STACK_SIZE (1024u * 1024u)

static volatile sig_atomic_t stop_requested;

static void
on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

bool
node_user_logged_in(struct node *n, uint32_t user_id, const struct session *except)
{
	bool found = false;
	pthread_mutex_lock(&n->lock);
	for (unsigned i = 0; i < n->nsessions && !found; i++) {
		const struct session *s = n->sessions[i];
		found = s != except && s->logged_in && s->user_id == user_id;
	}
	pthread_mutex_unlock(&n->lock);
	return found;
}

void
node_user_retype(struct node *n, uint32_t user_id, hsm_user_type type)
{
	pthread_mutex_lock(&n->lock);
	for (unsigned i = 0; i < n->nsessions; i++)
		if (n->sessions[i]->logged_in && n->sessions[i]->user_id == user_id)
			n->sessions[i]->user_type = type;
	pthread_mutex_unlock(&n->lock);
}

/* Registers a session; NULL when the node is at its session limit. */
static struct session *
session_add(struct node *n, int fd)
{
	struct session *s = NULL;
	pthread_mutex_lock(&n->lock);
	if (n->nsessions < n->max_sessions && (s = calloc(1, sizeof(*s))) != NULL) {
		s->node = n;
		s->fd = fd;
		s->id = ++n->next_session_id;
		n->sessions[n->nsessions++] = s;
	}
	pthread_mutex_unlock(&n->lock);
	return s;
}

static void
session_remove(struct session *s)
{
	struct node *n = s->node;
	pthread_mutex_lock(&n->lock);
	for (unsigned i = 0; i < n->nsessions; i++) {
		if (n->sessions[i] == s) {
			n->sessions[i] = n->sessions[--n->nsessions];
			break;
		}
	}
	pthread_cond_broadcast(&n->idle);
	pthread_mutex_unlock(&n->lock);
}

static void
session_serve(struct session *s)
{
	struct hbuf in, out;
	hbuf_init(&in);
	hbuf_init(&out);
	while (!s->node->stopping) {
		if (tls_recv_frame(s->ssl, &in) != 0)
			break;
		if (dispatch_request(s, in.data, in.len, &out) != 0)
			break;    /* malformed: drop only this peer */
		if (tls_send(s->ssl, out.data, out.len) != 0)
			break;
	}
	hbuf_free(&in);
	hbuf_free(&out);
}

static void *
session_main(void *arg)
{
	struct session *s = arg;
	struct node *n = s->node;
	char err[512];
	tcp_set_timeout(s->fd, HANDSHAKE_TIMEOUT_MS);
	s->ssl = SSL_new(n->tls);
	if (s->ssl != NULL && SSL_set_fd(s->ssl, s->fd) == 1 && SSL_accept(s->ssl) == 1) {
		tcp_set_timeout(s->fd, n->idle_timeout_s * 1000u);
		s->store = store_open(n->db_path, err, sizeof(err));
		if (s->store != NULL)
			session_serve(s);
		else
			log_error("session %llu: %s", (unsigned long long)s->id, err);
	} else {
		/* A bare TCP probe ("hsm-sim start" waiting for us) is not worth a warning. */
		tls_error_string(err, sizeof(err));
		if (strstr(err, "unexpected eof") != NULL)
			log_info("session %llu: closed before the TLS handshake", (unsigned long long)s->id);
		else
			log_warn("session %llu: TLS handshake failed: %s", (unsigned long long)s->id, err);
	}
	log_info("session %llu: closed", (unsigned long long)s->id);
	tls_close(s->ssl);
	quorum_session_end(s);
	keys_session_drop(s);
	store_close(s->store);
	/* The drain may still shutdown() our fd: take it away under the lock
	 * before closing, so a reused descriptor is never touched. */
	pthread_mutex_lock(&n->lock);
	int fd = s->fd;
	s->fd = -1;
	pthread_mutex_unlock(&n->lock);
	close(fd);
	OPENSSL_thread_stop();
	/* Last: once we leave the registry the node may finish and exit. */
	session_remove(s);
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
	return NULL;
}

static void
session_start(struct node *n, int fd)
{
	struct session *s = session_add(n, fd);
	if (s == NULL) {
		log_warn("refusing connection: %u sessions open (limit)", n->max_sessions);
		close(fd);
		return;
	}
	pthread_attr_t attr;
	pthread_t t;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, SESSION_STACK_SIZE);
	if (pthread_create(&t, &attr, session_main, s) != 0) {
		log_error("cannot start session thread: %s", strerror(errno));
		session_remove(s);
		free(s);
		close(fd);
	}
	pthread_attr_destroy(&attr);
}

static int
listen_on(const char *host, unsigned port)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
	                          .ai_flags = AI_PASSIVE };
	struct addrinfo *res;
	char portstr[16];
	snprintf(portstr, sizeof(portstr), "%u", port);
	if (getaddrinfo(host, portstr, &hints, &res) != 0) {
		log_error("cannot resolve %s", host);
		return -1;
	}
	int fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
	int one = 1;
	if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	                bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 128) != 0)) {
		log_error("cannot listen on %s:%u: %s", host, port, strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

static void
accept_loop(struct node *n, int lfd)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	while (!stop_requested) {
		int r = poll(&p, 1, 250);
		if (r <= 0)
			continue;
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			session_start(n, fd);
		else if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
			log_warn("accept: %s", strerror(errno));
	}
}

/* Wakes every session and waits a little for them to finish; returns how
 * many are still running (their memory must then outlive us). */
static unsigned
sessions_drain(struct node *n)
{
	pthread_mutex_lock(&n->lock);
	n->stopping = 1;
	for (unsigned i = 0; i < n->nsessions; i++)
		if (n->sessions[i]->fd >= 0)
			shutdown(n->sessions[i]->fd, SHUT_RDWR);
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += SHUTDOWN_GRACE_S;
	while (n->nsessions > 0 &&
	       pthread_cond_timedwait(&n->idle, &n->lock, &deadline) == 0)
		;
	unsigned left = n->nsessions;
	pthread_mutex_unlock(&n->lock);
	return left;
}

static int
load_node_key(struct node *n, char *err, size_t errlen)
{
	char path[PATH_MAX];
	if (cluster_node_path(&n->cluster, n->id, "node.key", path, sizeof(path)) != 0)
		return -1;
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		hsm_errf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	n->node_key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (n->node_key == NULL) {
		hsm_errf(err, errlen, "%s: not a PEM private key", path);
		return -1;
	}
	return 0;
}

static int
load_tls(struct node *n, char *err, size_t errlen)
{
	char cert[PATH_MAX], key[PATH_MAX], ca[PATH_MAX];
	if (cluster_node_path(&n->cluster, n->id, "node.crt", cert, sizeof(cert)) != 0 ||
	    cluster_node_path(&n->cluster, n->id, "node.key", key, sizeof(key)) != 0 ||
	    cluster_node_path(&n->cluster, n->id, "customerCA.crt", ca, sizeof(ca)) != 0)
		return -1;
	n->tls = tls_server_ctx_new(cert, key, ca, err, errlen);
	return n->tls ? load_node_key(n, err, errlen) : -1;
}

static int
load_secrets(struct node *n, char *err, size_t errlen)
{
	char path[PATH_MAX];
	if (cluster_node_path(&n->cluster, n->id, "masking.key", path, sizeof(path)) != 0 ||
	    mask_load_key(path, n->masking_key, err, errlen) != 0)
		return -1;
	if (cluster_node_path(&n->cluster, n->id, "storage.key", path, sizeof(path)) != 0 ||
	    mask_load_key(path, n->storage_key, err, errlen) != 0)
		return -1;
	return 0;
}

/* The database must belong to this node of this cluster. */
static int
check_identity(struct node *n, char *err, size_t errlen)
{
	struct store *s = store_open(n->db_path, err, errlen);
	if (s == NULL)
		return -1;
	int rc = store_get_identity(s, &n->identity);
	store_close(s);
	const struct cluster_node *cn = &n->cluster.nodes[n->id];
	if (rc != 0 || n->identity.node_id != n->id ||
	    strcmp(n->identity.cluster_id, n->cluster.cluster_id) != 0 ||
	    strcmp(n->identity.hsm_id, cn->hsm_id) != 0) {
		hsm_errf(err, errlen, "%s: does not belong to node %u of cluster %s",
		         n->db_path, n->id, n->cluster.cluster_id);
		return -1;
	}
	return 0;
}

static int
node_init(struct node *n, const char *dir, unsigned id, const struct node_opts *opts,
          char *err, size_t errlen)
{
	memset(n, 0, sizeof(*n));
	if (cluster_load(dir, &n->cluster, err, errlen) != 0)
		return -1;
	if (id >= n->cluster.count) {
		hsm_errf(err, errlen, "%s: no node %u (cluster has %u)", dir, id, n->cluster.count);
		return -1;
	}
	n->id = id;
	n->max_sessions = opts->max_sessions ? opts->max_sessions : NODE_DEFAULT_MAX_SESSIONS;
	n->idle_timeout_s = opts->idle_timeout_s;
	n->token_validity_s = n->cluster.token_validity_s;
	n->sessions = calloc(n->max_sessions, sizeof(*n->sessions));
	pthread_mutex_init(&n->lock, NULL);
	pthread_cond_init(&n->idle, NULL);
	if (n->sessions == NULL ||
	    cluster_node_path(&n->cluster, id, STORE_FILE, n->db_path, sizeof(n->db_path)) != 0)
		return -1;
	if (check_identity(n, err, errlen) != 0 || load_secrets(n, err, errlen) != 0 ||
	    quorum_node_start(n->db_path, err, errlen) != 0)
		return -1;
	return load_tls(n, err, errlen);
}

static void
node_free(struct node *n)
{
	SSL_CTX_free(n->tls);
	EVP_PKEY_free(n->node_key);
	OPENSSL_cleanse(n->masking_key, sizeof(n->masking_key));
	OPENSSL_cleanse(n->storage_key, sizeof(n->storage_key));
	free(n->sessions);
	pthread_mutex_destroy(&n->lock);
	pthread_cond_destroy(&n->idle);
}

static void
install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int
node_run(const char *dir, unsigned id, const struct node_opts *opts)
{
	static struct node n;
	char err[1024], prefix[32], pidpath[PATH_MAX];
	snprintf(prefix, sizeof(prefix), "hsm-sim node %u", id);
	log_set_prefix(prefix);
	if (node_init(&n, dir, id, opts, err, sizeof(err)) != 0) {
		log_error("%s", err[0] ? err : "cannot initialise node");
		node_free(&n);
		return 1;
	}
	cluster_node_path(&n.cluster, id, PIDFILE_NAME, pidpath, sizeof(pidpath));
	int pidfd = pidfile_acquire(pidpath, err, sizeof(err));
	const struct cluster_node *cn = &n.cluster.nodes[id];
	int lfd = pidfd >= 0 ? listen_on(cn->host, cn->port) : -1;
	if (pidfd < 0 || lfd < 0) {
		if (pidfd < 0)
			log_error("%s", err);
		node_free(&n);
		return 1;
	}
	install_signals();
	log_info("%s (%s) serving on %s:%u", n.identity.hsm_id, n.cluster.cluster_id,
	         cn->host, cn->port);
	accept_loop(&n, lfd);
	close(lfd);
	unsigned left = sessions_drain(&n);
	log_info("stopped");
	if (left == 0)
		node_free(&n);
	unlink(pidpath);
	close(pidfd);
	return 0;
}
