/* opts.c - KMU's "-flag value" arguments, checked against each command's
 * option table before the handler runs, so handlers get typed values. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmu.h"
#include "util.h"

static int
opt_index(const struct kmu_args *a, const char *flag)
{
	for (size_t i = 0; i < a->nopts; i++)
		if (strcmp(a->opts[i].flag, flag) == 0)
			return (int)i;
	return -1;
}

bool
kmu_set(const struct kmu_args *a, const char *flag)
{
	int i = opt_index(a, flag);
	return i >= 0 && a->set[i];
}

const char *
kmu_str(const struct kmu_args *a, const char *flag)
{
	int i = opt_index(a, flag);
	return i >= 0 && a->set[i] ? a->str[i] : NULL;
}

unsigned long
kmu_num(const struct kmu_args *a, const char *flag)
{
	int i = opt_index(a, flag);
	return i >= 0 && a->set[i] ? a->num[i] : 0;
}

static bool
parse_hex(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	if (strncmp(s, "0x", 2) == 0 || strncmp(s, "0X", 2) == 0)
		s += 2;
	if (*s == '\0' || strspn(s, "0123456789abcdefABCDEF") != strlen(s))
		return false;
	errno = 0;
	unsigned long v = strtoul(s, &end, 16);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static bool
parse_users(const char *s, struct kmu_args *a)
{
	char copy[512], *save = NULL;
	if (strlen(s) >= sizeof(copy) || s[0] == ',' || s[strlen(s) - 1] == ',' ||
	    strstr(s, ",,") != NULL)
		return false;
	hsm_strlcpy(copy, s, sizeof(copy));
	a->nusers = 0;
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		unsigned long id;
		if (a->nusers == HSM_MAX_SHARES || !hsm_parse_uint(w, 1, UINT32_MAX, &id))
			return false;
		a->users[a->nusers++] = (uint32_t)id;
	}
	return a->nusers > 0;
}

static bool
parse_value(const struct kmu_opt *o, const char *v, struct kmu_args *a, size_t i)
{
	a->str[i] = v;
	switch (o->type) {
	case OPT_UINT:
		return hsm_parse_uint(v, o->min, o->max, &a->num[i]);
	case OPT_HEX:
		return parse_hex(v, o->min, o->max, &a->num[i]);
	case OPT_USERS:
		return parse_users(v, a);
	case OPT_STRING:
		return true;
	case OPT_FLAG:
		return false;
	}
	return false;
}

static int
usage_error(const struct kmu_cmd *cmd)
{
	kmu_print_help(cmd);
	return -1;
}

/* One "-flag [value]" at argv[*i]; advances *i. */
static int
parse_one(const struct kmu_cmd *cmd, int argc, char **argv, int *i, struct kmu_args *a)
{
	int idx = opt_index(a, argv[*i]);
	if (idx < 0) {
		printf("\n\tError: Invalid argument %s\n", argv[*i]);
		return usage_error(cmd);
	}
	const struct kmu_opt *o = &cmd->opts[idx];
	if (a->set[idx]) {
		printf("\n\tError: %s (%s) is given more than once.\n", o->what, o->flag);
		return usage_error(cmd);
	}
	a->set[idx] = true;
	if (o->type == OPT_FLAG) {
		(*i)++;
		return 0;
	}
	if (*i + 1 >= argc) {
		printf("\n\tError: %s (%s) needs a value.\n", o->what, o->flag);
		return usage_error(cmd);
	}
	if (!parse_value(o, argv[*i + 1], a, (size_t)idx)) {
		printf("\n\tError: Invalid %s (%s): %s\n", o->what, o->flag, argv[*i + 1]);
		return usage_error(cmd);
	}
	*i += 2;
	return 0;
}

int
kmu_parse_args(const struct kmu_cmd *cmd, int argc, char **argv, struct kmu_args *a)
{
	memset(a, 0, sizeof(*a));
	a->opts = cmd->opts;
	a->nopts = cmd->nopts;
	for (int i = 0; i < argc;)
		if (parse_one(cmd, argc, argv, &i, a) != 0)
			return -1;
	for (size_t i = 0; i < cmd->nopts; i++) {
		if (cmd->opts[i].required && !a->set[i]) {
			printf("\n\tError: %s (%s) is missing.\n", cmd->opts[i].what,
			       cmd->opts[i].flag);
			return usage_error(cmd);
		}
	}
	return 0;
}
