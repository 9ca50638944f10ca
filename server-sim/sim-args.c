/* sim-args.c - parses hsm-sim subcommand arguments from their option tables
 * and prints usage from the same tables, so help and behaviour cannot drift. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim-args.h"
#include "util.h"

void
sim_warn(const char *fmt, ...)
{
	va_list ap;
	fputs("hsm-sim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
sim_cmd_usage(const struct sim_cmd_entry *e, FILE *f)
{
	fprintf(f, "usage: hsm-sim %s %s\n", e->name, e->synopsis);
}

void
sim_cmd_help(const struct sim_cmd_entry *e, FILE *f)
{
	sim_cmd_usage(e, f);
	fprintf(f, "%s\n", e->summary);
	if (e->opts == NULL || e->opts[0].name == NULL)
		return;
	fputs("\noptions:\n", f);
	for (const struct sim_opt *o = e->opts; o->name != NULL; o++) {
		char flag[48];
		snprintf(flag, sizeof(flag), "--%s %s", o->name, o->meta);
		fprintf(f, "  %-24s %s\n", flag, o->help);
	}
	fprintf(f, "  %-24s %s\n", "--help", "print this help and exit");
}

void
sim_usage_error(const struct sim_cmd_entry *e, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "hsm-sim %s: ", e->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	sim_cmd_usage(e, stderr);
	fprintf(stderr, "Try 'hsm-sim %s --help' for more information.\n", e->name);
}

static const struct sim_opt *
find_opt(const struct sim_cmd_entry *e, const char *name, size_t len)
{
	for (const struct sim_opt *o = e->opts; o != NULL && o->name != NULL; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

static bool
store_opt(const struct sim_cmd_entry *e, const struct sim_opt *o,
          const char *value, struct sim_args *a)
{
	if (a->set[o->id]) {
		sim_usage_error(e, "--%s given more than once", o->name);
		return false;
	}
	if (o->is_string) {
		if (*value == '\0') {
			sim_usage_error(e, "--%s: empty value", o->name);
			return false;
		}
		a->str[o->id] = value;
	} else if (!hsm_parse_uint(value, o->min, o->max, &a->num[o->id])) {
		sim_usage_error(e, "--%s: '%s' is not a number from %lu to %lu",
		            o->name, value, o->min, o->max);
		return false;
	}
	a->set[o->id] = true;
	return true;
}

/* argv[*i] is "--name VALUE" or "--name=VALUE"; consumes the value. */
static bool
parse_option(const struct sim_cmd_entry *e, int argc, char **argv, int *i,
             struct sim_args *a)
{
	const char *arg = argv[*i];
	const char *name = arg + 2, *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct sim_opt *o = strncmp(arg, "--", 2) == 0 ? find_opt(e, name, len) : NULL;
	if (o == NULL) {
		size_t shown = eq ? (size_t)(eq - arg) : strlen(arg);
		sim_usage_error(e, "unknown option '%.*s'", (int)shown, arg);
		return false;
	}
	if (eq != NULL)
		return store_opt(e, o, eq + 1, a);
	if (*i + 1 >= argc) {
		sim_usage_error(e, "--%s needs a value (%s)", o->name, o->meta);
		return false;
	}
	*i += 1;
	return store_opt(e, o, argv[*i], a);
}

static bool
check_complete(const struct sim_cmd_entry *e, struct sim_args *a)
{
	if (a->npos < e->min_pos) {
		sim_usage_error(e, "missing argument %s", e->pos_names[a->npos]);
		return false;
	}
	for (const struct sim_opt *o = e->opts; o != NULL && o->name != NULL; o++) {
		if (o->required && !a->set[o->id]) {
			sim_usage_error(e, "--%s %s is required", o->name, o->meta);
			return false;
		}
		if (!a->set[o->id]) {
			a->num[o->id] = o->dflt;
			a->str[o->id] = o->dflt_str;
		}
	}
	return true;
}

static bool
is_help(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

bool
sim_args_parse(const struct sim_cmd_entry *e, int argc, char **argv,
               struct sim_args *a, int *status)
{
	bool options_done = false;
	memset(a, 0, sizeof(*a));
	*status = SIM_EXIT_USAGE;
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		if (!options_done && is_help(arg)) {
			sim_cmd_help(e, stdout);
			*status = SIM_EXIT_OK;
			return false;
		}
		if (!options_done && strcmp(arg, "--") == 0) {
			options_done = true;
		} else if (!options_done && arg[0] == '-' && arg[1] != '\0') {
			if (!parse_option(e, argc, argv, &i, a))
				return false;
		} else if (a->npos == e->max_pos) {
			sim_usage_error(e, "unexpected argument '%s'", arg);
			return false;
		} else {
			a->pos[a->npos++] = arg;
		}
	}
	return check_complete(e, a);
}

int
sim_load_cluster(const char *dir, struct cluster *c)
{
	char err[PATH_MAX + 128];
	char *abs = realpath(dir, NULL);
	if (abs == NULL) {
		sim_warn("%s: %s", dir, strerror(errno));
		return -1;
	}
	int rc = cluster_load(abs, c, err, sizeof(err));
	if (rc != 0)
		sim_warn("%s", err);
	free(abs);
	return rc;
}

int
sim_select_nodes(const struct cluster *c, const struct sim_args *a,
                 unsigned *first, unsigned *last)
{
	if (!a->set[SIM_OPT_NODE]) {
		*first = 0;
		*last = c->count - 1;
		return 0;
	}
	if (a->num[SIM_OPT_NODE] >= c->count) {
		sim_warn("%s: no node %lu (the cluster has nodes 0 to %u)",
		         c->dir, a->num[SIM_OPT_NODE], c->count - 1);
		return -1;
	}
	*first = *last = (unsigned)a->num[SIM_OPT_NODE];
	return 0;
}

int
sim_node_file(const struct cluster *c, unsigned k, const char *name,
              char *out, size_t outlen)
{
	if (cluster_node_path(c, k, name, out, outlen) == 0)
		return 0;
	sim_warn("%s/node%u/%s: path too long", c->dir, k, name ? name : "");
	return -1;
}

void
sim_sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

const char *
sim_endpoint(const struct cluster_node *n, char *buf, size_t len)
{
	snprintf(buf, len, strchr(n->host, ':') ? "[%s]:%u" : "%s:%u", n->host, n->port);
	return buf;
}
