/* ops-sync.c - masked user objects: a user's record sealed under the masking
 * key for its masking domain, for syncUser (also between cloned clusters) and
 * for rolling back a partial deleteUser. */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "log.h"
#include "mask.h"
#include "proto.h"
#include "quorum.h"
#include "server.h"
#include "util.h"

#define USER_OBJECT_VERSION 2u   /* 2: with the registered public key */
#define USER_OBJECT_MAX 4096u

static void
user_object_encode(struct hbuf *b, const struct store_user *u)
{
	hbuf_put_u32(b, USER_OBJECT_VERSION);
	hbuf_put_u32(b, u->id);
	hbuf_put_u8(b, (uint8_t)u->type);
	hbuf_put_str(b, u->name);
	hbuf_put_bytes(b, u->salt, sizeof(u->salt));
	hbuf_put_u32(b, u->iterations);
	hbuf_put_bytes(b, u->hash, sizeof(u->hash));
	hbuf_put_u32(b, u->failures);
	hbuf_put_u8(b, u->two_factor);
	hbuf_put_bytes(b, u->pubkey, u->pubkey_len);
}

static int
user_object_decode(struct hrd *r, struct store_user *u)
{
	uint32_t version;
	uint8_t type;
	const uint8_t *salt, *hash, *key;
	size_t saltlen, hashlen, keylen;
	memset(u, 0, sizeof(*u));
	if (hrd_get_u32(r, &version) != 0 || version != USER_OBJECT_VERSION ||
	    hrd_get_u32(r, &u->id) != 0 || hrd_get_u8(r, &type) != 0 ||
	    hrd_get_str_fixed(r, u->name, sizeof(u->name)) != 0 ||
	    hrd_get_bytes(r, &salt, &saltlen, sizeof(u->salt)) != 0 ||
	    saltlen != sizeof(u->salt) || hrd_get_u32(r, &u->iterations) != 0 ||
	    hrd_get_bytes(r, &hash, &hashlen, sizeof(u->hash)) != 0 ||
	    hashlen != sizeof(u->hash) || hrd_get_u32(r, &u->failures) != 0 ||
	    hrd_get_bool(r, &u->two_factor) != 0 ||
	    hrd_get_bytes(r, &key, &keylen, sizeof(u->pubkey)) != 0 || hrd_end(r) != 0)
		return -1;
	if (hsm_user_type_name((hsm_user_type)type) == NULL || u->iterations == 0)
		return -1;
	u->type = (hsm_user_type)type;
	memcpy(u->salt, salt, saltlen);
	memcpy(u->hash, hash, hashlen);
	if (keylen > 0)
		memcpy(u->pubkey, key, keylen);
	u->pubkey_len = (uint32_t)keylen;
	u->mofn_pubkey = keylen > 0;
	u->two_factor = u->two_factor && keylen > 0;
	return 0;
}

static hsm_rc
extract_checked(struct session *s, const struct msg_user_ref *m, struct hbuf *reply)
{
	struct store_user u;
	int found = m->id != 0 ? store_user_get(s->store, m->id, &u)
	                       : store_user_find(s->store, m->name, &u);
	if (found < 0)
		return HSM_RC_INTERNAL;
	if (found > 0)
		return HSM_RC_USER_DOES_NOT_EXIST;
	struct hbuf plain, sealed;
	hbuf_init(&plain);
	hbuf_init(&sealed);
	user_object_encode(&plain, &u);
	hsm_rc rc = HSM_RC_INTERNAL;
	if (!plain.failed && mask_seal(s->node->masking_key, "user", mask_domain(&s->node->identity),
	                               plain.data, plain.len, &sealed) == 0) {
		hbuf_put_bytes(reply, sealed.data, sealed.len);
		rc = HSM_RC_SUCCESS;
	}
	hbuf_free(&plain);
	hbuf_free(&sealed);
	OPENSSL_cleanse(&u, sizeof(u));
	return rc;
}

int
op_extract_user(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	struct msg_user_ref m;
	if (msg_user_ref_decode(req, &m) != 0)
		return -1;
	*rc = extract_checked(s, &m, reply);
	char detail[64];
	snprintf(detail, sizeof(detail), "user id %u name %.31s", m.id, m.name);
	session_audit(s, "CN_EXTRACT_MASKED_OBJECT_USER", *rc, detail);
	msg_user_ref_clear(&m);
	return 0;
}

/* A user of that name and type here takes the copy's credentials (password,
 * registered key, 2FA flag, failed logins) and keeps its own id: syncUser
 * rotates credentials across cloned clusters this way. */
static hsm_rc
update_record(struct session *s, const struct store_user *here, struct store_user *u)
{
	if (here->type != u->type)
		return HSM_RC_USER_ALREADY_EXISTS;
	u->id = here->id;
	if (store_user_set_password(s->store, u) != 0 ||
	    store_user_set_pubkey(s->store, u->id, u->pubkey, u->pubkey_len, u->two_factor) != 0 ||
	    store_user_set_failures(s->store, u->id, u->failures) != 0)
		return HSM_RC_INTERNAL;
	return HSM_RC_SUCCESS;
}

/* A new user keeps the copy's id when it is free here, else takes the next
 * one: keys name their users too (ops-masked.c), so ids may differ. */
static hsm_rc
add_record(struct session *s, struct store_user *u, bool id_taken)
{
	uint32_t count;
	if (store_user_count(s->store, &count) != 0)
		return HSM_RC_INTERNAL;
	if (count >= HSM_MAX_USERS)
		return HSM_RC_MAX_USERS;
	if (id_taken)
		u->id = 0;
	if (store_user_insert(s->store, u) != 0 ||
	    store_user_set_failures(s->store, u->id, u->failures) != 0)
		return HSM_RC_INTERNAL;
	return HSM_RC_SUCCESS;
}

static hsm_rc
insert_record(struct session *s, struct store_user *u)
{
	struct store_user other;
	hsm_rc rc = HSM_RC_INTERNAL;
	if (store_begin(s->store) != 0)
		return HSM_RC_INTERNAL;
	int by_name = store_user_find(s->store, u->name, &other);
	if (by_name == 0) {
		rc = update_record(s, &other, u);
	} else if (by_name > 0) {
		int by_id = store_user_get(s->store, u->id, &other);
		if (by_id >= 0)
			rc = add_record(s, u, by_id == 0);
	}
	/* A new user, or new credentials of one, from elsewhere: quorum decides. */
	if (rc == HSM_RC_SUCCESS)
		rc = quorum_require(s, HSM_SERVICE_USER_MGMT);
	if (rc == HSM_RC_SUCCESS && store_commit(s->store) != 0)
		rc = HSM_RC_INTERNAL;
	store_rollback(s->store);
	OPENSSL_cleanse(&other, sizeof(other));
	return rc;
}

static hsm_rc
insert_checked(struct session *s, const uint8_t *blob, size_t n, char *who, size_t wholen)
{
	struct hbuf plain;
	struct hrd r;
	struct store_user u;
	hbuf_init(&plain);
	hsm_rc rc = HSM_RC_MASKED_OBJECT_INVALID;
	if (mask_open(s->node->masking_key, "user", mask_domain(&s->node->identity), blob, n,
	              &plain) == 0) {
		hrd_init(&r, plain.data, plain.len);
		if (user_object_decode(&r, &u) == 0) {
			hsm_strlcpy(who, u.name, wholen);
			rc = insert_record(s, &u);
		}
	}
	hbuf_free(&plain);
	OPENSSL_cleanse(&u, sizeof(u));
	return rc;
}

int
op_insert_user(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	struct msg_blob blob;
	char who[HSM_USER_NAME_MAX + 1] = "";
	(void)reply;
	if (msg_blob_decode(req, &blob, USER_OBJECT_MAX) != 0)
		return -1;
	*rc = insert_checked(s, blob.data, blob.len, who, sizeof(who));
	char detail[64];
	snprintf(detail, sizeof(detail), "user %.31s", who);
	session_audit(s, "CN_INSERT_MASKED_OBJECT_USER", *rc, detail);
	log_info("session %llu: insert masked user %s: %s", (unsigned long long)s->id, who,
	         hsm_rc_name(*rc));
	return 0;
}
