/* conn-storm.c - concurrency check for sim-concurrency.exp: many clients log in and list
 * users at once while one peer stalls mid-frame and another sends a bad frame. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hsmclient.h"
#include "proto.h"
#include "tls.h"

#define BAD_FRAME_WAIT_MS 10000u
/* Sanitizer builds run the node's password hashing several times slower. */
#if defined(__SANITIZE_ADDRESS__)
#define LIMIT_FACTOR 4
#else
#define LIMIT_FACTOR 1
#endif
#define WHY_LEN 1024   /* room for an error line of the library plus context */

struct storm {
	const char *cfg;
	const char *dir;
	const char *admin_pw;
	int rounds;
	pthread_barrier_t start;
	char host[256];
	unsigned port;
};

struct client_result {
	struct storm *st;
	bool ok;
	long ms;
	char why[WHY_LEN];
};

struct bad_frame_result {
	struct storm *st;
	bool closed;
	long ms;
	char why[WHY_LEN];
};

static long
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* One hsm_client of its own: connect, log in, listUsers rounds times. */
static bool
client_session(struct storm *st, char *why, size_t n)
{
	char err[512];
	hsm_client *c = hsm_client_open_cmu(st->cfg, err, sizeof(err));
	if (c == NULL) {
		snprintf(why, n, "open: %s", err);
		return false;
	}
	hsm_rc rc = hsm_server_connect(c, 0, err, sizeof(err));
	if (rc == HSM_RC_SUCCESS)
		rc = hsm_login(c, 0, HSM_USER_CO, "admin", st->admin_pw);
	for (int i = 0; i < st->rounds && rc == HSM_RC_SUCCESS; i++) {
		hsm_user_list l = { 0 };
		rc = hsm_list_users(c, 0, &l);
		if (rc == HSM_RC_SUCCESS && (l.count < 2 || strcmp(l.users[0].name, "admin") != 0))
			rc = HSM_RC_INTERNAL;
		hsm_user_list_free(&l);
	}
	if (rc == HSM_RC_SUCCESS)
		rc = hsm_logout(c, 0);
	if (rc != HSM_RC_SUCCESS)
		snprintf(why, n, "0x%x %s %s", rc, hsm_rc_message(rc) ? hsm_rc_message(rc) : "",
		         err);
	hsm_client_close(c);
	return rc == HSM_RC_SUCCESS;
}

static void *
client_main(void *arg)
{
	struct client_result *r = arg;
	pthread_barrier_wait(&r->st->start);
	long t0 = now_ms();
	r->ok = client_session(r->st, r->why, sizeof(r->why));
	r->ms = now_ms() - t0;
	return NULL;
}

/* A raw TLS connection to the node with the cluster's client identity. */
static SSL *
raw_connect(struct storm *st, SSL_CTX **ctx, int *fd, char *why, size_t n)
{
	char ca[4096], cert[4096], key[4096], err[512];
	snprintf(ca, sizeof(ca), "%s/customerCA.crt", st->dir);
	snprintf(cert, sizeof(cert), "%s/client.crt", st->dir);
	snprintf(key, sizeof(key), "%s/client.key", st->dir);
	*ctx = tls_client_ctx_new(ca, cert, key, err, sizeof(err));
	*fd = -1;
	if (*ctx != NULL)
		*fd = tcp_connect(st->host, st->port, 5000, err, sizeof(err));
	SSL *ssl = *fd >= 0 ? tls_client_handshake(*ctx, *fd, st->host, err, sizeof(err)) : NULL;
	if (ssl == NULL)
		snprintf(why, n, "raw connection: %s", err);
	return ssl;
}

static void
raw_close(SSL_CTX *ctx, SSL *ssl, int fd)
{
	if (ssl != NULL)
		SSL_free(ssl);
	if (fd >= 0)
		close(fd);
	if (ctx != NULL)
		SSL_CTX_free(ctx);
}

/* Sends a listUsers frame with protocol version 99 and waits for the node
 * to close the connection (a read that ends well before the timeout). */
static void *
bad_frame_main(void *arg)
{
	struct bad_frame_result *r = arg;
	SSL_CTX *ctx;
	int fd;
	SSL *ssl = raw_connect(r->st, &ctx, &fd, r->why, sizeof(r->why));
	pthread_barrier_wait(&r->st->start);
	if (ssl == NULL)
		return NULL;
	struct hbuf b, in;
	hbuf_init(&b);
	hbuf_init(&in);
	proto_begin(&b, PROTO_REQUEST, OP_LIST_USERS, 1, 0);
	if (proto_finish(&b) == 0) {
		b.data[4] = 99;   /* version byte, right after the length */
		long t0 = now_ms();
		tcp_set_timeout(fd, BAD_FRAME_WAIT_MS);
		if (tls_send(ssl, b.data, b.len) != 0)
			snprintf(r->why, sizeof(r->why), "sending the bad frame failed");
		else if (tls_recv_frame(ssl, &in) == 0)
			snprintf(r->why, sizeof(r->why), "the node answered a bad frame");
		else
			r->closed = now_ms() - t0 < (long)BAD_FRAME_WAIT_MS - 1000;
		r->ms = now_ms() - t0;
		if (!r->closed && r->why[0] == '\0')
			snprintf(r->why, sizeof(r->why), "still open after %ld ms", r->ms);
	}
	hbuf_free(&b);
	hbuf_free(&in);
	raw_close(ctx, ssl, fd);
	return NULL;
}

/* The first server of the configuration, for the raw connections. */
static int
find_server(struct storm *st)
{
	char err[512];
	hsm_client *c = hsm_client_open_cmu(st->cfg, err, sizeof(err));
	if (c == NULL) {
		fprintf(stderr, "conn-storm: %s\n", err);
		return -1;
	}
	hsm_server_state s = hsm_server_get(c, 0);
	snprintf(st->host, sizeof(st->host), "%s", s.hostname);
	st->port = s.port;
	hsm_client_close(c);
	return 0;
}

static int
report(const struct client_result *res, int nclients, long total_ms, long limit_ms,
       const struct bad_frame_result *bad)
{
	int failed = 0;
	long max_ms = 0, sum_ms = 0;
	for (int i = 0; i < nclients; i++) {
		if (!res[i].ok) {
			printf("client %d failed after %ld ms: %s\n", i, res[i].ms, res[i].why);
			failed++;
		}
		max_ms = res[i].ms > max_ms ? res[i].ms : max_ms;
		sum_ms += res[i].ms;
	}
	printf("clients: %d, succeeded: %d, failed: %d\n", nclients, nclients - failed, failed);
	printf("elapsed: %ld ms in all (limit %ld ms%s); per client: max %ld ms, mean %ld ms\n",
	       total_ms, limit_ms, LIMIT_FACTOR > 1 ? ", sanitizer build" : "", max_ms,
	       sum_ms / nclients);
	printf("bad frame: connection %s after %ld ms%s%s\n", bad->closed ? "closed" : "NOT closed",
	       bad->ms, bad->closed ? "" : ": ", bad->closed ? "" : bad->why);
	return failed == 0 && bad->closed && total_ms <= limit_ms ? 0 : 1;
}

/* Opens the stalled connection (3 bytes of a frame), runs the storm and the
 * bad frame together, then proves the node still answers. */
static int
run_storm(struct storm *st, int nclients, long limit_ms)
{
	char why[WHY_LEN] = "";
	SSL_CTX *stall_ctx;
	int stall_fd;
	SSL *stall = raw_connect(st, &stall_ctx, &stall_fd, why, sizeof(why));
	static const uint8_t partial[3] = { 0, 0, 0 };
	if (stall == NULL || tls_send(stall, partial, sizeof(partial)) != 0) {
		printf("stalled connection: %s\n", why[0] ? why : "send failed");
		raw_close(stall_ctx, stall, stall_fd);
		return 1;
	}
	struct client_result *res = calloc((size_t)nclients, sizeof(*res));
	pthread_t *th = calloc((size_t)nclients + 1, sizeof(*th));
	struct bad_frame_result bad = { .st = st };
	pthread_barrier_init(&st->start, NULL, (unsigned)nclients + 2);
	for (int i = 0; i < nclients; i++) {
		res[i].st = st;
		pthread_create(&th[i], NULL, client_main, &res[i]);
	}
	pthread_create(&th[nclients], NULL, bad_frame_main, &bad);
	pthread_barrier_wait(&st->start);
	long t0 = now_ms();
	for (int i = 0; i <= nclients; i++)
		pthread_join(th[i], NULL);
	long total = now_ms() - t0;
	int rc = report(res, nclients, total, limit_ms, &bad);
	struct client_result after = { .st = st };
	after.ok = client_session(st, after.why, sizeof(after.why));
	printf("a client after the storm: %s %s\n", after.ok ? "ok" : "FAILED", after.why);
	pthread_barrier_destroy(&st->start);
	raw_close(stall_ctx, stall, stall_fd);
	free(res);
	free(th);
	return rc == 0 && after.ok ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc < 4 || argc > 7) {
		fprintf(stderr, "usage: conn-storm CMU_CFG CLUSTER_DIR ADMIN_PW "
		        "[CLIENTS [ROUNDS [LIMIT_MS]]]\n");
		return 2;
	}
	struct storm st = { .cfg = argv[1], .dir = argv[2], .admin_pw = argv[3], .rounds = 5 };
	int nclients = argc > 4 ? atoi(argv[4]) : 64;
	long limit_ms = (argc > 6 ? atol(argv[6]) : 30000) * LIMIT_FACTOR;
	if (argc > 5)
		st.rounds = atoi(argv[5]);
	if (nclients < 1 || st.rounds < 1 || find_server(&st) != 0)
		return 2;
	return run_storm(&st, nclients, limit_ms);
}
