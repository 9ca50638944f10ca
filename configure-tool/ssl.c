/* ssl.c - configure --ssl --pkey --cert: the client key and certificate the
 * tools present, accepted only when they belong together and chain to the CA. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "cfg-sdk3.h"
#include "configure.h"
#include "tls.h"
#include "util.h"

/* An encrypted key is refused rather than prompted for: the tools load it
 * without a passphrase. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* The first certificate of path and, after it, the chain that came with it. */
static X509 *
read_certs(const char *path, STACK_OF(X509) **chain, char *err, size_t errlen)
{
	BIO *bio = BIO_new_file(path, "r");
	X509 *leaf = bio != NULL ? PEM_read_bio_X509(bio, NULL, no_passphrase, NULL) : NULL, *x;
	*chain = sk_X509_new_null();
	if (leaf == NULL || *chain == NULL) {
		hsm_errf(err, errlen, "--cert %s: %s", path,
		         bio == NULL ? strerror(errno) : "not a PEM certificate");
		X509_free(leaf);
		BIO_free(bio);
		return NULL;
	}
	while ((x = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL)) != NULL)
		if (sk_X509_push(*chain, x) == 0)
			X509_free(x);
	ERR_clear_error();   /* the end of the file reads as an error */
	BIO_free(bio);
	return leaf;
}

static EVP_PKEY *
read_key(const char *path, char *err, size_t errlen)
{
	BIO *bio = BIO_new_file(path, "r");
	EVP_PKEY *key = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL)
	                            : NULL;
	if (key == NULL)
		hsm_errf(err, errlen, "--pkey %s: %s", path, bio == NULL ? strerror(errno)
		         : "not a PEM private key, or an encrypted one");
	ERR_clear_error();
	BIO_free(bio);
	return key;
}

static int
verify_chain(X509 *leaf, STACK_OF(X509) *chain, const char *cert_path, const char *ca,
             char *err, size_t errlen)
{
	char why[256];
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int rc = -1;
	if (store == NULL || ctx == NULL || X509_STORE_load_file(store, ca) != 1) {
		tls_error_string(why, sizeof(why));
		hsm_errf(err, errlen, "%s: cannot load the CA certificate: %s", ca, why);
	} else if (X509_STORE_CTX_init(ctx, store, leaf, chain) != 1 ||
	           X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_CLIENT) != 1) {
		tls_error_string(why, sizeof(why));
		hsm_errf(err, errlen, "--cert %s: cannot be checked: %s", cert_path, why);
	} else if (X509_verify_cert(ctx) != 1) {
		int e = X509_STORE_CTX_get_error(ctx);
		if (e == X509_V_ERR_INVALID_PURPOSE)
			hsm_errf(err, errlen, "--cert %s: not a TLS client certificate (%s)",
			         cert_path, X509_verify_cert_error_string(e));
		else
			hsm_errf(err, errlen, "--cert %s: does not chain to %s: %s", cert_path, ca,
			         X509_verify_cert_error_string(e));
	} else {
		rc = 0;
	}
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return rc;
}

/* The key belongs to the certificate, which chains to the CA. */
static int
check_pair(const char *cert_path, const char *key_path, const char *ca,
           char *err, size_t errlen)
{
	STACK_OF(X509) *chain = NULL;
	X509 *leaf = read_certs(cert_path, &chain, err, errlen);
	EVP_PKEY *key = leaf != NULL ? read_key(key_path, err, errlen) : NULL;
	int rc = -1;
	if (key != NULL && X509_check_private_key(leaf, key) != 1)
		hsm_errf(err, errlen, "--pkey %s: is not the key of --cert %s", key_path, cert_path);
	else if (key != NULL)
		rc = verify_chain(leaf, chain, cert_path, ca, err, errlen);
	ERR_clear_error();
	EVP_PKEY_free(key);
	X509_free(leaf);
	sk_X509_pop_free(chain, X509_free);
	return rc;
}

/* The CA the tools trust: the CAfile of the client config's server, a
 * relative name taken from the config's directory as the library does. */
static int
trusted_ca(const struct cfg_file *client, char *out, size_t outlen, char *err, size_t errlen)
{
	json_object *server = cfg_client_server(client, err, errlen), *v;
	char dir[PATH_MAX];
	if (server == NULL)
		return -1;
	const char *ca = json_object_object_get_ex(server, "CAfile", &v) &&
	                 json_object_is_type(v, json_type_string) ? json_object_get_string(v)
	                                                         : "customerCA.crt";
	hsm_strlcpy(dir, client->path, sizeof(dir));
	if ((ca[0] == '/' ? snprintf(out, outlen, "%s", ca)
	                  : snprintf(out, outlen, "%s/%s", dirname(dir), ca)) >= (int)outlen) {
		hsm_errf(err, errlen, "%s: CAfile: path too long", client->path);
		return -1;
	}
	return 0;
}

static int
absolute(const char *flag, const char *path, char *out, char *err, size_t errlen)
{
	if (realpath(path, out) != NULL)
		return 0;
	hsm_errf(err, errlen, "%s %s: %s", flag, path, strerror(errno));
	return -1;
}

int
conf_run_ssl(const struct conf_request *r)
{
	char err[2048] = "", ca[PATH_MAX], cert[PATH_MAX], key[PATH_MAX];
	struct cfg_file client = { .root = NULL }, cmu = { .root = NULL };
	struct cfg_identity id = { .certificate = cert, .pkey = key };
	int rc = absolute("--cert", r->cert, cert, err, sizeof(err)) == 0 &&
	         absolute("--pkey", r->pkey, key, err, sizeof(err)) == 0 &&
	         cfg_load(&client, r->client_cfg, err, sizeof(err)) == 0 &&
	         cfg_load(&cmu, r->cmu_cfg, err, sizeof(err)) == 0 &&
	         trusted_ca(&client, ca, sizeof(ca), err, sizeof(err)) == 0 &&
	         check_pair(r->cert, r->pkey, ca, err, sizeof(err)) == 0 &&
	         cfg_set_identity(&client, &id, err, sizeof(err)) == 0 &&
	         cfg_set_identity(&cmu, &id, err, sizeof(err)) == 0 &&
	         cfg_stage(&client, err, sizeof(err)) == 0 &&
	         cfg_stage(&cmu, err, sizeof(err)) == 0 ? 0 : -1;
	if (rc == 0 && (rc = cfg_commit(&client, err, sizeof(err))) == 0)
		printf("Updating server config in %s\n", client.path);
	if (rc == 0 && (rc = cfg_commit(&cmu, err, sizeof(err))) == 0)
		printf("Updating server config in %s\n", cmu.path);
	if (rc != 0)
		conf_error("%s", err);
	cfg_release(&client);
	cfg_release(&cmu);
	return rc == 0 ? CONF_EXIT_OK : CONF_EXIT_FAIL;
}
