/* ops-users.c - handlers for listUsers, createUser, deleteUser, changePswd.
 * Every rule of the reference is checked here, on the server. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "authz.h"
#include "kdf.h"
#include "log.h"
#include "proto.h"
#include "quorum.h"
#include "server.h"
#include "util.h"

/* 1 to 31 characters; letters, digits and '_' only. */
static bool
user_name_valid(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > HSM_USER_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_')
			return false;
	return true;
}

static bool
password_length_valid(const char *pw)
{
	size_t n = strlen(pw);
	return n >= HSM_PASSWORD_MIN && n <= HSM_PASSWORD_MAX;
}

/* Names are case-insensitive: keep them in one case. */
static void
name_fold(char *out, size_t outsz, const char *name)
{
	size_t i;
	for (i = 0; name[i] != '\0' && i + 1 < outsz; i++)
		out[i] = (char)tolower((unsigned char)name[i]);
	out[i] = '\0';
}

static bool
type_matches(hsm_user_type asked, hsm_user_type actual)
{
	if (asked == actual)
		return true;
	return (asked == HSM_USER_CO || asked == HSM_USER_PCO) &&
	       (actual == HSM_USER_CO || actual == HSM_USER_PCO);
}

/* Finds the target of deleteUser/changePswd, checking its type argument. */
static hsm_rc
find_target(struct session *s, const struct msg_user_req *m, struct store_user *u)
{
	if (hsm_user_type_name((hsm_user_type)m->user_type) == NULL)
		return HSM_RC_BAD_USER_TYPE_ARG;
	if (!user_name_valid(m->name))
		return HSM_RC_INVALID_INPUT;
	int found = store_user_find(s->store, m->name, u);
	if (found < 0)
		return HSM_RC_INTERNAL;
	if (found > 0 || !type_matches((hsm_user_type)m->user_type, u->type))
		return HSM_RC_USER_DOES_NOT_EXIST;
	return HSM_RC_SUCCESS;
}

static void
audit_user_op(struct session *s, const char *opcode, const char *name, hsm_rc rc)
{
	char detail[64];
	snprintf(detail, sizeof(detail), "user %.31s", name);
	session_audit(s, opcode, rc, detail);
	log_info("session %llu: %s %.31s: %s", (unsigned long long)s->id, opcode, name,
	         hsm_rc_name(rc));
}

int
op_list_users(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	hsm_user_list list;
	if (hrd_end(req) != 0)
		return -1;
	if (store_user_list(s->store, &list) != 0) {
		*rc = HSM_RC_INTERNAL;
		return 0;
	}
	msg_user_list_encode(reply, &list);
	hsm_user_list_free(&list);
	*rc = HSM_RC_SUCCESS;
	return 0;
}

static hsm_rc
create_checked(struct session *s, const struct msg_user_req *m, const uint8_t *digest)
{
	hsm_user_type type = (hsm_user_type)m->user_type;
	if (type != HSM_USER_CO && type != HSM_USER_CU && type != HSM_USER_PCO &&
	    type != HSM_USER_PRECO)
		return HSM_RC_BAD_USER_TYPE_ARG;
	if (!user_name_valid(m->name))
		return HSM_RC_INVALID_INPUT;
	if (!password_length_valid(m->password))
		return HSM_RC_BAD_PASSWORD_LENGTH;
	hsm_rc tfa_rc = tfa_new_key_check(type, m, digest);
	if (tfa_rc != HSM_RC_SUCCESS)
		return tfa_rc;
	struct store_user u = { .type = type };
	if (m->flags & USER_REQ_FLAG_TFA) {    /* checked: fits, RSA-2048 */
		memcpy(u.pubkey, m->tfa.pubkey, m->tfa.pubkey_len);
		u.pubkey_len = (uint32_t)m->tfa.pubkey_len;
		u.mofn_pubkey = u.two_factor = true;
	}
	name_fold(u.name, sizeof(u.name), m->name);
	if (kdf_set_password(&u, m->password) != 0)
		return HSM_RC_INTERNAL;
	uint32_t count;
	struct store_user existing;
	hsm_rc rc = HSM_RC_INTERNAL;
	if (store_begin(s->store) != 0)
		goto out;
	hsm_rc quorum;
	int found = store_user_find(s->store, u.name, &existing);
	if (found == 0)
		rc = HSM_RC_USER_ALREADY_EXISTS;
	else if (found < 0 || store_user_count(s->store, &count) != 0)
		rc = HSM_RC_INTERNAL;
	else if (count >= HSM_MAX_USERS)
		rc = HSM_RC_MAX_USERS;
	else if ((quorum = quorum_require(s, HSM_SERVICE_USER_MGMT)) != HSM_RC_SUCCESS)
		rc = quorum;
	else if (store_user_insert(s->store, &u) == 0 && store_commit(s->store) == 0)
		rc = HSM_RC_SUCCESS;
	store_rollback(s->store);
out:
	OPENSSL_cleanse(&u, sizeof(u));
	return rc;
}

int
op_create_user(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	struct msg_user_req m;
	uint8_t digest[TFA_DIGEST_LEN];
	(void)reply;
	bool challenged = tfa_session_take(s, digest);
	if (msg_user_req_decode(req, &m, true) != 0)
		return -1;
	*rc = create_checked(s, &m, challenged ? digest : NULL);
	audit_user_op(s, m.user_type == HSM_USER_CU ? "CN_CREATE_USER" : "CN_CREATE_CO",
	              m.name, *rc);
	msg_user_req_clear(&m);
	return 0;
}

/* Everything is decided inside the write transaction, so two deletes of
 * one user cannot both succeed (nor remove whoever took its id since). */
static hsm_rc
delete_locked(struct session *s, const struct msg_user_req *m)
{
	struct store_user u;
	bool owns = false;
	hsm_rc rc = find_target(s, m, &u);
	if (rc != HSM_RC_SUCCESS)
		return rc;
	if (u.type == HSM_USER_AU)
		return HSM_RC_PERMISSION_DENIED;
	if (node_user_logged_in(s->node, u.id, NULL))
		return HSM_RC_USER_LOGGED_IN;
	if (store_user_owns_keys(s->store, u.id, &owns) != 0)
		return HSM_RC_INTERNAL;
	if (owns)
		return HSM_RC_USER_OWNS_KEYS;
	if ((u.type == HSM_USER_CO || u.type == HSM_USER_PCO) &&
	    (rc = quorum_officer_removal(s->store)) != HSM_RC_SUCCESS)
		return rc;
	if ((rc = quorum_require(s, HSM_SERVICE_USER_MGMT)) != HSM_RC_SUCCESS)
		return rc;
	if (store_key_unshare_user(s->store, s->node->storage_key, u.id) != 0)
		return HSM_RC_INTERNAL;
	int deleted = store_user_delete(s->store, u.id);
	return deleted == 0 ? HSM_RC_SUCCESS
	     : deleted > 0 ? HSM_RC_USER_DOES_NOT_EXIST : HSM_RC_INTERNAL;
}

static hsm_rc
delete_checked(struct session *s, const struct msg_user_req *m)
{
	if (store_begin(s->store) != 0)
		return HSM_RC_INTERNAL;
	hsm_rc rc = delete_locked(s, m);
	if (rc == HSM_RC_SUCCESS && store_commit(s->store) != 0)
		rc = HSM_RC_INTERNAL;
	store_rollback(s->store);
	return rc;
}

int
op_delete_user(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	struct msg_user_req m;
	(void)reply;
	if (msg_user_req_decode(req, &m, false) != 0)
		return -1;
	*rc = delete_checked(s, &m);
	audit_user_op(s, "CN_DELETE_USER", m.name, *rc);
	msg_user_req_clear(&m);
	return 0;
}

static hsm_rc
change_checked(struct session *s, const struct msg_user_req *m, const uint8_t *digest)
{
	struct store_user u;
	hsm_rc rc = find_target(s, m, &u);
	if (rc != HSM_RC_SUCCESS)
		return rc;
	bool own = u.id == s->user_id;
	if (!own && !authz_allowed(PERM_CHANGE_ANY_PASSWORD, session_who(s)))
		return HSM_RC_PERMISSION_DENIED;
	if (!own && node_user_logged_in(s->node, u.id, s))
		return HSM_RC_USER_LOGGED_IN;
	if (!password_length_valid(m->password))
		return HSM_RC_BAD_PASSWORD_LENGTH;
	if ((rc = tfa_new_key_check(u.type, m, digest)) != HSM_RC_SUCCESS)
		return rc;
	/* Activation: the PRECO becomes a CO when its password is set. */
	if (u.type == HSM_USER_PRECO)
		u.type = HSM_USER_CO;
	rc = HSM_RC_INTERNAL;
	/* The slow hash is made outside the transaction; inside it, the user
	 * must still be the one we looked up. */
	if (kdf_set_password(&u, m->password) == 0 && store_begin(s->store) == 0) {
		struct store_user again;
		int found = store_user_get(s->store, u.id, &again);
		if (found == 0 && strcasecmp(again.name, u.name) != 0)
			found = 1;
		hsm_rc quorum = HSM_RC_SUCCESS;
		if (found > 0)
			rc = HSM_RC_USER_DOES_NOT_EXIST;
		else if (!own && (quorum = quorum_require(s, HSM_SERVICE_USER_MGMT)) != HSM_RC_SUCCESS)
			rc = quorum;
		else if (found == 0 && store_user_set_password(s->store, &u) == 0 &&
		         tfa_apply_password_change(s->store, &again, m) == 0 &&
		         store_commit(s->store) == 0)
			rc = HSM_RC_SUCCESS;
		store_rollback(s->store);
		OPENSSL_cleanse(&again, sizeof(again));
	}
	if (rc == HSM_RC_SUCCESS)
		node_user_retype(s->node, u.id, u.type);
	OPENSSL_cleanse(&u, sizeof(u));
	return rc;
}

int
op_change_pswd(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	struct msg_user_req m;
	uint8_t digest[TFA_DIGEST_LEN];
	(void)reply;
	bool challenged = tfa_session_take(s, digest);
	if (msg_user_req_decode(req, &m, true) != 0)
		return -1;
	*rc = change_checked(s, &m, challenged ? digest : NULL);
	audit_user_op(s, "CN_CHANGE_PSWD", m.name, *rc);
	msg_user_req_clear(&m);
	return 0;
}
