/* backup.c - hsm-sim backup: a consistent snapshot of one node's database,
 * taken with the SQLite online backup API so that the node may keep running. */
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <sqlite3.h>

#include "backup.h"
#include "sim-args.h"
#include "sim-cmd.h"
#include "store.h"
#include "util.h"

#define BUSY_TIMEOUT_MS 5000
#define BUSY_RETRIES 100

const struct sim_opt backup_node_opts[] = {
	{ .name = "node", .meta = "K", .id = SIM_OPT_NODE, .required = true,
	  .min = 0, .max = CLUSTER_MAX_NODES - 1, .help = "the node to back up or restore" },
	{ .name = NULL },
};

const struct sim_cmd_entry sim_entry_backup = {
	.name = "backup",
	.synopsis = "DIR --node K FILE",
	.summary = "Write an encrypted, compressed image of node K's state to FILE (the node may run).",
	.pos_names = { "DIR", "FILE" }, .min_pos = 2, .max_pos = 2,
	.opts = backup_node_opts, .exec = sim_cmd_backup,
};

int
backup_read_key_file(const char *path, uint8_t *key, size_t len)
{
	char *data = NULL;
	size_t n = 0;
	if (hsm_read_file(path, len, &data, &n) != 0 || n != len) {
		if (data == NULL && errno != EFBIG)
			sim_warn("%s: %s", path, strerror(errno));
		else
			sim_warn("%s: does not hold a %zu-byte key", path, len);
		if (data != NULL)
			OPENSSL_clear_free(data, n + 1);
		return -1;
	}
	memcpy(key, data, len);
	OPENSSL_clear_free(data, n + 1);
	return 0;
}

int
backup_ctx_load(struct backup_ctx *bc, const struct sim_cmd_entry *e, int argc,
                char **argv, int *status)
{
	struct sim_args a;
	char path[PATH_MAX];
	unsigned last;
	if (!sim_args_parse(e, argc, argv, &a, status))
		return -1;
	*status = SIM_EXIT_FAIL;
	bc->file = a.pos[1];
	if (sim_load_cluster(a.pos[0], &bc->c) != 0 ||
	    sim_select_nodes(&bc->c, &a, &bc->k, &last) != 0 ||
	    sim_node_file(&bc->c, bc->k, BACKUP_MASKING_KEY_FILE, path, sizeof(path)) != 0)
		return -1;
	return backup_read_key_file(path, bc->masking_key, sizeof(bc->masking_key));
}

int
backup_read_file(const char *file, const uint8_t *masking_key, const char *cluster_id,
                 struct backup_image *im, char *from_cluster, size_t from_len)
{
	char *data = NULL, err[PATH_MAX + 256];
	size_t n = 0;
	struct stat st;
	if (stat(file, &st) != 0) {
		sim_warn("%s: %s", file, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > (off_t)BACKUP_MAX_FILE) {
		sim_warn("%s: %s", file, S_ISREG(st.st_mode) ? "too large for a backup" :
		         "not a regular file");
		return -1;
	}
	if (hsm_read_file(file, (size_t)st.st_size, &data, &n) != 0) {
		sim_warn("%s: %s", file, errno == EFBIG ? "changed while being read" :
		         strerror(errno));
		return -1;
	}
	int rc = backup_unseal(masking_key, cluster_id, (const uint8_t *)data, n, file, im,
	                       from_cluster, from_len, err, sizeof(err));
	free(data);   /* ciphertext only */
	if (rc != 0) {
		sim_warn("%s", err);
		return -1;
	}
	if (im->storage_key_len != BACKUP_STORAGE_KEY_LEN || im->db_len < 16 ||
	    memcmp(im->db, "SQLite format 3", 16) != 0) {
		backup_image_free(im);
		sim_warn("%s: backup is corrupt or belongs to another cluster", file);
		return -1;
	}
	return 0;
}

static int
sqlite_fail(const char *path, sqlite3 *db, int rc)
{
	sim_warn("%s: %s", path, db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	return -1;
}

/* Copies every page under a read transaction, so the node may keep
 * writing; busy or locked steps are retried for a while. */
static int
copy_db(sqlite3 *src, sqlite3 *mem)
{
	sqlite3_backup *b = sqlite3_backup_init(mem, "main", src, "main");
	int rc = SQLITE_ERROR;
	if (b == NULL)
		return sqlite3_errcode(mem);
	for (int tries = 0; tries < BUSY_RETRIES; tries++) {
		rc = sqlite3_backup_step(b, -1);
		if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
			break;
		sqlite3_sleep(50);
	}
	int finish = sqlite3_backup_finish(b);
	return rc == SQLITE_DONE ? finish : rc;
}

static int
snapshot_db(const char *path, uint8_t **image, size_t *len)
{
	sqlite3 *src = NULL, *mem = NULL;
	sqlite3_int64 size = 0;
	int rc = sqlite3_open_v2(path, &src, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		sqlite_fail(path, src, rc);
	} else if (sqlite3_busy_timeout(src, BUSY_TIMEOUT_MS) != SQLITE_OK ||
	           (rc = sqlite3_open(":memory:", &mem)) != SQLITE_OK) {
		sqlite_fail(":memory:", mem, rc);
		rc = SQLITE_ERROR;
	} else if ((rc = copy_db(src, mem)) != SQLITE_OK) {
		sim_warn("%s: %s", path, sqlite3_errstr(rc));
	} else if ((*image = sqlite3_serialize(mem, "main", &size, 0)) == NULL) {
		sim_warn("%s: cannot serialize the snapshot (out of memory?)", path);
		rc = SQLITE_NOMEM;
	}
	*len = (size_t)size;
	sqlite3_close(mem);
	sqlite3_close(src);
	return rc == SQLITE_OK ? 0 : -1;
}

static int
write_backup(const struct backup_ctx *bc, const struct backup_image *im)
{
	char err[PATH_MAX + 128];
	uint8_t *out = NULL;
	size_t out_len = 0;
	if (backup_seal(bc->masking_key, bc->c.cluster_id, im, &out, &out_len,
	                err, sizeof(err)) != 0) {
		sim_warn("%s: %s", bc->file, err);
		return -1;
	}
	int rc = hsm_write_file_atomic(bc->file, out, out_len, 0600);
	if (rc != 0)
		sim_warn("%s: %s", bc->file, strerror(errno));
	free(out);   /* ciphertext only */
	return rc;
}

int
sim_cmd_backup(int argc, char **argv)
{
	struct backup_ctx bc;
	struct backup_image im;
	uint8_t storage_key[BACKUP_STORAGE_KEY_LEN], *db = NULL;
	char path[PATH_MAX];
	size_t db_len = 0;
	int status;
	memset(&bc, 0, sizeof(bc));
	memset(&im, 0, sizeof(im));
	if (backup_ctx_load(&bc, &sim_entry_backup, argc, argv, &status) != 0 ||
	    sim_node_file(&bc.c, bc.k, BACKUP_STORAGE_KEY_FILE, path, sizeof(path)) != 0 ||
	    backup_read_key_file(path, storage_key, sizeof(storage_key)) != 0 ||
	    sim_node_file(&bc.c, bc.k, STORE_FILE, path, sizeof(path)) != 0 ||
	    snapshot_db(path, &db, &db_len) != 0)
		goto out;
	im.db = db;
	im.db_len = db_len;
	im.storage_key = storage_key;
	im.storage_key_len = sizeof(storage_key);
	if (write_backup(&bc, &im) == 0) {
		printf("node %u: backup written to %s\n", bc.k, bc.file);
		status = SIM_EXIT_OK;
	}
out:
	if (db != NULL)
		OPENSSL_cleanse(db, db_len);
	sqlite3_free(db);
	OPENSSL_cleanse(storage_key, sizeof(storage_key));
	OPENSSL_cleanse(bc.masking_key, sizeof(bc.masking_key));
	return status;
}
