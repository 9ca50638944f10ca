/* hsm-sim.c - main() of the HSM cluster simulator: looks the subcommand up
 * in the command table and hands it the remaining arguments. */
#include <stdio.h>
#include <string.h>

#include "hsmclient.h"
#include "sim-args.h"
#include "util.h"

static const struct sim_cmd_entry *const sim_cmd_table[] = {
	&sim_entry_init,
	&sim_entry_start,
	&sim_entry_stop,
	&sim_entry_status,
	&sim_entry_run,
	&sim_entry_backup,
	&sim_entry_restore,
	&sim_entry_sync_config,
};

static void
print_help(FILE *f)
{
	fputs("usage: hsm-sim COMMAND [ARGS...]\n"
	      "       hsm-sim --help | --version\n\n"
	      "Simulates a cluster of HSMs for cloudhsm_mgmt_util and key_mgmt_util.\n\n"
	      "commands:\n", f);
	for (size_t i = 0; i < ARRAY_SIZE(sim_cmd_table); i++) {
		const struct sim_cmd_entry *e = sim_cmd_table[i];
		fprintf(f, "  %s %s\n      %s\n", e->name, e->synopsis, e->summary);
	}
	fputs("\nRun 'hsm-sim COMMAND --help' for the options of a command.\n", f);
}

/* After a mistake: the synopsis and the command names, not the whole help. */
static void
short_usage(void)
{
	fputs("usage: hsm-sim COMMAND [ARGS...]   (commands:", stderr);
	for (size_t i = 0; i < ARRAY_SIZE(sim_cmd_table); i++)
		fprintf(stderr, " %s", sim_cmd_table[i]->name);
	fputs(")\nRun 'hsm-sim --help' for more information.\n", stderr);
}

static const struct sim_cmd_entry *
find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(sim_cmd_table); i++)
		if (strcmp(sim_cmd_table[i]->name, name) == 0)
			return sim_cmd_table[i];
	return NULL;
}

int
main(int argc, char **argv)
{
	/* Line-buffered so expect and pipes see each status line as it happens. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		fputs("hsm-sim: missing command\n", stderr);
		short_usage();
		return SIM_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_help(stdout);
		return SIM_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("hsm-sim %s\n", HSMCLIENT_VERSION);
		return SIM_EXIT_OK;
	}
	const struct sim_cmd_entry *e = find_command(argv[1]);
	if (e == NULL) {
		fprintf(stderr, "hsm-sim: unknown command '%s'\n", argv[1]);
		short_usage();
		return SIM_EXIT_USAGE;
	}
	return e->exec(argc - 2, argv + 2);
}
