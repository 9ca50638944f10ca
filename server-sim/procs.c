/* procs.c - hsm-sim run, stop and status: one node in the foreground, and
 * the view of running nodes through their locked pid files. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "node.h"
#include "pidfile.h"
#include "sim-args.h"
#include "sim-cmd.h"
#include "util.h"

#define STOP_GRACE_MS 10000u    /* after SIGTERM */
#define KILL_WAIT_MS 5000u      /* after SIGKILL */
#define POLL_MS 50u

static const struct sim_opt run_opts[] = {
	{ .name = "node", .meta = "K", .id = SIM_OPT_NODE,
	  .min = 0, .max = CLUSTER_MAX_NODES - 1,
	  .help = "the node to serve (default: every node, each its own process)" },
	{ .name = "idle-timeout", .meta = "SECONDS", .id = SIM_OPT_IDLE_TIMEOUT,
	  .min = 1, .max = 604800, .dflt = NODE_DEFAULT_IDLE_TIMEOUT,
	  .help = "close sessions idle this long (default 1800)" },
	{ .name = "max-sessions", .meta = "N", .id = SIM_OPT_MAX_SESSIONS,
	  .min = 1, .max = 65535, .dflt = NODE_DEFAULT_MAX_SESSIONS,
	  .help = "concurrent client sessions (default 900)" },
	{ .name = NULL },
};

static const struct sim_opt select_opts[] = {
	{ .name = "node", .meta = "K", .id = SIM_OPT_NODE, .min = 0,
	  .max = CLUSTER_MAX_NODES - 1, .help = "only node K (default: every node)" },
	{ .name = NULL },
};

const struct sim_cmd_entry sim_entry_run = {
	.name = "run",
	.synopsis = "DIR [--node K] [--idle-timeout SECONDS] [--max-sessions N]",
	.summary = "Serve node K (or every node) in the foreground, logging to stderr, until SIGTERM or SIGINT.",
	.pos_names = { "DIR" }, .min_pos = 1, .max_pos = 1,
	.opts = run_opts, .exec = sim_cmd_run,
};

const struct sim_cmd_entry sim_entry_stop = {
	.name = "stop",
	.synopsis = "DIR [--node K]",
	.summary = "Stop the running nodes (SIGTERM, then SIGKILL after 10 seconds).",
	.pos_names = { "DIR" }, .min_pos = 1, .max_pos = 1,
	.opts = select_opts, .exec = sim_cmd_stop,
};

const struct sim_cmd_entry sim_entry_status = {
	.name = "status",
	.synopsis = "DIR [--node K]",
	.summary = "Show which nodes run; exit status 3 unless all of them do.",
	.pos_names = { "DIR" }, .min_pos = 1, .max_pos = 1,
	.opts = select_opts, .exec = sim_cmd_status,
};

int
sim_cmd_run(int argc, char **argv)
{
	struct sim_args a;
	struct cluster c;
	unsigned first, last;
	int status;
	if (!sim_args_parse(&sim_entry_run, argc, argv, &a, &status))
		return status;
	if (sim_load_cluster(a.pos[0], &c) != 0 || sim_select_nodes(&c, &a, &first, &last) != 0)
		return SIM_EXIT_FAIL;
	struct node_opts opts = {
		.max_sessions = (unsigned)a.num[SIM_OPT_MAX_SESSIONS],
		.idle_timeout_s = (unsigned)a.num[SIM_OPT_IDLE_TIMEOUT],
	};
	/* Whatever the node creates (database journals, logs) is its alone. */
	umask(077);
	if (!a.set[SIM_OPT_NODE])
		return sim_serve_all(&c, &opts);
	/* Started through /proc/self/exe, ps would otherwise call us "exe". */
	prctl(PR_SET_NAME, "hsm-sim", 0, 0, 0);
	return node_run(c.dir, first, &opts);
}

static int
load_selection(const struct sim_cmd_entry *e, int argc, char **argv, struct cluster *c,
               unsigned *first, unsigned *last, int *status)
{
	struct sim_args a;
	if (!sim_args_parse(e, argc, argv, &a, status))
		return -1;
	*status = SIM_EXIT_FAIL;
	if (sim_load_cluster(a.pos[0], c) != 0 || sim_select_nodes(c, &a, first, last) != 0)
		return -1;
	return 0;
}

int
sim_cmd_status(int argc, char **argv)
{
	struct cluster c;
	unsigned first, last;
	char pid_path[PATH_MAX], endpoint[300];
	int status;
	if (load_selection(&sim_entry_status, argc, argv, &c, &first, &last, &status) != 0)
		return status;
	bool all_running = true;
	for (unsigned k = first; k <= last; k++) {
		if (sim_node_file(&c, k, PIDFILE_NAME, pid_path, sizeof(pid_path)) != 0)
			return SIM_EXIT_FAIL;
		pid_t pid = pidfile_running(pid_path);
		if (pid > 0)
			printf("node %u: running (pid %ld) on %s\n", k, (long)pid,
			       sim_endpoint(&c.nodes[k], endpoint, sizeof(endpoint)));
		else
			printf("node %u: stopped\n", k);
		all_running = all_running && pid > 0;
	}
	return all_running ? SIM_EXIT_OK : SIM_EXIT_NOT_RUNNING;
}

static bool
wait_stopped(const char *pid_path, unsigned timeout_ms)
{
	uint64_t deadline = hsm_now_ms() + timeout_ms;
	while (pidfile_running(pid_path) > 0) {
		if (hsm_now_ms() >= deadline)
			return false;
		sim_sleep_ms(POLL_MS);
	}
	return true;
}

/* Waits for a node sent SIGTERM; a node that ignores it gets SIGKILL. */
static bool
finish_stop(unsigned k, const char *pid_path)
{
	if (wait_stopped(pid_path, STOP_GRACE_MS))
		return true;
	pid_t pid = pidfile_running(pid_path);
	fprintf(stderr, "node %u: still running after %u s, sending SIGKILL\n", k,
	        STOP_GRACE_MS / 1000);
	if (pid > 0 && kill(pid, SIGKILL) != 0 && errno != ESRCH)
		sim_warn("node %u: cannot kill pid %ld: %s", k, (long)pid, strerror(errno));
	return wait_stopped(pid_path, KILL_WAIT_MS);
}

/* Every node gets SIGTERM first, then each is waited for: nodes shut down
 * in parallel while the output stays in node order. */
int
sim_cmd_stop(int argc, char **argv)
{
	struct cluster c;
	unsigned first, last;
	char pid_path[CLUSTER_MAX_NODES][PATH_MAX];
	pid_t pids[CLUSTER_MAX_NODES];
	int status;
	if (load_selection(&sim_entry_stop, argc, argv, &c, &first, &last, &status) != 0)
		return status;
	for (unsigned k = first; k <= last; k++) {
		if (sim_node_file(&c, k, PIDFILE_NAME, pid_path[k], sizeof(pid_path[k])) != 0)
			return SIM_EXIT_FAIL;
		pids[k] = pidfile_running(pid_path[k]);
		if (pids[k] > 0 && kill(pids[k], SIGTERM) != 0 && errno != ESRCH)
			sim_warn("node %u: cannot signal pid %ld: %s", k, (long)pids[k],
			         strerror(errno));
	}
	status = SIM_EXIT_OK;
	for (unsigned k = first; k <= last; k++) {
		if (pids[k] <= 0) {
			printf("node %u: not running\n", k);
		} else if (finish_stop(k, pid_path[k])) {
			printf("node %u: stopped\n", k);
		} else {
			fprintf(stderr, "node %u: could not be stopped (pid %ld)\n", k, (long)pids[k]);
			status = SIM_EXIT_FAIL;
		}
	}
	return status;
}
