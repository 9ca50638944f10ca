/* quorum-keys.c - quorum for keys: a key made with an m_value is used (service
 * 5) or shared (service 6) only with a token approved by that many of its users. */
#include <string.h>

#include "keys.h"
#include "quorum.h"

hsm_rc
quorum_key_rule(struct session *s, uint32_t handle, struct quorum_rule *r)
{
	struct key_obj k;
	memset(r, 0, sizeof(*r));
	hsm_rc rc = keys_lookup(s, handle, &k, false);
	if (rc == HSM_RC_SUCCESS) {
		r->key = true;
		r->m = k.m_value;
		r->owner = k.owner;
		r->nshares = k.nshares <= HSM_MAX_SHARES ? k.nshares : HSM_MAX_SHARES;
		memcpy(r->shares, k.shares, r->nshares * sizeof(r->shares[0]));
	}
	key_obj_clear(&k);
	return rc;
}

hsm_rc
quorum_key_token_check(struct session *s, uint32_t service, uint32_t handle, uint32_t *m)
{
	struct key_obj k;
	*m = 0;
	if (!quorum_key_service(service))
		return HSM_RC_INVALID_INPUT;
	hsm_rc rc = keys_lookup(s, handle, &k, false);
	if (rc == HSM_RC_SUCCESS)
		rc = service == HSM_SERVICE_MANAGE_KEY ? keys_check_owner(s, &k)
		                                       : keys_check_use(s, &k);
	if (rc == HSM_RC_SUCCESS && k.m_value == 0)
		rc = HSM_RC_MXN_KEY_NOT_ENABLED;
	if (rc == HSM_RC_SUCCESS)
		*m = k.m_value;
	key_obj_clear(&k);
	return rc;
}

static bool
any_under_quorum(const struct key_obj *const *keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (keys[i] != NULL && keys[i]->m_value > 0)
			return true;
	return false;
}

hsm_rc
quorum_keys_consume(struct session *s, const struct key_obj *const *keys, size_t n,
                    uint32_t service)
{
	uint64_t now = quorum_now();
	hsm_rc rc = HSM_RC_SUCCESS;
	for (size_t i = 0; i < n && rc == HSM_RC_SUCCESS; i++)
		if (keys[i] != NULL && keys[i]->m_value > 0)
			rc = quorum_consume(s, service, keys[i]->handle, keys[i]->m_value, now);
	return rc;
}

hsm_rc
quorum_keys_begin(struct session *s, const struct key_obj *const *keys, size_t n,
                  uint32_t service, bool *held)
{
	*held = false;
	if (!any_under_quorum(keys, n))
		return HSM_RC_SUCCESS;
	if (store_begin(s->store) != 0)
		return HSM_RC_INTERNAL;
	hsm_rc rc = quorum_keys_consume(s, keys, n, service);
	if (rc != HSM_RC_SUCCESS) {
		store_rollback(s->store);
		return rc;
	}
	*held = true;
	return HSM_RC_SUCCESS;
}

hsm_rc
quorum_keys_finish(struct session *s, bool held, hsm_rc rc)
{
	if (!held)
		return rc;
	if (rc == HSM_RC_SUCCESS && store_commit(s->store) != 0)
		rc = HSM_RC_INTERNAL;
	store_rollback(s->store);
	return rc;
}
