/* cmd-tokens.c - getToken, delToken, approveToken, listTokens: quorum tokens
 * for a key made with -m_value, approved by that many of the key's users. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approval-file.h"
#include "kmu.h"
#include "quorum-file.h"
#include "token-print.h"
#include "util.h"

/* A token file as getToken writes it, read and checked before anything is
 * sent; NULL after one error line. */
static uint8_t *
read_token_file(const char *path, size_t *len)
{
	uint8_t *data;
	struct quorum_file_header h;
	struct quorum_file_entry e[QUORUM_FILE_MAX_TOKENS];
	if (kmu_read_file(path, HSM_QUORUM_TOKEN_FILE_MAX, &data, len) != 0)
		return NULL;
	if (quorum_file_parse(data, *len, &h, e) != 0) {
		printf("\n\tError: %s is not a token file written by getToken\n", path);
		free(data);
		return NULL;
	}
	return data;
}

/* ---- getToken -------------------------------------------------------------------- */

static const struct kmu_opt get_token_opts[] = {
	{ "-n", "Service number", OPT_UINT, true, HSM_SERVICE_USE_KEY, HSM_SERVICE_MANAGE_KEY },
	{ "-k", "Key handle", OPT_UINT, true, 1, UINT32_MAX },
	{ "-u", "User name", OPT_STRING, true, 0, 0 },
	{ "-f", "Token file", OPT_STRING, true, 0, 0 },
	{ "-F", "Flags", OPT_UINT, false, 4, 4 },
};

/* One file for every token issued, in node order: one set of signatures
 * approves them all (doc/protocol.md, section 10). */
static int
write_tokens(const char *path, const hsm_quorum_token_list *got)
{
	char *file = NULL;
	size_t len = 0;
	int rc = -1;
	if (hsm_token_file_build(got->tokens, got->count, &file, &len) != HSM_RC_SUCCESS)
		printf("\n\tError: cannot build the token file %s\n", path);
	else if (hsm_write_file_atomic(path, file, len, 0644) != 0)
		printf("\n\tError: cannot write %s: %s\n", path, strerror(errno));
	else
		rc = 0;
	free(file);
	return rc;
}

static int
get_token_exec(struct kmu *k, const struct kmu_args *a)
{
	hsm_quorum_token_list got;
	hsm_node_status st;
	const char *path = kmu_str(a, "-f");
	hsm_rc rc = hsm_cluster_get_key_tokens(k->client, (uint32_t)kmu_num(a, "-n"),
	                                       (uint32_t)kmu_num(a, "-k"), kmu_str(a, "-u"),
	                                       &got, &st);
	kmu_print_rc("Cfm3GetToken", rc);
	int status = rc == HSM_RC_SUCCESS ? 0 : 1;
	if (got.count > 0) {
		for (size_t i = 0; i < got.count; i++) {
			printf("\n");
			token_print(&got.tokens[i]);
		}
		if (write_tokens(path, &got) == 0)
			printf("\n\tToken is written to file %s\n", path);
		else
			status = 1;
	}
	hsm_quorum_token_list_free(&got);
	kmu_print_status(&st);
	return status;
}

const struct kmu_cmd kmu_cmd_get_token = {
	.name = "getToken", .summary = "Initiate an MxN service and get Token",
	.help = "Description\n===========\nInitiates an MxN auth service for a key made with\n"
		"-m_value and writes its token to a file for the approvers to sign.\n\n"
		"Syntax: getToken -h\n\n"
		"getToken -n <ServiceNo> -k <Key> -u <user_name> -f <token_file_to_store> "
		"[-F flags]\n\n"
		"Parameters:\n"
		"  -n       service number:\n"
		"             5 - USE_KEY      sign, verify, wrap, unwrap, encrypt, decrypt\n"
		"                              (one token, on a node that holds the key)\n"
		"             6 - MANAGE_KEY   share, unshare (one token per node)\n"
		"  -k       the key: one you own or that is shared with you (6: your own)\n"
		"  -u       your user name\n"
		"  -f       file to write the token to (overwritten); the approvers sign it\n"
		"           with: openssl dgst -sha256 -sign <key> -out <signature> <file>\n"
		"  -F       4: purge an expired token when the HSM holds 1,024 (always done)\n",
	KMU_OPTS(get_token_opts),
	.exec = get_token_exec,
};

/* ---- delToken --------------------------------------------------------------------- */

static const struct kmu_opt del_token_opts[] = {
	{ "-tf", "Token file", OPT_STRING, false, 0, 0 },
	{ "-f", "Delete flags", OPT_UINT, false, 4, 4 },
};

static int
del_token_exec(struct kmu *k, const struct kmu_args *a)
{
	uint8_t *file = NULL;
	size_t len = 0;
	hsm_node_status st;
	if (kmu_set(a, "-tf") == kmu_set(a, "-f")) {
		printf("\n\tError: give either a Token file (-tf) or Delete flags (-f).\n");
		kmu_print_help(&kmu_cmd_del_token);
		return 2;
	}
	if (kmu_set(a, "-tf") && (file = read_token_file(kmu_str(a, "-tf"), &len)) == NULL)
		return 1;
	hsm_rc rc = hsm_cluster_delete_tokens(k->client, file, len, &st);
	free(file);
	kmu_print_result("Cfm3DeleteToken", rc, &st);
	return rc == HSM_RC_SUCCESS ? 0 : 1;
}

const struct kmu_cmd kmu_cmd_del_token = {
	.name = "delToken", .summary = "delete Token(s)",
	.help = "Description\n===========\nDeletes quorum tokens of this session.\n\n"
		"Syntax: delToken -h\n\n"
		"delToken -tf <token file> || -f <delete flags>\n\n"
		"Parameters:\n"
		"  -tf      the tokens a token file of getToken names, on their nodes\n"
		"  -f       4: every token of this session, on every node\n",
	KMU_OPTS(del_token_opts),
	.exec = del_token_exec,
};

/* ---- approveToken -------------------------------------------------------------------- */

static const struct kmu_opt approve_opts[] = {
	{ "-af", "Approval file", OPT_STRING, true, 0, 0 },
};

static int
approve_token_exec(struct kmu *k, const struct kmu_args *a)
{
	struct approval_file af;
	struct approval_set set;
	struct quorum_file_header h;
	struct quorum_file_entry e[QUORUM_FILE_MAX_TOKENS];
	hsm_node_status st;
	char err[1024];
	memset(&set, 0, sizeof(set));
	int status = 1;
	if (approval_file_read(kmu_str(a, "-af"), &af, err, sizeof(err)) != 0 ||
	    approval_set_load(&af, &set, err, sizeof(err)) != 0) {
		printf("\n\tError: %s\n", err);
	} else if (quorum_file_parse(set.file, set.file_len, &h, e) != 0) {
		printf("\n\tError: %s is not a token file written by getToken\n", af.token_path);
	} else {
		hsm_rc rc = hsm_cluster_approve_token(k->client, set.file, set.file_len,
		                                      set.approvals, set.n, &st);
		kmu_print_result("Cfm3ApproveToken", rc, &st);
		status = rc == HSM_RC_SUCCESS ? 0 : 1;
	}
	approval_set_free(&set);
	approval_file_free(&af);
	return status;
}

const struct kmu_cmd kmu_cmd_approve_token = {
	.name = "approveToken", .summary = "Approves an MxN service",
	.help = "Description\n===========\nApproves an MxN protected service identified by Token:\n"
		"gives the nodes the token file and the approvers' signatures.\n\n"
		"Syntax: approveToken -h\n\n"
		"approveToken -af <approval-template-file>\n\n"
		"Parameters:\n"
		"  -af      the approval file: \"Multi Token File Path = <token file>;\",\n"
		"           \"Token File Path = ;\", \"Number of Approvals = <n>;\", then per\n"
		"           approver \"Approver Type = 1;\" (1 for CU), \"Approver Name = <name>;\"\n"
		"           and \"Approval File = <signature file>;\"; '#' starts a comment\n",
	KMU_OPTS(approve_opts),
	.exec = approve_token_exec,
};

/* ---- listTokens ------------------------------------------------------------------------ */

static int
list_tokens_exec(struct kmu *k, const struct kmu_args *a)
{
	hsm_quorum_token_list lists[HSM_MAX_SERVERS];
	hsm_node_status st;
	(void)a;
	hsm_rc rc = hsm_cluster_list_tokens(k->client, lists, &st);
	kmu_print_rc("Cfm3ListTokens", rc);
	for (size_t i = 0; i < st.count; i++) {
		if (st.used[i] && st.rc[i] == HSM_RC_SUCCESS) {
			printf("\n=====================\n    Node id %zu\n=====================\n", i);
			token_list_print(&lists[i]);
		}
		hsm_quorum_token_list_free(&lists[i]);
	}
	kmu_print_status(&st);
	return rc == HSM_RC_SUCCESS ? 0 : 1;
}

const struct kmu_cmd kmu_cmd_list_tokens = {
	.name = "listTokens", .summary = "List all Tokens in the current partition",
	.help = "Description\n===========\nLists this session's quorum tokens on every node, with\n"
		"their validity and approvals.\n\n"
		"Syntax: listTokens -h\n\nlistTokens\n",
	.exec = list_tokens_exec,
};
