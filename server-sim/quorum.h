/* quorum.h - the quorum (M of N) rules of a node: M values, registered keys,
 * tokens, approvals and the check that guards every quorum-controlled change. */
#ifndef HSM_QUORUM_H
#define HSM_QUORUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"
#include "server.h"
#include "store.h"


/* The node clock tokens expire by, in seconds. */
uint64_t quorum_now(void);

/* Services whose M value exists: 3 USER_MGMT, 4 MISC_CO. */
bool quorum_service_valid(uint32_t service);
/* A new M value: 1 (quorum off) to 8, and no more than the officers who
 * could approve. INVALID_INPUT, MXN_TOO_FEW_OFFICERS or SUCCESS. */
hsm_rc quorum_m_value_check(uint32_t m, uint32_t officers);
/* Deleting one officer must leave every service's M reachable. */
hsm_rc quorum_officer_removal(struct store *st);

/* RSA PKCS #1 v1.5 over SHA-256 of data, checked with the DER public key
 * (an RSA-2048 key: the one tfa_key_check admits). */
bool quorum_signature_ok(const uint8_t *der, size_t der_len, const uint8_t *data,
                         size_t len, const uint8_t *sig, size_t sig_len);

/* A new token for t->session/owner/service in its own transaction: at the
 * cap of 1,024 an expired token is purged, else MAX_TOKENS. Sets t->id. */
hsm_rc quorum_token_issue(struct store *st, struct store_token *t, uint64_t now,
                          uint32_t validity_s);
/* Every approval must come from a distinct user of the right type with a
 * registered key and verify over file; there must be at least m of them.
 * On success t's approver lists are filled. */
hsm_rc quorum_check_approvals(struct store *st, struct store_token *t, uint32_t m,
                              const uint8_t *file, size_t len,
                              const struct msg_approval *a, size_t n);
/* approveToken: finds this node's token of this session in the signed file,
 * checks it and the approvals, records them. *token_id for the audit. */
hsm_rc quorum_approve(struct session *s, const struct msg_approve_token *m, uint64_t now,
                      uint32_t *token_id);

/* Inside the caller's write transaction: when the service's M is above 1,
 * consumes an approved token of this session for it, else refuses
 * (MXN_AUTH_FAILED, or TOKEN_EXPIRED when the only one has expired). */
hsm_rc quorum_require(struct session *s, uint32_t service);
hsm_rc quorum_require_at(struct session *s, uint32_t service, uint64_t now);
/* setMValue of service: needs a MISC_CO token with as many approvals as
 * the larger of the two services' M values. */
hsm_rc quorum_require_m_change(struct session *s, uint32_t service, uint64_t now);

/* Logout and disconnect: the session's tokens die with it. */
void quorum_session_end(struct session *s);
/* Node start: no token outlives the process that issued it. */
int quorum_node_start(const char *db_path, char *err, size_t errlen);

#endif
