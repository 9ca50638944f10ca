/* mask.h - masked objects: data sealed with AES-256-GCM under a key derived
 * from the cluster masking key, so only nodes of its masking domain open it. */
#ifndef HSM_MASK_H
#define HSM_MASK_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define MASKING_KEY_LEN 32
#define MASK_NONCE_LEN 12
#define MASK_TAG_LEN 16

struct store_identity;

/* purpose separates kinds of objects ("user", "key"); context binds the
 * object to where it belongs (mask_domain() for objects that travel, a key
 * handle for key material at rest). Appends nonce || ciphertext || tag. */
int mask_seal(const uint8_t key[MASKING_KEY_LEN], const char *purpose,
              const char *context, const uint8_t *plain, size_t n, struct hbuf *out);
/* Verifies and decrypts; -1 on any altered byte or foreign cluster. */
int mask_open(const uint8_t key[MASKING_KEY_LEN], const char *purpose,
              const char *context, const uint8_t *blob, size_t n, struct hbuf *plain);
/* The masking domain of a node: the id of the cluster its masking key was
 * first made for, which clones (hsm-sim init --from-backup) inherit. Every
 * object that travels between nodes or clusters is sealed for it and opened
 * against it, so it opens in the source cluster and all its clones only. */
const char *mask_domain(const struct store_identity *id);
/* Reads a 32-byte raw key file (0600) into key; -1 with err set. */
int mask_load_key(const char *path, uint8_t key[MASKING_KEY_LEN], char *err, size_t errlen);

#endif
