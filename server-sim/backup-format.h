/* backup-format.h - the hsm-sim backup file: one node's database and storage
 * key, compressed with zlib and sealed with AES-256-GCM under the cluster. */
#ifndef HSM_BACKUP_FORMAT_H
#define HSM_BACKUP_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/* File:      magic, u8 version, u16 cluster_id length, cluster_id,
 *            12-byte nonce, ciphertext, 16-byte GCM tag.
 * Plaintext: u32 container length, zlib(container).
 * Container: magic, u32 database length, database,
 *            u32 storage key length, storage key.
 * Integers are big-endian. The key is HKDF-SHA256(masking key,
 * info "hsm-sim backup v1"); the AAD is magic || cluster_id. */
#define BACKUP_MAGIC "HSMBAK1\n"
#define BACKUP_MAGIC_LEN 8
#define BACKUP_VERSION 1
#define BACKUP_MASKING_KEY_LEN 32
#define BACKUP_MAX_CONTAINER (256u * 1024u * 1024u)
/* No valid backup file is larger (zlib expands by a small fraction). */
#define BACKUP_MAX_FILE (BACKUP_MAX_CONTAINER + BACKUP_MAX_CONTAINER / 64u + 4096u)

/* A node's state as a backup carries it. When unsealed, container owns
 * the bytes db and storage_key point into. */
struct backup_image {
	const uint8_t *db;
	size_t db_len;
	const uint8_t *storage_key;
	size_t storage_key_len;
	uint8_t *container;
	size_t container_len;
};

/* Seals db and storage_key into a file image (*out: malloc, free it). */
int backup_seal(const uint8_t *masking_key, const char *cluster_id,
                const struct backup_image *in, uint8_t **out, size_t *out_len,
                char *err, size_t errlen);
/* Checks and opens a file image sealed under masking_key for cluster_id,
 * or for any cluster when cluster_id is NULL (cloning); the cluster it was
 * made for goes to from_cluster unless that is NULL. file_name only names
 * the file in err. Free out with backup_image_free. */
int backup_unseal(const uint8_t *masking_key, const char *cluster_id,
                  const uint8_t *file, size_t file_len, const char *file_name,
                  struct backup_image *out, char *from_cluster, size_t from_len,
                  char *err, size_t errlen);
/* Wipes and frees an unsealed image. */
void backup_image_free(struct backup_image *im);

#endif
