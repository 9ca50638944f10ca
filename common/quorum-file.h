/* quorum-file.h - the token file getToken writes and approvers sign: every
 * node's token of one request in one text file (doc/protocol.md, section 10). */
#ifndef HSM_QUORUM_FILE_H
#define HSM_QUORUM_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "hsmclient.h"

#define QUORUM_FILE_MAGIC "hsm-sim quorum token file v1"
#define QUORUM_FILE_MAX_TOKENS 28      /* nodes in a cluster */

/* What every token of the file shares. */
struct quorum_file_header {
	uint32_t service;
	char user[HSM_USER_NAME_MAX + 1];
	uint32_t key_handle;
	uint32_t count;
};

/* One node's line. */
struct quorum_file_entry {
	uint32_t node_id;
	char hsm_id[32];
	uint32_t token_id;
	uint8_t value[HSM_QUORUM_TOKEN_LEN];
};

/* Writes the file for tokens of one request (same service, user and key
 * handle), in the order given; -1 when they differ or n is 0 or too many. */
int quorum_file_write(struct hbuf *b, const hsm_quorum_token *tokens, size_t n);
/* Parses a whole file and finds the line of one node. 0 found, 1 the file
 * is well formed but holds no line for that node, -1 malformed (including
 * two lines for the node). */
int quorum_file_find(const uint8_t *data, size_t len, uint32_t node_id,
                     const char *hsm_id, struct quorum_file_header *h,
                     struct quorum_file_entry *e);

#endif
