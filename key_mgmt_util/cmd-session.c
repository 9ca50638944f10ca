/* cmd-session.c - loginHSM, logoutHSM, listUsers, loginStatus, exit, help.
 * The login spans every node of the cluster, as the SDK 3 daemon's did. */
#include <stdio.h>
#include <string.h>

#include "kmu.h"
#include "util.h"

static const struct kmu_opt login_opts[] = {
	{ "-u", "User type", OPT_STRING, true, 0, 0 },
	{ "-s", "User name", OPT_STRING, true, 0, 0 },
	{ "-p", "Password", OPT_STRING, false, 0, 0 },
	{ "-hpswd", "Hidden password", OPT_FLAG, false, 0, 0 },
};

static char *
login_password(struct kmu *k, const struct kmu_args *a)
{
	if (kmu_set(a, "-p") && kmu_set(a, "-hpswd")) {
		printf("\n\tError: give either -p or -hpswd, not both.\n");
		return NULL;
	}
	if (kmu_set(a, "-p"))
		return strdup(kmu_str(a, "-p"));
	if (!kmu_set(a, "-hpswd")) {
		printf("\n\tError: Password (-p) is missing.\n");
		kmu_print_help(&kmu_cmd_login);
		return NULL;
	}
	char *pw = NULL;
	if (shell_read_secret(&k->sh, "Enter password: ", &pw) != SHELL_OK) {
		printf("\n\tError: no password given.\n");
		return NULL;
	}
	return pw;
}

static int
login_exec(struct kmu *k, const struct kmu_args *a)
{
	char *pw = login_password(k, a);
	if (pw == NULL)
		return 2;
	hsm_node_status st;
	hsm_rc rc = hsm_cluster_login(k->client, hsm_user_type_parse(kmu_str(a, "-u")),
	                              kmu_str(a, "-s"), pw, &st);
	hsm_free_secret(pw);
	kmu_print_result("Cfm3LoginHSM", rc, &st);
	return rc == HSM_RC_SUCCESS ? 0 : 1;
}

const struct kmu_cmd kmu_cmd_login = {
	.name = "loginHSM",
	.summary = "Login to the HSM",
	.help = "Description\n===========\nLogs in to every HSM of the cluster. Only crypto users (CU)\n"
		"can log in to key_mgmt_util.\n\n"
		"Syntax: loginHSM -h\n\n"
		"loginHSM -u <user type>\n"
		"         { -p | -hpswd } <password>\n"
		"         -s <username>\n\n"
		"Parameters:\n"
		"  -u       user type: CU\n"
		"  -s       user name\n"
		"  -p       password (or -hpswd to type it without echo)\n",
	KMU_OPTS(login_opts),
	.exec = login_exec,
};

static int
logout_exec(struct kmu *k, const struct kmu_args *a)
{
	(void)a;
	hsm_node_status st;
	hsm_rc rc = hsm_cluster_logout(k->client, &st);
	kmu_print_result("Cfm3LogoutHSM", rc, &st);
	return rc == HSM_RC_SUCCESS ? 0 : 1;
}

const struct kmu_cmd kmu_cmd_logout = {
	.name = "logoutHSM",
	.summary = "Logout from the HSM",
	.help = "Description\n===========\nLogs out of every HSM of the cluster.\n\n"
		"Syntax: logoutHSM -h\n\nlogoutHSM\n",
	.exec = logout_exec,
};

static void
print_users(const hsm_user_list *l)
{
	printf("\n\tNumber Of Users found %zu\n\n", l->count);
	printf("\tIndex       User ID     User Type       User Name           MofnPubKey"
	       "    LoginFailureCnt         2FA\n");
	for (size_t i = 0; i < l->count; i++) {
		const hsm_user_info *u = &l->users[i];
		printf("\t%-5zu%13u      %-16s%-26s%-5s%13u%17s\n", i + 1, u->id,
		       hsm_user_type_name(u->type), u->name, u->mofn_pubkey ? "YES" : "NO",
		       u->login_failures, u->two_factor ? "YES" : "NO");
	}
}

static int
list_users_exec(struct kmu *k, const struct kmu_args *a)
{
	(void)a;
	hsm_user_list l;
	hsm_node_status st;
	hsm_rc rc = hsm_cluster_list_users(k->client, &l, &st);
	if (rc == HSM_RC_SUCCESS)
		print_users(&l);
	hsm_user_list_free(&l);
	kmu_print_rc("Cfm3ListUsers", rc);
	return rc == HSM_RC_SUCCESS ? 0 : 1;
}

const struct kmu_cmd kmu_cmd_list_users = {
	.name = "listUsers",
	.summary = "Lists all users of a partition",
	.help = "Description\n===========\nLists the users of the HSMs: user ID, type, name,\n"
		"whether a quorum key is registered, failed logins and 2FA.\n\n"
		"Syntax: listUsers -h\n\nlistUsers\n",
	.exec = list_users_exec,
};

static int
login_status_exec(struct kmu *k, const struct kmu_args *a)
{
	(void)a;
	kmu_print_rc("Cfm3LoginStatus", HSM_RC_SUCCESS);
	putchar('\n');
	for (size_t i = 0; i < hsm_server_count(k->client); i++) {
		hsm_server_state s = hsm_server_get(k->client, i);
		if (!s.connected)
			printf("\tNode id %zu: Disconnected\n", i);
		else if (s.logged_in)
			printf("\tNode id %zu: Logged in as '%s(%s)'\n", i, s.login_name,
			       hsm_user_type_name(s.login_type));
		else
			printf("\tNode id %zu: Not logged in\n", i);
	}
	return 0;
}

const struct kmu_cmd kmu_cmd_login_status = {
	.name = "loginStatus",
	.summary = "Gets the Login Information",
	.help = "Description\n===========\nShows, for every HSM of the cluster, whether this session is\n"
		"connected and who is logged in.\n\nSyntax: loginStatus -h\n\nloginStatus\n",
	.exec = login_status_exec,
};

static int
exit_exec(struct kmu *k, const struct kmu_args *a)
{
	(void)a;
	k->quit = true;
	return 0;
}

const struct kmu_cmd kmu_cmd_exit = {
	.name = "exit",
	.summary = "Exits this application",
	.help = "Description\n===========\nExits key_mgmt_util.\n\nSyntax: exit -h\n\nexit\n",
	.exec = exit_exec,
};

static int
help_exec(struct kmu *k, const struct kmu_args *a)
{
	(void)k;
	(void)a;
	kmu_print_listing();
	return 0;
}

const struct kmu_cmd kmu_cmd_help = {
	.name = "help",
	.summary = "Displays this information",
	.help = "Description\n===========\nLists the commands. <command> -h shows one command's syntax.\n\n"
		"Syntax: help\n",
	.exec = help_exec,
};
