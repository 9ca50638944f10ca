/* cluster-init-clone.c - hsm-sim init --from-backup: a new cluster whose nodes
 * start from a backup of another cluster's node, with that cluster's masking key. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "backup.h"
#include "cluster-init.h"
#include "mask.h"
#include "sim-args.h"
#include "store.h"
#include "util.h"

int
init_source_load(struct init_source *src, const char *backup_file, const char *key_file)
{
	memset(src, 0, sizeof(*src));
	src->backup_file = backup_file;
	if (backup_read_key_file(key_file, src->masking_key, sizeof(src->masking_key)) != 0)
		return -1;
	return backup_read_file(backup_file, src->masking_key, NULL, &src->image,
	                        src->cluster_id, sizeof(src->cluster_id));
}

void
init_source_free(struct init_source *src)
{
	backup_image_free(&src->image);
	OPENSSL_cleanse(src->masking_key, sizeof(src->masking_key));
}

int
init_node_clone_store(const struct init_source *src, const struct cluster *c, unsigned k,
                      const uint8_t skey[INIT_SECRET_KEY_LEN], char *err, size_t errlen)
{
	struct store_identity id;
	char path[PATH_MAX];
	if (cluster_node_path(c, k, STORE_FILE, path, sizeof(path)) != 0) {
		hsm_errf(err, errlen, "%s/node%u: path too long", c->dir, k);
		return -1;
	}
	/* Only ciphertext of keys and password hashes: the database holds no
	 * secret in the clear, so a plain 0600 file is what restore writes too. */
	if (hsm_write_file_atomic(path, src->image.db, src->image.db_len, 0600) != 0) {
		hsm_errf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	memset(&id, 0, sizeof(id));
	id.node_id = k;
	hsm_strlcpy(id.cluster_id, c->cluster_id, sizeof(id.cluster_id));
	hsm_strlcpy(id.hsm_id, c->nodes[k].hsm_id, sizeof(id.hsm_id));
	return store_make_clone(path, &id, src->cluster_id, src->image.storage_key, skey,
	                        INIT_CLONE_HANDLE_GAP, err, errlen);
}

void
init_clone_summary(const struct init_source *src, const struct cluster *c)
{
	char path[PATH_MAX], err[PATH_MAX + 64];
	struct store_identity id;
	struct store *s = cluster_node_path(c, 0, STORE_FILE, path, sizeof(path)) == 0
	                  ? store_open(path, err, sizeof(err)) : NULL;
	int rc = s != NULL ? store_get_identity(s, &id) : -1;
	store_close(s);
	printf("  cloned from cluster %s (backup %s), masking domain %s\n", src->cluster_id,
	       src->backup_file, rc == 0 ? mask_domain(&id) : "unknown");
}
