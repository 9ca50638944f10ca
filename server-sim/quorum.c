/* quorum.c - the quorum (M of N) rules of a node (see quorum.h and
 * doc/protocol.md, section 10): the handlers decide nothing on their own. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "log.h"
#include "quorum-file.h"
#include "quorum.h"
#include "tfa.h"
#include "util.h"

uint64_t
quorum_now(void)
{
	return hsm_now_ms() / 1000u;
}

bool
quorum_service_valid(uint32_t service)
{
	return hsm_service_name(service) != NULL;
}

static bool
is_officer(hsm_user_type t)
{
	return t == HSM_USER_CO || t == HSM_USER_PCO;
}

hsm_rc
quorum_m_value_check(uint32_t m, uint32_t officers)
{
	if (m < 1 || m > HSM_QUORUM_M_MAX)
		return HSM_RC_INVALID_INPUT;
	return m > 1 && m > officers ? HSM_RC_MXN_TOO_FEW_OFFICERS : HSM_RC_SUCCESS;
}

/* The larger M value of the officer services. */
static int
largest_m(struct store *st, uint32_t *m)
{
	uint32_t m3, m4;
	if (store_m_value_get(st, HSM_SERVICE_USER_MGMT, &m3) != 0 ||
	    store_m_value_get(st, HSM_SERVICE_MISC_CO, &m4) != 0)
		return -1;
	*m = m3 > m4 ? m3 : m4;
	return 0;
}

hsm_rc
quorum_officer_removal(struct store *st)
{
	uint32_t m, officers;
	if (largest_m(st, &m) != 0 || store_officer_count(st, &officers) != 0)
		return HSM_RC_INTERNAL;
	return m > 1 && officers - 1 < m ? HSM_RC_MXN_TOO_FEW_OFFICERS : HSM_RC_SUCCESS;
}

/* ---- signatures ----------------------------------------------------------------- */

/* The quorum key is the 2FA key (manage-2fa.md): one check for both. */
bool
quorum_signature_ok(const uint8_t *der, size_t der_len, const uint8_t *data, size_t len,
                    const uint8_t *sig, size_t sig_len)
{
	uint8_t digest[TFA_DIGEST_LEN];
	unsigned int n = 0;
	if (EVP_Digest(data, len, digest, &n, EVP_sha256(), NULL) != 1 || n != sizeof(digest))
		return false;
	return tfa_signature_valid(der, der_len, digest, sig, sig_len);
}

/* ---- tokens ----------------------------------------------------------------- */

hsm_rc
quorum_token_issue(struct store *st, struct store_token *t, uint64_t now, uint32_t validity_s)
{
	uint32_t count;
	if (RAND_bytes(t->value, sizeof(t->value)) != 1)
		return HSM_RC_INTERNAL;
	t->expires = now + (validity_s ? validity_s : CLUSTER_DEFAULT_TOKEN_VALIDITY_S);
	t->napprovals = 0;
	if (store_begin(st) != 0)
		return HSM_RC_INTERNAL;
	hsm_rc rc = HSM_RC_INTERNAL;
	int purged = 0;
	if (store_token_count(st, &count) != 0)
		goto out;
	if (count >= HSM_QUORUM_MAX_TOKENS)
		purged = store_token_purge_expired(st, now);
	if (purged > 0)
		rc = HSM_RC_MAX_TOKENS;
	else if (purged == 0 && store_token_insert(st, t) == 0 && store_commit(st) == 0)
		rc = HSM_RC_SUCCESS;
out:
	store_rollback(st);
	return rc;
}

/* Who may approve a token of the service: officers for the officer services. */
static bool
approver_eligible(uint32_t service, hsm_user_type type)
{
	return quorum_service_valid(service) && is_officer(type);
}

/* The approval file says 2 for a CO (a PCO is one too) and 1 for a CU. */
static bool
approver_type_matches(uint8_t claimed, hsm_user_type actual)
{
	if (claimed == HSM_USER_CO)
		return is_officer(actual);
	return claimed == HSM_USER_CU && actual == HSM_USER_CU;
}

static hsm_rc
check_one_approval(struct store *st, const struct store_token *t, const uint8_t *file,
                   size_t len, const struct msg_approval *a, struct store_user *u)
{
	if (store_user_find(st, a->name, u) != 0)
		return HSM_RC_MXN_AUTH_FAILED;
	if (!approver_type_matches(a->user_type, u->type) ||
	    !approver_eligible(t->service, u->type) || !u->mofn_pubkey)
		return HSM_RC_MXN_AUTH_FAILED;
	for (uint32_t j = 0; j < t->napprovals; j++)
		if (t->approver_ids[j] == u->id)
			return HSM_RC_MXN_AUTH_FAILED;     /* the same approver twice */
	if (!quorum_signature_ok(u->pubkey, u->pubkey_len, file, len, a->signature.data,
	                         a->signature.len))
		return HSM_RC_MXN_AUTH_FAILED;
	return HSM_RC_SUCCESS;
}

hsm_rc
quorum_check_approvals(struct store *st, struct store_token *t, uint32_t m,
                       const uint8_t *file, size_t len, const struct msg_approval *a,
                       size_t n)
{
	struct store_user u;
	hsm_rc rc = HSM_RC_SUCCESS;
	t->napprovals = 0;
	if (n < m || n > HSM_QUORUM_MAX_APPROVALS)
		return HSM_RC_MXN_AUTH_FAILED;
	for (size_t i = 0; i < n && rc == HSM_RC_SUCCESS; i++) {
		rc = check_one_approval(st, t, file, len, &a[i], &u);
		if (rc == HSM_RC_SUCCESS) {
			t->approver_ids[t->napprovals] = u.id;
			hsm_strlcpy(t->approvers[t->napprovals], u.name, sizeof(t->approvers[0]));
			t->napprovals++;
		}
	}
	OPENSSL_cleanse(&u, sizeof(u));
	if (rc != HSM_RC_SUCCESS)
		t->napprovals = 0;
	return rc;
}

/* The token the file names for this node must be this session's, the very
 * one issued, for what the file says, and still valid. */
static hsm_rc
approve_target(struct session *s, const struct quorum_file_header *h,
               const struct quorum_file_entry *e, uint64_t now, struct store_token *t)
{
	int found = store_token_get(s->store, e->token_id, t);
	if (found < 0)
		return HSM_RC_INTERNAL;
	if (found > 0 || t->session != s->id ||
	    CRYPTO_memcmp(t->value, e->value, sizeof(t->value)) != 0)
		return HSM_RC_TOKEN_INVALID;
	if (h->service != t->service || h->key_handle != t->key_handle ||
	    strcasecmp(h->user, t->owner_name) != 0)
		return HSM_RC_TOKEN_INVALID;
	return now >= t->expires ? HSM_RC_TOKEN_EXPIRED : HSM_RC_SUCCESS;
}

hsm_rc
quorum_approve(struct session *s, const struct msg_approve_token *m, uint64_t now,
               uint32_t *token_id)
{
	struct quorum_file_header h;
	struct quorum_file_entry e;
	struct store_token t;
	uint32_t mval;
	*token_id = 0;
	int found = quorum_file_find(m->file.data, m->file.len, s->node->id,
	                             s->node->identity.hsm_id, &h, &e);
	if (found != 0)
		return found < 0 ? HSM_RC_INVALID_INPUT : HSM_RC_TOKEN_INVALID;
	*token_id = e.token_id;
	if (store_begin(s->store) != 0)
		return HSM_RC_INTERNAL;
	hsm_rc rc = approve_target(s, &h, &e, now, &t);
	if (rc == HSM_RC_SUCCESS && store_m_value_get(s->store, t.service, &mval) != 0)
		rc = HSM_RC_INTERNAL;
	if (rc == HSM_RC_SUCCESS)
		rc = quorum_check_approvals(s->store, &t, mval > 1 ? mval : 1, m->file.data,
		                            m->file.len, m->approvals, m->count);
	if (rc == HSM_RC_SUCCESS &&
	    (store_token_set_approvals(s->store, &t) != 0 || store_commit(s->store) != 0))
		rc = HSM_RC_INTERNAL;
	store_rollback(s->store);
	return rc;
}

/* ---- enforcement -------------------------------------------------------------- */

/* Uses up one approved token of this session for token_service. */
static hsm_rc
consume(struct session *s, uint32_t token_service, uint32_t needed, uint64_t now)
{
	uint32_t id;
	bool expired;
	int found = store_token_find_approved(s->store, s->id, token_service, needed, now,
	                                      &id, &expired);
	if (found < 0)
		return HSM_RC_INTERNAL;
	if (found > 0)
		return expired ? HSM_RC_TOKEN_EXPIRED : HSM_RC_MXN_AUTH_FAILED;
	return store_token_delete(s->store, id) == 0 ? HSM_RC_SUCCESS : HSM_RC_INTERNAL;
}

hsm_rc
quorum_require_at(struct session *s, uint32_t service, uint64_t now)
{
	uint32_t m;
	if (store_m_value_get(s->store, service, &m) != 0)
		return HSM_RC_INTERNAL;
	return m <= 1 ? HSM_RC_SUCCESS : consume(s, service, m, now);
}

hsm_rc
quorum_require(struct session *s, uint32_t service)
{
	return quorum_require_at(s, service, quorum_now());
}

hsm_rc
quorum_require_m_change(struct session *s, uint32_t service, uint64_t now)
{
	uint32_t m_misc, m_target;
	if (store_m_value_get(s->store, HSM_SERVICE_MISC_CO, &m_misc) != 0 ||
	    store_m_value_get(s->store, service, &m_target) != 0)
		return HSM_RC_INTERNAL;
	uint32_t needed = m_misc > m_target ? m_misc : m_target;
	return needed <= 1 ? HSM_RC_SUCCESS : consume(s, HSM_SERVICE_MISC_CO, needed, now);
}

void
quorum_session_end(struct session *s)
{
	unsigned removed = 0;
	if (s->store == NULL)
		return;
	if (store_token_delete_session(s->store, s->id, &removed) != 0) {
		log_warn("session %llu: cannot remove its quorum tokens", (unsigned long long)s->id);
		return;
	}
	if (removed > 0) {
		char detail[64];
		snprintf(detail, sizeof(detail), "%u token%s of the session", removed,
		         removed == 1 ? "" : "s");
		session_audit(s, "CN_DELETE_TOKEN", HSM_RC_SUCCESS, detail);
	}
}

int
quorum_node_start(const char *db_path, char *err, size_t errlen)
{
	struct store *st = store_open(db_path, err, errlen);
	if (st == NULL)
		return -1;
	int rc = store_token_delete_all(st);
	if (rc != 0)
		hsm_errf(err, errlen, "%s: cannot remove the quorum tokens of the last run", db_path);
	store_close(st);
	return rc;
}
