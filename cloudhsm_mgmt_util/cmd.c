/* cmd.c - the CMU command table: lookup by unique prefix, arity, dispatch.
 * Terminal, pipe and expect input all come through cmu_execute_line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmu.h"
#include "util.h"

static const struct cmu_cmd *const cmu_table[] = {
	&cmd_approve_token_entry,
	&cmd_change_pswd_entry,
	&cmd_create_user_entry,
	&cmd_delete_user_entry,
	&cmd_enable_e2e_entry,
	&cmd_exit_entry,
	&cmd_find_all_keys_entry,
	&cmd_get_attribute_entry,
	&cmd_get_cert_entry,
	&cmd_get_hsm_info_entry,
	&cmd_get_key_info_entry,
	&cmd_get_m_value_entry,
	&cmd_get_token_entry,
	&cmd_help_entry,
	&cmd_info_entry,
	&cmd_list_attributes_entry,
	&cmd_list_tokens_entry,
	&cmd_list_users_entry,
	&cmd_login_entry,
	&cmd_logout_entry,
	&cmd_quit_entry,
	&cmd_register_quorum_pub_key_entry,
	&cmd_server_entry,
	&cmd_set_attribute_entry,
	&cmd_set_m_value_entry,
	&cmd_share_key_entry,
	&cmd_sync_key_entry,
	&cmd_sync_user_entry,
};

const struct cmu_cmd *
cmu_lookup(const char *word, bool *ambiguous)
{
	const struct cmu_cmd *found = NULL;
	size_t n = strlen(word);
	*ambiguous = false;
	for (size_t i = 0; i < ARRAY_SIZE(cmu_table); i++) {
		if (strcmp(cmu_table[i]->name, word) == 0)
			return cmu_table[i];
		if (strncmp(cmu_table[i]->name, word, n) == 0) {
			if (found != NULL)
				*ambiguous = true;
			found = cmu_table[i];
		}
	}
	return *ambiguous ? NULL : found;
}

const struct cmu_cmd *
cmu_command_at(size_t i)
{
	return i < ARRAY_SIZE(cmu_table) ? cmu_table[i] : NULL;
}

void
cmu_print_usage(const struct cmu_cmd *cmd)
{
	printf("\n%s\n\nSyntax: %s\n\n", cmd->summary, cmd->usage);
}

static void
print_ambiguous(const char *word)
{
	size_t n = strlen(word);
	printf("Ambiguous command: %s (", word);
	const char *sep = "";
	for (size_t i = 0; i < ARRAY_SIZE(cmu_table); i++) {
		if (strncmp(cmu_table[i]->name, word, n) == 0) {
			printf("%s%s", sep, cmu_table[i]->name);
			sep = ", ";
		}
	}
	printf(")\n");
}

/* Lines that carry a password stay out of the history. */
static void
remember_line(struct cmu *cmu, const struct cmu_cmd *cmd, const char *copy,
              int argc, char **argv)
{
	bool hidden = false;
	for (int i = 1; i < argc; i++)
		hidden = hidden || strcmp(argv[i], "-hpswd") == 0;
	if (copy != NULL && (cmd == NULL || !cmd->secret_args || hidden))
		shell_remember(&cmu->sh, copy);
}

void
cmu_execute_line(struct cmu *cmu, char *line)
{
	char *argv[SHELL_MAX_ARGS];
	char *copy = cmu->sh.tty ? strdup(line) : NULL;
	int argc = shell_split(line, argv, SHELL_MAX_ARGS);
	if (argc > 0) {
		bool amb;
		remember_line(cmu, cmu_lookup(argv[0], &amb), copy, argc, argv);
	}
	hsm_free_secret(copy);
	if (argc == 0)
		return;
	if (argc < 0) {
		printf("Error: too many arguments (at most %d)\n", SHELL_MAX_ARGS - 1);
		return;
	}
	bool ambiguous;
	const struct cmu_cmd *cmd = cmu_lookup(argv[0], &ambiguous);
	if (ambiguous) {
		print_ambiguous(argv[0]);
		return;
	}
	if (cmd == NULL) {
		printf("Unknown command: %s\nType 'help' to list the commands.\n", argv[0]);
		return;
	}
	if (argc - 1 < cmd->min_args || argc - 1 > cmd->max_args) {
		printf("Error: wrong number of arguments for %s\n", cmd->name);
		cmu_print_usage(cmd);
		return;
	}
	cmd->exec(cmu, argc - 1, argv + 1);
	fflush(stdout);
}

static int
cmd_help_exec(struct cmu *cmu, int argc, char **argv)
{
	(void)cmu;
	if (argc == 1) {
		bool ambiguous;
		const struct cmu_cmd *cmd = cmu_lookup(argv[0], &ambiguous);
		if (ambiguous) {
			print_ambiguous(argv[0]);
			return 1;
		}
		if (cmd == NULL) {
			printf("Unknown command: %s\n", argv[0]);
			return 1;
		}
		cmu_print_usage(cmd);
		return 0;
	}
	printf("\nHelp Commands Available:\n\nSyntax: help <command-name>\n\n");
	printf("   %-22s%s\n   %-22s%s\n\n", "Command", "Description", "=======", "===========");
	for (size_t i = 0; i < ARRAY_SIZE(cmu_table); i++)
		printf("   %-22s%s\n", cmu_table[i]->name, cmu_table[i]->summary);
	putchar('\n');
	return 0;
}

const struct cmu_cmd cmd_help_entry = {
	.name = "help",
	.usage = "help <command-name>",
	.summary = "Lists the commands, or shows the syntax of one",
	.min_args = 0, .max_args = 1,
	.exec = cmd_help_exec,
};

bool
cmu_in_scope(const struct cmu *cmu, size_t srv)
{
	return cmu->server_mode == CMU_GLOBAL_MODE || cmu->server_mode == srv;
}

size_t
cmu_scope_count(const struct cmu *cmu)
{
	return cmu->server_mode == CMU_GLOBAL_MODE ? hsm_server_count(cmu->client) : 1;
}

void
cmu_ensure_connected(struct cmu *cmu, size_t srv)
{
	char err[256];
	if (!hsm_server_get(cmu->client, srv).connected)
		(void)hsm_server_connect(cmu->client, srv, err, sizeof(err));
}

struct scoped_call {
	struct cmu *cmu;
	hsm_server_fn fn;
	void *arg;
};

static hsm_rc
scoped_call_main(hsm_client *c, size_t srv, void *p)
{
	struct scoped_call *sc = p;
	cmu_ensure_connected(sc->cmu, srv);
	return sc->fn(c, srv, sc->arg);
}

void
cmu_run_in_scope(struct cmu *cmu, hsm_server_fn fn, void *arg, hsm_rc *rcs)
{
	size_t n = hsm_server_count(cmu->client);
	bool selected[HSM_MAX_SERVERS];
	for (size_t i = 0; i < n && i < HSM_MAX_SERVERS; i++)
		selected[i] = cmu_in_scope(cmu, i);
	struct scoped_call sc = { cmu, fn, arg };
	hsm_for_each_server(cmu->client, selected, scoped_call_main, &sc, rcs);
}
