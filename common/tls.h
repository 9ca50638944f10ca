/* tls.h - TLS 1.2+ transport for the wire protocol (OpenSSL).
 * Both ends verify the peer against the cluster CA. */
#ifndef HSM_TLS_H
#define HSM_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

#include "buf.h"

/* Server: presents cert/key, requires a client certificate from ca. */
SSL_CTX *tls_server_ctx_new(const char *cert, const char *key, const char *ca,
                            char *err, size_t errlen);
/* Client: verifies the server against ca; presents cert/key when given. */
SSL_CTX *tls_client_ctx_new(const char *ca, const char *cert, const char *key,
                            char *err, size_t errlen);
/* TCP connect with a timeout; returns the fd or -1 with err set. */
int tcp_connect(const char *host, unsigned port, unsigned timeout_ms,
                char *err, size_t errlen);
/* Read/write timeout on a socket (0 = none). */
void tcp_set_timeout(int fd, unsigned ms);
/* TLS handshake on fd, checking the certificate names host. */
SSL *tls_client_handshake(SSL_CTX *ctx, int fd, const char *host,
                          char *err, size_t errlen);
/* Writes a whole frame; 0 or -1. Never raises SIGPIPE. */
int tls_send(SSL *ssl, const void *p, size_t n);
/* Sends close_notify (best effort, never SIGPIPE) and frees ssl. */
void tls_close(SSL *ssl);
/* True when the peer has closed fd or sent something unasked (checked
 * without blocking; the protocol never sends unsolicited data). */
bool tcp_peer_gone(int fd);
/* Reads one length-prefixed frame body of at most HBUF_MAX into body;
 * 0, or -1 on EOF, error, timeout or an oversized length. */
int tls_recv_frame(SSL *ssl, struct hbuf *body);
/* The OpenSSL error queue as one line (and clears it). */
void tls_error_string(char *buf, size_t n);

#endif
