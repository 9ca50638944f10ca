/* tls.c - TLS 1.2+ transport for the wire protocol (OpenSSL).
 * Blocking sockets with timeouts; one SSL object per connection. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "tls.h"
#include "util.h"

/* OpenSSL writes to the socket from SSL_write, and also from SSL_read,
 * SSL_connect and SSL_shutdown (alerts). A dead peer must be an error
 * return there, not a SIGPIPE that kills whoever linked the library: every
 * TLS call runs with SIGPIPE blocked, and a pending one is discarded. */
static void
sigpipe_block(sigset_t *old)
{
	sigset_t pipe_set;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, old);
}

static void
sigpipe_restore(const sigset_t *old)
{
	sigset_t pipe_set;
	struct timespec zero = { 0, 0 };
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	while (sigtimedwait(&pipe_set, NULL, &zero) > 0)
		;
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

void
tls_error_string(char *buf, size_t n)
{
	unsigned long e = ERR_get_error();
	if (e == 0)
		hsm_strlcpy(buf, "unknown TLS error", n);
	else
		ERR_error_string_n(e, buf, n);
	ERR_clear_error();
}

static SSL_CTX *
ctx_new(const SSL_METHOD *method, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(method);
	if (ctx == NULL) {
		hsm_errf(err, errlen, "cannot create TLS context");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_AUTO_RETRY);
	return ctx;
}

static int
ctx_load_identity(SSL_CTX *ctx, const char *cert, const char *key,
                  char *err, size_t errlen)
{
	char detail[256];
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		tls_error_string(detail, sizeof(detail));
		hsm_errf(err, errlen, "cannot load certificate %s: %s", cert, detail);
		return -1;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		tls_error_string(detail, sizeof(detail));
		hsm_errf(err, errlen, "cannot load private key %s: %s", key, detail);
		return -1;
	}
	return 0;
}

static int
ctx_load_ca(SSL_CTX *ctx, const char *ca, char *err, size_t errlen)
{
	char detail[256];
	if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
		tls_error_string(detail, sizeof(detail));
		hsm_errf(err, errlen, "cannot load CA file %s: %s", ca, detail);
		return -1;
	}
	return 0;
}

SSL_CTX *
tls_server_ctx_new(const char *cert, const char *key, const char *ca,
                   char *err, size_t errlen)
{
	SSL_CTX *ctx = ctx_new(TLS_server_method(), err, errlen);
	if (ctx == NULL)
		return NULL;
	if (ctx_load_identity(ctx, cert, key, err, errlen) != 0 ||
	    ctx_load_ca(ctx, ca, err, errlen) != 0) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	return ctx;
}

SSL_CTX *
tls_client_ctx_new(const char *ca, const char *cert, const char *key,
                   char *err, size_t errlen)
{
	SSL_CTX *ctx = ctx_new(TLS_client_method(), err, errlen);
	if (ctx == NULL)
		return NULL;
	if (ctx_load_ca(ctx, ca, err, errlen) != 0 ||
	    (cert != NULL && key != NULL &&
	     ctx_load_identity(ctx, cert, key, err, errlen) != 0)) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	return ctx;
}

void
tcp_set_timeout(int fd, unsigned ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int
connect_with_timeout(int fd, const struct sockaddr *sa, socklen_t len,
                     unsigned timeout_ms)
{
	int flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -1;
	int rc = connect(fd, sa, len);
	if (rc != 0 && errno == EINPROGRESS) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		int n;
		do
			n = poll(&p, 1, timeout_ms ? (int)timeout_ms : -1);
		while (n < 0 && errno == EINTR);
		if (n == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		int soerr = 0;
		socklen_t sl = sizeof(soerr);
		if (n < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
			return -1;
		if (soerr != 0) {
			errno = soerr;
			return -1;
		}
		rc = 0;
	}
	if (rc == 0 && fcntl(fd, F_SETFL, flags) < 0)
		return -1;
	return rc;
}

int
tcp_connect(const char *host, unsigned port, unsigned timeout_ms,
            char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	char portstr[16];
	snprintf(portstr, sizeof(portstr), "%u", port);
	int gai = getaddrinfo(host, portstr, &hints, &res);
	if (gai != 0) {
		hsm_errf(err, errlen, "cannot resolve %s: %s", host, gai_strerror(gai));
		return -1;
	}
	int fd = -1, saved = 0;
	for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		if (connect_with_timeout(fd, ai->ai_addr, ai->ai_addrlen, timeout_ms) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		hsm_errf(err, errlen, "%s", strerror(saved ? saved : ECONNREFUSED));
		return -1;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static bool
is_ip_address(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];
	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

SSL *
tls_client_handshake(SSL_CTX *ctx, int fd, const char *host, char *err, size_t errlen)
{
	SSL *ssl = SSL_new(ctx);
	if (ssl == NULL || SSL_set_fd(ssl, fd) != 1) {
		hsm_errf(err, errlen, "cannot create TLS session");
		SSL_free(ssl);
		return NULL;
	}
	X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);
	int ok = is_ip_address(host) ? X509_VERIFY_PARAM_set1_ip_asc(vp, host)
	                              : SSL_set1_host(ssl, host);
	if (!is_ip_address(host))
		SSL_set_tlsext_host_name(ssl, host);
	if (ok != 1) {
		hsm_errf(err, errlen, "cannot set expected TLS peer name %s", host);
		SSL_free(ssl);
		return NULL;
	}
	sigset_t old;
	sigpipe_block(&old);
	int connected = SSL_connect(ssl);
	sigpipe_restore(&old);
	if (connected != 1) {
		long vr = SSL_get_verify_result(ssl);
		char detail[256];
		if (vr != X509_V_OK)
			hsm_errf(err, errlen, "server certificate rejected: %s",
			         X509_verify_cert_error_string(vr));
		else {
			tls_error_string(detail, sizeof(detail));
			hsm_errf(err, errlen, "TLS handshake failed: %s", detail);
		}
		SSL_free(ssl);
		return NULL;
	}
	return ssl;
}

int
tls_send(SSL *ssl, const void *p, size_t n)
{
	sigset_t old;
	sigpipe_block(&old);
	int rc = 0;
	const unsigned char *c = p;
	while (n > 0) {
		size_t w = 0;
		if (SSL_write_ex(ssl, c, n, &w) != 1) {
			rc = -1;
			break;
		}
		c += w;
		n -= w;
	}
	sigpipe_restore(&old);
	ERR_clear_error();
	return rc;
}

void
tls_close(SSL *ssl)
{
	if (ssl == NULL)
		return;
	sigset_t old;
	sigpipe_block(&old);
	(void)SSL_shutdown(ssl);
	sigpipe_restore(&old);
	ERR_clear_error();
	SSL_free(ssl);
}

bool
tcp_peer_gone(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLRDHUP };
	if (poll(&p, 1, 0) <= 0)
		return false;
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	return n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
}

static int
tls_read_exact(SSL *ssl, void *p, size_t n)
{
	unsigned char *c = p;
	while (n > 0) {
		size_t got = 0;
		if (SSL_read_ex(ssl, c, n, &got) != 1) {
			ERR_clear_error();
			return -1;
		}
		c += got;
		n -= got;
	}
	return 0;
}

static int
recv_frame(SSL *ssl, struct hbuf *body)
{
	unsigned char lenbuf[4];
	if (tls_read_exact(ssl, lenbuf, sizeof(lenbuf)) != 0)
		return -1;
	uint32_t len = ((uint32_t)lenbuf[0] << 24) | ((uint32_t)lenbuf[1] << 16) |
	               ((uint32_t)lenbuf[2] << 8) | lenbuf[3];
	if (len == 0 || len > HBUF_MAX)
		return -1;
	hbuf_reset(body);
	/* Read in chunks so a peer that lies about the length costs little. */
	unsigned char chunk[16384];
	while (len > 0) {
		size_t n = len < sizeof(chunk) ? len : sizeof(chunk);
		if (tls_read_exact(ssl, chunk, n) != 0) {
			OPENSSL_cleanse(chunk, sizeof(chunk));
			return -1;
		}
		hbuf_put_raw(body, chunk, n);
		len -= (uint32_t)n;
	}
	OPENSSL_cleanse(chunk, sizeof(chunk));
	return body->failed ? -1 : 0;
}

int
tls_recv_frame(SSL *ssl, struct hbuf *body)
{
	sigset_t old;
	sigpipe_block(&old);
	int rc = recv_frame(ssl, body);
	sigpipe_restore(&old);
	return rc;
}
