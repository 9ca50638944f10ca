/* api-node.c - what a server says about itself: HSM info, certificates,
 * the e2e identity proof, and the cluster membership KMU learns from. */
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509_vfy.h>

#include "client-internal.h"
#include "e2e.h"
#include "util.h"

hsm_rc
hsm_get_hsm_info(hsm_client *c, size_t srv, hsm_hsm_info *out)
{
	struct hbuf req, resp;
	struct hrd payload;
	hbuf_init(&req);
	hbuf_init(&resp);
	hsm_rc rc = client_call(c, srv, OP_GET_HSM_INFO, &req, &resp, &payload);
	if (rc == HSM_RC_SUCCESS && msg_hsm_info_decode(&payload, out) != 0) {
		hsm_server_disconnect(c, srv);
		rc = HSM_RC_CLUSTER_PROTOCOL;
	}
	hbuf_free(&req);
	hbuf_free(&resp);
	return rc;
}

hsm_rc
hsm_get_cert(hsm_client *c, size_t srv, unsigned type, char **pem, size_t *len)
{
	struct hbuf req, resp;
	struct hrd payload;
	struct msg_blob blob;
	*pem = NULL;
	*len = 0;
	hbuf_init(&req);
	hbuf_init(&resp);
	hbuf_put_u32(&req, type);
	hsm_rc rc = client_call(c, srv, OP_GET_CERT, &req, &resp, &payload);
	if (rc == HSM_RC_SUCCESS && msg_blob_decode(&payload, &blob, 65536) != 0) {
		hsm_server_disconnect(c, srv);
		rc = HSM_RC_CLUSTER_PROTOCOL;
	}
	if (rc == HSM_RC_SUCCESS && (*pem = malloc(blob.len + 1)) == NULL)
		rc = HSM_RC_INTERNAL;
	if (rc == HSM_RC_SUCCESS) {
		memcpy(*pem, blob.data, blob.len);
		(*pem)[blob.len] = '\0';
		*len = blob.len;
	}
	hbuf_free(&req);
	hbuf_free(&resp);
	return rc;
}

static X509 *
cert_from_pem(const struct msg_blob *b)
{
	BIO *bio = BIO_new_mem_buf(b->data, (int)b->len);
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	return x;
}

static bool
cert_chains_to(X509 *cert, const char *ca_file)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	bool ok = store && ctx && X509_STORE_load_file(store, ca_file) == 1 &&
	          X509_STORE_CTX_init(ctx, store, cert, NULL) == 1 &&
	          X509_verify_cert(ctx) == 1;
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return ok;
}

static bool
signature_valid(X509 *cert, const uint8_t *msg, size_t len, const struct msg_blob *sig)
{
	EVP_PKEY *key = X509_get0_pubkey(cert);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	bool ok = key && md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
	          EVP_DigestVerify(md, sig->data, sig->len, msg, len) == 1;
	EVP_MD_CTX_free(md);
	return ok;
}

/* The proof must come from the certificate of this very TLS session, issued
 * by our CA, and sign our nonce bound to the session. */
static bool
e2e_proof_valid(struct server_conn *s, const uint8_t *nonce, const struct msg_e2e_resp *r)
{
	uint8_t msg[128];
	X509 *cert = cert_from_pem(&r->cert_pem);
	X509 *peer = s->ssl ? SSL_get1_peer_certificate(s->ssl) : NULL;
	size_t mlen = s->ssl ? e2e_message(s->ssl, nonce, PROTO_NONCE_LEN, msg, sizeof(msg)) : 0;
	bool ok = cert && peer && mlen > 0 && X509_cmp(cert, peer) == 0 &&
	          cert_chains_to(cert, s->ca_file) && signature_valid(cert, msg, mlen, &r->signature);
	X509_free(cert);
	X509_free(peer);
	return ok;
}

hsm_rc
hsm_enable_e2e(hsm_client *c, size_t srv)
{
	uint8_t nonce[PROTO_NONCE_LEN];
	struct hbuf req, resp;
	struct hrd payload;
	struct msg_e2e_resp r;
	if (srv >= c->count || RAND_bytes(nonce, sizeof(nonce)) != 1)
		return HSM_RC_INVALID_INPUT;
	hbuf_init(&req);
	hbuf_init(&resp);
	hbuf_put_bytes(&req, nonce, sizeof(nonce));
	hsm_rc rc = client_call(c, srv, OP_E2E_CHALLENGE, &req, &resp, &payload);
	if (rc == HSM_RC_SUCCESS && msg_e2e_resp_decode(&payload, &r) != 0)
		rc = HSM_RC_CLUSTER_PROTOCOL;
	struct server_conn *s = &c->servers[srv];
	if (rc == HSM_RC_SUCCESS) {
		pthread_mutex_lock(&s->lock);
		s->e2e = e2e_proof_valid(s, nonce, &r);
		/* A peer that cannot prove it is the HSM it claims to be is dropped. */
		if (!s->e2e) {
			rc = HSM_RC_CLUSTER_PROTOCOL;
			server_conn_close(s);
		}
		pthread_mutex_unlock(&s->lock);
	}
	hbuf_free(&req);
	hbuf_free(&resp);
	return rc;
}

static hsm_rc
fetch_cluster_info(hsm_client *c, struct msg_cluster_info *info)
{
	struct hbuf req, resp;
	struct hrd payload;
	hbuf_init(&req);
	hbuf_init(&resp);
	hsm_rc rc = client_call(c, 0, OP_CLUSTER_INFO, &req, &resp, &payload);
	if (rc == HSM_RC_SUCCESS && msg_cluster_info_decode(&payload, info) != 0)
		rc = HSM_RC_CLUSTER_PROTOCOL;
	hbuf_free(&req);
	hbuf_free(&resp);
	return rc;
}

/* Rebuilds the server list in node order; the configured server keeps its
 * live connection in its slot. */
static int
adopt_members(hsm_client *c, const struct msg_cluster_info *info)
{
	hsm_client *n = client_alloc();
	struct server_conn *first = &c->servers[0];
	if (n == NULL)
		return -1;
	for (uint32_t i = 0; i < info->count; i++) {
		const struct msg_node *m = &info->nodes[i];
		if (client_add_server(n, m->host, m->host, m->port, first->ca_file,
		                      first->cert_file, first->key_file) != 0) {
			hsm_client_close(n);
			return -1;
		}
		struct server_conn *slot = &n->servers[i];
		if (m->node_id == first->hello.node_id && m->port == first->port) {
			slot->ctx = first->ctx;
			slot->ssl = first->ssl;
			slot->fd = first->fd;
			slot->connected = first->connected;
			slot->hello = first->hello;
			slot->next_id = first->next_id;
			first->ctx = NULL;
			first->ssl = NULL;
			first->fd = -1;
			first->connected = false;
		}
	}
	struct server_conn *old = c->servers;
	size_t oldcount = c->count;
	c->servers = n->servers;
	c->count = n->count;
	n->servers = old;
	n->count = oldcount;
	hsm_client_close(n);
	return 0;
}

hsm_rc
hsm_client_discover(hsm_client *c, char *err, size_t errlen)
{
	struct msg_cluster_info info;
	if (c->count != 1) {
		hsm_errf(err, errlen, "cluster discovery needs exactly one configured server");
		return HSM_RC_INVALID_INPUT;
	}
	hsm_rc rc = hsm_server_connect(c, 0, err, errlen);
	if (rc == HSM_RC_SUCCESS)
		rc = fetch_cluster_info(c, &info);
	if (rc == HSM_RC_SUCCESS && adopt_members(c, &info) != 0)
		rc = HSM_RC_INTERNAL;
	if (rc != HSM_RC_SUCCESS && err[0] == '\0')
		hsm_errf(err, errlen, "%s", hsm_rc_message(rc));
	return rc;
}
