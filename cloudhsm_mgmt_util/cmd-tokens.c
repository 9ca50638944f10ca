/* cmd-tokens.c - getToken, approveToken, listTokens: the quorum token life
 * cycle of quorum-authentication-crypto-officers.md, one token per server;
 * for a crypto user also the key services (shareKey of a key with an m_value). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approval-file.h"
#include "cmu.h"
#include "token-print.h"
#include "util.h"

/* ---- getToken ----------------------------------------------------------------- */

struct get_token_args {
	uint32_t service;
	uint32_t handle;
	bool key;                     /* a key service: handle is the key */
	const char *name;
	hsm_quorum_token tokens[HSM_MAX_SERVERS];
};

static hsm_rc
get_token_one(hsm_client *c, size_t srv, void *p)
{
	struct get_token_args *a = p;
	if (a->key)
		return hsm_get_key_token(c, srv, a->service, a->handle, a->name, &a->tokens[srv]);
	return hsm_get_token(c, srv, a->service, a->name, &a->tokens[srv]);
}

static bool
is_key_service(uint32_t service)
{
	return service == HSM_SERVICE_USE_KEY || service == HSM_SERVICE_MANAGE_KEY;
}

/* The service, and the key handle that services 5 and 6 need (and only they). */
static bool
get_token_parse(int argc, char **argv, struct get_token_args *a)
{
	unsigned long service, handle = 0;
	if (!hsm_parse_uint(argv[0], 0, UINT32_MAX, &service)) {
		printf("Error: getToken: the service must be a number, not \"%s\"\n", argv[0]);
		return false;
	}
	a->service = (uint32_t)service;
	a->key = is_key_service(a->service);
	if (a->key && argc < 4) {
		printf("Error: getToken: service %lu needs the key handle\n", service);
		return false;
	}
	if (!a->key && argc > 3) {
		printf("Error: getToken: a key handle is only for services 5 and 6\n");
		return false;
	}
	if (a->key && !hsm_parse_uint(argv[3], 1, UINT32_MAX, &handle)) {
		printf("Error: getToken: the key handle must be a number, not \"%s\"\n", argv[3]);
		return false;
	}
	a->handle = (uint32_t)handle;
	a->name = argv[1];
	return true;
}

/* One file for every token issued, in server order: one set of signatures
 * approves them all. */
static void
write_token_file(const char *path, const struct get_token_args *a, const hsm_rc *rcs,
                 size_t nservers)
{
	hsm_quorum_token *got = calloc(nservers ? nservers : 1, sizeof(*got));
	size_t n = 0, len = 0;
	char *file = NULL;
	for (size_t i = 0; got != NULL && i < nservers; i++)
		if (rcs[i] == HSM_RC_SUCCESS)
			got[n++] = a->tokens[i];
	if (got == NULL || n == 0 || hsm_token_file_build(got, n, &file, &len) != HSM_RC_SUCCESS)
		printf("getToken failed: cannot build the token file %s\n", path);
	else if (hsm_write_file_atomic(path, file, len, 0644) != 0)
		printf("getToken failed: cannot write the token file %s: %s\n", path,
		       strerror(errno));
	free(file);
	free(got);
}

static int
cmd_get_token_exec(struct cmu *cmu, int argc, char **argv)
{
	struct get_token_args *a = calloc(1, sizeof(*a));
	hsm_rc rcs[HSM_MAX_SERVERS];
	if (a == NULL)
		return 1;
	if (!get_token_parse(argc, argv, a)) {
		free(a);
		return 1;
	}
	cmu_run_in_scope(cmu, get_token_one, a, rcs);
	size_t issued = 0;
	for (size_t i = 0; i < hsm_server_count(cmu->client); i++) {
		if (!cmu_in_scope(cmu, i))
			continue;
		if (rcs[i] != HSM_RC_SUCCESS) {
			cmu_print_failure(cmu, "getToken", i, rcs[i]);
			continue;
		}
		cmu_print_success(cmu, "getToken", i);
		token_print(&a->tokens[i]);
		issued++;
	}
	if (issued > 0)
		write_token_file(argv[2], a, rcs, hsm_server_count(cmu->client));
	free(a);
	return issued > 0 ? 0 : 1;
}

const struct cmu_cmd cmd_get_token_entry = {
	.name = "getToken",
	.usage = "getToken <service> <user-name> <token-file> [<key-handle>]",
	.summary = "Gets a quorum token of the logged-in user for a service (5 and 6: for a "
	           "key) and writes it to a file",
	.min_args = 3, .max_args = 4,
	.exec = cmd_get_token_exec,
};

/* ---- approveToken ----------------------------------------------------------------- */

static hsm_rc
approve_one(hsm_client *c, size_t srv, void *p)
{
	const struct approval_set *a = p;
	return hsm_approve_token(c, srv, a->file, a->file_len, a->approvals, a->n);
}

static int
cmd_approve_token_exec(struct cmu *cmu, int argc, char **argv)
{
	struct approval_file af;
	struct approval_set set;
	char err[1024];
	(void)argc;
	memset(&set, 0, sizeof(set));
	int rc = 1;
	if (approval_file_read(argv[0], &af, err, sizeof(err)) != 0 ||
	    approval_set_load(&af, &set, err, sizeof(err)) != 0) {
		printf("approveToken failed: %s\n", err);
	} else {
		hsm_rc rcs[HSM_MAX_SERVERS];
		cmu_run_in_scope(cmu, approve_one, &set, rcs);
		cmu_report_in_order(cmu, "approveToken", rcs);
		rc = 0;
	}
	approval_set_free(&set);
	approval_file_free(&af);
	return rc;
}

const struct cmu_cmd cmd_approve_token_entry = {
	.name = "approveToken",
	.usage = "approveToken <approval-file>",
	.summary = "Gives the HSMs the signed token and its approvals (a token approval file)",
	.min_args = 1, .max_args = 1,
	.exec = cmd_approve_token_exec,
};

/* ---- listTokens -------------------------------------------------------------------- */

static hsm_rc
list_one(hsm_client *c, size_t srv, void *p)
{
	hsm_quorum_token_list *lists = p;
	return hsm_list_tokens(c, srv, &lists[srv]);
}

static int
cmd_list_tokens_exec(struct cmu *cmu, int argc, char **argv)
{
	hsm_quorum_token_list lists[HSM_MAX_SERVERS];
	hsm_rc rcs[HSM_MAX_SERVERS];
	bool all_ok = true;
	(void)argc;
	(void)argv;
	memset(lists, 0, sizeof(lists));
	cmu_run_in_scope(cmu, list_one, lists, rcs);
	for (size_t i = 0; i < hsm_server_count(cmu->client); i++) {
		if (!cmu_in_scope(cmu, i))
			continue;
		printf("\n=====================\n    Server %zu(%s)\n=====================\n", i,
		       cmu_server_label(cmu, i));
		if (rcs[i] == HSM_RC_SUCCESS)
			token_list_print(&lists[i]);
		else
			cmu_print_failure(cmu, "listTokens", i, rcs[i]);
		all_ok = all_ok && rcs[i] == HSM_RC_SUCCESS;
		hsm_quorum_token_list_free(&lists[i]);
	}
	if (all_ok)
		printf("\nlistTokens success\n");
	return all_ok ? 0 : 1;
}

const struct cmu_cmd cmd_list_tokens_entry = {
	.name = "listTokens",
	.usage = "listTokens",
	.summary = "Lists this session's quorum tokens on each HSM, with their approvals",
	.min_args = 0, .max_args = 0,
	.exec = cmd_list_tokens_exec,
};
