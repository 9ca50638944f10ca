/* cmd-session.c - loginHSM, logoutHSM, server, exit, quit, info, enable_e2e.
 * Login state lives on each server; these commands only ask and report. */
#include <stdio.h>
#include <string.h>

#include "cmu.h"
#include "util.h"

struct login_args {
	hsm_user_type type;
	const char *name;
	const char *password;
	const struct cmu_tfa *tfa;    /* NULL without -2fa */
};

static hsm_rc
login_one(hsm_client *c, size_t srv, void *p)
{
	const struct login_args *a = p;
	if (a->tfa == NULL)
		return hsm_login(c, srv, a->type, a->name, a->password);
	if (a->tfa->rc[srv] != HSM_RC_SUCCESS)
		return a->tfa->rc[srv];
	return hsm_login_2fa(c, srv, a->type, a->name, a->password, &a->tfa->factor[srv]);
}

static hsm_rc
logout_one(hsm_client *c, size_t srv, void *p)
{
	(void)p;
	return hsm_logout(c, srv);
}

char *
cmu_password_arg(struct cmu *cmu, const char *cmd, int argc, char **argv, int at,
                 bool confirm, bool is_new, const char **tfa_path)
{
	*tfa_path = NULL;
	if (argc == at + 3 && strcmp(argv[at + 1], "-2fa") == 0) {
		if (!cmu_tfa_type_ok(cmd, hsm_user_type_parse(argv[0])))
			return NULL;
		*tfa_path = argv[at + 2];
	} else if (argc != at + 1) {
		printf("Error: wrong number of arguments for %s\n", cmd);
		return NULL;
	}
	if (strcmp(argv[at], "-hpswd") != 0)
		return strdup(argv[at]);
	if (is_new)
		return cmu_read_password(cmu, "Enter new password: ",
		                         confirm ? "Re-enter new password: " : NULL);
	return cmu_read_password(cmu, "Enter password: ",
	                         confirm ? "Re-enter password: " : NULL);
}

static int
cmd_login_exec(struct cmu *cmu, int argc, char **argv)
{
	const char *tfa_path;
	char *pw = cmu_password_arg(cmu, "loginHSM", argc, argv, 2, false, false, &tfa_path);
	if (pw == NULL)
		return 1;
	struct cmu_tfa tfa;
	struct login_args a = { hsm_user_type_parse(argv[0]), argv[1], pw, NULL };
	if (tfa_path != NULL) {
		a.tfa = &tfa;
		if (!cmu_tfa_exchange(cmu, "loginHSM", tfa_path, false, &tfa)) {
			cmu_tfa_free(&tfa);
			hsm_free_secret(pw);
			return 1;
		}
	}
	hsm_rc rcs[HSM_MAX_SERVERS];
	cmu_run_in_scope(cmu, login_one, &a, rcs);
	if (tfa_path != NULL)
		cmu_tfa_free(&tfa);
	hsm_free_secret(pw);
	putchar('\n');
	cmu_report_in_order(cmu, "loginHSM", rcs);
	return 0;
}

const struct cmu_cmd cmd_login_entry = {
	.name = "loginHSM",
	.usage = "loginHSM <user-type> <user-name> <password |-hpswd> [-2fa </path/to/authdata>]",
	.summary = "Logs in to the HSMs",
	.min_args = 3, .max_args = 5, .secret_args = true,
	.exec = cmd_login_exec,
};

static int
cmd_logout_exec(struct cmu *cmu, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	hsm_rc rcs[HSM_MAX_SERVERS];
	cmu_run_in_scope(cmu, logout_one, NULL, rcs);
	putchar('\n');
	cmu_report_in_order(cmu, "logoutHSM", rcs);
	return 0;
}

const struct cmu_cmd cmd_logout_entry = {
	.name = "logoutHSM",
	.usage = "logoutHSM",
	.summary = "Logs out of the HSMs",
	.min_args = 0, .max_args = 0,
	.exec = cmd_logout_exec,
};

static int
cmd_quit_exec(struct cmu *cmu, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("\ndisconnecting from servers, please wait...\n");
	cmu->quit = true;
	return 0;
}

const struct cmu_cmd cmd_quit_entry = {
	.name = "quit",
	.usage = "quit",
	.summary = "Disconnects from the servers and exits",
	.min_args = 0, .max_args = 0,
	.exec = cmd_quit_exec,
};

static bool
parse_server_number(const struct cmu *cmu, const char *arg, size_t *srv)
{
	unsigned long n;
	size_t count = hsm_server_count(cmu->client);
	if (!hsm_parse_uint(arg, 0, count - 1, &n)) {
		printf("Error: invalid server number %s (servers are 0 to %zu)\n", arg, count - 1);
		return false;
	}
	*srv = n;
	return true;
}

static int
cmd_server_exec(struct cmu *cmu, int argc, char **argv)
{
	size_t srv;
	(void)argc;
	if (!parse_server_number(cmu, argv[0], &srv))
		return 1;
	cmu->server_mode = srv;
	printf("\nServer is in 'E2' mode...\n");
	return 0;
}

const struct cmu_cmd cmd_server_entry = {
	.name = "server",
	.usage = "server <server-number>",
	.summary = "Enters server mode: later commands go to that HSM only",
	.min_args = 1, .max_args = 1,
	.exec = cmd_server_exec,
};

static int
cmd_exit_exec(struct cmu *cmu, int argc, char **argv)
{
	if (cmu->server_mode != CMU_GLOBAL_MODE) {
		cmu->server_mode = CMU_GLOBAL_MODE;
		return 0;
	}
	return cmd_quit_exec(cmu, argc, argv);
}

const struct cmu_cmd cmd_exit_entry = {
	.name = "exit",
	.usage = "exit",
	.summary = "Leaves server mode (in global mode: same as quit)",
	.min_args = 0, .max_args = 0,
	.exec = cmd_exit_exec,
};

static void
print_info_row(const struct cmu *cmu, size_t srv)
{
	hsm_server_state st = hsm_server_get(cmu->client, srv);
	char login[64] = "Not logged in";
	if (st.connected && st.logged_in)
		snprintf(login, sizeof(login), "Logged in as '%s(%s)'", st.login_name,
		         hsm_user_type_name(st.login_type));
	printf("Id      Name                    Hostname         Port   State"
	       "           Partition               LoginState\n");
	printf("%-8zu%-24s%-16s%-8u%-16s%-24s%s\n", srv, st.name, st.hostname, st.port,
	       st.connected ? "Connected" : "Disconnected", st.partition, login);
}

static int
cmd_info_exec(struct cmu *cmu, int argc, char **argv)
{
	size_t srv;
	(void)argc;
	if (strcmp(argv[0], "server") != 0) {
		printf("Error: unknown info type %s\n", argv[0]);
		cmu_print_usage(&cmd_info_entry);
		return 1;
	}
	if (!parse_server_number(cmu, argv[1], &srv))
		return 1;
	print_info_row(cmu, srv);
	return 0;
}

const struct cmu_cmd cmd_info_entry = {
	.name = "info",
	.usage = "info server <server ID>",
	.summary = "Shows the connection and login state of one server",
	.min_args = 2, .max_args = 2,
	.exec = cmd_info_exec,
};

static hsm_rc
e2e_one(hsm_client *c, size_t srv, void *p)
{
	(void)p;
	return hsm_enable_e2e(c, srv);
}

static int
cmd_enable_e2e_exec(struct cmu *cmu, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	hsm_rc rcs[HSM_MAX_SERVERS];
	cmu_run_in_scope(cmu, e2e_one, NULL, rcs);
	for (size_t i = 0; i < hsm_server_count(cmu->client); i++) {
		if (!cmu_in_scope(cmu, i))
			continue;
		if (rcs[i] == HSM_RC_SUCCESS)
			printf("E2E enabled on server %zu(%s)\n", i, cmu_server_label(cmu, i));
		else
			cmu_print_failure(cmu, "enable_e2e", i, rcs[i]);
	}
	return 0;
}

const struct cmu_cmd cmd_enable_e2e_entry = {
	.name = "enable_e2e",
	.usage = "enable_e2e",
	.summary = "Verifies each HSM's cluster certificate over the session (end-to-end)",
	.min_args = 0, .max_args = 0,
	.exec = cmd_enable_e2e_exec,
};
