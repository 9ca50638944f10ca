/* main.c - cloudhsm_mgmt_util: reads its configuration, connects to every
 * server, then runs commands from the terminal or standard input. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmu.h"
#include "util.h"

#define PROGRAM "cloudhsm_mgmt_util"
#define CONFIG_ENV "CLOUDHSM_MGMT_UTIL_CFG"

static void
usage(FILE *f)
{
	fprintf(f, "Usage: %s [CONFIG]\n"
	        "Manages the users of the HSMs listed in CONFIG (default $%s, then\n"
	        "%s/cloudhsm_mgmt_util.cfg). Type 'help' at the prompt for commands.\n",
	        PROGRAM, CONFIG_ENV, SYSCONFDIR);
}

static const char *
config_path(int argc, char **argv)
{
	static char fallback[4096];
	if (argc > 1)
		return argv[1];
	const char *env = getenv(CONFIG_ENV);
	if (env != NULL && *env != '\0')
		return env;
	snprintf(fallback, sizeof(fallback), "%s/cloudhsm_mgmt_util.cfg", SYSCONFDIR);
	return fallback;
}

/* The start-up banner: one pair of lines per server, in config order. */
static size_t
connect_all(struct cmu *cmu)
{
	size_t connected = 0;
	printf("Connecting to the server(s), it may take time\n"
	       "depending on the server(s) load, please wait...\n\n");
	for (size_t i = 0; i < hsm_server_count(cmu->client); i++) {
		hsm_server_state st = hsm_server_get(cmu->client, i);
		char err[512] = "";
		printf("Connecting to server '%s': hostname '%s', port %u...\n",
		       st.name, st.hostname, st.port);
		fflush(stdout);
		if (hsm_server_connect(cmu->client, i, err, sizeof(err)) == HSM_RC_SUCCESS) {
			printf("Connected to server '%s': hostname '%s', port %u.\n\n",
			       st.name, st.hostname, st.port);
			connected++;
		} else {
			printf("Failed to connect to server '%s': hostname '%s', port %u: %s\n\n",
			       st.name, st.hostname, st.port, err);
		}
	}
	fflush(stdout);
	return connected;
}

static void
command_loop(struct cmu *cmu)
{
	while (!cmu->quit && !cmu->input_eof) {
		char prompt[32], *line = NULL;
		if (cmu->server_mode == CMU_GLOBAL_MODE)
			snprintf(prompt, sizeof(prompt), "aws-cloudhsm>");
		else
			snprintf(prompt, sizeof(prompt), "server%zu>", cmu->server_mode);
		enum shell_status st = shell_read(&cmu->sh, prompt, &line);
		if (st == SHELL_EOF) {
			putchar('\n');
			break;
		}
		if (st == SHELL_TOO_LONG) {
			printf("Error: input line too long (more than %d characters), ignored\n",
			       SHELL_LINE_MAX);
			continue;
		}
		cmu_execute_line(cmu, line);
		hsm_free_secret(line);
		fflush(stdout);
	}
}

int
main(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("%s %s\n", PROGRAM, HSMCLIENT_VERSION);
		return 0;
	}
	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	char err[1024] = "";
	const char *cfg = config_path(argc, argv);
	struct cmu cmu = { .server_mode = CMU_GLOBAL_MODE };
	cmu.client = hsm_client_open_cmu(cfg, err, sizeof(err));
	if (cmu.client == NULL) {
		fprintf(stderr, "%s: %s\n", PROGRAM, err);
		return 1;
	}
	shell_init(&cmu.sh);
	shell_set_completion(&cmu.sh, cmu_complete, &cmu);
	if (connect_all(&cmu) == 0) {
		fprintf(stderr, "%s: %s: no server could be reached\n", PROGRAM, cfg);
		hsm_client_close(cmu.client);
		return 1;
	}
	command_loop(&cmu);
	cmu_complete_forget_users();
	hsm_client_close(cmu.client);
	return 0;
}
