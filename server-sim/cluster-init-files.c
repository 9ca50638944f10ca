/* cluster-init-files.c - the files hsm-sim init creates: the two roots, the
 * tools' client identity and each node's directory of certificates and keys. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "cluster-init.h"
#include "pki.h"
#include "store.h"
#include "util.h"

static int
top_path(const struct cluster *c, const char *name, char *out, size_t outlen,
         char *err, size_t errlen)
{
	if (cluster_path(c, name, out, outlen) == 0)
		return 0;
	hsm_errf(err, errlen, "%s/%s: path too long", c->dir, name);
	return -1;
}

static int
node_path(const struct cluster *c, unsigned k, const char *name, char *out,
          size_t outlen, char *err, size_t errlen)
{
	if (cluster_node_path(c, k, name, out, outlen) == 0)
		return 0;
	hsm_errf(err, errlen, "%s/node%u: path too long", c->dir, k);
	return -1;
}

static int
write_top_pair(const struct cluster *c, const char *crt_name, X509 *cert,
               const char *key_name, EVP_PKEY *key, char *err, size_t errlen)
{
	char path[PATH_MAX];
	if (top_path(c, key_name, path, sizeof(path), err, errlen) != 0 ||
	    pki_write_key(path, key, err, errlen) != 0 ||
	    top_path(c, crt_name, path, sizeof(path), err, errlen) != 0 ||
	    pki_write_cert(path, cert, err, errlen) != 0)
		return -1;
	return 0;
}

static int
make_root(const struct cluster *c, const char *cn, const char *crt_name,
          const char *key_name, EVP_PKEY **key, X509 **cert, char *err, size_t errlen)
{
	struct pki_subject subject = { .cn = cn, .profile = PKI_ROOT_CA };
	if ((*key = pki_new_key(err, errlen)) == NULL ||
	    (*cert = pki_issue(*key, &subject, NULL, NULL, err, errlen)) == NULL)
		return -1;
	return write_top_pair(c, crt_name, *cert, key_name, *key, err, errlen);
}

static int
make_client(const struct init_pki *p, const struct cluster *c, char *err, size_t errlen)
{
	struct pki_subject subject = { .cn = "hsm-client", .profile = PKI_TLS_CLIENT };
	X509 *cert = NULL;
	EVP_PKEY *key = pki_new_key(err, errlen);
	int rc = -1;
	if (key != NULL &&
	    (cert = pki_issue(key, &subject, p->customer_ca, p->customer_key, err, errlen)) != NULL)
		rc = write_top_pair(c, INIT_CLIENT_CRT, cert, INIT_CLIENT_KEY, key, err, errlen);
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

int
init_pki_create(struct init_pki *p, const struct cluster *c, char *err, size_t errlen)
{
	char customer_cn[128];
	memset(p, 0, sizeof(*p));
	snprintf(customer_cn, sizeof(customer_cn), "hsm-sim customer CA %s", c->cluster_id);
	if (make_root(c, customer_cn, INIT_CUSTOMER_CA_CRT, INIT_CUSTOMER_CA_KEY,
	              &p->customer_key, &p->customer_ca, err, errlen) != 0 ||
	    make_root(c, "hsm-sim manufacturer root", INIT_MANUFACTURER_CA_CRT,
	              INIT_MANUFACTURER_CA_KEY, &p->manufacturer_key,
	              &p->manufacturer_ca, err, errlen) != 0 ||
	    make_client(p, c, err, errlen) != 0)
		return -1;
	if (RAND_bytes(p->masking_key, sizeof(p->masking_key)) != 1) {
		hsm_errf(err, errlen, "cannot generate the cluster masking key: RAND_bytes failed");
		return -1;
	}
	return 0;
}

void
init_pki_free(struct init_pki *p)
{
	EVP_PKEY_free(p->customer_key);
	X509_free(p->customer_ca);
	EVP_PKEY_free(p->manufacturer_key);
	X509_free(p->manufacturer_ca);
	OPENSSL_cleanse(p->masking_key, sizeof(p->masking_key));
	memset(p, 0, sizeof(*p));
}

/* One node's keys and certificates while init writes them. */
struct node_pki {
	EVP_PKEY *node_key;
	EVP_PKEY *hardware_key;
	X509 *node_cert;
	X509 *hardware_cert;
	X509 *node_mfr_cert;
};

static void
node_pki_free(struct node_pki *n)
{
	EVP_PKEY_free(n->node_key);
	EVP_PKEY_free(n->hardware_key);
	X509_free(n->node_cert);
	X509_free(n->hardware_cert);
	X509_free(n->node_mfr_cert);
}

/* The names a client checks the node certificate against. */
static void
node_sans(const char *host, char *out, size_t outlen)
{
	unsigned char addr[sizeof(struct in6_addr)];
	bool is_ip = inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
	snprintf(out, outlen, "%s:%s%s", is_ip ? "IP" : "DNS", host,
	         strcmp(host, "127.0.0.1") == 0 ? ",DNS:localhost" : "");
}

static int
node_pki_issue(struct node_pki *n, const struct init_pki *p,
               const struct cluster_node *node, char *err, size_t errlen)
{
	char sans[300], hardware_cn[96];
	node_sans(node->host, sans, sizeof(sans));
	snprintf(hardware_cn, sizeof(hardware_cn), "hsm-sim hardware %s", node->hsm_id);
	struct pki_subject tls = { .cn = node->hsm_id, .profile = PKI_TLS_SERVER, .sans = sans };
	struct pki_subject hardware = { .cn = hardware_cn, .profile = PKI_INTERMEDIATE_CA };
	if ((n->node_key = pki_new_key(err, errlen)) == NULL ||
	    (n->hardware_key = pki_new_key(err, errlen)) == NULL ||
	    (n->node_cert = pki_issue(n->node_key, &tls, p->customer_ca,
	                              p->customer_key, err, errlen)) == NULL ||
	    (n->hardware_cert = pki_issue(n->hardware_key, &hardware, p->manufacturer_ca,
	                                  p->manufacturer_key, err, errlen)) == NULL ||
	    (n->node_mfr_cert = pki_issue(n->node_key, &tls, n->hardware_cert,
	                                  n->hardware_key, err, errlen)) == NULL)
		return -1;
	return 0;
}

static int
node_pki_write(const struct node_pki *n, const struct init_pki *p,
               const struct cluster *c, unsigned k, char *err, size_t errlen)
{
	const struct { const char *name; X509 *cert; } certs[] = {
		{ INIT_NODE_CRT, n->node_cert },
		{ INIT_HARDWARE_CRT, n->hardware_cert },
		{ INIT_NODE_MFR_CRT, n->node_mfr_cert },
		{ INIT_CUSTOMER_CA_CRT, p->customer_ca },
		{ INIT_MANUFACTURER_CA_CRT, p->manufacturer_ca },
	};
	const struct { const char *name; EVP_PKEY *key; } keys[] = {
		{ INIT_NODE_KEY, n->node_key },
		{ INIT_HARDWARE_KEY, n->hardware_key },
	};
	char path[PATH_MAX];
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (node_path(c, k, keys[i].name, path, sizeof(path), err, errlen) != 0 ||
		    pki_write_key(path, keys[i].key, err, errlen) != 0)
			return -1;
	for (size_t i = 0; i < ARRAY_SIZE(certs); i++)
		if (node_path(c, k, certs[i].name, path, sizeof(path), err, errlen) != 0 ||
		    pki_write_cert(path, certs[i].cert, err, errlen) != 0)
			return -1;
	return 0;
}

static int
write_secret(const char *path, const uint8_t *key, size_t n, char *err, size_t errlen)
{
	if (hsm_write_file_atomic(path, key, n, 0600) == 0)
		return 0;
	hsm_errf(err, errlen, "%s: %s", path, strerror(errno));
	return -1;
}

/* The masking key, and a new storage key (also left in storage_key). */
static int
node_secrets_write(const struct init_pki *p, const struct cluster *c, unsigned k,
                   uint8_t storage_key[INIT_SECRET_KEY_LEN], char *err, size_t errlen)
{
	char path[PATH_MAX];
	if (RAND_bytes(storage_key, INIT_SECRET_KEY_LEN) != 1) {
		hsm_errf(err, errlen, "cannot generate a storage key: RAND_bytes failed");
		return -1;
	}
	if (node_path(c, k, INIT_MASKING_KEY, path, sizeof(path), err, errlen) != 0 ||
	    write_secret(path, p->masking_key, sizeof(p->masking_key), err, errlen) != 0 ||
	    node_path(c, k, INIT_STORAGE_KEY, path, sizeof(path), err, errlen) != 0 ||
	    write_secret(path, storage_key, INIT_SECRET_KEY_LEN, err, errlen) != 0)
		return -1;
	return 0;
}

/* A new node database, or for a clone the source's under a new identity. */
static int
node_store_create(const struct init_pki *p, const struct cluster *c, unsigned k,
                  const uint8_t storage_key[INIT_SECRET_KEY_LEN], char *err, size_t errlen)
{
	struct store_identity id;
	char path[PATH_MAX];
	if (p->source != NULL)
		return init_node_clone_store(p->source, c, k, storage_key, err, errlen);
	memset(&id, 0, sizeof(id));
	id.node_id = k;
	hsm_strlcpy(id.cluster_id, c->cluster_id, sizeof(id.cluster_id));
	hsm_strlcpy(id.hsm_id, c->nodes[k].hsm_id, sizeof(id.hsm_id));
	if (node_path(c, k, STORE_FILE, path, sizeof(path), err, errlen) != 0)
		return -1;
	return store_create(path, &id, err, errlen);
}

int
init_node_create(const struct init_pki *p, const struct cluster *c, unsigned k,
                 char *err, size_t errlen)
{
	char dir[PATH_MAX];
	struct node_pki n;
	uint8_t storage_key[INIT_SECRET_KEY_LEN];
	if (node_path(c, k, NULL, dir, sizeof(dir), err, errlen) != 0)
		return -1;
	if (mkdir(dir, 0700) != 0) {
		hsm_errf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	memset(&n, 0, sizeof(n));
	int rc = node_pki_issue(&n, p, &c->nodes[k], err, errlen) == 0 &&
	         node_pki_write(&n, p, c, k, err, errlen) == 0 &&
	         node_secrets_write(p, c, k, storage_key, err, errlen) == 0 &&
	         node_store_create(p, c, k, storage_key, err, errlen) == 0 ? 0 : -1;
	OPENSSL_cleanse(storage_key, sizeof(storage_key));
	node_pki_free(&n);
	return rc;
}
