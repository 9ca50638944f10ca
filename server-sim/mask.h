/* mask.h - masked objects: data sealed with AES-256-GCM under a key derived
 * from the cluster masking key, so only nodes of the same cluster open it. */
#ifndef HSM_MASK_H
#define HSM_MASK_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define MASKING_KEY_LEN 32
#define MASK_NONCE_LEN 12
#define MASK_TAG_LEN 16

/* purpose separates kinds of objects ("user", "key"); context binds the
 * object to where it belongs (the cluster id, or a key handle for key
 * material at rest). Appends nonce || ciphertext || tag to out. */
int mask_seal(const uint8_t key[MASKING_KEY_LEN], const char *purpose,
              const char *context, const uint8_t *plain, size_t n, struct hbuf *out);
/* Verifies and decrypts; -1 on any altered byte or foreign cluster. */
int mask_open(const uint8_t key[MASKING_KEY_LEN], const char *purpose,
              const char *context, const uint8_t *blob, size_t n, struct hbuf *plain);
/* Reads a 32-byte raw key file (0600) into key; -1 with err set. */
int mask_load_key(const char *path, uint8_t key[MASKING_KEY_LEN], char *err, size_t errlen);

#endif
