/* cu-quorum.h - what the quorum suites do as an approver with openssl would:
 * RSA-2048 keys, their DER public keys, SHA-256 PKCS #1 v1.5 signatures. */
#ifndef CU_QUORUM_H
#define CU_QUORUM_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

/* A fresh RSA-2048 key; NULL on failure. */
EVP_PKEY *cu_rsa_key(void);
/* Its DER SubjectPublicKeyInfo in out[max]; the length, 0 on failure. */
size_t cu_pubkey_der(EVP_PKEY *k, uint8_t *out, size_t max);
/* RSA PKCS #1 v1.5 over SHA-256 of data, as openssl dgst -sha256 -sign makes
 * it; the length, 0 on failure. */
size_t cu_sign_sha256(EVP_PKEY *k, const void *data, size_t len, uint8_t *sig, size_t max);

#endif
