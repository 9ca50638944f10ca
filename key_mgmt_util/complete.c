/* complete.c - tab completion for key_mgmt_util, read from the command and
 * option tables: command names, then the flags a command has not been given
 * yet, and file names where a flag's value is a file. */
#include <strings.h>
#include <string.h>

#include "kmu.h"
#include "util.h"

static const struct kmu_opt *
find_opt(const struct kmu_cmd *cmd, const char *flag)
{
	for (size_t i = 0; i < cmd->nopts; i++)
		if (strcmp(cmd->opts[i].flag, flag) == 0)
			return &cmd->opts[i];
	return NULL;
}

static bool
given(int argc, char **argv, const char *flag)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], flag) == 0)
			return true;
	return false;
}

/* The option tables describe values in words: "Key file", "Output file". */
static void
offer_value(const struct kmu_opt *o, struct shell_completion *out)
{
	if (strcasestr(o->what, "file") != NULL)
		shell_offer_files(out);
	else if (strcmp(o->what, "User type") == 0)
		shell_offer(out, "CU");
}

void
kmu_complete(void *ctx, int argc, char **argv, const char *word,
             struct shell_completion *out)
{
	(void)ctx;
	(void)word;
	const struct kmu_cmd *cmd;
	if (argc == 0) {
		for (size_t i = 0; (cmd = kmu_command_at(i)) != NULL; i++)
			shell_offer(out, cmd->name);
		return;
	}
	if ((cmd = kmu_lookup(argv[0])) == NULL)
		return;
	const struct kmu_opt *prev = argc > 1 ? find_opt(cmd, argv[argc - 1]) : NULL;
	if (prev != NULL && prev->type != OPT_FLAG) {
		offer_value(prev, out);
		return;
	}
	if (argc == 1)
		shell_offer(out, "-h");
	for (size_t i = 0; i < cmd->nopts; i++)
		if (!given(argc, argv, cmd->opts[i].flag))
			shell_offer(out, cmd->opts[i].flag);
}
