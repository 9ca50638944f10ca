/* backup.h - what hsm-sim backup (backup.c) and restore (restore.c) share:
 * the node they act on, its masking key, and loading both from the arguments. */
#ifndef HSM_BACKUP_H
#define HSM_BACKUP_H

#include <stddef.h>
#include <stdint.h>

#include "backup-format.h"
#include "cluster.h"
#include "sim-args.h"

#define BACKUP_MASKING_KEY_FILE "masking.key"
#define BACKUP_STORAGE_KEY_FILE "storage.key"
#define BACKUP_STORAGE_KEY_LEN 32

/* The options of both commands: --node K, required. */
extern const struct sim_opt backup_node_opts[];

/* The cluster, the node and the FILE argument, and the masking key
 * (wipe it with OPENSSL_cleanse when done). */
struct backup_ctx {
	struct cluster c;
	unsigned k;
	const char *file;
	uint8_t masking_key[BACKUP_MASKING_KEY_LEN];
};

/* Parses DIR --node K FILE, loads the cluster and reads the masking key.
 * On -1, *status is the exit status (errors have been reported). */
int backup_ctx_load(struct backup_ctx *bc, const struct sim_cmd_entry *e, int argc,
                    char **argv, int *status);
/* Reads FILE and opens it as a backup of cluster_id (NULL: of any cluster
 * sealed under masking_key, whose id goes to from_cluster); checks that it
 * holds a storage key and a SQLite database. Reports errors. Free im with
 * backup_image_free. */
int backup_read_file(const char *file, const uint8_t *masking_key, const char *cluster_id,
                     struct backup_image *im, char *from_cluster, size_t from_len);
/* Reads a key file that must hold exactly len bytes. */
int backup_read_key_file(const char *path, uint8_t *key, size_t len);

#endif
