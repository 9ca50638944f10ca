/* kdf.h - password hashing for HSM users: PBKDF2-HMAC-SHA256 via EVP_KDF.
 * Salted, slow, compared in constant time. */
#ifndef HSM_KDF_H
#define HSM_KDF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* 0 or -1. */
int kdf_derive(const char *password, size_t len, const uint8_t *salt,
               size_t saltlen, uint32_t iterations, uint8_t *out, size_t outlen);
/* Fresh salt, default iterations, and the hash of password into u. */
int kdf_set_password(struct store_user *u, const char *password);
/* Constant-time check of password against u's stored hash. */
bool kdf_check_password(const struct store_user *u, const char *password);

#endif
