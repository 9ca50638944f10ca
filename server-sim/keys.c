/* keys.c - the key service of a node. Token keys live in SQLite (material
 * sealed under the storage key); session keys live in the session's memory. */
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "log.h"
#include "util.h"

static struct key_obj *
session_key(struct session *s, uint32_t handle)
{
	for (size_t i = 0; i < s->nskeys; i++)
		if (s->skeys[i].handle == handle)
			return &s->skeys[i];
	return NULL;
}

hsm_rc
keys_lookup(struct session *s, uint32_t handle, struct key_obj *k, bool with_material)
{
	memset(k, 0, sizeof(*k));
	struct key_obj *sk = session_key(s, handle);
	if (sk != NULL)
		return key_obj_copy(k, sk) == 0 ? HSM_RC_SUCCESS : HSM_RC_INTERNAL;
	/* Token keys are always opened: that authenticates their metadata too. */
	(void)with_material;
	int found = store_key_get(s->store, s->node->storage_key, handle, k, true);
	if (found < 0)
		return HSM_RC_INTERNAL;
	return found == 0 ? HSM_RC_SUCCESS : HSM_RC_INVALID_HANDLE;
}

hsm_rc
keys_check_use(const struct session *s, const struct key_obj *k)
{
	if (k->owner == s->user_id || key_shared_with(k, s->user_id) ||
	    k->key_class == HSM_CLASS_PUBLIC)
		return HSM_RC_SUCCESS;
	return HSM_RC_KEY_ACCESS_DENIED;
}

hsm_rc
keys_check_owner(const struct session *s, const struct key_obj *k)
{
	return k->owner == s->user_id ? HSM_RC_SUCCESS : HSM_RC_KEY_ACCESS_DENIED;
}

hsm_rc
keys_check_share_list(struct session *s, uint32_t owner, const uint32_t *ids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct store_user u;
		if (ids[i] == owner)
			return HSM_RC_INVALID_INPUT;
		for (size_t j = 0; j < i; j++)
			if (ids[j] == ids[i])
				return HSM_RC_INVALID_INPUT;
		int found = store_user_get(s->store, ids[i], &u);
		if (found < 0)
			return HSM_RC_INTERNAL;
		if (found > 0)
			return HSM_RC_USER_DOES_NOT_EXIST;
		if (u.type != HSM_USER_CU)
			return HSM_RC_BAD_USER_TYPE;
	}
	return HSM_RC_SUCCESS;
}

hsm_rc
keys_check_template(struct session *s, const struct msg_key_template *t)
{
	if (t->label == NULL || strlen(t->label) > HSM_LABEL_MAX ||
	    (t->id != NULL && strlen(t->id) > HSM_KEY_ID_MAX))
		return HSM_RC_INVALID_INPUT;
	/* m of n needs enough users: the shares plus the owner. */
	if (t->m_value > 8 || (t->m_value > 0 && t->m_value > t->nshares + 1))
		return HSM_RC_INVALID_INPUT;
	return keys_check_share_list(s, s->user_id, t->shares, t->nshares);
}

void
keys_apply_template(struct key_obj *k, const struct msg_key_template *t, bool with_shares)
{
	hsm_strlcpy(k->label, t->label ? t->label : "", sizeof(k->label));
	hsm_strlcpy(k->id, t->id ? t->id : "", sizeof(k->id));
	if (!with_shares)
		return;
	k->m_value = t->m_value;
	k->nshares = t->nshares;
	memcpy(k->shares, t->shares, t->nshares * sizeof(t->shares[0]));
}

static bool
id_used_in_session(struct session *s, const struct key_obj *k)
{
	for (size_t i = 0; k->id[0] != '\0' && i < s->nskeys; i++) {
		const struct key_obj *o = &s->skeys[i];
		bool partner = k->handle != 0 && ((k->key_class == HSM_CLASS_PRIVATE && o->key_class == HSM_CLASS_PUBLIC &&
		                o->handle + 1 == k->handle) ||
		               (k->key_class == HSM_CLASS_PUBLIC && o->key_class == HSM_CLASS_PRIVATE &&
		                k->handle + 1 == o->handle));
		if (strcmp(o->id, k->id) == 0 && o->handle != k->handle && !partner)
			return true;
	}
	return false;
}

/* The cluster-wide rules a new key must pass, inside the write transaction. */
static hsm_rc
check_new_key(struct session *s, const struct key_obj *k, uint32_t adding)
{
	uint32_t count;
	bool taken = false;
	if (store_key_count(s->store, &count) != 0)
		return HSM_RC_INTERNAL;
	if (count + adding > HSM_MAX_KEYS)
		return HSM_RC_MAX_KEYS;
	if (k->id[0] == '\0')
		return HSM_RC_SUCCESS;
	if (store_key_id_taken(s->store, k->id, k->key_class, k->handle, &taken) != 0)
		return HSM_RC_INTERNAL;
	return taken || id_used_in_session(s, k) ? HSM_RC_ID_NOT_UNIQUE : HSM_RC_SUCCESS;
}

/* A free handle of this node: the sequence skips handles a restore brought. */
static int
next_free_handle(struct session *s, uint32_t *handle)
{
	for (int tries = 0; tries < 1000; tries++) {
		struct key_obj probe;
		if (store_key_next_handle(s->store, s->node->id, handle) != 0)
			return -1;
		int found = store_key_get(s->store, NULL, *handle, &probe, false);
		key_obj_clear(&probe);
		if (found == 1 && session_key(s, *handle) == NULL)
			return 0;
		if (found < 0)
			return -1;
	}
	return -1;
}

static hsm_rc
remember_session_key(struct session *s, const struct key_obj *k)
{
	if (s->nskeys >= SESSION_KEYS_MAX)
		return HSM_RC_MAX_KEYS;
	struct key_obj *grown = realloc(s->skeys, (s->nskeys + 1) * sizeof(*grown));
	if (grown == NULL)
		return HSM_RC_INTERNAL;
	s->skeys = grown;
	if (key_obj_copy(&s->skeys[s->nskeys], k) != 0)
		return HSM_RC_INTERNAL;
	s->nskeys++;
	return HSM_RC_SUCCESS;
}

/* A key pair shares one id: the rules are checked once, for the first key. */
static hsm_rc
create_locked(struct session *s, struct key_obj **k, size_t n, bool session_key)
{
	hsm_rc rc = check_new_key(s, k[0], session_key ? 0 : (uint32_t)n);
	for (size_t i = 0; rc == HSM_RC_SUCCESS && i < n; i++) {
		if (k[i]->owner == 0)
			k[i]->owner = s->user_id;
		if (next_free_handle(s, &k[i]->handle) != 0 ||
		    (!session_key && store_key_put(s->store, s->node->storage_key, k[i]) != 0))
			rc = HSM_RC_INTERNAL;
	}
	return rc;
}

hsm_rc
keys_create(struct session *s, struct key_obj **k, size_t n, bool session_key)
{
	/* Room for every key of a pair, or none is made. */
	if (session_key && s->nskeys + n > SESSION_KEYS_MAX)
		return HSM_RC_MAX_KEYS;
	if (store_begin(s->store) != 0)
		return HSM_RC_INTERNAL;
	hsm_rc rc = create_locked(s, k, n, session_key);
	if (rc == HSM_RC_SUCCESS && store_commit(s->store) != 0)
		rc = HSM_RC_INTERNAL;
	store_rollback(s->store);
	for (size_t i = 0; rc == HSM_RC_SUCCESS && session_key && i < n; i++)
		rc = remember_session_key(s, k[i]);
	return rc;
}

hsm_rc
keys_check_arrival(struct session *s, const struct key_obj *k)
{
	struct store_user owner;
	int found = store_user_get(s->store, k->owner, &owner);
	if (found != 0)
		return found < 0 ? HSM_RC_INTERNAL : HSM_RC_USER_DOES_NOT_EXIST;
	if (owner.type != HSM_USER_CU)
		return HSM_RC_BAD_USER_TYPE;
	return keys_check_share_list(s, k->owner, k->shares, k->nshares);
}

/* A handle of this node's own id is taken only when this database never
 * handed it out (a clone's source made it, or it is past our sequence):
 * otherwise our sequence may have given it to another key already. */
static hsm_rc
check_own_handle(struct session *s, uint32_t handle)
{
	bool unused;
	if ((handle >> HSM_HANDLE_NODE_SHIFT) != s->node->id)
		return HSM_RC_SUCCESS;
	if (store_key_seq_unused(s->store, handle & ((1u << HSM_HANDLE_NODE_SHIFT) - 1),
	                         &unused) != 0)
		return HSM_RC_INTERNAL;
	return unused ? HSM_RC_SUCCESS : HSM_RC_INVALID_INPUT;
}

static hsm_rc
clone_locked(struct session *s, struct key_obj *k)
{
	struct key_obj existing;
	int found = store_key_get(s->store, NULL, k->handle, &existing, false);
	key_obj_clear(&existing);
	if (found < 0)
		return HSM_RC_INTERNAL;
	if (found == 0 || session_key(s, k->handle) != NULL)
		return HSM_RC_INVALID_INPUT;     /* that handle is taken here */
	hsm_rc own = check_own_handle(s, k->handle);
	if (own != HSM_RC_SUCCESS)
		return own;
	hsm_rc rc = keys_check_arrival(s, k);
	if (rc == HSM_RC_SUCCESS)
		rc = check_new_key(s, k, 1);
	if (rc == HSM_RC_SUCCESS && store_key_put(s->store, s->node->storage_key, k) != 0)
		rc = HSM_RC_INTERNAL;
	return rc;
}

hsm_rc
keys_insert_clone(struct session *s, struct key_obj *k)
{
	/* A clone keeps the handle of the node that made it (check_own_handle). */
	if (!key_has(k, KF_TOKEN))
		return HSM_RC_INVALID_INPUT;
	if (store_begin(s->store) != 0)
		return HSM_RC_INTERNAL;
	hsm_rc rc = clone_locked(s, k);
	if (rc == HSM_RC_SUCCESS && store_commit(s->store) != 0)
		rc = HSM_RC_INTERNAL;
	store_rollback(s->store);
	return rc;
}

hsm_rc
keys_update(struct session *s, const struct key_obj *k)
{
	struct key_obj *sk = session_key(s, k->handle);
	if (sk != NULL) {
		struct key_obj copy;
		if (key_obj_copy(&copy, k) != 0)
			return HSM_RC_INTERNAL;
		key_obj_clear(sk);
		*sk = copy;
		return HSM_RC_SUCCESS;
	}
	if (k->material == NULL)
		return HSM_RC_INTERNAL;    /* the row is rewritten whole */
	if (store_begin(s->store) != 0)
		return HSM_RC_INTERNAL;
	hsm_rc rc = store_key_put(s->store, s->node->storage_key, k) == 0 &&
	            store_commit(s->store) == 0 ? HSM_RC_SUCCESS : HSM_RC_INTERNAL;
	store_rollback(s->store);
	return rc;
}

static void
forget_session_key(struct session *s, struct key_obj *sk)
{
	key_obj_clear(sk);
	*sk = s->skeys[--s->nskeys];
	memset(&s->skeys[s->nskeys], 0, sizeof(s->skeys[0]));
}

hsm_rc
keys_make_token(struct session *s, uint32_t handle)
{
	struct key_obj *sk = session_key(s, handle);
	if (sk == NULL)
		return HSM_RC_ATTRIBUTE_READ_ONLY;    /* already a token key */
	sk->flags |= KF_TOKEN;
	if (store_begin(s->store) != 0)
		return HSM_RC_INTERNAL;
	hsm_rc rc = check_new_key(s, sk, 1);
	if (rc == HSM_RC_SUCCESS && (store_key_put(s->store, s->node->storage_key, sk) != 0 ||
	                             store_commit(s->store) != 0))
		rc = HSM_RC_INTERNAL;
	store_rollback(s->store);
	if (rc == HSM_RC_SUCCESS)
		forget_session_key(s, sk);
	else
		sk->flags &= ~(uint32_t)KF_TOKEN;
	return rc;
}

hsm_rc
keys_remove(struct session *s, uint32_t handle)
{
	struct key_obj *sk = session_key(s, handle);
	if (sk != NULL) {
		forget_session_key(s, sk);
		return HSM_RC_SUCCESS;
	}
	if (store_begin(s->store) != 0)
		return HSM_RC_INTERNAL;
	hsm_rc rc = store_key_delete(s->store, handle) == 0 && store_commit(s->store) == 0
	            ? HSM_RC_SUCCESS : HSM_RC_INTERNAL;
	store_rollback(s->store);
	return rc;
}

int
keys_list(struct session *s, struct key_obj **out, size_t *n)
{
	struct key_obj *tokens;
	size_t ntok;
	if (store_key_list(s->store, &tokens, &ntok) != 0)
		return -1;
	struct key_obj *all = realloc(tokens, (ntok + s->nskeys + 1) * sizeof(*all));
	if (all == NULL) {
		free(tokens);
		return -1;
	}
	for (size_t i = 0; i < s->nskeys; i++) {
		all[ntok + i] = s->skeys[i];
		all[ntok + i].material = NULL;     /* the listing never carries it */
		all[ntok + i].material_len = 0;
	}
	*out = all;
	*n = ntok + s->nskeys;
	return 0;
}

void
keys_free_list(struct key_obj *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		key_obj_clear(&list[i]);
	free(list);
}

void
keys_session_drop(struct session *s)
{
	for (size_t i = 0; i < s->nskeys; i++)
		key_obj_clear(&s->skeys[i]);
	free(s->skeys);
	s->skeys = NULL;
	s->nskeys = 0;
}
