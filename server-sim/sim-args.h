/* sim-args.h - hsm-sim command table entries, their argument parser and the
 * few helpers every subcommand shares (errors, cluster and node lookup). */
#ifndef HSM_SIM_ARGS_H
#define HSM_SIM_ARGS_H

#include <stdbool.h>
#include <stdio.h>

#include "cluster.h"

/* Exit statuses shared by every subcommand (doc/hsm-sim.1, EXIT STATUS). */
enum {
	SIM_EXIT_OK = 0,
	SIM_EXIT_FAIL = 1,
	SIM_EXIT_USAGE = 2,
	SIM_EXIT_NOT_RUNNING = 3,
};

enum sim_opt_id {
	SIM_OPT_NODE,
	SIM_OPT_NODES,
	SIM_OPT_HOST,
	SIM_OPT_BASE_PORT,
	SIM_OPT_IDLE_TIMEOUT,
	SIM_OPT_MAX_SESSIONS,
	SIM_OPT_TOKEN_VALIDITY,
	SIM_OPT_FROM_BACKUP,
	SIM_OPT_MASKING_KEY,
	SIM_OPT_SDK3_ROOT,
	SIM_OPT_COUNT
};

/* One --name VALUE option; numbers are range-checked while parsing. */
struct sim_opt {
	const char *name;           /* without the leading "--" */
	const char *meta;           /* the value's name in usage: "K", "H" */
	enum sim_opt_id id;
	bool is_string;
	bool required;
	unsigned long min, max, dflt;
	const char *dflt_str;
	const char *help;
};

#define SIM_MAX_POS 3

struct sim_cmd_entry {
	const char *name;
	const char *synopsis;       /* what follows the name in usage */
	const char *summary;        /* one line for hsm-sim --help */
	const char *pos_names[SIM_MAX_POS];
	unsigned min_pos, max_pos;
	const struct sim_opt *opts; /* ends with a NULL name; may be NULL */
	int (*exec)(int argc, char **argv);
};

struct sim_args {
	const char *pos[SIM_MAX_POS];
	unsigned npos;
	bool set[SIM_OPT_COUNT];            /* given on the command line */
	unsigned long num[SIM_OPT_COUNT];   /* value or default */
	const char *str[SIM_OPT_COUNT];
};

extern const struct sim_cmd_entry sim_entry_init;
extern const struct sim_cmd_entry sim_entry_start;
extern const struct sim_cmd_entry sim_entry_stop;
extern const struct sim_cmd_entry sim_entry_status;
extern const struct sim_cmd_entry sim_entry_run;
extern const struct sim_cmd_entry sim_entry_backup;
extern const struct sim_cmd_entry sim_entry_restore;
extern const struct sim_cmd_entry sim_entry_sync_config;

/* Parses the arguments after the command name. Returns false when the
 * command must stop now with *status (0 after --help, 2 on a usage error,
 * which has been reported on stderr). */
bool sim_args_parse(const struct sim_cmd_entry *e, int argc, char **argv,
                    struct sim_args *a, int *status);
void sim_cmd_usage(const struct sim_cmd_entry *e, FILE *f);
/* A usage mistake: one line naming it, the usage, a pointer to --help. */
void sim_usage_error(const struct sim_cmd_entry *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sim_cmd_help(const struct sim_cmd_entry *e, FILE *f);

/* "hsm-sim: " + message + newline on stderr. */
void sim_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Loads DIR/cluster.json with DIR made absolute; reports errors. */
int sim_load_cluster(const char *dir, struct cluster *c);
/* The nodes a command acts on: --node K if given (checked against the
 * cluster), else all of them. Reports errors. */
int sim_select_nodes(const struct cluster *c, const struct sim_args *a,
                     unsigned *first, unsigned *last);
/* DIR/nodeK/NAME into out; reports a path that does not fit. */
int sim_node_file(const struct cluster *c, unsigned k, const char *name,
                  char *out, size_t outlen);
void sim_sleep_ms(unsigned ms);
/* Node n takes a TCP connection within half a second (procs-start.c). */
bool sim_node_accepts(const struct cluster_node *n);
struct node_opts;
/* hsm-sim run DIR without --node: every node as a child in the foreground,
 * until SIGTERM, SIGINT or SIGHUP (procs-serve.c). Returns the exit status. */
int sim_serve_all(const struct cluster *c, const struct node_opts *o);
/* "host:port", or "[host]:port" for an IPv6 address. */
const char *sim_endpoint(const struct cluster_node *n, char *buf, size_t len);

#endif
