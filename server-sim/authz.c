/* authz.c - the HSM user permission table as data.
 * PCO acts as CO; PRECO may only read and change its own password. */
#include "authz.h"
#include "util.h"

enum authz_column { COL_CO, COL_CU, COL_AU, COL_PRECO, COL_NONE, COL_COUNT };

static const struct {
	const char *name;
	bool allowed[COL_COUNT];   /* CO, CU, AU, PRECO, unauthenticated */
} perm_table[PERM_COUNT] = {
	[PERM_CLUSTER_INFO] = { "get basic cluster info", { true, true, true, true, true } },
	[PERM_LOGIN] = { "log in", { false, false, false, false, true } },
	[PERM_LOGGED_IN] = { "log out", { true, true, true, true, false } },
	[PERM_CHANGE_OWN_PASSWORD] = { "change own password", { true, true, true, true, false } },
	[PERM_CHANGE_ANY_PASSWORD] = { "change any user's password", { true, false, false, false, false } },
	[PERM_MANAGE_USERS] = { "add, remove users", { true, false, false, false, false } },
	[PERM_SYNC_STATUS] = { "get sync status", { true, true, true, false, false } },
	[PERM_MASKED_OBJECTS] = { "extract, insert masked objects", { true, true, true, false, false } },
	[PERM_KEY_MANAGEMENT] = { "key management functions", { false, true, false, false, false } },
	[PERM_ENCRYPT_DECRYPT] = { "encrypt, decrypt", { false, true, false, false, false } },
	[PERM_SIGN_VERIFY] = { "sign, verify", { false, true, false, false, false } },
	[PERM_DIGEST_HMAC] = { "generate digests and HMACs", { false, true, false, false, false } },
	/* Approvers of officer and of key services alike (quorum pages). */
	[PERM_QUORUM_KEY] = { "register own quorum key", { true, true, false, false, false } },
};

static int
column_of(hsm_user_type who)
{
	switch (who) {
	case HSM_USER_CO:
	case HSM_USER_PCO:
		return COL_CO;
	case HSM_USER_CU:
		return COL_CU;
	case HSM_USER_AU:
		return COL_AU;
	case HSM_USER_PRECO:
		return COL_PRECO;
	case HSM_USER_INVALID:
		return COL_NONE;
	}
	return -1;
}

bool
authz_allowed(enum authz_perm perm, hsm_user_type who)
{
	int col = column_of(who);
	if ((unsigned)perm >= PERM_COUNT || col < 0)
		return false;
	return perm_table[perm].allowed[col];
}

hsm_rc
authz_refusal(enum authz_perm perm, hsm_user_type who)
{
	if (authz_allowed(perm, who))
		return HSM_RC_SUCCESS;
	if (perm == PERM_LOGIN)
		return HSM_RC_ALREADY_LOGGED_IN;
	return who == HSM_USER_INVALID ? HSM_RC_NOT_LOGGED_IN : HSM_RC_PERMISSION_DENIED;
}

const char *
authz_perm_name(enum authz_perm perm)
{
	return (unsigned)perm < PERM_COUNT ? perm_table[perm].name : "unknown";
}
