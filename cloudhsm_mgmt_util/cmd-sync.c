/* cmd-sync.c - syncUser and syncKey: copy a user or a key from the
 * server-mode HSM to another server through a masked object, as the
 * reference describes for nodes out of step and for cloned clusters. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/crypto.h>

#include "cmu.h"
#include "util.h"

/* Both commands run in server mode on the source: argv[0] is the id of
 * what to copy (what names it in the error), argv[1] another server. */
static bool
sync_args(const struct cmu *cmu, const char *cmd, const char *what, char **argv,
          uint32_t *id, size_t *dest)
{
	unsigned long v, d;
	if (cmu->server_mode == CMU_GLOBAL_MODE) {
		printf("%s failed: this command works in server mode only "
		       "(enter it with: server <server-number>)\n", cmd);
		return false;
	}
	if (!hsm_parse_uint(argv[0], 1, UINT32_MAX, &v)) {
		printf("%s failed: invalid %s %s\n", cmd, what, argv[0]);
		return false;
	}
	if (!hsm_parse_uint(argv[1], 0, hsm_server_count(cmu->client) - 1, &d) ||
	    d == cmu->server_mode) {
		printf("%s failed: invalid destination server %s\n", cmd, argv[1]);
		return false;
	}
	*id = (uint32_t)v;
	*dest = d;
	return true;
}

static int
cmd_sync_user_exec(struct cmu *cmu, int argc, char **argv)
{
	uint32_t id;
	size_t dest;
	(void)argc;
	if (!sync_args(cmu, "syncUser", "user ID", argv, &id, &dest))
		return 1;
	uint8_t *blob = NULL;
	size_t len = 0;
	cmu_ensure_connected(cmu, cmu->server_mode);
	hsm_rc rc = hsm_user_extract_masked(cmu->client, cmu->server_mode, id,
	                                    NULL, &blob, &len);
	printf("ExtractMaskedObject: 0x%x !\n", rc);
	if (rc == HSM_RC_SUCCESS) {
		cmu_ensure_connected(cmu, dest);
		rc = hsm_user_insert_masked(cmu->client, dest, blob, len);
		printf("InsertMaskedObject: 0x%x !\n", rc);
	}
	if (rc == HSM_RC_SUCCESS)
		printf("syncUser success\n");
	else
		cmu_print_rc_line("syncUser", rc);
	if (blob != NULL)
		OPENSSL_cleanse(blob, len);
	free(blob);
	return 0;
}

static int
cmd_sync_key_exec(struct cmu *cmu, int argc, char **argv)
{
	uint32_t handle;
	size_t dest;
	(void)argc;
	if (!sync_args(cmu, "syncKey", "key handle", argv, &handle, &dest))
		return 1;
	cmu_ensure_connected(cmu, cmu->server_mode);
	cmu_ensure_connected(cmu, dest);
	hsm_rc rc = hsm_server_copy_key(cmu->client, cmu->server_mode, dest, handle);
	if (rc == HSM_RC_SUCCESS)
		printf("syncKey success\n");
	else if (rc == HSM_RC_INVALID_INPUT)
		/* The key left the source; the destination refused its handle. */
		printf("syncKey failed: server %zu already holds key %u "
		       "or keeps that handle for its own keys\n", dest, handle);
	else
		cmu_print_rc_line("syncKey", rc);
	return 0;
}

const struct cmu_cmd cmd_sync_user_entry = {
	.name = "syncUser",
	.usage = "syncUser <user ID> <server ID>",
	.summary = "Copies a user from this server (server mode) to another server",
	.min_args = 2, .max_args = 2,
	.exec = cmd_sync_user_exec,
};

const struct cmu_cmd cmd_sync_key_entry = {
	.name = "syncKey",
	.usage = "syncKey <key handle> <destination hsm>",
	.summary = "Copies a key from this server (server mode) to another server",
	.min_args = 2, .max_args = 2,
	.exec = cmd_sync_key_exec,
};
