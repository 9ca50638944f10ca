/* authz.h - the HSM user permission table (manage-hsm-users-cmu.md).
 * The dispatcher asks it before any handler runs. */
#ifndef HSM_AUTHZ_H
#define HSM_AUTHZ_H

#include <stdbool.h>

#include "hsmclient.h"

/* One row per line of the reference's permission table, plus the session
 * operations that the table takes for granted. */
enum authz_perm {
	PERM_CLUSTER_INFO,         /* basic cluster info: everyone */
	PERM_LOGIN,                /* only a session nobody is logged in on */
	PERM_LOGGED_IN,            /* any logged-in user (logout) */
	PERM_CHANGE_OWN_PASSWORD,
	PERM_CHANGE_ANY_PASSWORD,
	PERM_MANAGE_USERS,         /* add, remove users */
	PERM_SYNC_STATUS,          /* digests of the keys */
	PERM_MASKED_OBJECTS,       /* extract, insert masked objects */
	PERM_KEY_MANAGEMENT,       /* create, delete, wrap, unwrap, attributes */
	PERM_ENCRYPT_DECRYPT,
	PERM_SIGN_VERIFY,
	PERM_DIGEST_HMAC,
	PERM_QUORUM_KEY,           /* register one's own quorum key: CO and CU */
	PERM_COUNT
};

/* Who asks: HSM_USER_INVALID for a session nobody is logged in on. */
bool authz_allowed(enum authz_perm perm, hsm_user_type who);
/* The refusal a client sees: not logged in, or not permitted. */
hsm_rc authz_refusal(enum authz_perm perm, hsm_user_type who);
const char *authz_perm_name(enum authz_perm perm);

#endif
