/* ops-findall.c - findAllKeys: the token keys a CU owns or shares, and a
 * hash of users, ownership and sharing that agrees on nodes in sync. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "keys.h"
#include "proto.h"
#include "server.h"
#include "store.h"

#define HASH_CONTEXT "hsm-sim findAllKeys v1"

static int
by_handle(const void *a, const void *b)
{
	uint32_t x = ((const struct key_obj *)a)->handle, y = ((const struct key_obj *)b)->handle;
	return (x > y) - (x < y);
}

static int
by_id(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* Owned keys show "(o)" when nobody shares them, bare when someone does;
 * public keys count only for their owner. 0: the key is not the user's. */
static uint32_t
relation_of(const struct key_obj *k, uint32_t user)
{
	if (k->owner == user)
		return k->nshares > 0 ? HSM_KEYREL_OWNER_SHARED : HSM_KEYREL_OWNER;
	if (k->key_class != HSM_CLASS_PUBLIC && key_shared_with(k, user))
		return HSM_KEYREL_SHARED;
	return 0;
}

/* The canonical encoding: users by id (id, type, name), then token keys by
 * handle (handle, owner, sorted share list); login counters stay out. */
static void
encode_state(struct hbuf *b, const hsm_user_list *users, const struct key_obj *keys,
             size_t n)
{
	hbuf_put_str(b, HASH_CONTEXT);
	hbuf_put_u32(b, (uint32_t)users->count);
	for (size_t i = 0; i < users->count; i++) {
		hbuf_put_u32(b, users->users[i].id);
		hbuf_put_u32(b, (uint32_t)users->users[i].type);
		hbuf_put_str(b, users->users[i].name);
	}
	hbuf_put_u32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		uint32_t shares[HSM_MAX_SHARES];
		uint32_t ns = keys[i].nshares <= HSM_MAX_SHARES ? keys[i].nshares : HSM_MAX_SHARES;
		memcpy(shares, keys[i].shares, ns * sizeof(shares[0]));
		qsort(shares, ns, sizeof(shares[0]), by_id);
		hbuf_put_u32(b, keys[i].handle);
		hbuf_put_u32(b, keys[i].owner);
		msg_user_ids_encode(b, shares, ns);
	}
}

static hsm_rc
state_hash(struct session *s, const struct key_obj *keys, size_t n, uint8_t out[32])
{
	hsm_user_list users;
	struct hbuf b;
	unsigned int len = 0;
	if (store_user_list(s->store, &users) != 0)
		return HSM_RC_INTERNAL;
	hbuf_init(&b);
	encode_state(&b, &users, keys, n);
	int ok = !b.failed && EVP_Digest(b.data, b.len, out, &len, EVP_sha256(), NULL) == 1 &&
	         len == 32;
	hbuf_free(&b);
	hsm_user_list_free(&users);
	return ok ? HSM_RC_SUCCESS : HSM_RC_INTERNAL;
}

static hsm_rc
collect(const struct key_obj *keys, size_t n, uint32_t user, hsm_user_key_list *out)
{
	out->keys = calloc(n ? n : 1, sizeof(*out->keys));
	if (out->keys == NULL)
		return HSM_RC_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		uint32_t rel = relation_of(&keys[i], user);
		if (rel != 0) {
			out->keys[out->count].handle = keys[i].handle;
			out->keys[out->count++].relation = rel;
		}
	}
	return HSM_RC_SUCCESS;
}

static hsm_rc
find_all(struct session *s, uint32_t user, bool with_hash, hsm_user_key_list *out)
{
	struct store_user u;
	struct key_obj *keys;
	size_t n;
	memset(out, 0, sizeof(*out));
	int found = store_user_get(s->store, user, &u);
	bool is_cu = found == 0 && u.type == HSM_USER_CU;
	OPENSSL_cleanse(&u, sizeof(u));     /* it carries the password hash */
	if (found != 0)
		return found < 0 ? HSM_RC_INTERNAL : HSM_RC_USER_DOES_NOT_EXIST;
	if (store_key_list(s->store, &keys, &n) != 0)
		return HSM_RC_INTERNAL;
	qsort(keys, n, sizeof(*keys), by_handle);
	hsm_rc rc = is_cu ? collect(keys, n, user, out) : HSM_RC_SUCCESS;
	if (rc == HSM_RC_SUCCESS && with_hash && out->count > 0) {
		rc = state_hash(s, keys, n, out->hash);
		out->has_hash = rc == HSM_RC_SUCCESS;
	}
	keys_free_list(keys, n);
	return rc;
}

/* The dispatch row lets CO, CU and AU through (sync status); crypto
 * users are refused here: findAllKeys is for officers and the AU. */
int
op_find_all_keys(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	uint32_t user;
	bool with_hash;
	hsm_user_key_list list;
	if (msg_find_all_req_decode(req, &user, &with_hash) != 0)
		return -1;
	if (session_who(s) == HSM_USER_CU) {
		*rc = HSM_RC_PERMISSION_DENIED;
		return 0;
	}
	*rc = find_all(s, user, with_hash, &list);
	if (*rc == HSM_RC_SUCCESS)
		msg_user_keys_encode(reply, &list);
	hsm_user_key_list_free(&list);
	return 0;
}
