/* ops-session.c - handlers for login/logout and the node-information requests.
 * Login counts failures and locks a user after HSM_LOGIN_ATTEMPTS_MAX. */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "kdf.h"
#include "keys.h"
#include "log.h"
#include "proto.h"
#include "quorum.h"
#include "server.h"
#include "util.h"

void
session_audit(struct session *s, const char *opcode, hsm_rc rc, const char *detail)
{
	if (s->store != NULL &&
	    store_audit(s->store, opcode, s->logged_in ? s->user_name : NULL, rc, detail) != 0)
		log_warn("session %llu: audit write failed", (unsigned long long)s->id);
}

int
op_hello(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	if (hrd_end(req) != 0)
		return -1;
	struct msg_hello m = {
		.node_id = s->node->id,
		.node_count = s->node->cluster.count,
	};
	hsm_strlcpy(m.hsm_id, s->node->identity.hsm_id, sizeof(m.hsm_id));
	hsm_strlcpy(m.cluster_id, s->node->identity.cluster_id, sizeof(m.cluster_id));
	msg_hello_encode(reply, &m);
	*rc = HSM_RC_SUCCESS;
	return 0;
}

/* CO and PCO are one kind of officer for matching a login's user type. */
static bool
user_type_matches(hsm_user_type asked, hsm_user_type actual)
{
	if (asked == actual)
		return true;
	return (asked == HSM_USER_CO || asked == HSM_USER_PCO) &&
	       (actual == HSM_USER_CO || actual == HSM_USER_PCO);
}

/* Records the outcome of a password check under the write lock. The hash is
 * computed before the transaction so a slow KDF never blocks other sessions. */
static hsm_rc
login_record(struct session *s, const struct store_user *before, bool password_ok)
{
	struct store_user now;
	if (store_begin(s->store) != 0)
		return HSM_RC_INTERNAL;
	if (store_user_get(s->store, before->id, &now) != 0)
		goto fail;
	if (memcmp(now.hash, before->hash, sizeof(now.hash)) != 0 ||
	    now.two_factor != before->two_factor || now.pubkey_len != before->pubkey_len ||
	    memcmp(now.pubkey, before->pubkey, now.pubkey_len) != 0)
		password_ok = false;    /* changed meanwhile: what was checked is stale */
	hsm_rc rc = HSM_RC_SUCCESS;
	if (now.failures >= HSM_LOGIN_ATTEMPTS_MAX) {
		rc = HSM_RC_USER_LOCKED;
	} else if (!password_ok) {
		if (store_user_set_failures(s->store, now.id, now.failures + 1) != 0)
			goto fail;
		rc = HSM_RC_LOGIN_FAILURE;
	} else if (now.failures != 0 && store_user_set_failures(s->store, now.id, 0) != 0) {
		goto fail;
	}
	OPENSSL_cleanse(&now, sizeof(now));
	return store_commit(s->store) == 0 ? rc : HSM_RC_INTERNAL;
fail:
	OPENSSL_cleanse(&now, sizeof(now));
	store_rollback(s->store);
	return HSM_RC_INTERNAL;
}

/* digest: the session's 2FA challenge, NULL when it had none. */
static hsm_rc
login_check(struct session *s, const struct msg_user_req *m, struct store_user *u,
            const uint8_t *digest)
{
	if (hsm_user_type_name((hsm_user_type)m->user_type) == NULL)
		return HSM_RC_BAD_USER_TYPE_ARG;
	if ((m->flags & LOGIN_FLAG_CU_ONLY) && m->user_type != HSM_USER_CU)
		return HSM_RC_BAD_USER_TYPE;
	int found = store_user_find(s->store, m->name, u);
	if (found < 0)
		return HSM_RC_INTERNAL;
	if (found > 0)
		return HSM_RC_USER_NOT_INITIALIZED;
	if (!user_type_matches((hsm_user_type)m->user_type, u->type))
		return HSM_RC_BAD_USER_TYPE;
	if (u->failures >= HSM_LOGIN_ATTEMPTS_MAX)
		return HSM_RC_USER_LOCKED;
	bool password_ok = kdf_check_password(u, m->password);
	return login_record(s, u, tfa_login_factor_ok(u, m, digest) && password_ok);
}

int
op_login(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	struct msg_user_req m;
	struct store_user u;
	uint8_t digest[TFA_DIGEST_LEN];
	(void)reply;
	/* Every login attempt uses the challenge up: a signature is good once. */
	bool challenged = tfa_session_take(s, digest);
	if (msg_user_req_decode(req, &m, true) != 0)
		return -1;
	memset(&u, 0, sizeof(u));
	*rc = login_check(s, &m, &u, challenged ? digest : NULL);
	if (*rc == HSM_RC_SUCCESS) {
		pthread_mutex_lock(&s->node->lock);
		s->logged_in = true;
		s->user_id = u.id;
		s->user_type = u.type;
		hsm_strlcpy(s->user_name, u.name, sizeof(s->user_name));
		pthread_mutex_unlock(&s->node->lock);
	}
	char detail[64];
	snprintf(detail, sizeof(detail), "user %.31s", m.name);
	session_audit(s, "CN_LOGIN", *rc, detail);
	log_info("session %llu: login %.31s: %s", (unsigned long long)s->id, m.name,
	         hsm_rc_name(*rc));
	OPENSSL_cleanse(&u, sizeof(u));
	msg_user_req_clear(&m);
	return 0;
}

int
op_logout(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	(void)reply;
	if (hrd_end(req) != 0)
		return -1;
	session_audit(s, "CN_LOGOUT", HSM_RC_SUCCESS, NULL);
	quorum_session_end(s);
	keys_session_drop(s);
	pthread_mutex_lock(&s->node->lock);
	s->logged_in = false;
	s->user_id = 0;
	s->user_type = HSM_USER_INVALID;
	s->user_name[0] = '\0';
	pthread_mutex_unlock(&s->node->lock);
	*rc = HSM_RC_SUCCESS;
	return 0;
}

int
op_cluster_info(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	if (hrd_end(req) != 0)
		return -1;
	struct msg_cluster_info m = { .count = s->node->cluster.count };
	for (unsigned i = 0; i < m.count; i++) {
		m.nodes[i].node_id = s->node->cluster.nodes[i].id;
		hsm_strlcpy(m.nodes[i].host, s->node->cluster.nodes[i].host,
		            sizeof(m.nodes[i].host));
		m.nodes[i].port = s->node->cluster.nodes[i].port;
	}
	msg_cluster_info_encode(reply, &m);
	*rc = HSM_RC_SUCCESS;
	return 0;
}
