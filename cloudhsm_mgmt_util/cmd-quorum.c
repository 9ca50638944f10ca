/* cmd-quorum.c - the quorum (M of N) commands of the reference. hsm-sim
 * has no quorum authentication yet, so each says so instead of "Unknown
 * command": a script written for the real tool learns why it stopped. */
#include <stdio.h>

#include "cmu.h"

/* The M value of every service is 1 on hsm-sim: no operation waits for
 * approvals, and none can be registered or given. */
static int
cmd_quorum_exec(struct cmu *cmu, int argc, char **argv)
{
	(void)cmu;
	(void)argc;
	(void)argv;
	printf("Error: quorum (M of N) authentication is not supported by this HSM: "
	       "every service has an M value of 1 and nothing needs approval\n");
	return 1;
}

#define QUORUM_ENTRY(var, cmd, syntax)                                        \
	const struct cmu_cmd var = {                                          \
		.name = cmd, .usage = syntax,                                 \
		.summary = "Quorum (M of N) authentication: not supported",   \
		.min_args = 0, .max_args = 16, .exec = cmd_quorum_exec,       \
	}

QUORUM_ENTRY(cmd_register_quorum_pub_key_entry, "registerQuorumPubKey",
             "registerQuorumPubKey <user-type> <user-name> <registration-token> "
             "<signed-registration-token> <public-key>");
QUORUM_ENTRY(cmd_get_token_entry, "getToken", "getToken <service> <user-name> <token-file>");
QUORUM_ENTRY(cmd_approve_token_entry, "approveToken", "approveToken <approval-file>");
QUORUM_ENTRY(cmd_list_tokens_entry, "listTokens", "listTokens");
QUORUM_ENTRY(cmd_get_m_value_entry, "getMValue", "getMValue <service>");
QUORUM_ENTRY(cmd_set_m_value_entry, "setMValue", "setMValue <service> <m-value>");
