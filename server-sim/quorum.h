/* quorum.h - the quorum (M of N) rules of a node: M values, registered keys,
 * tokens, approvals and the check that guards every quorum-controlled change. */
#ifndef HSM_QUORUM_H
#define HSM_QUORUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keyobj.h"
#include "proto.h"
#include "server.h"
#include "store.h"


/* The node clock tokens expire by, in seconds. */
uint64_t quorum_now(void);

/* Services whose M value exists: 3 USER_MGMT, 4 MISC_CO. */
bool quorum_service_valid(uint32_t service);
/* Key services, whose M is a key's m_value: 5 USE_KEY, 6 MANAGE_KEY. */
bool quorum_key_service(uint32_t service);
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
/* Who may approve a token and how many must: the officers and the service's
 * M for services 3 and 4; for 5 and 6 the key's owner and the users it is
 * shared with (crypto users), and its m_value. */
struct quorum_rule {
	uint32_t m;
	bool key;
	uint32_t owner;
	uint32_t nshares;
	uint32_t shares[HSM_MAX_SHARES];
};
hsm_rc quorum_rule_of(struct session *s, const struct store_token *t, struct quorum_rule *r);
/* approveToken: finds this node's token of this session in the signed file,
 * checks it and the approvals against its rule, records them. Every
 * approval must come from a distinct eligible user of the type it claims,
 * with a registered key, and verify over the file. *token_id for the audit.
 * quorum_approve takes officer tokens only, quorum_approve_key key tokens. */
hsm_rc quorum_approve(struct session *s, const struct msg_approve_token *m, uint64_t now,
                      uint32_t *token_id);
hsm_rc quorum_approve_key(struct session *s, const struct msg_approve_token *m, uint64_t now,
                          uint32_t *token_id);

/* Inside the caller's write transaction: when the service's M is above 1,
 * consumes an approved token of this session for it, else refuses
 * (MXN_AUTH_FAILED, or TOKEN_EXPIRED when the only one has expired). */
hsm_rc quorum_require(struct session *s, uint32_t service);
hsm_rc quorum_require_at(struct session *s, uint32_t service, uint64_t now);
/* setMValue of service: needs a MISC_CO token with as many approvals as
 * the larger of the two services' M values. */
hsm_rc quorum_require_m_change(struct session *s, uint32_t service, uint64_t now);

/* Inside the caller's write transaction: deletes the oldest unexpired token
 * of this session for token_service and key_handle (0 for the officer
 * services) with at least needed approvals; else MXN_AUTH_FAILED, or
 * TOKEN_EXPIRED when such a token had expired. */
hsm_rc quorum_consume(struct session *s, uint32_t token_service, uint32_t key_handle,
                      uint32_t needed, uint64_t now);

/* ---- key quorum (quorum-keys.c) ---- */
/* The rule of a key token: the key must still be there for this session. */
hsm_rc quorum_key_rule(struct session *s, uint32_t handle, struct quorum_rule *r);
/* getToken for a key: the key exists for this session, the caller may use it
 * (USE_KEY: owner or shared user) or manage it (MANAGE_KEY: owner), and it
 * has an m_value (else MXN_KEY_NOT_ENABLED); *m is that m_value. */
hsm_rc quorum_key_token_check(struct session *s, uint32_t service, uint32_t handle,
                              uint32_t *m);
/* Inside the caller's write transaction: one approved token of this session
 * for service per key given that has an m_value (NULL entries are skipped). */
hsm_rc quorum_keys_consume(struct session *s, const struct key_obj *const *keys, size_t n,
                           uint32_t service);
/* Before an operation under service with the n keys given: when any has an
 * m_value, opens a write transaction and uses up one approved token of this
 * session per such key (*held set). quorum_keys_finish then commits when rc
 * is SUCCESS, so that a token is gone exactly when its operation happened. */
hsm_rc quorum_keys_begin(struct session *s, const struct key_obj *const *keys, size_t n,
                         uint32_t service, bool *held);
hsm_rc quorum_keys_finish(struct session *s, bool held, hsm_rc rc);

/* Logout and disconnect: the session's tokens die with it. */
void quorum_session_end(struct session *s);
/* Node start: no token outlives the process that issued it. */
int quorum_node_start(const char *db_path, char *err, size_t errlen);

#endif
