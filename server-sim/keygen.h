/* keygen.h - making key material: generation, import conversion, KCVs and
 * the default attributes of each kind of key (OpenSSL EVP only). */
#ifndef HSM_KEYGEN_H
#define HSM_KEYGEN_H

#include <stdbool.h>

#include <openssl/evp.h>

#include "keyobj.h"
#include "proto.h"

/* Checks a secret key's type and size in bytes. */
hsm_rc keygen_check_secret(uint32_t key_type, uint32_t size);
/* New random secret key of t->key_type/t->size into k (material, kcv, len). */
hsm_rc keygen_secret(const struct msg_key_template *t, struct key_obj *k);
/* New key pair per t (RSA: size bits + exponent; DSA: size bits; EC: curve). */
hsm_rc keygen_pair(const struct msg_key_template *t, struct key_obj *pub,
                   struct key_obj *priv);
/* Sets class, type, material, value_len and KCV from an EVP key. */
int key_fill_from_pkey(struct key_obj *k, EVP_PKEY *pkey, bool private_part);
/* Sets material, value_len and KCV of a secret key of k->key_type. */
int key_fill_secret(struct key_obj *k, const uint8_t *raw, size_t n);
/* The attribute defaults of k's class and type (doc examples). */
void key_default_flags(struct key_obj *k, bool extractable, bool local, bool token);
/* The EVP key of an asymmetric key object (private or public); NULL if none. */
EVP_PKEY *key_to_pkey(const struct key_obj *k);
/* DER SubjectPublicKeyInfo of an asymmetric key; free with OPENSSL_free. */
int key_public_der(const struct key_obj *k, uint8_t **der, size_t *len);
/* OpenSSL cipher for a secret key in ECB mode (KCV) or NULL. */
const EVP_CIPHER *key_ecb_cipher(const struct key_obj *k);

#endif
