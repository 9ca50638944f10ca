/* hsm-error.c - the one table of return codes, names and messages.
 * Error2String, CMU and KMU output and the simulator all read it. */
#include <stddef.h>

#include "hsmclient.h"

struct rc_entry {
	hsm_rc code;
	const char *name;
	const char *message;
};

/* Documented codes keep their documented text; see doc/return-codes.md. */
static const struct rc_entry rc_table[] = {
	{ .code = HSM_RC_SUCCESS, .name = "RET_OK",
	  .message = "HSM Return: SUCCESS" },
	{ .code = HSM_RC_INVALID_INPUT, .name = "RET_INVALID_INPUT",
	  .message = "HSM Error: Invalid input data/params" },
	{ .code = HSM_RC_BAD_PKCS_DATA, .name = "ERR_BAD_PKCS_DATA",
	  .message = "CSP Error: ERR_BAD_PKCS_DATA" },
	{ .code = HSM_RC_USER_NOT_INITIALIZED, .name = "RET_USER_NOT_INITIALIZED",
	  .message = "HSM Error: user isn't initialized or user with this name doesn't exist" },
	{ .code = HSM_RC_USER_ALREADY_EXISTS, .name = "RET_USER_ALREADY_EXISTS",
	  .message = "HSM Error: This user is already created" },
	{ .code = HSM_RC_USER_DOES_NOT_EXIST, .name = "RET_USER_DOES_NOT_EXIST",
	  .message = "HSM Error: This user does not exist" },
	{ .code = HSM_RC_BAD_USER_TYPE_ARG, .name = "RET_INVALID_USER_TYPE_ARG",
	  .message = "HSM Error: invalid user type" },
	{ .code = HSM_RC_BAD_PASSWORD_LENGTH, .name = "RET_INVALID_PASSWORD_LENGTH",
	  .message = "HSM Error: min pswd len 7 and max pswd len 32" },
	{ .code = HSM_RC_LOGIN_FAILURE, .name = "RET_USER_LOGIN_FAILURE",
	  .message = "HSM Error: RET_USER_LOGIN_FAILURE" },
	{ .code = HSM_RC_USER_LOCKED, .name = "RET_USER_LOCKED",
	  .message = "HSM Error: User account is locked, a CO must reset its password" },
	{ .code = HSM_RC_USER_LOGGED_IN, .name = "RET_USER_LOGGED_IN",
	  .message = "HSM Error: User is currently logged in" },
	{ .code = HSM_RC_USER_OWNS_KEYS, .name = "RET_USER_OWNS_KEYS",
	  .message = "HSM Error: This user owns keys" },
	{ .code = HSM_RC_MAX_USERS, .name = "RET_MAX_USERS",
	  .message = "HSM Error: Maximum number of users reached" },
	{ .code = HSM_RC_INVALID_HANDLE, .name = "RET_INVALID_HANDLE",
	  .message = "HSM Error: Invalid object handle is passed to this operation" },
	{ .code = HSM_RC_MAX_KEYS, .name = "RET_MAX_OBJECTS",
	  .message = "HSM Error: Maximum number of keys reached" },
	{ .code = HSM_RC_KEY_NOT_EXTRACTABLE, .name = "RET_KEY_NOT_EXTRACTABLE",
	  .message = "HSM Error: Key is not extractable" },
	{ .code = HSM_RC_ATTRIBUTE_INVALID, .name = "RET_ATTRIBUTE_INVALID",
	  .message = "HSM Error: Invalid attribute for this object" },
	{ .code = HSM_RC_ATTRIBUTE_READ_ONLY, .name = "RET_ATTRIBUTE_READ_ONLY",
	  .message = "HSM Error: Attribute cannot be modified" },
	{ .code = HSM_RC_MECHANISM_INVALID, .name = "RET_MECHANISM_INVALID",
	  .message = "HSM Error: Invalid mechanism for this key" },
	{ .code = HSM_RC_KEY_TYPE_INCONSISTENT, .name = "RET_KEY_TYPE_INCONSISTENT",
	  .message = "HSM Error: Key type is inconsistent with the operation" },
	{ .code = HSM_RC_KEY_SIZE_RANGE, .name = "RET_KEY_SIZE_RANGE",
	  .message = "HSM Error: Key size is out of range" },
	{ .code = HSM_RC_ID_NOT_UNIQUE, .name = "RET_ID_NOT_UNIQUE",
	  .message = "HSM Error: Key ID is not unique in the cluster" },
	{ .code = HSM_RC_MASKED_OBJECT_INVALID, .name = "RET_MASKED_OBJECT_INVALID",
	  .message = "HSM Error: Masked object is corrupt or from another cluster" },
	{ .code = HSM_RC_POLICY_VIOLATION, .name = "RET_POLICY_MISMATCH",
	  .message = "HSM Error: This operation violates the current configured/FIPS policies" },
	{ .code = HSM_RC_KEY_ACCESS_DENIED, .name = "RET_KEY_ACCESS_DENIED",
	  .message = "HSM Error: Key Access is denied." },
	{ .code = HSM_RC_NOT_LOGGED_IN, .name = "RET_USER_NOT_LOGGED_IN",
	  .message = "HSM Error: User is not logged in" },
	{ .code = HSM_RC_PERMISSION_DENIED, .name = "RET_INSUFFICIENT_PERMISSION",
	  .message = "HSM Error: This user type is not permitted to perform this operation" },
	{ .code = HSM_RC_ALREADY_LOGGED_IN, .name = "RET_ALREADY_LOGGED_IN",
	  .message = "HSM Error: A user is already logged in on this session" },
	{ .code = HSM_RC_BAD_USER_TYPE, .name = "RET_INVALID_USER_TYPE",
	  .message = "HSM Error: Invalid User Type." },
	{ .code = HSM_RC_MXN_AUTH_FAILED, .name = "RET_MXN_AUTH_FAILED",
	  .message = "RET_MXN_AUTH_FAILED" },
	{ .code = HSM_RC_TOKEN_EXPIRED, .name = "RET_TOKEN_EXPIRED",
	  .message = "HSM Error: Quorum token has expired" },
	{ .code = HSM_RC_TOKEN_INVALID, .name = "RET_INVALID_TOKEN",
	  .message = "HSM Error: No valid quorum token of this session for this HSM" },
	{ .code = HSM_RC_MAX_TOKENS, .name = "RET_MAX_TOKENS",
	  .message = "HSM Error: Maximum number of quorum tokens reached" },
	{ .code = HSM_RC_MXN_NOT_ENABLED, .name = "RET_MXN_NOT_ENABLED",
	  .message = "HSM Error: Quorum is not enabled for this service (its M value is 1)" },
	{ .code = HSM_RC_MXN_TOO_FEW_OFFICERS, .name = "RET_MXN_TOO_FEW_OFFICERS",
	  .message = "HSM Error: M value is greater than the number of crypto officers" },
	{ .code = HSM_RC_MXN_KEY_IS_2FA, .name = "RET_MXN_KEY_IS_2FA",
	  .message = "HSM Error: This user's quorum key is its 2FA key: change it with changePswd -2fa" },
	{ .code = HSM_RC_TFA_SIGNATURE_INVALID, .name = "RET_2FA_SIGNATURE_INVALID",
	  .message = "HSM Error: The 2FA signature does not verify with the given public key" },
	{ .code = HSM_RC_INTERNAL, .name = "RET_INTERNAL_ERROR",
	  .message = "HSM Error: Internal error" },
	{ .code = HSM_RC_CLUSTER_PARTIAL, .name = "RET_CLUSTER_PARTIAL_FAILURE",
	  .message = "HSM CLUSTER ERROR: Operation failed on one or more servers in the cluster" },
	{ .code = HSM_RC_CLUSTER_UNAVAILABLE, .name = "RET_CLUSTER_SERVER_UNAVAILABLE",
	  .message = "HSM CLUSTER ERROR: Server in cluster is unavailable" },
	{ .code = HSM_RC_CLUSTER_TIMEOUT, .name = "RET_CLUSTER_TIMEOUT",
	  .message = "HSM CLUSTER ERROR: Request to server timed out" },
	{ .code = HSM_RC_CLUSTER_MIN_NODES, .name = "RET_CLUSTER_MIN_NODES",
	  .message = "HSM CLUSTER ERROR: Object could not be created on the minimum number of servers" },
	{ .code = HSM_RC_CLUSTER_PROTOCOL, .name = "RET_CLUSTER_PROTOCOL",
	  .message = "HSM CLUSTER ERROR: Malformed response from server" },
	{ .code = HSM_RC_CLIENT_LOGIN_FAILED, .name = "RET_CLIENT_LOGIN_FAILED",
	  .message = "HSM Error: RET_USER_LOGIN_FAILURE" },
};

static const struct rc_entry *
rc_lookup(hsm_rc rc)
{
	for (size_t i = 0; i < sizeof(rc_table) / sizeof(rc_table[0]); i++)
		if (rc_table[i].code == rc)
			return &rc_table[i];
	return NULL;
}

const char *
hsm_rc_message(hsm_rc rc)
{
	const struct rc_entry *e = rc_lookup(rc);
	return e ? e->message : NULL;
}

const char *
hsm_rc_name(hsm_rc rc)
{
	const struct rc_entry *e = rc_lookup(rc);
	return e ? e->name : NULL;
}
