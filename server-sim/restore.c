/* restore.c - hsm-sim restore: replaces a stopped node's database and storage
 * key with a backup of this cluster; a failure leaves the node as it was. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "backup.h"
#include "pidfile.h"
#include "sim-args.h"
#include "sim-cmd.h"
#include "store.h"
#include "util.h"

const struct sim_cmd_entry sim_entry_restore = {
	.name = "restore",
	.synopsis = "DIR --node K FILE",
	.summary = "Replace the state of the stopped node K with a backup of this cluster.",
	.pos_names = { "DIR", "FILE" }, .min_pos = 2, .max_pos = 2,
	.opts = backup_node_opts, .exec = sim_cmd_restore,
};

/* Refuses a running node, then holds its pid file lock for the whole
 * restore so that the node cannot start half-way through. */
static int
lock_stopped_node(const struct backup_ctx *bc, int *lock)
{
	char pid_path[PATH_MAX], err[PATH_MAX + 64];
	if (sim_node_file(&bc->c, bc->k, PIDFILE_NAME, pid_path, sizeof(pid_path)) != 0)
		return -1;
	pid_t pid = pidfile_running(pid_path);
	if (pid > 0) {
		sim_warn("node %u: running (pid %ld); stop it before restoring", bc->k, (long)pid);
		return -1;
	}
	*lock = pidfile_acquire(pid_path, err, sizeof(err));
	if (*lock < 0) {
		sim_warn("%s", err);
		return -1;
	}
	return 0;
}

static int
read_backup(const struct backup_ctx *bc, struct backup_image *im)
{
	return backup_read_file(bc->file, bc->masking_key, bc->c.cluster_id, im, NULL, 0);
}

static int
write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A new file next to final_path (0600, fsynced); its name goes to tmp. */
static int
write_temp(const char *final_path, const void *data, size_t n, char *tmp, size_t tmplen)
{
	int len = snprintf(tmp, tmplen, "%s.restore-XXXXXX", final_path);
	if (len < 0 || (size_t)len >= tmplen) {
		sim_warn("%s: path too long", final_path);
		tmp[0] = '\0';
		return -1;
	}
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		sim_warn("%s: %s", tmp, strerror(errno));
		tmp[0] = '\0';
		return -1;
	}
	int rc = write_all(fd, data, n) == 0 && fsync(fd) == 0 ? 0 : -1;
	int saved = errno;
	if (close(fd) != 0 && rc == 0) {
		rc = -1;
		saved = errno;
	}
	if (rc != 0)
		sim_warn("%s: %s", tmp, strerror(saved));
	return rc;
}

static void
remove_db_files(const char *db)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
	char path[PATH_MAX + 64];
	if (db[0] == '\0')
		return;
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		snprintf(path, sizeof(path), "%s%s", db, suffixes[i]);
		unlink(path);
	}
}

static int
set_identity(const struct backup_ctx *bc, const char *db)
{
	struct store_identity id;
	char err[PATH_MAX + 128];
	memset(&id, 0, sizeof(id));
	id.node_id = bc->k;
	hsm_strlcpy(id.cluster_id, bc->c.cluster_id, sizeof(id.cluster_id));
	hsm_strlcpy(id.hsm_id, bc->c.nodes[bc->k].hsm_id, sizeof(id.hsm_id));
	if (store_set_identity(db, &id, err, sizeof(err)) != 0) {
		sim_warn("%s", err);
		return -1;
	}
	return 0;
}

/* The new database gets the target node's identity while it is still a
 * temporary file, so that a failure leaves the node untouched. */
static int
stage_files(const struct backup_ctx *bc, const struct backup_image *im,
            char *tmp_db, char *tmp_key, size_t tmplen)
{
	char db[PATH_MAX], key[PATH_MAX];
	if (sim_node_file(&bc->c, bc->k, STORE_FILE, db, sizeof(db)) != 0 ||
	    sim_node_file(&bc->c, bc->k, BACKUP_STORAGE_KEY_FILE, key, sizeof(key)) != 0 ||
	    write_temp(db, im->db, im->db_len, tmp_db, tmplen) != 0 ||
	    set_identity(bc, tmp_db) != 0 ||
	    write_temp(key, im->storage_key, im->storage_key_len, tmp_key, tmplen) != 0)
		return -1;
	return 0;
}

/* The old database's journals go first: left next to the new database,
 * SQLite would replay them into it. */
static int
remove_journals(const char *db)
{
	static const char *const suffixes[] = { "-wal", "-shm", "-journal" };
	char path[PATH_MAX + 16];
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		snprintf(path, sizeof(path), "%s%s", db, suffixes[i]);
		if (unlink(path) != 0 && errno != ENOENT) {
			sim_warn("%s: %s", path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int
rename_into_place(char *tmp, const char *final_path)
{
	if (rename(tmp, final_path) != 0) {
		sim_warn("%s: %s", final_path, strerror(errno));
		return -1;
	}
	tmp[0] = '\0';
	return 0;
}

static int
replace_files(const struct backup_ctx *bc, char *tmp_db, char *tmp_key)
{
	char db[PATH_MAX], key[PATH_MAX], dir[PATH_MAX];
	if (sim_node_file(&bc->c, bc->k, STORE_FILE, db, sizeof(db)) != 0 ||
	    sim_node_file(&bc->c, bc->k, BACKUP_STORAGE_KEY_FILE, key, sizeof(key)) != 0 ||
	    sim_node_file(&bc->c, bc->k, NULL, dir, sizeof(dir)) != 0 ||
	    remove_journals(db) != 0 || rename_into_place(tmp_db, db) != 0)
		return -1;
	if (rename_into_place(tmp_key, key) != 0) {
		sim_warn("node %u: database restored but not its storage key; run restore again",
		         bc->k);
		return -1;
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0)
		sim_warn("%s: %s (restored, but maybe not yet on disk)", dir, strerror(errno));
	if (fd >= 0)
		close(fd);
	return 0;
}

int
sim_cmd_restore(int argc, char **argv)
{
	struct backup_ctx bc;
	struct backup_image im;
	char tmp_db[PATH_MAX + 32] = "", tmp_key[PATH_MAX + 32] = "";
	int lock = -1, status;
	memset(&bc, 0, sizeof(bc));
	memset(&im, 0, sizeof(im));
	if (backup_ctx_load(&bc, &sim_entry_restore, argc, argv, &status) == 0 &&
	    lock_stopped_node(&bc, &lock) == 0 && read_backup(&bc, &im) == 0 &&
	    stage_files(&bc, &im, tmp_db, tmp_key, sizeof(tmp_db)) == 0 &&
	    replace_files(&bc, tmp_db, tmp_key) == 0) {
		printf("node %u: restored from %s\n", bc.k, bc.file);
		status = SIM_EXIT_OK;
	}
	remove_db_files(tmp_db);
	if (tmp_key[0] != '\0')
		unlink(tmp_key);
	backup_image_free(&im);
	OPENSSL_cleanse(bc.masking_key, sizeof(bc.masking_key));
	if (lock >= 0)
		close(lock);
	return status;
}
