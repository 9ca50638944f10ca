/* cu-node.h - a node database for the suites that drive quorum rules and
 * handlers: a template made once per suite, a copy per test, sessions on it. */
#ifndef CU_NODE_H
#define CU_NODE_H

#include <stddef.h>
#include <stdint.h>

#include "server.h"
#include "store.h"

/* A new database of identity id in a fresh template directory; NULL on
 * failure (printed). Remove it with cu_rmtree. */
char *cu_node_template(const char *name, const struct store_identity *id);
/* n becomes node id's node with a copy of the template in a fresh
 * directory (returned; NULL on failure). */
char *cu_node_setup(struct node *n, const char *template_dir, const char *name,
                    const struct store_identity *id);
/* Undoes cu_node_setup and removes *tmpdir. */
void cu_node_teardown(struct node *n, char **tmpdir);
/* A connection to the node's database; NULL on failure (printed). */
struct store *cu_node_open(const struct node *n);
/* A session as node.c makes one, logged in as user id/name of type. */
void cu_session_fill(struct session *s, struct node *n, uint64_t sid, uint32_t user,
                     hsm_user_type type, const char *name);
/* A user row with the DER public key der (none when der is NULL); its id, 0
 * on failure. */
uint32_t cu_plant_user(struct store *st, const char *name, hsm_user_type type,
                       const uint8_t *der, size_t der_len);
/* Runs handler on req for session s, as the dispatcher would after the
 * permission row: on success the reply must be exactly one token (into
 * out), on a refusal empty (CUnit assertions). */
hsm_rc cu_call_for_token(op_handler handler, struct session *s, const struct hbuf *req,
                         hsm_quorum_token *out);

#endif
