/* procs-start.c - hsm-sim start: runs each node as a detached background
 * process and returns once every node accepts connections, or says why not. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "pidfile.h"
#include "sim-args.h"
#include "sim-cmd.h"
#include "tls.h"
#include "util.h"

#define START_TIMEOUT_MS 15000u
#define POLL_MS 50u
#define CONNECT_TIMEOUT_MS 500u
#define LOG_NAME "hsm.log"
#define LOG_TAIL_LINES 5

static const struct sim_opt start_opts[] = {
	{ .name = "node", .meta = "K", .id = SIM_OPT_NODE, .min = 0,
	  .max = CLUSTER_MAX_NODES - 1, .help = "only node K (default: every node)" },
	{ .name = NULL },
};

const struct sim_cmd_entry sim_entry_start = {
	.name = "start",
	.synopsis = "DIR [--node K]",
	.summary = "Start the nodes in the background; returns once they accept connections.",
	.pos_names = { "DIR" }, .min_pos = 1, .max_pos = 1,
	.opts = start_opts, .exec = sim_cmd_start,
};

struct node_start {
	char pid_path[PATH_MAX];
	char log_path[PATH_MAX];
	pid_t child;      /* 0: not launched by us */
};

/* Runs in the forked child: a session leader with no terminal, stdout and
 * stderr in the node's log, no inherited descriptors, nothing secret in argv. */
static void __attribute__((noreturn))
exec_node(const struct cluster *c, unsigned k, int devnull, int log)
{
	char dir[PATH_MAX], node[16];
	char arg0[] = "hsm-sim", run[] = "run", opt[] = "--node";
	char *argv[] = { arg0, run, dir, opt, node, NULL };
	sigset_t none;
	hsm_strlcpy(dir, c->dir, sizeof(dir));
	snprintf(node, sizeof(node), "%u", k);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	/* Moved above 2 first: started with 0-2 closed, we may hold them. */
	int in = fcntl(devnull, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
	int out = fcntl(log, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
	if (in < 0 || out < 0 || setsid() < 0 || dup2(in, STDIN_FILENO) < 0 ||
	    dup2(out, STDOUT_FILENO) < 0 || dup2(out, STDERR_FILENO) < 0 || chdir("/") != 0)
		_exit(127);
	if (close_range(STDERR_FILENO + 1, ~0U, 0) != 0)
		for (int fd = STDERR_FILENO + 1; fd < 1024; fd++)
			close(fd);
	execv("/proc/self/exe", argv);
	dprintf(STDERR_FILENO, "hsm-sim: /proc/self/exe: %s\n", strerror(errno));
	_exit(127);
}

static int
open_log(const char *path, unsigned k)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		sim_warn("%s: %s", path, strerror(errno));
		return -1;
	}
	time_t now = time(NULL);
	char stamp[32];
	struct tm tm;
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		hsm_strlcpy(stamp, "?", sizeof(stamp));
	/* Marks where this start begins, for whoever reads the log later. */
	dprintf(fd, "--- %s hsm-sim start: node %u ---\n", stamp, k);
	return fd;
}

static int
launch(const struct cluster *c, unsigned k, struct node_start *s)
{
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (devnull < 0) {
		sim_warn("/dev/null: %s", strerror(errno));
		return -1;
	}
	int log = open_log(s->log_path, k);
	if (log < 0) {
		close(devnull);
		return -1;
	}
	fflush(NULL);
	s->child = fork();
	if (s->child == 0)
		exec_node(c, k, devnull, log);
	if (s->child < 0)
		sim_warn("node %u: cannot fork: %s", k, strerror(errno));
	close(devnull);
	close(log);
	return s->child > 0 ? 0 : -1;
}

bool
sim_node_accepts(const struct cluster_node *n)
{
	char err[256];
	int fd = tcp_connect(n->host, n->port, CONNECT_TIMEOUT_MS, err, sizeof(err));
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* True once the child holds the pid file and accepts TCP. Otherwise why
 * goes to why[]: it exited, or missed the deadline and was killed. */
static bool
wait_ready(const struct cluster_node *n, struct node_start *s, uint64_t deadline,
           char *why, size_t whylen)
{
	int wstatus;
	for (;;) {
		if (waitpid(s->child, &wstatus, WNOHANG) == s->child)
			break;
		if (pidfile_running(s->pid_path) == s->child && sim_node_accepts(n))
			return true;
		if (hsm_now_ms() >= deadline) {
			kill(s->child, SIGKILL);
			waitpid(s->child, NULL, 0);
			snprintf(why, whylen, "not accepting connections after %u s, killed",
			         START_TIMEOUT_MS / 1000);
			return false;
		}
		sim_sleep_ms(POLL_MS);
	}
	if (WIFEXITED(wstatus))
		snprintf(why, whylen, "exited with status %d", WEXITSTATUS(wstatus));
	else
		snprintf(why, whylen, "killed by signal %d", WTERMSIG(wstatus));
	return false;
}

static void
print_log_tail(const char *path)
{
	char buf[8192], *save = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	off_t size = lseek(fd, 0, SEEK_END);
	off_t from = size > (off_t)sizeof(buf) - 1 ? size - ((off_t)sizeof(buf) - 1) : 0;
	ssize_t n = size < 0 ? -1 : pread(fd, buf, sizeof(buf) - 1, from);
	close(fd);
	if (n <= 0)
		return;
	size_t end = (size_t)n, start = end;
	unsigned lines = 0;
	while (end > 0 && buf[end - 1] == '\n')
		end--;
	buf[end] = '\0';
	for (start = end; start > 0; start--)
		if (buf[start - 1] == '\n' && ++lines == LOG_TAIL_LINES)
			break;
	for (char *line = strtok_r(buf + start, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save))
		fprintf(stderr, "    %s\n", line);
}

static bool
report(const struct cluster *c, unsigned k, struct node_start *s, uint64_t deadline)
{
	const struct cluster_node *n = &c->nodes[k];
	char endpoint[300], why[96] = "not launched";
	if (s->child > 0 && wait_ready(n, s, deadline, why, sizeof(why))) {
		printf("node %u: started (pid %ld) on %s\n", k, (long)s->child,
		       sim_endpoint(n, endpoint, sizeof(endpoint)));
		return true;
	}
	fprintf(stderr, "node %u: failed to start, see %s\n", k, s->log_path);
	fprintf(stderr, "  %s; the log ends with:\n", why);
	print_log_tail(s->log_path);
	return false;
}

int
sim_cmd_start(int argc, char **argv)
{
	static struct node_start starts[CLUSTER_MAX_NODES];
	struct sim_args a;
	struct cluster c;
	unsigned first, last;
	int status;
	bool ok = true, launched[CLUSTER_MAX_NODES] = { false };
	if (!sim_args_parse(&sim_entry_start, argc, argv, &a, &status))
		return status;
	if (sim_load_cluster(a.pos[0], &c) != 0 || sim_select_nodes(&c, &a, &first, &last) != 0)
		return SIM_EXIT_FAIL;
	uint64_t deadline = hsm_now_ms() + START_TIMEOUT_MS;
	for (unsigned k = first; k <= last; k++) {
		struct node_start *s = &starts[k];
		if (sim_node_file(&c, k, PIDFILE_NAME, s->pid_path, sizeof(s->pid_path)) != 0 ||
		    sim_node_file(&c, k, LOG_NAME, s->log_path, sizeof(s->log_path)) != 0)
			return SIM_EXIT_FAIL;
		pid_t pid = pidfile_running(s->pid_path);
		if (pid > 0) {
			printf("node %u: already running (pid %ld)\n", k, (long)pid);
			continue;
		}
		launched[k] = true;
		if (launch(&c, k, s) != 0)
			ok = false;
	}
	for (unsigned k = first; k <= last; k++)
		if (launched[k] && !report(&c, k, &starts[k], deadline))
			ok = false;
	return ok ? SIM_EXIT_OK : SIM_EXIT_FAIL;
}
