/* cmd-sync.c - syncUser: copies a user from the server-mode HSM to another
 * through a masked object, as the reference describes for cloned clusters. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/crypto.h>

#include "cmu.h"
#include "util.h"

static int
cmd_sync_user_exec(struct cmu *cmu, int argc, char **argv)
{
	unsigned long id, dest;
	size_t count = hsm_server_count(cmu->client);
	(void)argc;
	if (cmu->server_mode == CMU_GLOBAL_MODE) {
		printf("syncUser failed: this command works in server mode only "
		       "(enter it with: server <server-number>)\n");
		return 1;
	}
	if (!hsm_parse_uint(argv[0], 1, UINT32_MAX, &id)) {
		printf("syncUser failed: invalid user ID %s\n", argv[0]);
		return 1;
	}
	if (!hsm_parse_uint(argv[1], 0, count - 1, &dest) || dest == cmu->server_mode) {
		printf("syncUser failed: invalid destination server %s\n", argv[1]);
		return 1;
	}
	uint8_t *blob = NULL;
	size_t len = 0;
	cmu_ensure_connected(cmu, cmu->server_mode);
	hsm_rc rc = hsm_user_extract_masked(cmu->client, cmu->server_mode, (uint32_t)id,
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

const struct cmu_cmd cmd_sync_user_entry = {
	.name = "syncUser",
	.usage = "syncUser <user ID> <server ID>",
	.summary = "Copies a user from this server (server mode) to another server",
	.min_args = 2, .max_args = 2,
	.exec = cmd_sync_user_exec,
};
