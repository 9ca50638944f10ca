/* main.c - key_mgmt_util: finds the cluster from the client configuration,
 * then runs commands from the prompt, from standard input, or from argv
 * (singlecmd), all through kmu_execute. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmu.h"
#include "util.h"

#define PROGRAM "key_mgmt_util"
#define CONFIG_ENV "CLOUDHSM_CLIENT_CFG"

static void
usage(FILE *f)
{
	fprintf(f, "Usage: %s [-c CONFIG] [singlecmd loginHSM -u CU -s NAME {-p PASSWORD | -hpswd}\n"
	        "                     COMMAND [ARGUMENTS...]]\n"
	        "Manages the keys of the cluster in CONFIG (default $%s, then\n"
	        "%s/cloudhsm_client.cfg). With -hpswd the password is read from the\n"
	        "terminal, or from standard input when it is not one.\n",
	        PROGRAM, CONFIG_ENV, SYSCONFDIR);
}

static const char *
default_config(void)
{
	static char path[4096];
	const char *env = getenv(CONFIG_ENV);
	if (env != NULL && *env != '\0')
		return env;
	snprintf(path, sizeof(path), "%s/cloudhsm_client.cfg", SYSCONFDIR);
	return path;
}

/* The configured server tells the rest of the cluster; then every node is
 * connected (a node that is down is retried by later commands). */
static int
open_cluster(struct kmu *k, const char *cfg)
{
	char err[1024] = "";
	k->client = hsm_client_open_kmu(cfg, err, sizeof(err));
	if (k->client == NULL) {
		fprintf(stderr, "%s: %s\n", PROGRAM, err);
		return -1;
	}
	if (hsm_client_discover(k->client, err, sizeof(err)) != HSM_RC_SUCCESS) {
		printf("\n\tLIQUIDSECURITY: Daemon socket connection error\n");
		fprintf(stderr, "%s: %s: %s\n", PROGRAM, cfg, err);
		return -1;
	}
	for (size_t i = 0; i < hsm_server_count(k->client); i++)
		(void)hsm_server_connect(k->client, i, err, sizeof(err));
	return 0;
}

/* Lines with a plain password stay out of the history. */
static bool
line_has_secret(char **argv, int argc)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "-p") == 0)
			return true;
	return false;
}

static void
command_loop(struct kmu *k)
{
	while (!k->quit) {
		char *line = NULL, *argv[SHELL_MAX_ARGS];
		enum shell_status st = shell_read(&k->sh, "Command:  ", &line);
		if (st == SHELL_EOF) {
			putchar('\n');
			break;
		}
		if (st == SHELL_TOO_LONG) {
			printf("\n\tError: input line too long (more than %d characters), ignored\n",
			       SHELL_LINE_MAX);
			continue;
		}
		char *copy = k->sh.tty ? strdup(line) : NULL;
		int argc = shell_split(line, argv, SHELL_MAX_ARGS);
		if (argc < 0)
			printf("\n\tError: too many arguments (at most %d)\n", SHELL_MAX_ARGS - 1);
		else if (argc > 0 && copy != NULL && !line_has_secret(argv, argc))
			shell_remember(&k->sh, copy);
		if (argc > 0)
			(void)kmu_execute(k, argc, argv);
		hsm_free_secret(copy);
		hsm_free_secret(line);
		fflush(stdout);
	}
}

/* singlecmd loginHSM <its options> COMMAND ARGS: login options come in
 * pairs except -hpswd, so the command is the first word after them. */
static int
run_singlecmd(struct kmu *k, int argc, char **argv)
{
	int i = 0;
	if (argc > 0 && strcmp(argv[0], "loginHSM") == 0) {
		i = 1;
		while (i < argc && argv[i][0] == '-')
			i += strcmp(argv[i], "-hpswd") == 0 ? 1 : 2;
		if (i > argc)
			i = argc;
		if (kmu_execute(k, i, argv) != 0)
			return 1;
	}
	if (i >= argc) {
		fprintf(stderr, "%s: singlecmd: no command after loginHSM\n", PROGRAM);
		return 2;
	}
	return kmu_execute(k, argc - i, argv + i) == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	const char *cfg = NULL;
	int i = 1;
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("%s %s\n", PROGRAM, HSMCLIENT_VERSION);
		return 0;
	}
	if (argc > 2 && strcmp(argv[1], "-c") == 0) {
		cfg = argv[2];
		i = 3;
	}
	if (i < argc && strcmp(argv[i], "singlecmd") != 0) {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	struct kmu k = { .singlecmd = i < argc };
	shell_init(&k.sh);
	shell_set_completion(&k.sh, kmu_complete, &k);
	if (open_cluster(&k, cfg ? cfg : default_config()) != 0) {
		hsm_client_close(k.client);
		return 1;
	}
	int rc = 0;
	if (k.singlecmd)
		rc = run_singlecmd(&k, argc - i - 1, argv + i + 1);
	else
		command_loop(&k);
	hsm_client_close(k.client);
	return rc;
}
