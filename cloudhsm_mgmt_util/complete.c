/* complete.c - tab completion for cloudhsm_mgmt_util: command names, then what
 * each argument of a command is (user types, user names and ids learnt from
 * the last listUsers, server and service numbers, files). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmu.h"
#include "util.h"

enum arg_kind {
	ARG_END = 0,
	ARG_ANY,            /* nothing to offer: a new name, a handle, a value */
	ARG_LOGIN_TYPE,
	ARG_CREATE_TYPE,    /* createUser, deleteUser */
	ARG_CHANGE_TYPE,
	ARG_QUORUM_TYPE,    /* registerQuorumPubKey: officers and crypto users */
	ARG_USER_NAME,      /* of the type given before it, when there is one */
	ARG_CU_ID,          /* findAllKeys, shareKey */
	ARG_USER_ID,        /* syncUser */
	ARG_PASSWORD,       /* -hpswd reads it hidden */
	ARG_2FA,            /* the -2fa flag, then a file */
	ARG_FILE,
	ARG_SERVER,
	ARG_SERVER_WORD,    /* "info server N" */
	ARG_SERVICE,        /* quorum services 3 (USER_MGMT) and 4 (MISC_CO) */
	ARG_TOKEN_SERVICE,  /* getToken: also the key services 5 and 6 */
	ARG_BOOL,           /* 0 or 1 */
	ARG_CERT_TYPE,
	ARG_KEY_FLAG,       /* getKeyInfo -k */
	ARG_COMMAND,        /* help <command> */
};

#define CMU_COMPLETE_ARGS 6

/* Kept here, by command name, so the command files stay as they are. */
static const struct {
	const char *command;
	enum arg_kind args[CMU_COMPLETE_ARGS];
} arg_table[] = {
	{ "loginHSM", { ARG_LOGIN_TYPE, ARG_USER_NAME, ARG_PASSWORD, ARG_2FA, ARG_FILE } },
	{ "createUser", { ARG_CREATE_TYPE, ARG_ANY, ARG_PASSWORD, ARG_2FA, ARG_FILE } },
	{ "changePswd", { ARG_CHANGE_TYPE, ARG_USER_NAME, ARG_PASSWORD, ARG_2FA, ARG_FILE } },
	{ "deleteUser", { ARG_CREATE_TYPE, ARG_USER_NAME } },
	{ "registerQuorumPubKey", { ARG_QUORUM_TYPE, ARG_USER_NAME, ARG_FILE, ARG_FILE, ARG_FILE } },
	{ "getToken", { ARG_TOKEN_SERVICE, ARG_USER_NAME, ARG_FILE, ARG_ANY } },
	{ "approveToken", { ARG_FILE } },
	{ "getMValue", { ARG_SERVICE } },
	{ "setMValue", { ARG_SERVICE, ARG_ANY } },
	{ "server", { ARG_SERVER } },
	{ "info", { ARG_SERVER_WORD, ARG_SERVER } },
	{ "syncUser", { ARG_USER_ID, ARG_SERVER } },
	{ "syncKey", { ARG_ANY, ARG_SERVER } },
	{ "findAllKeys", { ARG_CU_ID, ARG_BOOL, ARG_FILE } },
	{ "shareKey", { ARG_ANY, ARG_CU_ID, ARG_BOOL } },
	{ "getCert", { ARG_FILE, ARG_CERT_TYPE } },
	{ "getAttribute", { ARG_ANY, ARG_ANY, ARG_FILE } },
	{ "getKeyInfo", { ARG_KEY_FLAG, ARG_ANY, ARG_FILE } },
	{ "help", { ARG_COMMAND } },
};

/* The users of the last listUsers, every server's, without repeats. */
static struct {
	hsm_user_info *users;
	size_t count;
} learnt;

void
cmu_complete_forget_users(void)
{
	free(learnt.users);
	learnt.users = NULL;
	learnt.count = 0;
}

static bool
known(const hsm_user_info *u)
{
	for (size_t i = 0; i < learnt.count; i++)
		if (learnt.users[i].type == u->type && strcmp(learnt.users[i].name, u->name) == 0)
			return true;
	return false;
}

void
cmu_complete_learn_users(const hsm_user_list *list)
{
	for (size_t i = 0; i < list->count; i++) {
		if (known(&list->users[i]))
			continue;
		hsm_user_info *grown = realloc(learnt.users, (learnt.count + 1) * sizeof(*grown));
		if (grown == NULL)
			return;
		learnt.users = grown;
		learnt.users[learnt.count++] = list->users[i];
	}
}

static void
offer_types(struct shell_completion *out, const char *const *types)
{
	for (; *types != NULL; types++)
		shell_offer(out, *types);
}

/* Names of users of type (any type when it names none). */
static void
offer_names(struct shell_completion *out, hsm_user_type type)
{
	for (size_t i = 0; i < learnt.count; i++)
		if (type == HSM_USER_INVALID || learnt.users[i].type == type)
			shell_offer(out, learnt.users[i].name);
}

static void
offer_ids(struct shell_completion *out, hsm_user_type type)
{
	char id[16];
	for (size_t i = 0; i < learnt.count; i++)
		if (type == HSM_USER_INVALID || learnt.users[i].type == type) {
			snprintf(id, sizeof(id), "%u", (unsigned)learnt.users[i].id);
			shell_offer(out, id);
		}
}

static void
offer_numbers(struct shell_completion *out, const unsigned *n, size_t count)
{
	char text[16];
	for (size_t i = 0; i < count; i++) {
		snprintf(text, sizeof(text), "%u", n[i]);
		shell_offer(out, text);
	}
}

static void
offer_servers(struct shell_completion *out, const struct cmu *cmu)
{
	char n[24];
	for (size_t i = 0; i < hsm_server_count(cmu->client); i++) {
		snprintf(n, sizeof(n), "%zu", i);
		shell_offer(out, n);
	}
}

static void
offer_commands(struct shell_completion *out)
{
	const struct cmu_cmd *cmd;
	for (size_t i = 0; (cmd = cmu_command_at(i)) != NULL; i++)
		shell_offer(out, cmd->name);
}

static void
offer_kind(struct shell_completion *out, const struct cmu *cmu, enum arg_kind kind,
           hsm_user_type typed)
{
	static const char *const login_types[] = { "CO", "CU", "AU", "PCO", "PRECO", NULL };
	static const char *const create_types[] = { "CO", "CU", NULL };
	static const char *const change_types[] = { "CO", "CU", "PCO", "PRECO", NULL };
	static const char *const quorum_types[] = { "CO", "CU", NULL };
	static const unsigned services[] = { 3, 4 }, token_services[] = { 3, 4, 5, 6 },
	                      bools[] = { 0, 1 }, cert_types[] = { 1, 2, 4, 8, 16 };
	switch (kind) {
	case ARG_LOGIN_TYPE: offer_types(out, login_types); break;
	case ARG_CREATE_TYPE: offer_types(out, create_types); break;
	case ARG_CHANGE_TYPE: offer_types(out, change_types); break;
	case ARG_QUORUM_TYPE: offer_types(out, quorum_types); break;
	case ARG_USER_NAME: offer_names(out, typed); break;
	case ARG_CU_ID: offer_ids(out, HSM_USER_CU); break;
	case ARG_USER_ID: offer_ids(out, HSM_USER_INVALID); break;
	case ARG_PASSWORD: shell_offer(out, "-hpswd"); break;
	case ARG_2FA: shell_offer(out, "-2fa"); break;
	case ARG_FILE: shell_offer_files(out); break;
	case ARG_SERVER: offer_servers(out, cmu); break;
	case ARG_SERVER_WORD: shell_offer(out, "server"); break;
	case ARG_SERVICE: offer_numbers(out, services, ARRAY_SIZE(services)); break;
	case ARG_TOKEN_SERVICE:
		offer_numbers(out, token_services, ARRAY_SIZE(token_services));
		break;
	case ARG_BOOL: offer_numbers(out, bools, ARRAY_SIZE(bools)); break;
	case ARG_CERT_TYPE: offer_numbers(out, cert_types, ARRAY_SIZE(cert_types)); break;
	case ARG_KEY_FLAG: shell_offer(out, "-k"); break;
	case ARG_COMMAND: offer_commands(out); break;
	case ARG_ANY: case ARG_END: break;
	}
}

void
cmu_complete(void *ctx, int argc, char **argv, const char *word, struct shell_completion *out)
{
	const struct cmu *cmu = ctx;
	(void)word;
	if (argc == 0) {
		offer_commands(out);
		return;
	}
	bool ambiguous;
	const struct cmu_cmd *cmd = cmu_lookup(argv[0], &ambiguous);
	for (size_t i = 0; cmd != NULL && i < ARRAY_SIZE(arg_table); i++) {
		if (strcmp(arg_table[i].command, cmd->name) != 0)
			continue;
		if (argc - 1 < CMU_COMPLETE_ARGS)
			offer_kind(out, cmu, arg_table[i].args[argc - 1],
			           argc > 1 ? hsm_user_type_parse(argv[1]) : HSM_USER_INVALID);
		return;
	}
}
