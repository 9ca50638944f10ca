/* procs-serve.c - hsm-sim run DIR without --node: every node of the cluster
 * as a child in the foreground, the way systemd runs a service (logs on
 * stderr for the journal, READY=1 once all nodes accept connections). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "log.h"
#include "node.h"
#include "pidfile.h"
#include "sim-args.h"
#include "util.h"

#define SERVE_START_TIMEOUT_MS 15000u
#define SERVE_STOP_GRACE_MS 10000u
#define SERVE_POLL_MS 50u

struct served {
	pid_t pid;              /* 0 once reaped */
	bool ready;
	char pid_path[PATH_MAX];
};

struct serve {
	const struct cluster *c;
	struct served nodes[CLUSTER_MAX_NODES];
	unsigned alive, ready;
	bool stopping, failed;
	uint64_t start_deadline, stop_deadline;
};

/* The sd_notify protocol: one datagram to $NOTIFY_SOCKET ('@' is the
 * abstract namespace). Without systemd there is no socket and nothing to do. */
static void
notify_systemd(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = path != NULL ? strlen(path) : 0;
	if (len == 0 || len >= sizeof(sa.sun_path) || (path[0] != '/' && path[0] != '@'))
		return;
	memcpy(sa.sun_path, path, len);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	socklen_t salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa, salen) < 0)
		log_warn("cannot notify systemd: %s", strerror(errno));
	close(fd);
}

/* Runs in the child: the node as 'hsm-sim run DIR --node K', stdin from
 * /dev/null, stdout and stderr shared with us (the journal). */
static void __attribute__((noreturn))
exec_node(const struct cluster *c, unsigned k, const struct node_opts *o,
          const sigset_t *orig)
{
	char dir[PATH_MAX], node[16], idle[16], max[16];
	char arg0[] = "hsm-sim", run[] = "run", o_node[] = "--node",
	     o_idle[] = "--idle-timeout", o_max[] = "--max-sessions";
	char *argv[] = { arg0, run, dir, o_node, node, o_idle, idle, o_max, max, NULL };
	hsm_strlcpy(dir, c->dir, sizeof(dir));
	snprintf(node, sizeof(node), "%u", k);
	snprintf(idle, sizeof(idle), "%u", o->idle_timeout_s);
	snprintf(max, sizeof(max), "%u", o->max_sessions);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	sigprocmask(SIG_SETMASK, orig, NULL);
	unsetenv("NOTIFY_SOCKET");   /* only the supervisor speaks to systemd */
	int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (in < 0 || dup2(in, STDIN_FILENO) < 0)
		_exit(127);
	execv("/proc/self/exe", argv);
	dprintf(STDERR_FILENO, "hsm-sim: /proc/self/exe: %s\n", strerror(errno));
	_exit(127);
}

static void
signal_alive(struct serve *sv, int sig)
{
	for (unsigned k = 0; k < sv->c->count; k++)
		if (sv->nodes[k].pid > 0)
			kill(sv->nodes[k].pid, sig);
}

static void
begin_stop(struct serve *sv, const char *why)
{
	if (sv->stopping)
		return;
	log_info("stopping the nodes (%s)", why);
	notify_systemd("STOPPING=1");
	sv->stopping = true;
	sv->stop_deadline = hsm_now_ms() + SERVE_STOP_GRACE_MS;
	signal_alive(sv, SIGTERM);
}

static void
report_exit(struct serve *sv, unsigned k, int wstatus)
{
	bool clean = WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0;
	if (WIFEXITED(wstatus))
		log_info("node %u exited with status %d", k, WEXITSTATUS(wstatus));
	else
		log_warn("node %u was killed by signal %d", k, WTERMSIG(wstatus));
	if (!clean && !sv->stopping)
		sv->failed = true;
	if (!sv->nodes[k].ready && !sv->stopping) {
		sv->failed = true;
		begin_stop(sv, "a node failed to start");
	}
}

static void
reap(struct serve *sv)
{
	int wstatus;
	pid_t pid;
	while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0)
		for (unsigned k = 0; k < sv->c->count; k++)
			if (sv->nodes[k].pid == pid) {
				sv->nodes[k].pid = 0;
				sv->alive--;
				report_exit(sv, k, wstatus);
			}
}

/* A node is ready once it holds its pid file and accepts TCP. */
static void
check_ready(struct serve *sv)
{
	for (unsigned k = 0; k < sv->c->count; k++) {
		struct served *n = &sv->nodes[k];
		if (n->pid > 0 && !n->ready && pidfile_running(n->pid_path) == n->pid &&
		    sim_node_accepts(&sv->c->nodes[k])) {
			n->ready = true;
			if (++sv->ready == sv->c->count) {
				log_info("all %u nodes accept connections", sv->c->count);
				notify_systemd("READY=1");
			}
		}
	}
	if (sv->ready < sv->c->count && hsm_now_ms() >= sv->start_deadline) {
		log_error("not every node accepts connections after %u s",
		          SERVE_START_TIMEOUT_MS / 1000);
		sv->failed = true;
		begin_stop(sv, "start timed out");
	}
}

static int
spawn_all(struct serve *sv, const struct node_opts *o, const sigset_t *orig)
{
	for (unsigned k = 0; k < sv->c->count; k++) {
		if (sim_node_file(sv->c, k, PIDFILE_NAME, sv->nodes[k].pid_path,
		                  sizeof(sv->nodes[k].pid_path)) != 0)
			return -1;
		fflush(NULL);
		pid_t pid = fork();
		if (pid == 0)
			exec_node(sv->c, k, o, orig);
		if (pid < 0) {
			log_error("node %u: cannot fork: %s", k, strerror(errno));
			return -1;
		}
		sv->nodes[k].pid = pid;
		sv->alive++;
	}
	return 0;
}

/* Waits for a signal for at most one poll interval. */
static void
wait_event(struct serve *sv, const sigset_t *set)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)SERVE_POLL_MS * 1000000L };
	int sig = sigtimedwait(set, NULL, &ts);
	if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP)
		begin_stop(sv, strsignal(sig));
	if (sv->stopping && hsm_now_ms() >= sv->stop_deadline) {
		log_warn("nodes still running after %u s: SIGKILL", SERVE_STOP_GRACE_MS / 1000);
		signal_alive(sv, SIGKILL);
		sv->stop_deadline = UINT64_MAX;
	}
}

int
sim_serve_all(const struct cluster *c, const struct node_opts *o)
{
	static struct serve sv;
	sigset_t set, orig;
	memset(&sv, 0, sizeof(sv));
	sv.c = c;
	sv.start_deadline = hsm_now_ms() + SERVE_START_TIMEOUT_MS;
	log_set_prefix("hsm-sim");
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &orig);
	log_info("serving the %u nodes of %s (%s)", c->count, c->dir, c->cluster_id);
	if (spawn_all(&sv, o, &orig) != 0) {
		sv.failed = true;
		begin_stop(&sv, "a node could not be started");
	}
	while (sv.alive > 0) {
		wait_event(&sv, &set);
		reap(&sv);
		if (!sv.stopping)
			check_ready(&sv);
	}
	sigprocmask(SIG_SETMASK, &orig, NULL);
	log_info("every node has stopped");
	return sv.failed ? SIM_EXIT_FAIL : SIM_EXIT_OK;
}
