/* ops-quorum.c - handlers for registerQuorumPubKey, getToken, approveToken,
 * listTokens, getMValue and setMValue. The rules live in quorum.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "log.h"
#include "proto.h"
#include "quorum.h"
#include "server.h"
#include "tfa.h"
#include "util.h"

static void
audit_quorum(struct session *s, const char *opcode, hsm_rc rc, const char *detail)
{
	session_audit(s, opcode, rc, detail);
	log_info("session %llu: %s %s: %s", (unsigned long long)s->id, opcode, detail,
	         hsm_rc_name(rc));
}

/* The CO a quorum command names must be the one logged in on this session. */
static bool
names_caller(const struct session *s, const char *name)
{
	return strcasecmp(name, s->user_name) == 0;
}

/* ---- registerQuorumPubKey ------------------------------------------------------ */

static hsm_rc
register_store(struct session *s, const struct msg_register_key *m)
{
	struct store_user u;
	if (store_begin(s->store) != 0)
		return HSM_RC_INTERNAL;
	hsm_rc rc = HSM_RC_INTERNAL;
	int found = store_user_get(s->store, s->user_id, &u);
	if (found > 0)
		rc = HSM_RC_USER_DOES_NOT_EXIST;
	else if (found == 0 && u.two_factor)
		rc = HSM_RC_MXN_KEY_IS_2FA;
	else if (found == 0 &&
	         store_user_set_pubkey(s->store, u.id, m->pubkey.data, m->pubkey.len, false) == 0 &&
	         store_commit(s->store) == 0)
		rc = HSM_RC_SUCCESS;
	store_rollback(s->store);
	OPENSSL_cleanse(&u, sizeof(u));
	return rc;
}

static hsm_rc
register_checked(struct session *s, const struct msg_register_key *m)
{
	hsm_user_type type = (hsm_user_type)m->user_type;
	if (type != HSM_USER_CO && type != HSM_USER_PCO)
		return HSM_RC_BAD_USER_TYPE_ARG;
	if (!names_caller(s, m->name))
		return HSM_RC_PERMISSION_DENIED;
	if (m->reg_token.len == 0)
		return HSM_RC_INVALID_INPUT;
	hsm_rc rc = tfa_key_check(m->pubkey.data, m->pubkey.len);
	if (rc != HSM_RC_SUCCESS)
		return rc;
	if (!quorum_signature_ok(m->pubkey.data, m->pubkey.len, m->reg_token.data,
	                         m->reg_token.len, m->signature.data, m->signature.len))
		return HSM_RC_BAD_PKCS_DATA;
	return register_store(s, m);
}

int
op_register_quorum_key(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	struct msg_register_key m;
	(void)reply;
	if (msg_register_key_decode(req, &m) != 0)
		return -1;
	*rc = register_checked(s, &m);
	char detail[64];
	snprintf(detail, sizeof(detail), "user %.31s", m.name);
	audit_quorum(s, "CN_REGISTER_QUORUM_KEY", *rc, detail);
	msg_register_key_clear(&m);
	return 0;
}

/* ---- tokens ------------------------------------------------------------------ */

static void
token_to_wire(const struct session *s, const struct store_token *t, uint32_t m,
              uint64_t now, hsm_quorum_token *w)
{
	memset(w, 0, sizeof(*w));
	w->id = t->id;
	w->service = t->service;
	w->node_id = s->node->id;
	hsm_strlcpy(w->hsm_id, s->node->identity.hsm_id, sizeof(w->hsm_id));
	w->key_handle = t->key_handle;
	hsm_strlcpy(w->user, t->owner_name, sizeof(w->user));
	memcpy(w->value, t->value, sizeof(w->value));
	w->validity_s = t->expires > now ? (uint32_t)(t->expires - now) : 0;
	w->required = m;
	w->napprovals = t->napprovals;
	for (uint32_t i = 0; i < t->napprovals && i < HSM_QUORUM_MAX_APPROVALS; i++)
		hsm_strlcpy(w->approvers[i], t->approvers[i], sizeof(w->approvers[i]));
}

static hsm_rc
get_token_checked(struct session *s, const struct msg_get_token *m, struct hbuf *reply,
                  uint32_t *id)
{
	uint32_t mval;
	if (!quorum_service_valid(m->service))
		return HSM_RC_INVALID_INPUT;
	if (!names_caller(s, m->name))
		return HSM_RC_PERMISSION_DENIED;
	if (store_m_value_get(s->store, m->service, &mval) != 0)
		return HSM_RC_INTERNAL;
	if (mval <= 1)
		return HSM_RC_MXN_NOT_ENABLED;
	struct store_token t = {
		.session = s->id, .owner = s->user_id, .service = m->service,
	};
	hsm_strlcpy(t.owner_name, s->user_name, sizeof(t.owner_name));
	uint64_t now = quorum_now();
	hsm_rc rc = quorum_token_issue(s->store, &t, now, s->node->token_validity_s);
	if (rc == HSM_RC_SUCCESS) {
		hsm_quorum_token w;
		token_to_wire(s, &t, mval, now, &w);
		msg_token_encode(reply, &w);
		*id = t.id;
	}
	return rc;
}

int
op_get_token(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	struct msg_get_token m;
	uint32_t id = 0;
	if (msg_get_token_decode(req, &m) != 0)
		return -1;
	*rc = get_token_checked(s, &m, reply, &id);
	char detail[96];
	snprintf(detail, sizeof(detail), "service %u user %.31s token %u", m.service, m.name, id);
	audit_quorum(s, "CN_GET_TOKEN", *rc, detail);
	msg_get_token_clear(&m);
	return 0;
}

int
op_approve_token(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	struct msg_approve_token m;
	uint32_t id;
	(void)reply;
	if (msg_approve_token_decode(req, &m) != 0)
		return -1;
	*rc = quorum_approve(s, &m, quorum_now(), &id);
	char detail[64];
	snprintf(detail, sizeof(detail), "token %u with %u approvals", id, m.count);
	audit_quorum(s, "CN_APPROVE_TOKEN", *rc, detail);
	return 0;
}

static hsm_rc
list_tokens(struct session *s, struct hbuf *reply)
{
	struct store_token *t;
	size_t n;
	if (store_token_list(s->store, s->id, &t, &n) != 0)
		return HSM_RC_INTERNAL;
	hsm_quorum_token *w = calloc(n ? n : 1, sizeof(*w));
	hsm_rc rc = w != NULL ? HSM_RC_SUCCESS : HSM_RC_INTERNAL;
	uint64_t now = quorum_now();
	for (size_t i = 0; i < n && rc == HSM_RC_SUCCESS; i++) {
		uint32_t m;
		if (store_m_value_get(s->store, t[i].service, &m) != 0)
			rc = HSM_RC_INTERNAL;
		else
			token_to_wire(s, &t[i], m, now, &w[i]);
	}
	if (rc == HSM_RC_SUCCESS)
		msg_token_list_encode(reply, w, n);
	free(w);
	free(t);
	return rc;
}

int
op_list_tokens(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	if (hrd_end(req) != 0)
		return -1;
	*rc = list_tokens(s, reply);
	return 0;
}

/* ---- M values ----------------------------------------------------------------- */

int
op_get_m_value(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	uint32_t service, m;
	if (msg_m_value_decode(req, &service, NULL) != 0)
		return -1;
	if (!quorum_service_valid(service))
		*rc = HSM_RC_INVALID_INPUT;
	else if (store_m_value_get(s->store, service, &m) != 0)
		*rc = HSM_RC_INTERNAL;
	else {
		hbuf_put_u32(reply, m);
		*rc = HSM_RC_SUCCESS;
	}
	return 0;
}

/* The value, the officers who could reach it, and the quorum for the change
 * are all decided inside the write transaction that makes it. */
static hsm_rc
set_m_checked(struct session *s, uint32_t service, uint32_t m)
{
	uint32_t officers;
	if (!quorum_service_valid(service))
		return HSM_RC_INVALID_INPUT;
	if (store_begin(s->store) != 0)
		return HSM_RC_INTERNAL;
	hsm_rc rc = store_officer_count(s->store, &officers) == 0
	            ? quorum_m_value_check(m, officers) : HSM_RC_INTERNAL;
	if (rc == HSM_RC_SUCCESS)
		rc = quorum_require_m_change(s, service, quorum_now());
	if (rc == HSM_RC_SUCCESS &&
	    (store_m_value_set(s->store, service, m) != 0 || store_commit(s->store) != 0))
		rc = HSM_RC_INTERNAL;
	store_rollback(s->store);
	return rc;
}

int
op_set_m_value(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	uint32_t service, m;
	(void)reply;
	if (msg_m_value_decode(req, &service, &m) != 0)
		return -1;
	*rc = set_m_checked(s, service, m);
	char detail[48];
	snprintf(detail, sizeof(detail), "service %u m %u", service, m);
	audit_quorum(s, "CN_SET_M_VALUE", *rc, detail);
	return 0;
}
