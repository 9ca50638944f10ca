/* pki.h - the certificates of a simulated cluster (OpenSSL 3 EVP/X509):
 * EC P-256 keys, self-signed roots and certificates they issue. */
#ifndef HSM_PKI_H
#define HSM_PKI_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* What a certificate is for; decides basicConstraints, keyUsage and EKU. */
enum pki_profile {
	PKI_ROOT_CA,          /* self-signed trust anchor */
	PKI_INTERMEDIATE_CA,  /* may issue end-entity certificates only */
	PKI_TLS_SERVER,       /* extendedKeyUsage serverAuth */
	PKI_TLS_CLIENT,       /* extendedKeyUsage clientAuth */
};

struct pki_subject {
	const char *cn;
	enum pki_profile profile;
	const char *sans;     /* "IP:127.0.0.1,DNS:localhost", or NULL */
};

/* A new EC P-256 key pair. */
EVP_PKEY *pki_new_key(char *err, size_t errlen);
/* A certificate for key's public half, valid for 10 years with a random
 * 128-bit serial, signed by issuer/issuer_key; self-signed when issuer is
 * NULL (then key signs it). */
X509 *pki_issue(EVP_PKEY *key, const struct pki_subject *subject,
                X509 *issuer, EVP_PKEY *issuer_key, char *err, size_t errlen);
/* PEM certificate, mode 0644, written atomically. */
int pki_write_cert(const char *path, X509 *cert, char *err, size_t errlen);
/* PEM (PKCS#8) private key, created 0600 and written atomically. */
int pki_write_key(const char *path, EVP_PKEY *key, char *err, size_t errlen);

#endif
