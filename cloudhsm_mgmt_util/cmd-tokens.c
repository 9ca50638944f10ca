/* cmd-tokens.c - getToken, approveToken, listTokens: the quorum token life
 * cycle of quorum-authentication-crypto-officers.md, one token per server. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approval-file.h"
#include "cmu.h"
#include "util.h"

static void
print_token(const hsm_quorum_token *t)
{
	printf("Token:\nId:%u\nService:%u\nNode:%u\nKey Handle:%u\nUser:%s\n", t->id,
	       t->service, t->node_id, t->key_handle, t->user);
}

/* ---- getToken ----------------------------------------------------------------- */

struct get_token_args {
	uint32_t service;
	const char *name;
	hsm_quorum_token tokens[HSM_MAX_SERVERS];
};

static hsm_rc
get_token_one(hsm_client *c, size_t srv, void *p)
{
	struct get_token_args *a = p;
	return hsm_get_token(c, srv, a->service, a->name, &a->tokens[srv]);
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
	unsigned long service;
	(void)argc;
	if (a == NULL)
		return 1;
	if (!hsm_parse_uint(argv[0], 0, UINT32_MAX, &service)) {
		printf("Error: getToken: the service must be a number, not \"%s\"\n", argv[0]);
		free(a);
		return 1;
	}
	a->service = (uint32_t)service;
	a->name = argv[1];
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
		print_token(&a->tokens[i]);
		issued++;
	}
	if (issued > 0)
		write_token_file(argv[2], a, rcs, hsm_server_count(cmu->client));
	free(a);
	return issued > 0 ? 0 : 1;
}

const struct cmu_cmd cmd_get_token_entry = {
	.name = "getToken",
	.usage = "getToken <service> <user-name> <token-file>",
	.summary = "Gets a quorum token of the logged-in CO for a service and writes it to a file",
	.min_args = 3, .max_args = 3,
	.exec = cmd_get_token_exec,
};

/* ---- approveToken ----------------------------------------------------------------- */

struct approve_args {
	uint8_t *file;
	size_t file_len;
	hsm_approval approvals[HSM_QUORUM_MAX_APPROVALS];
	uint8_t *sigs[HSM_QUORUM_MAX_APPROVALS];
	size_t n;
};

static void
approve_args_free(struct approve_args *a)
{
	free(a->file);
	for (size_t i = 0; i < a->n; i++)
		free(a->sigs[i]);
}

/* The token file and every signature the approval file names. */
static bool
approve_load(const struct approval_file *af, struct approve_args *a)
{
	a->file = cmu_read_file("approveToken", af->token_path, HSM_QUORUM_TOKEN_FILE_MAX,
	                        &a->file_len);
	if (a->file == NULL)
		return false;
	for (unsigned i = 0; i < af->count; i++) {
		const struct approval_entry *e = &af->approvers[i];
		hsm_approval *ap = &a->approvals[i];
		a->sigs[i] = cmu_read_file("approveToken", e->signature_path, HSM_QUORUM_SIG_MAX,
		                           &ap->signature_len);
		if (a->sigs[i] == NULL)
			return false;
		a->n = i + 1;
		ap->type = (hsm_user_type)e->type;
		ap->name = e->name;
		ap->signature = a->sigs[i];
	}
	return true;
}

static hsm_rc
approve_one(hsm_client *c, size_t srv, void *p)
{
	const struct approve_args *a = p;
	return hsm_approve_token(c, srv, a->file, a->file_len, a->approvals, a->n);
}

static int
cmd_approve_token_exec(struct cmu *cmu, int argc, char **argv)
{
	struct approval_file af;
	struct approve_args a;
	char err[1024];
	(void)argc;
	memset(&a, 0, sizeof(a));
	if (approval_file_read(argv[0], &af, err, sizeof(err)) != 0) {
		printf("approveToken failed: %s\n", err);
		approval_file_free(&af);
		return 1;
	}
	int rc = 1;
	if (approve_load(&af, &a)) {
		hsm_rc rcs[HSM_MAX_SERVERS];
		cmu_run_in_scope(cmu, approve_one, &a, rcs);
		cmu_report_in_order(cmu, "approveToken", rcs);
		rc = 0;
	}
	approve_args_free(&a);
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

static void
print_token_list(const hsm_quorum_token_list *l)
{
	for (size_t k = 0; k < l->count; k++) {
		const hsm_quorum_token *t = &l->tokens[k];
		printf("-------- Token - %zu ----------\n", k);
		print_token(t);
		printf("Token Validity: %u sec\nRequired num of approvers : %u\n"
		       "Current num of approvals : %u\n", t->validity_s, t->required,
		       t->napprovals);
		for (uint32_t j = 0; j < t->napprovals; j++)
			printf("Approver-%u: %s\n", j, t->approvers[j]);
	}
	printf("Num of tokens = %zu\n", l->count);
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
			print_token_list(&lists[i]);
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
