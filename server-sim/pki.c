/* pki.c - certificate generation for hsm-sim init with OpenSSL 3 EVP/X509:
 * EC P-256 keys, a profile table for extensions, atomic PEM output. */
#include <errno.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "pki.h"
#include "tls.h"
#include "util.h"

#define PKI_VALIDITY_DAYS 3652        /* ten years, leap days included */
#define PKI_BACKDATE_SECONDS (-3600L) /* slack for hosts whose clocks differ */
#define PKI_SERIAL_BITS 128

struct profile_exts {
	const char *basic_constraints;
	const char *key_usage;
	const char *ext_key_usage;    /* NULL: none */
};

static const struct profile_exts profile_exts[] = {
	[PKI_ROOT_CA] = { "critical,CA:TRUE", "critical,keyCertSign,cRLSign", NULL },
	[PKI_INTERMEDIATE_CA] = { "critical,CA:TRUE,pathlen:0",
	                          "critical,keyCertSign,cRLSign", NULL },
	[PKI_TLS_SERVER] = { "critical,CA:FALSE", "critical,digitalSignature", "serverAuth" },
	[PKI_TLS_CLIENT] = { "critical,CA:FALSE", "critical,digitalSignature", "clientAuth" },
};

/* err = "what: <first OpenSSL error>"; clears the OpenSSL error queue. */
static void
ossl_fail(char *err, size_t errlen, const char *what)
{
	char reason[256];
	tls_error_string(reason, sizeof(reason));
	hsm_errf(err, errlen, "%s: %s", what, reason);
}

EVP_PKEY *
pki_new_key(char *err, size_t errlen)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (key == NULL)
		ossl_fail(err, errlen, "cannot generate an EC P-256 key");
	return key;
}

static int
set_random_serial(X509 *cert)
{
	BIGNUM *serial = BN_new();
	/* Top bit set: always exactly 128 bits, never zero. */
	int ok = serial != NULL &&
	         BN_rand(serial, PKI_SERIAL_BITS, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) == 1 &&
	         BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert)) != NULL;
	BN_free(serial);
	return ok ? 0 : -1;
}

static int
set_validity(X509 *cert)
{
	if (X509_gmtime_adj(X509_getm_notBefore(cert), PKI_BACKDATE_SECONDS) == NULL)
		return -1;
	if (X509_time_adj_ex(X509_getm_notAfter(cert), PKI_VALIDITY_DAYS, 0, NULL) == NULL)
		return -1;
	return 0;
}

static int
set_names(X509 *cert, const char *cn, X509 *issuer)
{
	X509_NAME *name = X509_get_subject_name(cert);
	if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	                               (const unsigned char *)cn, -1, -1, 0) != 1)
		return -1;
	X509_NAME *issuer_name = issuer ? X509_get_subject_name(issuer) : name;
	return X509_set_issuer_name(cert, issuer_name) == 1 ? 0 : -1;
}

static int
add_ext(X509 *cert, X509V3_CTX *ctx, int nid, const char *value)
{
	if (value == NULL)
		return 0;
	X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, ctx, nid, value);
	if (ext == NULL)
		return -1;
	int ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok == 1 ? 0 : -1;
}

/* The subject key identifier goes in before the authority key identifier,
 * which a self-signed certificate takes from it. */
static int
add_extensions(X509 *cert, const struct pki_subject *s, X509 *issuer,
               EVP_PKEY *issuer_key)
{
	const struct profile_exts *p = &profile_exts[s->profile];
	X509V3_CTX ctx;
	memset(&ctx, 0, sizeof(ctx));
	X509V3_set_ctx(&ctx, issuer ? issuer : cert, cert, NULL, NULL, 0);
	if (X509V3_set_issuer_pkey(&ctx, issuer_key) != 1)
		return -1;
	if (add_ext(cert, &ctx, NID_basic_constraints, p->basic_constraints) != 0 ||
	    add_ext(cert, &ctx, NID_key_usage, p->key_usage) != 0 ||
	    add_ext(cert, &ctx, NID_ext_key_usage, p->ext_key_usage) != 0 ||
	    add_ext(cert, &ctx, NID_subject_alt_name, s->sans) != 0 ||
	    add_ext(cert, &ctx, NID_subject_key_identifier, "hash") != 0 ||
	    add_ext(cert, &ctx, NID_authority_key_identifier, "keyid:always") != 0)
		return -1;
	return 0;
}

X509 *
pki_issue(EVP_PKEY *key, const struct pki_subject *subject,
          X509 *issuer, EVP_PKEY *issuer_key, char *err, size_t errlen)
{
	EVP_PKEY *signer = issuer ? issuer_key : key;
	if ((size_t)subject->profile >= ARRAY_SIZE(profile_exts) || signer == NULL) {
		hsm_errf(err, errlen, "certificate \"%s\": bad request", subject->cn);
		return NULL;
	}
	X509 *cert = X509_new();
	if (cert == NULL || X509_set_version(cert, X509_VERSION_3) != 1 ||
	    set_random_serial(cert) != 0 || set_validity(cert) != 0 ||
	    set_names(cert, subject->cn, issuer) != 0 ||
	    X509_set_pubkey(cert, key) != 1 ||
	    add_extensions(cert, subject, issuer, signer) != 0 ||
	    X509_sign(cert, signer, EVP_sha256()) <= 0) {
		char what[160];
		snprintf(what, sizeof(what), "cannot issue certificate \"%s\"", subject->cn);
		ossl_fail(err, errlen, what);
		X509_free(cert);
		return NULL;
	}
	return cert;
}

static int
write_bio_atomic(const char *path, BIO *bio, unsigned mode, char *err, size_t errlen)
{
	char *data = NULL;
	long n = BIO_get_mem_data(bio, &data);
	if (n <= 0 || data == NULL) {
		hsm_errf(err, errlen, "%s: nothing to write", path);
		return -1;
	}
	if (hsm_write_file_atomic(path, data, (size_t)n, mode) != 0) {
		hsm_errf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int
pki_write_cert(const char *path, X509 *cert, char *err, size_t errlen)
{
	BIO *bio = BIO_new(BIO_s_mem());
	int rc = -1;
	if (bio == NULL || PEM_write_bio_X509(bio, cert) != 1)
		ossl_fail(err, errlen, path);
	else
		rc = write_bio_atomic(path, bio, 0644, err, errlen);
	BIO_free(bio);
	return rc;
}

/* The PEM text of a private key is a secret too: it lives in a wiping
 * memory BIO and reaches disk only through a file created 0600. */
int
pki_write_key(const char *path, EVP_PKEY *key, char *err, size_t errlen)
{
	BIO *bio = BIO_new(BIO_s_secmem());
	int rc = -1;
	if (bio == NULL ||
	    PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) != 1)
		ossl_fail(err, errlen, path);
	else
		rc = write_bio_atomic(path, bio, 0600, err, errlen);
	if (bio != NULL) {
		char *data = NULL;
		long n = BIO_get_mem_data(bio, &data);
		if (n > 0 && data != NULL)
			OPENSSL_cleanse(data, (size_t)n);
	}
	BIO_free(bio);
	return rc;
}
